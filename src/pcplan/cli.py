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


def main() -> None:
    """The console script's entry point."""
    app()
