"""`pcplan visit`: the fieldwork timetable as text (80 columns), Markdown, JSON and ICS.

Sessions that run at the same time (the two pairs of ¶21) are drawn side by side
in the text view; Markdown is a printable table per day for the host's staff
(¶32); ICS gives timed events in Europe/London with the zone's definition, so
calendars place them right in GMT and in BST.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO

from pcplan.dates import show_date
from pcplan.models import Challenge, Session
from pcplan.timetable import (
    Slot,
    TimedEvent,
    fieldwork_length,
    kind_label,
    show_time,
)

WIDTH = 80
TIME_WIDTH = 13  # "09:00–09:45" and two spaces
GUTTER = " │ "
ZONE = "Europe/London"


@dataclass(frozen=True, slots=True)
class Day:
    number: int
    date: date
    slots: list[Slot]


def days(challenge: Challenge, chosen: list[Slot]) -> list[Day]:
    """Every fieldwork day, with its sessions in time order."""
    return [
        Day(
            number,
            challenge.fieldwork.start + timedelta(days=number - 1),
            [slot for slot in chosen if slot.session.day == number],
        )
        for number in range(1, fieldwork_length(challenge) + 1)
    ]


def who(challenge: Challenge, session: Session) -> str:
    """``all`` or the names, and whom they meet."""
    visitors = "all" if session.visitors == "all" else ", ".join(session.visitors) or "nobody"
    return visitors + (f"; with {', '.join(session.with_)}" if session.with_ else "")


def clusters(day_slots: list[Slot]) -> list[list[Slot]]:
    """Sessions that overlap in time, directly or through another, in one group."""
    groups: list[list[Slot]] = []
    end = -1
    for slot in day_slots:
        if groups and slot.start < end:
            groups[-1].append(slot)
            end = max(end, slot.end)
        else:
            groups.append([slot])
            end = slot.end
    return groups


def columns(group: list[Slot]) -> list[list[Slot]]:
    """Parallel sessions in columns: each session in the first column free at its start."""
    found: list[list[Slot]] = []
    for slot in group:
        for column in found:
            if column[-1].end <= slot.start:
                column.append(slot)
                break
        else:
            found.append([slot])
    return found


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def _entry(challenge: Challenge, slot: Slot, width: int, *, own_time: bool) -> list[str]:
    session = slot.session
    first = f"{show_time(slot.start)}–{show_time(slot.end)} " if own_time else ""
    lines = _wrap(f"{first}{kind_label(session.kind)}: {session.title}", width)
    lines += _wrap(who(challenge, session), width)
    if session.where:
        lines += _wrap(f"@ {session.where}", width)
    return lines


def timetable_text(
    challenge: Challenge, chosen: list[Slot], heading: list[str], notes: list[str]
) -> str:
    """The days one after another, parallel sessions side by side, within 80 columns."""
    out = [wrapped for line in heading for wrapped in _wrap(line, WIDTH)]
    text_width = WIDTH - TIME_WIDTH
    for day in days(challenge, chosen):
        out += ["", f"Day {day.number}: {show_date(day.date)}", "=" * WIDTH]
        if not day.slots:
            out.append("(no sessions)")
        for group in clusters(day.slots):
            start = min(s.start for s in group)
            end = max(s.end for s in group)
            time = f"{show_time(start)}–{show_time(end)}".ljust(TIME_WIDTH)
            cols = columns(group)
            if len(cols) == 1:
                lines: list[str] = []
                for slot in cols[0]:
                    lines += _entry(challenge, slot, text_width, own_time=len(cols[0]) > 1)
            else:
                width = (text_width - len(GUTTER) * (len(cols) - 1)) // len(cols)
                cells = []
                for column in cols:
                    cell: list[str] = []
                    for slot in column:
                        differs = (slot.start, slot.end) != (start, end)
                        cell += _entry(challenge, slot, width, own_time=differs)
                    cells.append(cell)
                height = max(len(cell) for cell in cells)
                lines = [
                    GUTTER.join(
                        (cell[row] if row < len(cell) else "").ljust(width) for cell in cells
                    ).rstrip()
                    for row in range(height)
                ]
            out.append(time + lines[0])
            out += [" " * TIME_WIDTH + line for line in lines[1:]]
            out.append("-" * WIDTH)
    if notes:
        out += ["", *notes]
    return "\n".join(line.rstrip() for line in out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def timetable_markdown(
    challenge: Challenge, chosen: list[Slot], heading: list[str], notes: list[str]
) -> str:
    """A printable timetable per day, for the host's staff briefing (¶32)."""
    title, *rest = heading
    out = [f"# {_md(title)}", ""]
    out += [f"{_md(line)}  " for line in rest]
    for day in days(challenge, chosen):
        out += ["", f"## Day {day.number}: {show_date(day.date)}", ""]
        if not day.slots:
            out.append("No sessions.")
            continue
        out += ["| time | session | visitors | meeting | where |", "|---|---|---|---|---|"]
        for group in clusters(day.slots):
            parallel = " (in parallel)" if len(columns(group)) > 1 else ""
            for slot in group:
                session = slot.session
                visitors = "all" if session.visitors == "all" else ", ".join(session.visitors)
                cells = [
                    f"{show_time(slot.start)}–{show_time(slot.end)}{parallel}",
                    f"**{session.title}** ({kind_label(session.kind)})",
                    visitors,
                    ", ".join(session.with_),
                    session.where or "",
                ]
                out.append("| " + " | ".join(_md(c) for c in cells) + " |")
    if notes:
        out += ["", *(_md(note) for note in notes)]
    return "\n".join(out) + "\n"


def timetable_json(challenge: Challenge, chosen: list[Slot]) -> dict[str, object]:
    """SPEC §9: ``{"id", "days": [{"day", "date", "sessions": [...]}]}``."""
    return {
        "id": challenge.id,
        "days": [
            {
                "day": day.number,
                "date": day.date.isoformat(),
                "sessions": [
                    {
                        "start": show_time(slot.start),
                        "end": show_time(slot.end),
                        "kind": slot.session.kind,
                        "title": slot.session.title,
                        "visitors": slot.session.visitors
                        if slot.session.visitors == "all"
                        else list(slot.session.visitors),
                        "with": list(slot.session.with_),
                        "where": slot.session.where,
                        "consent": None
                        if slot.session.consent is None
                        else {
                            "needed": slot.session.consent.needed,
                            "obtained": slot.session.consent.obtained.isoformat()
                            if slot.session.consent.obtained
                            else None,
                        },
                    }
                    for slot in day.slots
                ],
            }
            for day in days(challenge, chosen)
        ],
    }


# ----------------------------------------------------------------------- ICS


def add_timed_events(calendar: object, events: Iterable[TimedEvent], stamp: datetime) -> None:
    """Add the events and the Europe/London VTIMEZONE they refer to."""
    from zoneinfo import ZoneInfo

    from icalendar import Event

    zone = ZoneInfo(ZONE)
    ordered = sorted(events, key=lambda e: (e.start, e.uid))
    for item in ordered:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", item.summary)
        event.add("dtstart", item.start.replace(tzinfo=zone))
        event.add("dtend", item.end.replace(tzinfo=zone))
        event.add("transp", "OPAQUE")
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        calendar.add_component(event)  # type: ignore[attr-defined]
    if ordered:  # the zone's rules over the years the events span, not 1970-2038
        calendar.add_missing_timezones(  # type: ignore[attr-defined]
            first_date=date(ordered[0].start.year, 1, 1),
            last_date=date(max(e.end.year for e in ordered) + 1, 12, 31),
        )


def visit_ics(events: list[TimedEvent], *, name: str, stamp: datetime) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", "-//pcplan//peer challenge planner//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    add_timed_events(calendar, events, stamp)
    return calendar.to_ical()  # type: ignore[no-any-return]


def write_visit_ics(
    events: list[TimedEvent], stream: TextIO, *, name: str, stamp: datetime
) -> None:
    stream.write(visit_ics(events, name=name, stamp=stamp).decode("utf-8"))
