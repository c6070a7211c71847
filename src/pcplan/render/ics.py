"""iCalendar output with the icalendar library: all-day events with stable UIDs.

The same input gives the same bytes apart from DTSTAMP, which the caller passes
in (the core never reads the clock). A calendar re-imported with the same UIDs
updates its events rather than duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TextIO

from pcplan.findings import printable
from pcplan.overview import CalendarEvent
from pcplan.timetable import TimedEvent


def to_ics(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    stamp: datetime,
    timed: Iterable[TimedEvent] = (),
) -> bytes:
    """All-day events, and timed ones (visit sessions, in Europe/London) after them."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//pcplan//peer challenge planner//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", printable(name))
    for item in sorted(events, key=lambda e: (e.first, e.uid)):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("summary", printable(item.summary))
        event.add("dtstart", item.first)
        event.add("dtend", item.last + timedelta(days=1))
        event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
        if item.description:
            lines = item.description.split("\n")  # (its own line breaks; the data's are escaped)
            event.add("description", "\n".join(printable(line) for line in lines))
        if item.location:
            event.add("location", printable(item.location))
        calendar.add_component(event)
    from pcplan.render.visit import add_timed_events

    add_timed_events(calendar, timed, stamp)
    return calendar.to_ical()  # type: ignore[no-any-return]


def write_ics(
    events: Iterable[CalendarEvent], stream: TextIO, *, name: str, stamp: datetime
) -> None:
    stream.write(to_ics(events, name=name, stamp=stamp).decode("utf-8"))
