"""The command line (SPEC §5): parse, call the core, render, map errors to exit codes.

Only this module raises ``typer.Exit``. The heavy modules (pydantic models,
rules, holidays, icalendar, Rich) are imported inside the commands that need
them, so ``pcplan --version`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from pcplan import __version__
from pcplan.errors import PcplanError, UsageError

if TYPE_CHECKING:
    from pcplan.checker import Analysis
    from pcplan.repo import LoadedFile, ProgrammeDir

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(
    name="pcplan",
    help="Plan, check and track children's services peer challenges kept as YAML files.\n\n"
    "Example: pcplan status",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
team_app = typer.Typer(
    help="Show or edit a challenge's visiting team.\n\n"
    "Examples: pcplan team kent-2027-03 · "
    'pcplan team kent-2027-03 add "Jo Rivers" --authority surrey --role dcs --lead · '
    'pcplan team kent-2027-03 confirm "Jo Rivers"',
    invoke_without_command=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(team_app, name="team")


class State:
    directory: str = "challenges"


STATE = State()


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"pcplan: {message}\n")
    raise typer.Exit(code)


def handles_errors(function: F) -> F:
    """Turn a :class:`PcplanError` into one line on stderr and its exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except PcplanError as error:
            _fail(error.message, error.exit_code)
        except BrokenPipeError:  # `pcplan status | head`
            sys.stderr.close()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            _fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pcplan {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    directory: Annotated[
        str,
        typer.Option(
            "--dir",
            envvar="PCPLAN_DIR",
            help="The programme directory (programme.yaml and one file per challenge).",
            show_default=True,
        ),
    ] = "challenges",
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Plan, check and track children's services peer challenges kept as YAML files.

    Example: pcplan --dir challenges status --round 9
    """
    STATE.directory = directory


# ----------------------------------------------------------------------------- helpers


def parse_date(value: str | None, option: str = "--as-of") -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option)


def today() -> date:
    """The one place the clock is read (the core always takes ``as_of``)."""
    return date.today()


def _as_of(value: str | None) -> date:
    return parse_date(value) or today()


def _programme_dir() -> ProgrammeDir:
    from pcplan.repo import open_programme_dir

    return open_programme_dir(STATE.directory)


class Progress:
    """A progress bar on stderr, only on a terminal and only once loading passes a second."""

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._started = self._clock()
        self._bar: Any = None
        self._task: Any = None
        from pcplan.render import is_terminal

        self._enabled = is_terminal(sys.stderr)

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        if self._bar is None:
            if self._clock() - self._started < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("Reading challenges", total=total)
        self._bar.update(self._task, completed=done)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _analyse(as_of: date, extra: list[Path] | None = None) -> Analysis:
    from pcplan.checker import analyse

    progress = Progress()
    try:
        return analyse(_programme_dir(), as_of, extra_paths=extra or [], progress=progress)
    finally:
        progress.close()


def _report_unreadable(analysis: Analysis) -> None:
    """Commands other than `check` mention files they could not use, on stderr."""
    broken = [f.display for f in analysis.files if f.model is None]
    if analysis.programme is None:
        broken.insert(0, analysis.programme_file.display)
    if broken:
        shown = ", ".join(broken[:5]) + (f" and {len(broken) - 5} more" if len(broken) > 5 else "")
        sys.stderr.write(
            f"pcplan: left out {len(broken)} file{'s' if len(broken) != 1 else ''} that "
            f"cannot be read ({shown}); run `pcplan check` for details\n"
        )


def _out() -> Any:
    return sys.stdout


def _write_json(payload: object) -> None:
    import json

    json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _stamp() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)


# ----------------------------------------------------------------------------- check


class CheckFormat(str, Enum):
    text = "text"
    github = "github"
    json = "json"


@app.command()
@handles_errors
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Challenge files to report on (default: the whole programme).",
                       show_default=False),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Check as of this date (YYYY-MM-DD); default today.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="text, github (annotations) or json.")
    ] = CheckFormat.text,
) -> None:
    """Check every challenge file and every rule; exit 1 on errors (or warnings with --strict).

    The cross-file rules (duplicate ids, diaries) always compare against the whole
    programme, even when only some files are named.

    Example: pcplan check --format github --strict
    """
    from pcplan.render.findings import WRITER_BY_FORMAT

    day = _as_of(as_of)
    programme_dir = _programme_dir()
    only: list[str] | None = None
    extra: list[Path] = []
    if paths:
        only = []
        for path in paths:
            if not path.is_file():
                raise UsageError(f"{path}: no such file")
            resolved = _inside(programme_dir.root, path)
            if resolved is None:
                extra.append(path)
                only.append(str(path))
            else:
                only.append(programme_dir.display(resolved))
    analysis = _analyse(day, extra)
    result = analysis.result(only)
    WRITER_BY_FORMAT[fmt.value](result, sys.stdout)
    raise typer.Exit(1 if result.failed(strict=strict) else 0)


def _inside(root: Path, path: Path) -> Path | None:
    """``path`` re-expressed under ``root`` (as the directory walk finds it), or None."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return root / relative


# ----------------------------------------------------------------------------- schedule


class ScheduleFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    ics = "ics"


def _load_one(reference: str) -> tuple[ProgrammeDir, LoadedFile, Any]:
    """A challenge by id or path, with the programme's registry; exit 1 if it is broken."""
    from pcplan.models import Challenge, Programme
    from pcplan.repo import find_challenge, load_file
    from pcplan.render.findings import write_text

    programme_dir = _programme_dir()
    path = find_challenge(programme_dir, reference)
    inside = _inside(programme_dir.root, path)
    display = programme_dir.display(inside) if inside else str(path)
    loaded = load_file(path, display)
    programme_file = load_file(
        programme_dir.programme_path, programme_dir.display(programme_dir.programme_path),
        programme=True,
    )
    programme = programme_file.model if isinstance(programme_file.model, Programme) else None
    if programme is None:
        sys.stderr.write(
            f"pcplan: {programme_file.display} cannot be read; using default settings "
            "(run `pcplan check`)\n"
        )
    if not isinstance(loaded.model, Challenge):
        from pcplan.findings import CheckResult

        write_text(CheckResult(1, tuple(loaded.findings)), sys.stderr)
        raise typer.Exit(1)
    return programme_dir, loaded, programme


@app.command()
@handles_errors
def schedule(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Statuses as of this date; default today.")
    ] = None,
    fmt: Annotated[
        ScheduleFormat,
        typer.Option("--format", help="table, markdown (for an email), csv, json or ics."),
    ] = ScheduleFormat.table,
    weeks: Annotated[
        bool, typer.Option("--weeks", help="Week by week: what opens, is due and was done.")
    ] = False,
) -> None:
    """Print a challenge's planning steps with their windows, done dates and statuses.

    Due dates on a weekend or bank holiday move to the previous working day.

    Example: pcplan schedule kent-2027-03 --weeks --format markdown
    """
    from pcplan.models import Challenge, Settings
    from pcplan.render import table as tables
    from pcplan.render import schedule as views
    from pcplan.schedule import compute_schedule

    day = _as_of(as_of)
    _, loaded, programme = _load_one(challenge)
    assert isinstance(loaded.model, Challenge)
    model = loaded.model
    settings = programme.settings if programme else Settings()
    result = compute_schedule(model, settings, day)
    host_name = programme.authorities.get(model.host.authority) if programme else None
    if fmt is ScheduleFormat.json:
        _write_json(views.schedule_json(result, weeks=weeks))
    elif fmt is ScheduleFormat.ics:
        from pcplan.checker import build_context
        from pcplan.dates import working_days
        from pcplan.overview import challenge_events
        from pcplan.render.ics import write_ics

        ctx = build_context(loaded, programme, day, working_days())
        assert ctx is not None
        write_ics(
            challenge_events(ctx, host_name), sys.stdout, name=f"Peer challenge {model.id}",
            stamp=_stamp(),
        )
    elif fmt is ScheduleFormat.csv:
        tables.write(views.csv_table(result), "csv", sys.stdout)
    else:
        view = views.weeks_table if weeks else views.schedule_table
        tables.write(view(model, result, host_name), fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- schema


@app.command()
@handles_errors
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory to write into; default `schemas/` beside --dir."),
    ] = None,
) -> None:
    """Write the JSON Schemas of a challenge file and of programme.yaml.

    Editors use them through the modeline at the top of each challenge file.

    Example: pcplan schema --out schemas
    """
    from pcplan.jsonschema import write_schemas

    target = out if out is not None else Path(STATE.directory).parent / "schemas"
    for path in write_schemas(target):
        sys.stdout.write(f"wrote {path}\n")


# ----------------------------------------------------------------------------- new


def _prompt_or_fail(value: Any, label: str, option: str, missing: list[str]) -> Any:
    if value is not None:
        return value
    if sys.stdin.isatty() and sys.stdout.isatty():
        return typer.prompt(label)
    missing.append(option)
    return None


@app.command()
@handles_errors
def new(
    host: Annotated[str | None, typer.Option("--host", help="Host authority slug, e.g. kent.")] = None,
    fieldwork: Annotated[
        str | None, typer.Option("--fieldwork", help="First day of fieldwork (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", help="Last day of fieldwork; default the next working day."),
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Round number.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Self-assessment topic.")] = None,
    host_dcs: Annotated[
        str | None,
        typer.Option("--host-dcs", help="Host DCS; default the host's DCS in programme.yaml."),
    ] = None,
    challenge_id: Annotated[
        str | None, typer.Option("--id", help="Challenge id; default <host>-<YYYY>-<MM>.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Today, for the schedule's headline.", hidden=True)
    ] = None,
) -> None:
    """Scaffold a new challenge file with every section commented, and print its schedule.

    Asks for what is missing on a terminal; elsewhere exits 2 naming it.

    Example: pcplan new --host kent --fieldwork 2027-06-09 --round 10 --topic "Care leavers"
    """
    from pcplan.dates import working_days
    from pcplan.edit import write_atomic
    from pcplan.models import SLUG_PATTERN, Programme, validate_challenge
    from pcplan.render.schedule import headline
    from pcplan.repo import challenge_paths, load_file
    from pcplan.rules.identity import unknown_authority_message
    from pcplan.scaffold import NewChallenge, challenge_text, default_id, schema_reference
    from pcplan.schedule import compute_schedule
    from pcplan.yamlio import decode, parse

    day = _as_of(as_of)
    programme_dir = _programme_dir()
    programme_file = load_file(
        programme_dir.programme_path, programme_dir.display(programme_dir.programme_path),
        programme=True,
    )
    programme = programme_file.model
    if not isinstance(programme, Programme):
        raise UsageError(
            f"{programme_file.display} cannot be read; run `pcplan check` and fix it first"
        )
    missing: list[str] = []
    host = _prompt_or_fail(host, "Host authority (slug)", "--host", missing)
    fieldwork = _prompt_or_fail(fieldwork, "First day of fieldwork (YYYY-MM-DD)", "--fieldwork",
                                missing)
    round_number = _prompt_or_fail(round_number, "Round", "--round", missing)
    topic = _prompt_or_fail(topic, "Self-assessment topic", "--topic", missing)
    if host_dcs is None and host is not None:
        dcss = [p.name for p in programme.people if p.authority == host and p.role == "dcs"]
        host_dcs = dcss[0] if len(dcss) == 1 else None
    host_dcs = _prompt_or_fail(host_dcs, "Host DCS", "--host-dcs", missing)
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)} (not a terminal, so pcplan cannot ask); nothing written"
        )
    import re

    if not re.fullmatch(SLUG_PATTERN, host) or host not in programme.authorities:
        raise UsageError(f"--host {host}: {unknown_authority_message(host, programme.authorities)}")
    start = parse_date(str(fieldwork), "--fieldwork")
    assert start is not None
    finish = parse_date(end, "--end") or working_days().next_after(start)
    challenge_id = challenge_id or default_id(host, start)
    if not re.fullmatch(SLUG_PATTERN, challenge_id):
        raise UsageError(f"--id {challenge_id}: use lowercase letters, digits and hyphens")
    target = programme_dir.root / f"{challenge_id}.yaml"
    for path in challenge_paths(programme_dir):
        if path.stem == challenge_id and path != target:
            from pcplan.errors import WriteRefused

            raise WriteRefused(
                f"{programme_dir.display(path)} already has the id {challenge_id}; "
                "choose another with --id"
            )
    if target.is_symlink():
        from pcplan.errors import WriteRefused

        raise WriteRefused(f"{programme_dir.display(target)}: is a symbolic link; not written")
    if target.exists() and not force:
        from pcplan.errors import WriteRefused

        raise WriteRefused(
            f"{programme_dir.display(target)} already exists; pass --force to overwrite it"
        )
    details = NewChallenge(
        id=challenge_id, round=int(round_number), host=host,
        host_name=programme.authorities[host], host_dcs=str(host_dcs), topic=str(topic),
        start=start, end=finish, programme_manager=programme.programme_manager,
    )
    text = challenge_text(details, schema_path=schema_reference(target, programme_dir.root),
                          made_on=day)
    checked = validate_challenge(parse(decode(target, text.encode("utf-8"))).data)
    if isinstance(checked, list):
        raise UsageError("; ".join(issue.message for issue in checked))
    previous = target.read_bytes() if target.exists() else None
    write_atomic(target, text.encode("utf-8"), expected=previous)
    sys.stdout.write(f"{programme_dir.display(target)}\n")
    result = compute_schedule(checked, programme.settings, day)
    for line in headline(checked, result, programme.authorities[host]):
        sys.stdout.write(line + "\n")


# ----------------------------------------------------------------------------- done


def _report_edit(display: str, before: list[Any], as_of: date) -> None:
    """After an edit: the problems the file has now that it did not have before."""
    analysis = _analyse(as_of)
    after = analysis.findings.get(display, [])
    seen = {(f.rule, f.message) for f in before}
    fresh = [f for f in after if (f.rule, f.message) not in seen and f.severity != "info"]
    for f in fresh:
        sys.stdout.write(f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}\n")


def _edit_context(reference: str, as_of: date) -> tuple[Any, Any, list[Any]]:
    from pcplan.edit import Editor

    programme_dir = _programme_dir()
    from pcplan.repo import find_challenge

    path = find_challenge(programme_dir, reference)
    inside = _inside(programme_dir.root, path)
    display = programme_dir.display(inside) if inside else str(path)
    analysis = _analyse(as_of, [] if inside else [path])
    before = analysis.findings.get(display, [])
    return Editor(path), display, before


@app.command()
@handles_errors
def done(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    step: Annotated[str, typer.Argument(help="The step's key, e.g. scope or reading_pack.")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it was done (YYYY-MM-DD); default today.")
    ] = None,
) -> None:
    """Record a planning step as done, changing only that line of the file.

    Example: pcplan done kent-2027-03 reading_pack --on 2027-02-19
    """
    import difflib

    from pcplan.steps import STEP_BY_KEY, STEP_KEYS

    if step not in STEP_BY_KEY:
        close = difflib.get_close_matches(step, STEP_KEYS, n=1)
        hint = f"did you mean {close[0]}?" if close else "the steps are " + ", ".join(STEP_KEYS)
        raise UsageError(f"{step}: not a planning step; {hint}")
    day = parse_date(on, "--on") or today()
    editor, display, before = _edit_context(challenge, today())
    previous = (editor.data.get("steps") or {}).get(step) if isinstance(
        editor.data.get("steps"), dict) else None
    editor.set_value(("steps",), step, day)
    if editor.save():
        was = f" (was {previous})" if previous not in (None, "") else ""
        sys.stdout.write(f"{display}: {step} done {day.isoformat()}{was}\n")
    else:
        sys.stdout.write(f"{display}: {step} was already recorded as done {day.isoformat()}\n")
    _report_edit(display, before, today())


# ----------------------------------------------------------------------------- team


class Role(str, Enum):
    dcs = "dcs"
    assistant_director = "assistant_director"
    team_leader = "team_leader"
    practitioner = "practitioner"
    partner = "partner"


class ShowFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


class TeamState:
    challenge: str = ""


TEAM = TeamState()

TEAM_RULES = (
    "team.lead", "team.size", "team.authorities", "team.host", "team.assistant_director",
    "team.practitioners", "team.diary", "team.conflict", "team.unconfirmed", "team.missing",
)


@team_app.callback()
@handles_errors
def team(
    ctx: typer.Context,
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Rules as of this date.")] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
) -> None:
    """Show a challenge's visiting team and how it fares against each team rule.

    Example: pcplan team kent-2027-03
    """
    TEAM.challenge = challenge
    if ctx.invoked_subcommand is not None:
        return
    from pcplan.render import table as tables
    from pcplan.repo import find_challenge

    day = _as_of(as_of)
    programme_dir = _programme_dir()
    path = find_challenge(programme_dir, challenge)
    inside = _inside(programme_dir.root, path)
    display = programme_dir.display(inside) if inside else str(path)
    analysis = _analyse(day, [] if inside else [path])
    context = analysis.context(display)
    if context is None:
        from pcplan.findings import CheckResult
        from pcplan.render.findings import write_text

        write_text(CheckResult(1, tuple(analysis.findings.get(display, []))), sys.stderr)
        raise typer.Exit(1)
    members = context.challenge.visiting_team
    found = [f for f in analysis.findings.get(display, []) if f.rule in TEAM_RULES]
    results = []
    for rule in TEAM_RULES:
        hits = [f for f in found if f.rule == rule]
        results.append((rule, hits))
    if fmt is ShowFormat.json:
        _write_json(
            {
                "id": context.challenge.id,
                "members": [m.model_dump(mode="json") for m in members],
                "rules": {
                    rule: [{"severity": f.severity, "message": f.message, "line": f.line}
                           for f in hits]
                    for rule, hits in results
                },
            }
        )
        return
    people = tables.Table(["name", "authority", "role", "lead", "status"])
    people.heading = [
        f"{context.challenge.id}: visiting team ({sum(1 for m in members if m.status == 'confirmed' and m.role != 'partner')}/4 confirmed)"
    ]
    if not members:
        people.notes = ["No visiting team yet."]
    for member in members:
        people.add(
            [member.name, member.authority, member.role.replace("_", " "),
             "lead" if member.lead else "", member.status],
            "dim" if member.status == "declined" else None,
        )
    tables.write(people, fmt.value, sys.stdout)
    sys.stdout.write("\n")
    verdicts = tables.Table(["rule", "result"])
    for rule, hits in results:
        if not hits:
            verdicts.add([rule, "ok"])
        for f in hits:
            style = {"error": "bold red", "warning": "yellow"}.get(f.severity)
            verdicts.add([rule, f"{f.severity}: {f.message}"], style)
    tables.write(verdicts, fmt.value, sys.stdout)


def _find_member(editor: Any, name: str) -> int:
    import difflib

    team_list = editor.data.get("visiting_team") or []
    wanted = " ".join(name.split()).casefold()
    for index, member in enumerate(team_list):
        if isinstance(member, dict) and " ".join(str(member.get("name", "")).split()).casefold() == wanted:
            return index
    names = [str(m.get("name")) for m in team_list if isinstance(m, dict)]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]}?" if close else (
        f"; the team is {', '.join(names)}" if names else "; the team is empty"
    )
    raise UsageError(f"{name}: not on the visiting team of {TEAM.challenge}{hint}")


@team_app.command("add")
@handles_errors
def team_add(
    name: Annotated[str, typer.Argument(help="The person's name, as in programme.yaml.")],
    authority: Annotated[str, typer.Option("--authority", help="Their authority's slug.")],
    role: Annotated[Role, typer.Option("--role", help="Their role.")],
    lead: Annotated[bool, typer.Option("--lead", help="They lead the visiting team.")] = False,
) -> None:
    """Nominate someone for the visiting team (status: nominated).

    Example: pcplan team kent-2027-03 add "Jo Rivers" --authority surrey --role dcs --lead
    """
    from pcplan.models import Programme
    from pcplan.repo import load_file
    from pcplan.rules.identity import unknown_authority_message

    if not name.strip():
        raise UsageError("give the person's name")
    editor, display, before = _edit_context(TEAM.challenge, today())
    programme_dir = _programme_dir()
    programme = load_file(programme_dir.programme_path, "programme.yaml", programme=True).model
    if isinstance(programme, Programme) and authority not in programme.authorities:
        raise UsageError(
            f"--authority {authority}: {unknown_authority_message(authority, programme.authorities)}"
        )
    try:
        index = _find_member(editor, name)
    except UsageError:
        index = -1
    if index >= 0:
        raise UsageError(
            f"{name} is already on the visiting team of {TEAM.challenge}; use "
            f"`pcplan team {TEAM.challenge} confirm` or `decline`"
        )
    item: dict[str, str | bool] = {"name": name.strip(), "authority": authority, "role": role.value}
    if lead:
        item["lead"] = True
    item["status"] = "nominated"
    editor.append_item(("visiting_team",), item)
    editor.save()
    sys.stdout.write(f"{display}: added {name.strip()} ({authority}, {role.value}"
                     f"{', lead' if lead else ''}) as nominated\n")
    _report_edit(display, before, today())


def _set_status(name: str, status: str) -> None:
    editor, display, before = _edit_context(TEAM.challenge, today())
    index = _find_member(editor, name)
    member = editor.data["visiting_team"][index]
    if member.get("status") == status:
        sys.stdout.write(f"{display}: {member.get('name')} is already {status}\n")
        return
    editor.set_value(("visiting_team", index), "status", status)
    editor.save()
    sys.stdout.write(f"{display}: {member.get('name')} is now {status}\n")
    _report_edit(display, before, today())


@team_app.command("confirm")
@handles_errors
def team_confirm(
    name: Annotated[str, typer.Argument(help="A member's name.")],
) -> None:
    """Record that the host DCS confirmed a nomination (¶22).

    Example: pcplan team kent-2027-03 confirm "Jo Rivers"
    """
    _set_status(name, "confirmed")


@team_app.command("decline")
@handles_errors
def team_decline(
    name: Annotated[str, typer.Argument(help="A member's name.")],
) -> None:
    """Record that a nomination was declined. No reason is ever recorded (¶22).

    Example: pcplan team kent-2027-03 decline "Jo Rivers"
    """
    _set_status(name, "declined")


# ----------------------------------------------------------------------------- status


@app.command()
@handles_errors
def status(
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this date; default today.")] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Only this round.")] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
) -> None:
    """One row per challenge: phase, next step, overdue steps, team and problems.

    Example: pcplan status --round 9 --format markdown
    """
    from pcplan.dates import show_date
    from pcplan.overview import status_rows
    from pcplan.render import table as tables

    day = _as_of(as_of)
    analysis = _analyse(day)
    _report_unreadable(analysis)
    rows = status_rows(analysis, round_number)
    if fmt is ShowFormat.json:
        _write_json([row.as_json() for row in rows])
        return
    table = tables.Table(
        ["id", "host", "round", "fieldwork", "phase", "next step", "due", "overdue", "team",
         "errors", "warnings"]
    )
    title = f"Peer challenges as of {show_date(day)}"
    if analysis.programme is not None:
        title = f"{analysis.programme.name}: {len(rows)} challenges as of {show_date(day)}"
    table.heading = [title]
    for row in rows:
        upcoming = row.next_step
        table.add(
            [
                row.id, row.host, str(row.round),
                f"{row.start:%d %b %Y}–{row.end:%d %b}" if row.start.year == row.end.year
                else f"{row.start:%d %b %Y}–{row.end:%d %b %Y}",
                row.phase,
                upcoming.key if upcoming else "",
                show_date(upcoming.due) if upcoming and upcoming.due else "",
                str(row.overdue) if row.overdue else "",
                f"{row.team_confirmed}/4",
                str(row.errors) if row.errors else "",
                str(row.warnings) if row.warnings else "",
            ],
            "bold red" if row.overdue or row.errors else None,
        )
    tables.write(table, fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- due


class DueFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"
    ics = "ics"


@app.command()
@handles_errors
def due(
    within: Annotated[
        str, typer.Option("--within", help="How far ahead: 14d, 3w or 2m.")
    ] = "14d",
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this date; default today.")] = None,
    fmt: Annotated[DueFormat, typer.Option("--format", help="table, markdown, json or ics.")] = (
        DueFormat.table
    ),
) -> None:
    """Every step overdue or due soon across all challenges, by date, grouped by week.

    Example: pcplan due --within 3w --format markdown
    """
    from pcplan.dates import show_date, week_commencing
    from pcplan.overview import due_items, parse_period
    from pcplan.render import table as tables
    from pcplan.render.table import STYLE_BY_STATUS

    period = parse_period(within)
    day = _as_of(as_of)
    analysis = _analyse(day)
    _report_unreadable(analysis)
    items = due_items(analysis.contexts, day, period)
    if fmt is DueFormat.json:
        _write_json([item.as_json() for item in items])
        return
    if fmt is DueFormat.ics:
        from pcplan.overview import CalendarEvent
        from pcplan.render.ics import write_ics

        events = [
            CalendarEvent(
                uid=f"{item.id}/{item.entry.key}@pcplan",
                summary=f"{item.id}: {item.entry.step.title}",
                first=item.due, last=item.due,
                description=f"Step {item.entry.step.number}: {item.entry.step.title}. "
                f"Who: {item.entry.step.who}. Status as of {day.isoformat()}: {item.entry.status}.",
            )
            for item in items
        ]
        write_ics(events, sys.stdout, name="Peer challenge deadlines", stamp=_stamp())
        return
    table = tables.Table(["due", "id", "step", "what", "who", "status"])
    table.heading = [
        f"Overdue, or due by {show_date(day + period)} (as of {show_date(day)}): {len(items)} steps"
    ]
    week = None
    for item in items:
        monday = week_commencing(item.due)
        if monday != week:
            week = monday
            label = "this week" if monday == week_commencing(day) else (
                "earlier" if monday < week_commencing(day) else ""
            )
            table.add([f"Week commencing {show_date(monday)}" + (f" ({label})" if label else ""),
                       "", "", "", "", ""], "bold")
        table.add(
            [show_date(item.due), item.id, item.entry.key, item.entry.step.title,
             item.entry.step.who, item.entry.status.replace("_", " ")],
            STYLE_BY_STATUS.get(item.entry.status),
        )
    if not items:
        table.notes = ["Nothing overdue or due in this period."]
    tables.write(table, fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- calendar


@app.command()
@handles_errors
def calendar(
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only challenges where this person is host DCS, project "
                     "manager or a visiting member (not declined)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the ICS here, not stdout.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this date.", hidden=True)] = None,
) -> None:
    """One ICS calendar of fieldwork and every step's deadline, for all or for one person.

    Re-importing updates events rather than duplicating them (stable UIDs).

    Example: pcplan calendar --person "Jo Rivers" --out jo-rivers.ics
    """
    import difflib

    from pcplan.overview import challenge_events, involves, known_people
    from pcplan.render.ics import to_ics

    day = _as_of(as_of)
    analysis = _analyse(day)
    _report_unreadable(analysis)
    contexts = analysis.contexts
    programme = analysis.programme
    if person is not None:
        people = known_people(contexts, programme)
        wanted = " ".join(person.split()).casefold()
        if wanted not in {" ".join(p.split()).casefold() for p in people}:
            close = difflib.get_close_matches(person, sorted(people), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"{person}: nobody of this name in the programme{hint}")
        contexts = [ctx for ctx in contexts if involves(ctx.challenge, person)]
    names = programme.authorities if programme else {}
    events = [
        event
        for ctx in contexts
        for event in challenge_events(ctx, names.get(ctx.challenge.host.authority))
    ]
    name = "Peer challenges" + (f": {person}" if person else "")
    data = to_ics(events, name=name, stamp=_stamp())
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    from pcplan.edit import write_atomic

    try:
        previous = out.read_bytes()
    except FileNotFoundError:
        previous = None
    except OSError as exc:
        from pcplan.errors import WriteRefused

        raise WriteRefused(f"{out}: cannot read: {exc.strerror}") from None
    write_atomic(out, data, expected=previous)
    sys.stderr.write(f"wrote {out}: {len(events)} events from {len(contexts)} challenges\n")


# ----------------------------------------------------------------------------- timebank


@app.command()
@handles_errors
def timebank(
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
    as_of: Annotated[str | None, typer.Option("--as-of", help="As of this date.", hidden=True)] = None,
) -> None:
    """Per authority: challenges hosted and led, members contributed, and the balance (¶18).

    balance = led + members − hosted: positive authorities have given more time than
    they have received.

    Example: pcplan timebank --format markdown
    """
    from pcplan.overview import timebank as compute
    from pcplan.render import table as tables

    analysis = _analyse(_as_of(as_of))
    _report_unreadable(analysis)
    rows = compute(analysis.contexts, analysis.programme)
    if fmt is ShowFormat.json:
        _write_json({row.authority: row.as_json() for row in rows})
        return
    table = tables.Table(["authority", "hosted", "led", "members", "balance"])
    table.heading = ["Time-bank: challenges hosted and led, members contributed (¶18)"]
    for row in sorted(rows, key=lambda r: (r.balance, r.authority)):
        table.add(
            [row.name, str(row.hosted), str(row.led), str(row.members), f"{row.balance:+d}"],
            "red" if row.balance < 0 else None,
        )
    table.notes = ["balance = led + members − hosted"]
    tables.write(table, fmt.value, sys.stdout)


def main() -> None:
    """The console script's entry point."""
    app()
