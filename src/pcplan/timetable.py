"""The visit itself (SPEC §9): the fieldwork timetable and the supplementary reading requests.

Pure functions of a :class:`~pcplan.models.Challenge`: the rules (``visit.*``,
``reading.*``), ``pcplan visit``, ``due`` and ``calendar --person`` all read the
timetable through here, so a time is parsed and a visitor resolved one way.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from pcplan.records import FrozenRecord

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pcplan.dates import WorkingDays
    from pcplan.models import Challenge, Member, ReadingRequest, Session

_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
REQUEST_WORKING_DAYS = 2  # ¶16: "a ready response" to supplementary requests


def parse_time(value: object) -> int | None:
    """``"HH:MM"`` as minutes after midnight; None for anything else (a number included)."""
    if not isinstance(value, str):
        return None
    match = _TIME.fullmatch(value)
    return None if match is None else int(match[1]) * 60 + int(match[2])


def show_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def fieldwork_length(challenge: Challenge) -> int:
    """The number of fieldwork days (0 when the dates are reversed)."""
    return max((challenge.fieldwork.end - challenge.fieldwork.start).days + 1, 0)


def session_date(challenge: Challenge, session: Session) -> date:
    return challenge.fieldwork.start + timedelta(days=session.day - 1)


def active_visitors(challenge: Challenge) -> list[str]:
    """The visiting team's names, not declined, in file order."""
    return [member.name for member in challenge.visiting_team if member.status != "declined"]


def lead_name(challenge: Challenge) -> str | None:
    lead: Member | None = next(
        (m for m in challenge.visiting_team if m.lead and m.status != "declined"), None
    )
    return lead.name if lead else None


def visitors_of(challenge: Challenge, session: Session) -> list[str]:
    """Who of the visiting team is in a session (``all``: everyone not declined)."""
    if session.visitors == "all":
        return active_visitors(challenge)
    return list(session.visitors)


class Slot(FrozenRecord):
    """A session whose times read: its place in the file (0-based) and its minutes."""

    __slots__ = ("end", "index", "session", "start")
    index: int
    session: Session
    start: int
    end: int

    def __init__(self, index: int, session: Session, start: int, end: int) -> None:
        self._set(index=index, session=session, start=start, end=end)

    @property
    def minutes(self) -> int:
        return self.end - self.start


def slots(challenge: Challenge) -> list[Slot]:
    """Sessions with valid times and day, sorted by day, start, end and position in the file."""
    length = fieldwork_length(challenge)
    found = []
    for index, session in enumerate(challenge.visit.sessions):
        start, end = parse_time(session.start), parse_time(session.end)
        if start is None or end is None or end <= start or session.day > length:
            continue
        found.append(Slot(index, session, start, end))
    found.sort(key=lambda slot: (slot.session.day, slot.start, slot.end, slot.index))
    return found


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def person_slots(challenge: Challenge, person: str) -> list[Slot]:
    """The sessions a person is in: as a visitor, or named in ``with`` (host DCS or PM)."""
    chosen = []
    for slot in slots(challenge):
        names = visitors_of(challenge, slot.session)
        if any(same_name(name, person) for name in names) or any(
            same_name(name, person) for name in slot.session.with_
        ):
            chosen.append(slot)
    return chosen


# ----------------------------------------------------------------------- reading requests


def request_due(challenge: Challenge, request: ReadingRequest, calendar: WorkingDays) -> date:
    """The earlier of ``asked`` + 2 working days and the first day of fieldwork (¶16)."""
    day = request.asked
    for _ in range(REQUEST_WORKING_DAYS):
        day = calendar.next_after(day)
    return min(day, challenge.fieldwork.start)


def open_requests(challenge: Challenge) -> list[tuple[int, ReadingRequest]]:
    """Requests not yet ``sent``, with their place in the file (0-based)."""
    return [(i, r) for i, r in enumerate(challenge.reading.requests) if r.sent is None]


def request_title(request: ReadingRequest) -> str:
    who = f" (asked by {request.by})" if request.by else ""
    return f"Supplementary reading: {request.what}{who}"


# ----------------------------------------------------------------------- calendars


def kind_label(kind: str) -> str:
    """``focus_group`` as "focus group", ``dcs_to_dcs`` as "DCS to DCS"."""
    return "DCS to DCS" if kind == "dcs_to_dcs" else kind.replace("_", " ")


class TimedEvent(NamedTuple):
    """A session as a timed event in Europe/London (blocks the diary: OPAQUE)."""

    uid: str
    summary: str
    start: datetime  # naive, local time in Europe/London
    end: datetime
    description: str
    location: str = ""


def session_uid(challenge: Challenge, slot: Slot) -> str:
    """``<id>/visit/<day>-<start>-<n>@pcplan``: n is the session's 1-based place in the file."""
    session = slot.session
    return f"{challenge.id}/visit/{session.day}-{show_time(slot.start)}-{slot.index + 1}@pcplan"


def session_events(challenge: Challenge, chosen: Iterable[Slot]) -> list[TimedEvent]:
    events = []
    for slot in chosen:
        session = slot.session
        day = session_date(challenge, session)
        midnight = datetime(day.year, day.month, day.day)
        lines = [
            f"{kind_label(session.kind).capitalize()}, day {session.day} of the peer challenge "
            f"fieldwork ({challenge.id}).",
            f"Visitors: {', '.join(visitors_of(challenge, session)) or 'none named'}.",
            f"Meeting: {', '.join(session.with_)}." if session.with_ else "",
        ]
        events.append(
            TimedEvent(
                uid=session_uid(challenge, slot),
                summary=f"{challenge.id}: {session.title}",
                start=midnight + timedelta(minutes=slot.start),
                end=midnight + timedelta(minutes=slot.end),
                description="\n".join(line for line in lines if line),
                location=session.where or "",
            )
        )
    return events
