"""A challenge's schedule as a headline, a table, week by week, JSON or CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from pcplan.dates import show_date, week_commencing
from pcplan.models import Challenge
from pcplan.render.table import STYLE_BY_STATUS, Table
from pcplan.schedule import Schedule, StepDates, week_label

STATUS_WORDS = {
    "done": "done",
    "unrecorded": "not recorded",
    "overdue": "OVERDUE",
    "due_soon": "due soon",
    "open": "open",
    "upcoming": "upcoming",
    "not_applicable": "n/a",
}


def _day(day: date | None) -> str:
    return f"{day:%d %b %Y}" if day else ""


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def closed_windows_note(schedule: Schedule) -> str | None:
    """ "Fieldwork is 9 weeks away: the windows of steps 1–5 (…) had already closed."""
    closed = schedule.closed_windows()
    if not closed:
        return None
    weeks = (week_commencing(schedule.start) - week_commencing(schedule.as_of)).days // 7
    numbers = [entry.step.number for entry in closed]
    span = (
        f"steps {numbers[0]}–{numbers[-1]}"
        if len(numbers) > 1 and numbers == list(range(numbers[0], numbers[-1] + 1))
        else ("step " if len(numbers) == 1 else "steps ") + ", ".join(map(str, numbers))
    )
    keys = ", ".join(entry.key for entry in closed)
    return (
        f"Fieldwork is {weeks} week{'s' if weeks != 1 else ''} away: the windows of {span} "
        f"({keys}) had already closed on {show_date(schedule.as_of)}."
    )


def headline(challenge: Challenge, schedule: Schedule, host_name: str | None = None) -> list[str]:
    """The lines above a schedule: who, what, when, and what to do next."""
    host = host_name or challenge.host.authority
    offset = (week_commencing(schedule.as_of) - week_commencing(schedule.start)).days // 7
    lines = [
        f"{challenge.id} — {host}, round {challenge.round}: {challenge.topic}",
        f"Fieldwork {show_date(challenge.fieldwork.start)} to {show_date(challenge.fieldwork.end)}"
        f"; as of {show_date(schedule.as_of)} ({week_label(offset)})",
    ]
    upcoming = schedule.next_step()
    if upcoming is not None:
        when = (
            f"due {show_date(upcoming.due)}"
            if upcoming.due
            else f"from {show_date(upcoming.opens)}"
            if upcoming.opens
            else ""
        )
        lines.append(
            f"Next: step {upcoming.step.number} {upcoming.key} ({upcoming.step.title}), {when}"
            + (" — OVERDUE" if upcoming.status == "overdue" else "")
        )
    overdue = schedule.with_status("overdue")
    if overdue:
        lines.append(f"Overdue: {', '.join(entry.key for entry in overdue)}")
    note = closed_windows_note(schedule)
    if note:
        lines.append(note)
    return lines


def schedule_table(challenge: Challenge, schedule: Schedule, host_name: str | None) -> Table:
    table = Table(
        ["#", "step", "opens", "due", "done", "status", "what", "who"],
        wrap=("step", "what", "who"),
    )
    table.heading = headline(challenge, schedule, host_name)
    for entry in schedule.steps:
        due = _day(entry.due)
        if entry.moved_from is not None:
            due += " *"
        done = _day(entry.done)
        if entry.done is not None and entry.done > schedule.as_of:
            done += " (ahead)"  # recorded for a day still to come: not done yet
        status = STATUS_WORDS[entry.status]
        if entry.key == "fieldwork" and schedule.start <= schedule.as_of <= schedule.end:
            status = "in progress"
        table.add(
            [
                str(entry.step.number),
                entry.key,
                _day(entry.opens),
                due,
                done,
                status,
                entry.step.title,
                entry.step.who,
            ],
            STYLE_BY_STATUS.get(entry.status),
        )
    moved = [e for e in schedule.steps if e.moved_from is not None]
    if moved:
        table.notes.append(
            "* moved back from a weekend or bank holiday: "
            + "; ".join(f"{e.key} from {show_date(e.moved_from)}" for e in moved if e.moved_from)
        )
    return table


def weeks_table(challenge: Challenge, schedule: Schedule, host_name: str | None) -> Table:
    table = Table(["week commencing", "week", "opens", "due", "done"])
    table.heading = headline(challenge, schedule, host_name)
    this_week = week_commencing(schedule.as_of)
    for week in schedule.weeks():
        style = "bold" if week.week_commencing == this_week else None
        table.add(
            [
                show_date(week.week_commencing),
                week.label + (" (this week)" if week.week_commencing == this_week else ""),
                ", ".join(week.opens),
                ", ".join(week.due),
                ", ".join(week.done),
            ],
            style,
        )
    return table


def csv_table(schedule: Schedule) -> Table:
    table = Table(["number", "step", "title", "who", "where", "opens", "due", "done", "status"])
    for entry in schedule.steps:
        table.add(
            [
                str(entry.step.number),
                entry.key,
                entry.step.title,
                entry.step.who,
                entry.step.where,
                _iso(entry.opens) or "",
                _iso(entry.due) or "",
                _iso(entry.done) or "",
                entry.status,
            ]
        )
    return table


def step_json(entry: StepDates) -> dict[str, Any]:
    return {
        "step": entry.key,
        "title": entry.step.title,
        "who": entry.step.who,
        "where": entry.step.where,
        "opens": _iso(entry.opens),
        "due": _iso(entry.due),
        "done": _iso(entry.done),
        "status": entry.status,
    }


def schedule_json(schedule: Schedule, *, weeks: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": schedule.challenge_id,
        "fieldwork": {"start": schedule.start.isoformat(), "end": schedule.end.isoformat()},
        "as_of": schedule.as_of.isoformat(),
        "steps": [step_json(entry) for entry in schedule.steps],
    }
    if weeks:
        payload["weeks"] = [
            {
                "week_commencing": week.week_commencing.isoformat(),
                "label": week.label,
                "opens": list(week.opens),
                "due": list(week.due),
                "done": list(week.done),
            }
            for week in schedule.weeks()
        ]
    return payload
