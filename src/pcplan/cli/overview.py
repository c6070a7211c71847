"""`pcplan status`, `due`, `calendar` and `timebank`: the programme at a glance."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pcplan.cli.common import (
    ShowFormat,
    analyse_programme,
    app,
    as_of_or_today,
    handles_errors,
    report_unreadable,
    stamp,
    write_json,
)
from pcplan.errors import UsageError

# ----------------------------------------------------------------------------- status


@app.command()
@handles_errors
def status(
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date; default today.")
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Only this round.")] = None,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
) -> None:
    """One row per challenge: phase, next step, overdue steps, team and problems.

    Example: pcplan status --round 9 --format markdown
    """
    from pcplan.overview import status_rows
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    day = as_of_or_today(as_of)
    analysis = analyse_programme(day)
    report_unreadable(analysis)
    rows = status_rows(analysis, round_number)
    if fmt is ShowFormat.json:
        write_json([row.as_json() for row in rows])
        return
    tables.write(views.status_table(rows, analysis.programme, day), fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- due


class DueFormat(StrEnum):
    table = "table"
    markdown = "markdown"
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
    fmt: Annotated[DueFormat, typer.Option("--format", help="table, markdown, json or ics.")] = (
        DueFormat.table
    ),
) -> None:
    """Every step overdue or due soon across all challenges, by date, grouped by week.

    Example: pcplan due --within 3w --format markdown
    """
    from pcplan.overview import due_items, parse_period
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    day = as_of_or_today(as_of)
    period = parse_period(within, day)
    analysis = analyse_programme(day, rules=False)  # dates and teams, not problems
    report_unreadable(analysis)
    items = due_items(analysis.contexts, day, period)
    if fmt is DueFormat.json:
        write_json([item.as_json() for item in items])
        return
    contexts = {ctx.display: ctx for ctx in analysis.contexts}
    if fmt is DueFormat.ics:
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
    table = views.due_table(items, contexts, analysis.programme, day, day + period)
    tables.write(table, fmt.value, sys.stdout)


# ----------------------------------------------------------------------------- calendar


@app.command()
@handles_errors
def calendar(
    person: Annotated[
        str | None,
        typer.Option(
            "--person",
            help="Only challenges where this person is host DCS, project "
            "manager or a visiting member (not declined).",
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the ICS here, not stdout.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date.", hidden=True)
    ] = None,
) -> None:
    """One ICS calendar of fieldwork and every step's deadline, for all or for one person.

    Re-importing updates events rather than duplicating them (stable UIDs).

    Example: pcplan calendar --person "Jo Rivers" --out jo-rivers.ics
    """
    import difflib

    from pcplan.overview import challenge_events, involves, known_people, matching_names
    from pcplan.render.ics import to_ics

    day = as_of_or_today(as_of)
    analysis = analyse_programme(day, rules=False)
    report_unreadable(analysis)
    contexts = analysis.contexts
    programme = analysis.programme
    if person is not None:
        people = known_people(contexts, programme)
        matches = matching_names(person, people)
        if not matches:
            close = difflib.get_close_matches(person, sorted(people), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"{person}: nobody of this name in the programme{hint}")
        if len(matches) > 1:
            raise UsageError(
                f"{person}: several people differ from this name only by case or spacing "
                f"({', '.join(matches)}); give the name exactly"
            )
        person = matches[0]
        contexts = [ctx for ctx in contexts if involves(ctx.challenge, person)]
    events = [
        event
        for ctx in contexts
        for event in challenge_events(
            ctx, programme.authority_name(ctx.challenge.host.authority) if programme else None
        )
    ]
    name = "Peer challenges" + (f": {person}" if person else "")
    data = to_ics(events, name=name, stamp=stamp())
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    from pcplan.fileio import write_output

    write_output(out, data)
    count = f"{len(contexts)} challenge{'' if len(contexts) == 1 else 's'}"
    from pcplan.repo import show_path

    sys.stderr.write(f"wrote {show_path(out)}: {len(events)} events from {count}\n")


# ----------------------------------------------------------------------------- timebank


@app.command()
@handles_errors
def timebank(
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date.", hidden=True)
    ] = None,
) -> None:
    """Per authority: challenges hosted and led, members contributed, and the balance (¶18).

    balance = led + members − hosted: positive authorities have given more time than
    they have received.

    Example: pcplan timebank --format markdown
    """
    from pcplan.overview import timebank as compute
    from pcplan.render import overview as views
    from pcplan.render import table as tables

    analysis = analyse_programme(as_of_or_today(as_of), rules=False)
    report_unreadable(analysis)
    rows = compute(analysis.contexts, analysis.programme)
    if fmt is ShowFormat.json:
        write_json({row.authority: row.as_json() for row in rows})
        return
    table = views.timebank_table(rows)
    tables.write(table, fmt.value, sys.stdout)
