"""The programme-at-a-glance tables: status, due, time-bank."""

from __future__ import annotations

import functools
from datetime import date
from typing import TYPE_CHECKING

from pcplan.dates import show_date, show_span, week_commencing
from pcplan.overview import DueItem, StatusRow, TimebankRow
from pcplan.render.table import STYLE_BY_STATUS, Table

if TYPE_CHECKING:
    from pcplan.models import Programme


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@functools.lru_cache(maxsize=4096)
def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def status_table(rows: list[StatusRow], programme: Programme | None, as_of: date) -> Table:
    table = Table(
        [
            "id",
            "host",
            "round",
            "fieldwork",
            "phase",
            "next step",
            "due",
            "overdue",
            "team",
            "errors",
            "warnings",
        ],
        wrap=("host", "next step"),  # on a narrow terminal the id and the dates never break
    )
    name = programme.name if programme else "Peer challenges"
    table.heading = [f"{name}: {_plural(len(rows), 'challenge')} as of {show_date(as_of)}"]
    for row in rows:
        upcoming = row.next_step
        when = ""
        if upcoming is not None and upcoming.due is not None:
            when = _short(upcoming.due)
        elif upcoming is not None and upcoming.opens is not None:
            when = f"from {_short(upcoming.opens)}"
        table.add(
            [
                row.id,
                row.host,
                str(row.round),
                show_span(row.start, row.end),
                row.phase,
                upcoming.key if upcoming else "",
                when,
                str(row.overdue) if row.overdue else "",
                f"{row.team_confirmed}/4",
                str(row.errors) if row.errors else "",
                str(row.warnings) if row.warnings else "",
            ],
            "bold red" if row.overdue or row.errors else None,
        )
    if not rows:
        table.notes = ["No challenges."]
    return table


def due_table(items: list[DueItem], as_of: date, horizon: date) -> Table:
    table = Table(
        ["due", "challenge", "step", "what", "who", "status"], wrap=("step", "what", "who")
    )
    table.heading = [
        f"Overdue, or due by {show_date(horizon)} (as of {show_date(as_of)}): "
        f"{_plural(len(items), 'step')}"
    ]
    this_week = week_commencing(as_of)
    week = None
    for item in items:
        monday = week_commencing(item.due)
        if monday != week:
            week = monday
            label = (
                " (this week)"
                if monday == this_week
                else " (earlier)"
                if monday < this_week
                else ""
            )
            table.section(f"Week commencing {show_date(monday)}{label}")
        status = item.entry.status.replace("_", " ")
        if item.entry.status == "overdue":
            late = (as_of - item.due).days
            status = f"overdue by {_plural(late, 'day')}"
        table.add(
            [
                show_date(item.due),
                item.id,
                item.entry.key,
                item.entry.step.title,
                ", ".join(item.names) or item.entry.step.who,
                status,
            ],
            STYLE_BY_STATUS.get(item.entry.status),
        )
    if not items:
        table.notes = ["Nothing is overdue or due in this period."]
    return table


def timebank_table(rows: list[TimebankRow]) -> Table:
    table = Table(["authority", "hosted", "led", "members", "balance"])
    table.heading = ["Time-bank: challenges hosted and led, and members contributed (¶18)"]
    for row in sorted(rows, key=lambda r: (r.balance, r.name)):
        balance = f"{row.balance:+d}" if row.balance else "0"
        table.add(
            [row.name, str(row.hosted), str(row.led), str(row.members), balance],
            "red" if row.balance < 0 else None,
        )
    table.notes = [
        "balance = led + members − hosted. Every challenge in the programme counts, past "
        "and planned; nominated members count until they decline."
    ]
    return table
