"""`pcplan new`, `done`, `team` and `set`: thin commands over `scaffold` and `changes`.

Each parses its arguments, calls one core function, prints what it did and the
file's new problems, and lets `handles_errors` map refusals to exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pcplan.cli.common import NamedChallenge, ShowFormat, app, handles_errors, named_challenge
from pcplan.cli.runtime import as_of_or_today, open_directory, say, today, write_json
from pcplan.errors import UsageError
from pcplan.vocabulary import ROLES

if TYPE_CHECKING:
    from pcplan.changes import Change
    from pcplan.models import Programme

# ----------------------------------------------------------------------------- new


def interactive() -> bool:
    """Can `new` ask for what is missing (a person at a terminal)?"""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _answer(option: str, given: Any, programme: Programme, missing: list[str]) -> Any:
    """An option's value: as given, else asked for on a terminal (again until it is valid)."""
    from pcplan.scaffold import QUESTIONS, read_answer

    if given is not None:
        return read_answer(option, str(given), programme)
    if not interactive():
        missing.append(option)
        return None
    while True:
        text = typer.prompt(QUESTIONS[option])
        try:
            return read_answer(option, text, programme)
        except UsageError as problem:
            sys.stderr.write(f"pcplan: {problem.message}\n")


@app.command()
@handles_errors
def new(
    host: Annotated[
        str | None, typer.Option("--host", help="Host authority slug, e.g. kent.")
    ] = None,
    fieldwork: Annotated[
        str | None,
        typer.Option("--fieldwork", metavar="DATE", help="First day of fieldwork (YYYY-MM-DD)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--end", metavar="DATE", help="Last day of fieldwork; default the next working day."
        ),
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Round number.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Self-assessment topic.")] = None,
    host_dcs: Annotated[
        str | None,
        typer.Option("--host-dcs", help="Host DCS; default the host's DCS in programme.yaml."),
    ] = None,
    challenge_id: Annotated[
        str | None,
        typer.Option(
            "--id",
            help="Challenge id; default <host>-<YYYY>-<MM>; give another for "
            "a second challenge that month.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Today, for the schedule's headline.", hidden=True
        ),
    ] = None,
) -> None:
    """Scaffold a new challenge file with every section commented, and print its schedule.

    Asks for what is missing on a terminal; elsewhere exits 2 naming it.

    Example: pcplan new --host kent --fieldwork 2027-06-09 --round 11 --topic "Care leavers"
    """
    from pcplan.changes import parse_day
    from pcplan.render.findings import finding_line
    from pcplan.render.schedule import headline
    from pcplan.repo import load_programme
    from pcplan.scaffold import create_challenge, registry_dcs
    from pcplan.schedule import compute_schedule

    day = as_of_or_today(as_of)
    programme_dir = open_directory()
    programme_file = load_programme(programme_dir)
    programme = programme_file.programme
    if programme is None:
        raise UsageError(
            f"{programme_file.display} cannot be read; run `pcplan check` and fix it first"
        )
    missing: list[str] = []
    answers = {"--host": _answer("--host", host, programme, missing)}  # named first
    answers["--fieldwork"] = _answer("--fieldwork", fieldwork, programme, missing)
    answers["--round"] = _answer("--round", round_number, programme, missing)
    answers["--topic"] = _answer("--topic", topic, programme, missing)
    if host_dcs is None and answers["--host"] is not None:
        host_dcs = registry_dcs(programme, answers["--host"])
    answers["--host-dcs"] = _answer("--host-dcs", host_dcs, programme, missing)
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)} (not a terminal, so pcplan cannot ask); nothing written"
        )
    created = create_challenge(
        programme_dir,
        programme,
        answers,
        end=parse_day(end, "--end") if end is not None else None,
        challenge_id=challenge_id,
        force=force,
        as_of=day,
    )
    say(created.display)
    challenge = created.challenge
    result = compute_schedule(challenge, programme.settings, day)
    for line in headline(challenge, result, programme.authority_name(challenge.host.authority)):
        say(line)
    for finding in created.findings:  # (late steps are in the headline already)
        if finding.severity == "warning" and finding.rule not in ("steps.overdue", "team.missing"):
            sys.stdout.write(finding_line(finding))


# ----------------------------------------------------------------------------- editing


def _report_edit(named: NamedChallenge, before: bytes | None, as_of: date) -> None:
    """After an edit, the file's new problems: rules that fire more often than before.

    ``before``: the file's bytes before the edit (:meth:`NamedChallenge.snapshot`); its
    findings then are worked out against the rest of the programme as it is now, in the
    same analysis. (A rule that keeps firing with new numbers, such as team.size while
    a team is being built, is not news.)
    """
    from collections import Counter

    from pcplan.render.findings import finding_line

    analysis = named.analyse(as_of)
    display = named.display
    after = analysis.findings.get(display, [])
    earlier = []
    if before is not None and analysis.base is not None:
        earlier = analysis.findings_before(named.focus, display, before)
    counted = Counter(f.rule for f in earlier if f.severity != "info")
    known = {(f.rule, f.message) for f in earlier}
    for f in after:
        if f.severity == "info" or (f.rule, f.message) in known:
            continue
        if sum(1 for g in after if g.rule == f.rule and g.severity != "info") > counted[f.rule]:
            sys.stdout.write(finding_line(f))


def _edit(reference: str, change: Callable[[NamedChallenge], Change]) -> None:
    """Run one change on a challenge file; print what it did, then any new problem."""
    named = named_challenge(reference)
    before = named.snapshot()
    outcome = change(named)
    for line in outcome.lines:
        say(f"{named.display}: {line}")
    if outcome.changed:
        _report_edit(named, before, today())


def _programme() -> Programme | None:
    from pcplan.repo import load_programme

    return load_programme(open_directory()).programme


# ----------------------------------------------------------------------------- done


@app.command()
@handles_errors
def done(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    step: Annotated[str, typer.Argument(help="The step's key, e.g. scope or reading_pack.")],
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="DATE", help="The day it was done (YYYY-MM-DD); default today."
        ),
    ] = None,
    undo: Annotated[
        bool, typer.Option("--undo", help="Remove the date recorded by mistake.")
    ] = False,
) -> None:
    """Record a planning step as done (or, with --undo, not done), changing only its line.

    A date the steps' order rules out (a planning step after fieldwork ended, the
    impact review before the response document, ...) is refused.

    Example: pcplan done buckinghamshire-2027-03 reading_pack --on 2027-02-26
    """
    from pcplan.changes import parse_day, record_step, step_key, undo_step

    key = step_key(step)
    if undo:
        if on is not None:
            raise UsageError("--undo removes the recorded date; leave out --on")
        _edit(challenge, lambda named: undo_step(named.path, key))
        return
    day = parse_day(on, "--on") if on is not None else today()
    _edit(challenge, lambda named: record_step(named.path, challenge, key, day))


# ----------------------------------------------------------------------------- set


@app.command(name="set")
@handles_errors
def set_(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    field: Annotated[
        str, typer.Argument(help="The field's dotted path, e.g. host.project_manager.")
    ],
    rest: Annotated[
        list[str] | None,
        typer.Argument(
            help="The new value (lists comma-separated); more FIELD VALUE pairs may follow.",
            show_default=False,
        ),
    ] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Remove the field(s).")] = False,
) -> None:
    """Set one field of a challenge by its dotted path, checked before anything is written.

    Fields: topic, round, scope, host.dcs, host.project_manager, fieldwork.start,
    fieldwork.end, briefing_needed, feedback.audience (comma-separated),
    feedback.format, feedback.agreed_on, escalation.host_contact,
    escalation.visiting_contact, lead_consent.given_by, lead_consent.date,
    lead_consent.reason, review.opted_in, review.contents (comma-separated),
    review.visit.requested, review.visit.hours, review.visit.one_to_one.
    Fields that go together are set together:
    pcplan set buckinghamshire-2027-03 lead_consent.given_by "Fenella Crickmore"
    lead_consent.date 2027-01-08

    Example: pcplan set buckinghamshire-2027-03 feedback.audience "senior leaders, lead member"
    """
    from pcplan.changes import parse_field_value, set_fields, settable_field
    from pcplan.edit import Value

    words = [field, *(rest or [])]
    edits: list[tuple[str, Value | None]] = []
    if unset:
        edits = [(settable_field(name), None) for name in words]
    else:
        if len(words) % 2:
            settable_field(words[-1])
            raise UsageError(f"set {words[-1]}: give a value, or --unset")
        for name, value in zip(words[::2], words[1::2], strict=True):
            edits.append((name, parse_field_value(name, value)))
    _edit(challenge, lambda named: set_fields(named.path, edits))


# ----------------------------------------------------------------------------- team

Role = StrEnum("Role", {role: role for role in ROLES})  # type: ignore[misc]


class TeamAction(StrEnum):
    add = "add"
    confirm = "confirm"
    decline = "decline"
    remove = "remove"
    lead = "lead"


@app.command(
    epilog="Examples:\n\n"
    "  pcplan team buckinghamshire-2027-03\n\n"
    '  pcplan team buckinghamshire-2027-03 add "Corinne Maddox"\n\n'
    '  pcplan team buckinghamshire-2027-03 confirm "Beatrix Holloway-Nunn"\n\n'
    '  pcplan team buckinghamshire-2027-03 decline "Tariq Vellacott"\n\n'
    '  pcplan team buckinghamshire-2027-03 remove "Tariq Vellacott"\n\n'
    '  pcplan team buckinghamshire-2027-03 lead "Callum Trevithick"'
)
@handles_errors
def team(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    action: Annotated[
        TeamAction | None,
        typer.Argument(
            help="add, confirm, decline, remove or lead; leave out to show the team.",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Argument(help="The member's name.", show_default=False)
    ] = None,
    authority: Annotated[
        str | None,
        typer.Option("--authority", help="add: their authority's slug (default: programme.yaml)."),
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", help="add: a partner's organisation slug (¶21)."),
    ] = None,
    role: Annotated[
        Role | None, typer.Option("--role", help="add: their role (default: programme.yaml).")
    ] = None,
    lead: Annotated[bool, typer.Option("--lead", help="add: they lead the visiting team.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="show: the rules as of this date.")
    ] = None,
    fmt: Annotated[
        ShowFormat, typer.Option("--format", help="show: table, markdown or json.")
    ] = ShowFormat.table,
) -> None:
    """Show a challenge's visiting team and each team rule's result, or edit the team.

    `add` nominates someone (status: nominated), taking their authority and role from
    programme.yaml's `people`; `confirm` and `decline` record the host DCS's answer
    (¶22; no reason is ever recorded); `remove` deletes someone entered by mistake;
    `lead` moves the lead.

    Example: pcplan team buckinghamshire-2027-03 add "Corinne Maddox"
    """
    from pcplan import changes

    if action is None:
        if name is not None:
            raise UsageError(f"{name}: say what to do: add, confirm, decline, remove or lead")
        _show_team(challenge, as_of_or_today(as_of), fmt)
        return
    if name is None or not name.strip():
        raise UsageError(f"team {action.value}: give the member's name")
    if action is TeamAction.add:
        programme = _programme()
        role_name = role.value if role is not None else None
        _edit(
            challenge,
            lambda named: changes.add_member(
                named.path,
                challenge,
                programme,
                name,
                authority=authority,
                organisation=organisation,
                role=role_name,
                lead=lead,
            ),
        )
        return
    stray = [
        flag
        for flag, value in (
            ("--authority", authority),
            ("--organisation", organisation),
            ("--role", role),
            ("--lead", lead or None),
        )
        if value is not None
    ]
    if stray:
        raise UsageError(f"team {action.value}: {', '.join(stray)} only go with `add`")
    if action is TeamAction.remove:
        _edit(challenge, lambda named: changes.remove_member(named.path, challenge, name))
    elif action is TeamAction.lead:
        _edit(challenge, lambda named: changes.set_lead(named.path, challenge, name))
    else:
        status = "confirmed" if action is TeamAction.confirm else "declined"
        _edit(
            challenge,
            lambda named: changes.set_member_status(named.path, challenge, name, status),
        )


def team_rules() -> list[str]:
    """The team rules, in the catalogue's order, from the rule registry."""
    from pcplan.rules import RULES

    return [rule for rule in RULES if rule.startswith("team.")]


def _show_team(challenge: str, day: date, fmt: ShowFormat) -> None:
    from pcplan.dates import show_date
    from pcplan.overview import confirmed_count
    from pcplan.render import table as tables
    from pcplan.rules.team import still_needed

    named = named_challenge(challenge)
    display = named.display
    analysis = named.analyse(day)
    context = analysis.context(display)
    if context is None:
        from pcplan.findings import CheckResult
        from pcplan.render.findings import write_text

        write_text(CheckResult(1, tuple(analysis.findings.get(display, []))), sys.stderr)
        raise typer.Exit(1)
    rules = team_rules()
    members = context.challenge.visiting_team
    found = [f for f in analysis.findings.get(display, []) if f.rule in rules]
    results = [(rule, [f for f in found if f.rule == rule]) for rule in rules]
    needed = still_needed(context.challenge)
    if fmt is ShowFormat.json:
        write_json(
            {
                "id": context.challenge.id,
                "members": [
                    {
                        "name": m.name,
                        "authority": m.authority,
                        "organisation": m.organisation,
                        "role": m.role,
                        "lead": m.lead,
                        "status": m.status,
                    }
                    for m in members
                ],
                "still_needed": needed,
                "rules": {
                    rule: [
                        {"severity": f.severity, "message": f.message, "line": f.line} for f in hits
                    ]
                    for rule, hits in results
                },
            }
        )
        return
    people = tables.Table(["name", "authority", "role", "lead", "status"])
    confirmed = confirmed_count(context.challenge)
    people.heading = [f"{context.challenge.id}: visiting team ({confirmed}/4 confirmed)"]
    if not members:
        people.notes = ["No visiting team yet."]
    if needed:
        step = context.schedule["team"]
        due = f"; step `team` is due {show_date(step.due)}" if step.due and not step.done else ""
        people.notes.append(f"still needed: {_words(needed)}{due}")
    for member in members:
        people.add(
            [
                member.name,
                member.employer,
                member.role.replace("_", " "),
                "lead" if member.lead else "",
                member.status,
            ],
            "dim" if member.status == "declined" else None,
        )
    tables.write(people, fmt.value, sys.stdout)
    sys.stdout.write("\n")
    verdicts = tables.Table(["rule", "result"])
    from pcplan.rules.team import composition_rules

    composition = composition_rules()
    for rule, hits in results:
        if not hits and not members and rule in composition:
            verdicts.add([rule, "n/a: no visiting team yet"])  # (SPEC §4: team.missing instead)
        elif not hits:
            verdicts.add([rule, "ok"])
        for f in hits:
            style = {"error": "bold red", "warning": "yellow"}.get(f.severity)
            verdicts.add([rule, f"{f.severity}: {f.message}"], style)
    tables.write(verdicts, fmt.value, sys.stdout)


def _words(items: list[str]) -> str:
    """a, b and c"""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
