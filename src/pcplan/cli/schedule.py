"""`pcplan schedule`: one challenge's steps, windows and statuses, in every format."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from pcplan.cli.common import app, handles_errors, load_one
from pcplan.cli.runtime import as_of_or_today, stamp, write_json

# ----------------------------------------------------------------------------- schedule


class ScheduleFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"
    ics = "ics"


@app.command()
@handles_errors
def schedule(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help="Statuses as of this date; default today."),
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

    Example: pcplan schedule buckinghamshire-2027-03 --weeks --format markdown
    """
    from pcplan.render import schedule as views
    from pcplan.render import table as tables
    from pcplan.schedule import compute_schedule, default_settings

    day = as_of_or_today(as_of)
    loaded, programme = load_one(challenge)
    model = loaded.challenge
    assert model is not None  # (load_one exits when the file is broken)
    settings = programme.settings if programme else default_settings()
    result = compute_schedule(model, settings, day)
    host_name = programme.authority_name(model.host.authority) if programme else None
    if fmt is ScheduleFormat.json:
        write_json(views.schedule_json(result, weeks=weeks))
    elif fmt is ScheduleFormat.ics:
        from pcplan.checker import build_context
        from pcplan.dates import working_days
        from pcplan.overview import challenge_events
        from pcplan.render.ics import write_ics

        ctx = build_context(loaded, programme, day, working_days())
        assert ctx is not None
        write_ics(
            challenge_events(ctx, host_name),
            sys.stdout,
            name=f"Peer challenge {model.id}",
            stamp=stamp(),
        )
    elif fmt is ScheduleFormat.csv:
        tables.write(views.csv_table(result), "csv", sys.stdout)
    else:
        view = views.weeks_table if weeks else views.schedule_table
        tables.write(view(model, result, host_name), fmt.value, sys.stdout)
