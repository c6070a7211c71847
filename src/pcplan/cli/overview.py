"""`pcplan status`, `due`, `calendar` and `timebank`: the programme at a glance."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pcplan.cli.common import ListFormat, app, check_person, handles_errors
from pcplan.cli.runtime import (
    analyse_programme,
    as_of_or_today,
    glance_at_programme,
    report_unreadable,
    stamp,
    write_json,
)
from pcplan.errors import UsageError

# ----------------------------------------------------------------------------- status

STATUS_COLUMNS = [
    "id",
    "host",
    "round",
    "fieldwork.start",
    "fieldwork.end",
    "phase",
    "next_step",
    "next_due",
    "overdue",
    "team_confirmed",
    "errors",
    "warnings",
]
DUE_COLUMNS = ["id", "step", "title", "due", "status"]
TIMEBANK_COLUMNS = ["authority", "hosted", "led", "members", "balance"]


@app.command()
@handles_errors
def status(
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date; default today.")
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Only this round.")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table, markdown, csv or json.")] = (
        ListFormat.table
    ),
) -> None:
    """One row per challenge: phase, next step, overdue steps, team and problems.

    Example: pcplan status --round 10 --format markdown
    """
    from pcplan.overview import status_rows
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    day = as_of_or_today(as_of)
    analysis, glances = glance_at_programme(day, pending=False)  # (only how many)
    rows = status_rows(glances, analysis, round_number)
    if fmt is ListFormat.json:
        write_json([row.as_json() for row in rows])
        return
    if fmt is ListFormat.csv:
        tables.write(
            tables.flat_table([row.as_json() for row in rows], STATUS_COLUMNS), "csv", sys.stdout
        )
        return
    tables.write(views.status_table(rows, analysis.programme, day), fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- due


class DueFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    ics = "ics"


@app.command()
@handles_errors
def due(
    within: Annotated[
        str, typer.Option("--within", metavar="PERIOD", help="How far ahead: 14d, 3w or 2m.")
    ] = "14d",
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date; default today.")
    ] = None,
    person: Annotated[
        str | None,
        typer.Option("--person", help="Only the steps this person owns or attends."),
    ] = None,
    fmt: Annotated[
        DueFormat, typer.Option("--format", help="table, markdown, csv, json or ics.")
    ] = DueFormat.table,
) -> None:
    """Every step overdue or due soon across all challenges, by date, grouped by week.

    Example: pcplan due --within 3w --person "Fenella Crickmore" --format markdown
    """
    from pcplan.overview import due_from_glances, due_items, parse_period
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    day = as_of_or_today(as_of)
    period = parse_period(within, day)
    if person is None and fmt is not DueFormat.ics:  # the glances are enough
        analysis, glances = glance_at_programme(day, pending=day + period, findings=False)
        items = due_from_glances(glances, day, period)
    else:  # whose steps, or calendar events: the models
        analysis = analyse_programme(day, rules=False)  # dates and teams, not problems
        report_unreadable(analysis)
        if person is not None:
            person = check_person(person, analysis.contexts, analysis.programme)
        items = due_items(
            analysis.contexts, day, period, person=person, programme=analysis.programme
        )
    if fmt is DueFormat.json:
        write_json([item.as_json() for item in items])
        return
    if fmt is DueFormat.csv:
        tables.write(
            tables.flat_table([i.as_json() for i in items], DUE_COLUMNS), "csv", sys.stdout
        )
        return
    if fmt is DueFormat.ics:
        contexts = {ctx.display: ctx for ctx in analysis.contexts}
        from pcplan.overview import step_event
        from pcplan.render.ics import write_ics

        registry = analysis.programme
        events = []
        for item in items:
            challenge = contexts[item.display].challenge
            host_name = registry.authority_name(challenge.host.authority) if registry else None
            event = step_event(challenge, item.entry, host_name)
            if event is not None:
                events.append(event)
        write_ics(events, sys.stdout, name="Peer challenge deadlines", stamp=stamp())
        return
    table = views.due_table(items, day, day + period)
    tables.write(table, fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- calendar


@app.command()
@handles_errors
def calendar(
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            help="Only the challenges where this person is host DCS, host project manager, "
            "a visiting member (not declined) or the programme manager, and only the steps "
            "their place owns or attends.",
        ),
    ] = None,
    all_steps: Annotated[
        bool, typer.Option("--all-steps", help="With --person: every step of those challenges.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the ICS here, not stdout.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date.", hidden=True)
    ] = None,
) -> None:
    """One ICS calendar of fieldwork and every step's deadline, for all or for one person.

    Fieldwork blocks the diary (busy); deadlines do not. Re-importing updates events
    rather than duplicating them (stable UIDs).

    Example: pcplan calendar --person "Callum Trevithick" --out callum-trevithick.ics
    """
    from pcplan.overview import challenge_events, person_events, person_sessions
    from pcplan.render.ics import to_ics

    if all_steps and person is None:
        raise UsageError("--all-steps goes with --person")
    day = as_of_or_today(as_of)
    analysis = analyse_programme(day, rules=False)
    report_unreadable(analysis)
    contexts = analysis.contexts
    programme = analysis.programme
    if person is not None:
        person = check_person(person, contexts, programme)
        by_challenge = [
            person_events(ctx, person, programme, all_steps=all_steps) for ctx in contexts
        ]
        count = sum(1 for events in by_challenge if events)
        events = [event for events in by_challenge for event in events]
    else:
        events = [
            event
            for ctx in contexts
            for event in challenge_events(
                ctx, programme.authority_name(ctx.challenge.host.authority) if programme else None
            )
        ]
        count = len(contexts)
    timed = person_sessions(contexts, person) if person is not None else []  # (SPEC §9)
    name = "Peer challenges" + (f": {person}" if person else "")
    data = to_ics(events, name=name, stamp=stamp(), timed=timed)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    from pcplan.fileio import write_output

    write_output(out, data)
    challenges = f"{count} challenge{'' if count == 1 else 's'}"
    from pcplan.directory import show_path

    sys.stderr.write(
        f"wrote {show_path(out)}: {len(events) + len(timed)} events from {challenges}\n"
    )


# ----------------------------------------------------------------------------- timebank


@app.command()
@handles_errors
def timebank(
    round_number: Annotated[
        int | None, typer.Option("--round", help="Only this round's challenges.")
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table, markdown, csv or json.")] = (
        ListFormat.table
    ),
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date.", hidden=True)
    ] = None,
) -> None:
    """Per authority: challenges hosted and led, members contributed, and the balance (¶18).

    balance = led + members − hosted: positive authorities have given more time than
    they have received.

    Example: pcplan timebank --round 10 --format csv
    """
    from pcplan.overview import timebank_from_glances
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    analysis, glances = glance_at_programme(as_of_or_today(as_of), pending=False, findings=False)
    rows = timebank_from_glances(glances.values(), analysis.programme, round_number)
    if fmt is ListFormat.json:
        write_json({row.authority: row.as_json() for row in rows})
        return
    if fmt is ListFormat.csv:
        items: list[dict[str, object]] = [
            {"authority": row.authority, **row.as_json()} for row in rows
        ]
        tables.write(tables.flat_table(items, TIMEBANK_COLUMNS), "csv", sys.stdout)
        return
    table = views.timebank_table(rows)
    tables.write(table, fmt.value, sys.stdout)
