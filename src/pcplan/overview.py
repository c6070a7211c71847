"""The programme at a glance (SPEC §5): status rows, what is due, the time-bank, calendars.

Pure functions of an :class:`~pcplan.checker.Analysis` or of challenge contexts;
the renderers turn their results into tables, JSON or ICS. A :class:`Glance` is
what `status`, `due` and `timebank` need of one challenge, made where its file is
read (in a worker, or kept in the content cache), so they keep no models.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, get_args

from dateutil.relativedelta import relativedelta

from pcplan.errors import UsageError
from pcplan.findings import printable, shorten
from pcplan.rules.team import active_members, core_members
from pcplan.rules.team import core as core_team
from pcplan.rules.team import members as team_members
from pcplan.schedule import SETTLED, Schedule, Status, StepDates
from pcplan.steps import STEP_BY_KEY, Step
from pcplan.timetable import (
    TimedEvent,
    open_requests,
    person_slots,
    request_due,
    request_title,
    session_events,
)
from pcplan.vocabulary import LAST_YEAR

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pcplan.checker import Analysis
    from pcplan.models import Challenge, Member, Programme
    from pcplan.rules import ChallengeContext

PHASES = ("planning", "fieldwork", "response", "review", "closed")


def phase(challenge: Challenge, schedule: Schedule) -> str:
    """planning before fieldwork, fieldwork during it, then response, review, closed."""
    as_of = schedule.as_of
    if as_of < challenge.fieldwork.start:
        return "planning"
    if as_of <= challenge.fieldwork.end:
        return "fieldwork"
    if schedule["response_document"].status != "done":
        return "response"
    if any(
        schedule[key].status not in ("done", "not_applicable")
        for key in ("impact_review", "impact_visit")
    ):
        return "review"
    return "closed"


class StatusRow(NamedTuple):
    id: str
    display: str
    host: str
    round: int
    start: date
    end: date
    phase: str
    next_step: StepDates | None
    overdue: int
    team_confirmed: int
    errors: int
    warnings: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "host": self.host,
            "round": self.round,
            "fieldwork": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "phase": self.phase,
            "next_step": self.next_step.key if self.next_step else None,
            "next_due": _iso(self.next_step.due) if self.next_step else None,
            "overdue": self.overdue,
            "team_confirmed": self.team_confirmed,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def confirmed_count(challenge: Challenge) -> int:
    """Core members (not partners) who have confirmed."""
    return sum(1 for _, member in core_members(challenge) if member.status == "confirmed")


def status_rows(
    glances: dict[str, Glance], analysis: Analysis, round_number: int | None = None
) -> list[StatusRow]:
    """One row per valid challenge (its glance, and the count of its findings)."""
    rows = []
    for display, seen in glances.items():
        if round_number is not None and seen.round != round_number:
            continue
        severities = [finding.severity for finding in analysis.findings.get(display, ())]
        rows.append(
            StatusRow(  # (by position: ten thousand rows for a large programme)
                seen.id,
                display,
                seen.host,
                seen.round,
                seen.start,
                seen.end,
                seen.phase,
                seen.next_step,
                seen.overdue,
                seen.team_confirmed,
                severities.count("error"),
                severities.count("warning"),
            )
        )
    rows.sort(key=lambda row: (row.start, row.id))
    return rows


# ----------------------------------------------------------------------- due

_PERIOD = re.compile(r"\s*([0-9]{1,4})\s*([dwm])\s*", re.IGNORECASE | re.ASCII)


def parse_period(text: str, start: date | None = None) -> relativedelta:
    """``14d``, ``3w`` or ``2m`` as a relativedelta (exit 2 for anything else).

    With ``start``, a period that ends past the last year pcplan plans for is exit 2
    too, before any date arithmetic could overflow.
    """
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise UsageError(
            f"--within {printable(shorten(repr(text), 40))}: give a number and d, w or m, "
            "such as 14d, 3w or 2m"
        )
    period = _period(int(match[1]), match[2].lower())
    if start is not None:
        try:
            end = start + period
        except (OverflowError, ValueError):
            end = date.max
        if end.year > LAST_YEAR:
            raise UsageError(
                f"--within {text.strip()}: that reaches past {LAST_YEAR}, the last year pcplan "
                "plans for; give a shorter period"
            )
    return period


def _period(amount: int, unit: str) -> relativedelta:
    if unit == "d":
        return relativedelta(days=amount)
    if unit == "w":
        return relativedelta(weeks=amount)
    return relativedelta(months=amount)


class DueItem(NamedTuple):
    id: str
    display: str
    entry: StepDates
    names: tuple[str, ...] = ()  # whom to chase (see people_to_chase)

    @property
    def due(self) -> date:
        assert self.entry.due is not None
        return self.entry.due

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "step": self.entry.key,
            "title": self.entry.step.title,
            "due": self.due.isoformat(),
            "status": self.entry.status,
        }


def request_entries(ctx: ChallengeContext) -> list[StepDates]:
    """Each open supplementary-reading request as a due item of step 11 (SPEC §9).

    Its title names the request, its owner is the host project manager, it is due
    the earlier of asked + 2 working days and fieldwork start, and it stops
    appearing once fieldwork is over.
    """
    challenge = ctx.challenge
    as_of = ctx.as_of
    if as_of > challenge.fieldwork.end or not challenge.reading.requests:
        return []
    step = STEP_BY_KEY["supplementary_reading"]
    entries = []
    for _, request in open_requests(challenge):
        due = request_due(challenge, request, ctx.calendar)
        soon = (due - as_of).days <= ctx.settings.due_soon_days
        status: Status = "overdue" if as_of > due else "due_soon" if soon else "open"
        entries.append(
            StepDates(
                step._replace(title=request_title(request)),
                opens=request.asked,
                due=due,
                done=None,
                status=status,
            )
        )
    return entries


def due_items(
    contexts: Iterable[ChallengeContext],
    as_of: date,
    within: relativedelta,
    *,
    person: str | None = None,
    programme: Programme | None = None,
) -> list[DueItem]:
    """Every step overdue, or due by ``as_of + within`` and not done, across challenges;
    and every open supplementary-reading request (SPEC §9).

    With ``person``, only what that person owns or attends (SPEC §3).
    """
    items = []
    for ctx in contexts:
        roles = roles_of(ctx.challenge, person, programme) if person is not None else None
        for entry, names in pending_steps(ctx):
            if roles is None or owns(entry.step, roles):
                items.append(DueItem(ctx.challenge.id, ctx.display, entry, names))
    return _due_by(items, as_of + within)


def due_from_glances(
    glances: dict[str, Glance], as_of: date, within: relativedelta
) -> list[DueItem]:
    """:func:`due_items` for everyone, from the files' glances."""
    items = [
        DueItem(seen.id, display, entry, names)
        for display, seen in glances.items()
        for entry, names in seen.pending
    ]
    return _due_by(items, as_of + within)


def _due_by(items: list[DueItem], horizon: date) -> list[DueItem]:
    kept = [item for item in items if item.entry.status == "overdue" or item.due <= horizon]
    kept.sort(key=lambda item: (item.due, item.id, item.entry.step.number))
    return kept


def pending_steps(ctx: ChallengeContext) -> list[Pending]:
    """The steps and reading requests neither settled nor without a due date, with
    whom to chase for each."""
    by_owner = _owners(ctx.challenge, ctx.programme, team_members(ctx))
    chased: dict[tuple[str, ...], tuple[str, ...]] = {}  # (steps share a few owner lists)
    pending = []
    for entry in (*ctx.schedule.steps, *request_entries(ctx)):
        if entry.due is None or entry.status in SETTLED:
            continue
        owners = entry.step.owners
        names = chased.get(owners)
        if names is None:
            names = chased[owners] = _chase(owners, by_owner)
        pending.append(Pending(entry, names))
    return pending


# ----------------------------------------------------------------------- glances


class Pending(NamedTuple):
    """A step (or reading request) not settled and with a due date, and whom to chase."""

    entry: StepDates
    names: tuple[str, ...]


class Glance(NamedTuple):
    """What `status`, `due` and `timebank` need of one valid challenge, as plain values."""

    id: str
    round: int
    host: str
    start: date
    end: date
    phase: str
    team_confirmed: int
    next_step: StepDates | None
    pending: tuple[Pending, ...]  # () when read without them (from_rows)
    members: tuple[tuple[str, bool], ...]  # core members (not partners): employer, lead
    overdue: int  # how many of the pending are overdue


def glance_rows(ctx: ChallengeContext, *, pending: bool = True) -> list[Any]:
    """What `status`, `due` and `timebank` need of one valid challenge (its :class:`Glance`),
    as JSON's types: made where the file is read, kept in the content cache, and read
    back by :func:`from_rows`.

    Without ``pending`` the pending steps are only counted, not listed (None in their
    place): enough for `status` and `timebank` when nothing is cached.
    """
    challenge, schedule = ctx.challenge, ctx.schedule
    waiting: list[Any] | None = None
    if pending:
        waiting = []
        overdue = 0
        for entry, names in pending_steps(ctx):
            waiting.append([_entry_rows(entry), list(names)])
            overdue += entry.status == "overdue"
    else:
        entries = (*schedule.steps, *request_entries(ctx))  # (as pending_steps reads them)
        overdue = [entry.status for entry in entries].count("overdue")
    upcoming = schedule.next_step()
    team = core_team(ctx)
    return [
        challenge.id,
        challenge.round,
        challenge.host.authority,
        challenge.fieldwork.start.toordinal(),
        challenge.fieldwork.end.toordinal(),
        phase(challenge, schedule),
        sum(1 for _, member in team if member.status == "confirmed"),
        None if upcoming is None else _entry_rows(upcoming),
        waiting,
        [[member.employer, member.lead] for _, member in team],
        overdue,
    ]


def from_rows(rows: Any, *, pending: bool | date = True) -> Glance:
    """:func:`glance_rows` read back; ValueError (or TypeError, KeyError, IndexError) if
    not sound.

    ``pending``: which pending steps to read, most of a glance and of the time to read
    it: all (True), none (False: ``status`` and ``timebank`` need only how many are
    overdue), or those overdue or due by a date (what ``due`` shows). Rows made without
    them (``glance_rows(ctx, pending=False)``) can only be read without them.
    """
    code, number, host, start, end, stage, confirmed, upcoming, waiting, members, late = rows
    if not (
        type(code) is str
        and type(host) is str
        and type(number) is int
        and type(confirmed) is int
        and type(late) is int
        and stage in PHASES
        and (
            late == [entry[2] for entry, _ in waiting].count("overdue")
            if waiting is not None
            else pending is False and late >= 0
        )
    ):
        raise ValueError(rows)
    if pending is True:
        steps = tuple(Pending(_entry(entry), _names(names)) for entry, names in waiting)
    elif pending is False:
        steps = ()
    else:
        by = pending.toordinal()
        steps = tuple(
            Pending(_entry(entry), _names(names))
            for entry, names in waiting
            if entry[2] == "overdue" or (type(entry[4]) is int and entry[4] <= by)
        )
    return Glance(
        id=code,
        round=number,
        host=host,
        start=_day(start),  # type: ignore[arg-type]
        end=_day(end),  # type: ignore[arg-type]
        phase=stage,
        team_confirmed=confirmed,
        next_step=None if upcoming is None else _entry(upcoming),
        pending=steps,
        members=tuple(_member(employer, lead) for employer, lead in members),
        overdue=late,
    )


_STATUSES = frozenset(get_args(Status))


def _entry_rows(entry: StepDates) -> list[Any]:
    step = entry.step
    title = None if step.title == STEP_BY_KEY[step.key].title else step.title
    opens, due, done, moved = entry.opens, entry.due, entry.done, entry.moved_from
    return [
        step.key,
        title,
        entry.status,
        None if opens is None else opens.toordinal(),
        None if due is None else due.toordinal(),
        None if done is None else done.toordinal(),
        None if moved is None else moved.toordinal(),
    ]


def _entry(rows: Any) -> StepDates:
    key, title, status, opens, due, done, moved_from = rows
    step = STEP_BY_KEY[key]
    if title is not None:
        if type(title) is not str:
            raise ValueError(title)
        step = step._replace(title=title)
    if status not in _STATUSES:
        raise ValueError(status)
    return StepDates(step, _day(opens), _day(due), _day(done), status, _day(moved_from))


# Glances of many files name the same days and people: one object each, not one per use.
_DAYS: dict[int, date] = {}
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _day(value: Any) -> date | None:
    if value is None:
        return None
    if type(value) is not int:
        raise ValueError(value)
    day = _DAYS.get(value)
    if day is None:
        day = _DAYS[value] = date.fromordinal(value)
    return day


def _names(names: Any) -> tuple[str, ...]:
    if (type(names) is not list and type(names) is not tuple) or not _all(str, *names):
        raise ValueError(names)
    shared = tuple(names)
    return _NAMES.setdefault(shared, shared)


def _member(employer: Any, lead: Any) -> tuple[str, bool]:
    if type(employer) is not str or type(lead) is not bool:
        raise ValueError(employer)
    return employer, lead


def _all(kind: type, *values: Any) -> bool:
    return all(type(value) is kind for value in values)


# ----------------------------------------------------------------------- time-bank


class TimebankRow(NamedTuple):
    authority: str
    name: str
    hosted: int = 0
    led: int = 0
    members: int = 0

    @property
    def balance(self) -> int:
        return self.led + self.members - self.hosted

    def as_json(self) -> dict[str, int]:
        return {
            "hosted": self.hosted,
            "led": self.led,
            "members": self.members,
            "balance": self.balance,
        }


def timebank(
    contexts: Iterable[ChallengeContext],
    programme: Programme | None,
    round_number: int | None = None,
) -> list[TimebankRow]:
    """Per authority: challenges hosted and led, members contributed, and the balance (¶18).

    With ``round_number``, only that round's challenges count.
    """
    return _tally(
        (
            (ctx.challenge.host.authority, _core(ctx.challenge))
            for ctx in contexts
            if round_number in (None, ctx.challenge.round)
        ),
        programme,
    )


def timebank_from_glances(
    glances: Iterable[Glance], programme: Programme | None, round_number: int | None = None
) -> list[TimebankRow]:
    """:func:`timebank` from the files' glances."""
    return _tally(
        ((seen.host, seen.members) for seen in glances if round_number in (None, seen.round)),
        programme,
    )


def _core(challenge: Challenge) -> tuple[tuple[str, bool], ...]:
    """The core members (partners never count, SPEC §2): employer, and whether the lead."""
    return tuple((member.employer, member.lead) for _, member in core_members(challenge))


def _tally(
    challenges: Iterable[tuple[str, tuple[tuple[str, bool], ...]]], programme: Programme | None
) -> list[TimebankRow]:
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    if programme is not None:
        names = {slug: programme.authority_name(slug) or slug for slug in programme.authorities}
    for slug in names:
        counts[slug] = [0, 0, 0]
    for host, members in challenges:
        counts.setdefault(host, [0, 0, 0])[0] += 1
        for employer, lead in members:
            counts.setdefault(employer, [0, 0, 0])[1 if lead else 2] += 1
    return [
        TimebankRow(slug, names.get(slug, slug), *tally) for slug, tally in sorted(counts.items())
    ]


# ----------------------------------------------------------------------- calendars


class CalendarEvent(NamedTuple):
    """An all-day event from ``first`` to ``last`` inclusive."""

    uid: str
    summary: str
    first: date
    last: date
    description: str
    location: str = ""
    busy: bool = False  # blocks the diary (TRANSP:OPAQUE): fieldwork, not deadlines


def challenge_events(
    ctx: ChallengeContext, authority_name: str | None = None
) -> list[CalendarEvent]:
    """Fieldwork, and every applicable step with a date: due date, else the day it opens."""
    events = []
    for entry in ctx.schedule.steps:
        event = step_event(ctx.challenge, entry, authority_name)
        if event is not None:
            events.append(event)
    return events


def step_event(
    challenge: Challenge, entry: StepDates, authority_name: str | None = None
) -> CalendarEvent | None:
    """One step as an all-day event (fieldwork spans its days), or None when it has no date."""
    step = entry.step
    host = authority_name or challenge.host.authority
    if not entry.applicable:
        return None
    if step.key == "fieldwork":
        return CalendarEvent(
            uid=f"{challenge.id}/fieldwork@pcplan",
            summary=f"{challenge.id}: {step.title}",
            first=challenge.fieldwork.start,
            last=max(challenge.fieldwork.end, challenge.fieldwork.start),
            description=f"Peer challenge fieldwork at {host}: {challenge.topic}",
            location=host,
            busy=True,
        )
    day = entry.due or entry.opens
    if day is None or (entry.due is None and step.due_weeks_setting is not None):
        return None
    when = "due" if entry.due is not None else "from"
    lines = [
        f"Step {step.number}: {step.title} ({when} {day.isoformat()}).",
        f"Who: {step.who}." if step.who else "",
        f"Where: {step.where}." if step.where else "",
        f"Window: {step.when}.",
        f"Done {entry.done.isoformat()}." if entry.done else "",
        f"Challenge: {challenge.id}, {host}: {challenge.topic}",
    ]
    uid = f"{challenge.id}/{step.key}@pcplan"
    if step is not STEP_BY_KEY.get(step.key):  # a supplementary-reading request (SPEC §9)
        import hashlib

        uid = (
            f"{challenge.id}/{step.key}/{hashlib.sha1(step.title.encode()).hexdigest()[:12]}@pcplan"
        )
    return CalendarEvent(
        uid=uid,
        summary=f"{challenge.id}: {step.title}",
        first=day,
        last=day,
        description="\n".join(line for line in lines if line),
    )


def _normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def roles_of(challenge: Challenge, person: str, programme: Programme | None) -> set[str]:
    """The places (``Step.owners`` names) ``person`` (an exact name) holds; empty: none."""
    roles = set()
    if challenge.host.dcs == person:
        roles.add("host_dcs")
    if challenge.host.project_manager == person:
        roles.add("project_manager")
    for _, member in active_members(challenge):
        if member.name == person:
            roles.add("visiting_lead" if member.lead else "visiting_members")
    if programme is not None and programme.programme_manager == person:
        roles.add("programme_manager")
    return roles


def involves(challenge: Challenge, person: str, programme: Programme | None = None) -> bool:
    """Is the person host DCS, host PM, a visiting member not declined or the programme manager?"""
    return bool(roles_of(challenge, person, programme))


def owns(step: Step, roles: set[str]) -> bool:
    """Does someone in these places own or attend the step (SPEC §3)?"""
    return not roles.isdisjoint(step.owners)


def person_events(
    ctx: ChallengeContext,
    person: str,
    programme: Programme | None,
    *,
    all_steps: bool = False,
) -> list[CalendarEvent]:
    """A person's events of one challenge: the steps their places own or attend."""
    roles = roles_of(ctx.challenge, person, programme)
    if not roles:
        return []
    host = programme.authority_name(ctx.challenge.host.authority) if programme else None
    events = []
    for entry in ctx.schedule.steps:
        if not all_steps and not owns(entry.step, roles):
            continue
        event = step_event(ctx.challenge, entry, host)
        if event is not None:
            events.append(event)
    return events


def matching_names(wanted: str, names: Iterable[str]) -> list[str]:
    """The names ``wanted`` stands for: itself when one of ``names`` is exactly it; else
    every name equal to it but for case and spacing (one is a match, several are ambiguous).
    """
    known = set(names)
    if wanted in known:
        return [wanted]
    key = _normalise(wanted)
    return sorted(name for name in known if _normalise(name) == key)


def known_people(contexts: Iterable[ChallengeContext], programme: Programme | None) -> set[str]:
    people = {person.name for person in programme.people} if programme else set()
    if programme is not None and programme.programme_manager:
        people.add(programme.programme_manager)
    for ctx in contexts:
        challenge = ctx.challenge
        people.add(challenge.host.dcs)
        if challenge.host.project_manager:
            people.add(challenge.host.project_manager)
        people.update(member.name for member in challenge.visiting_team)
    return people


def person_sessions(contexts: Iterable[ChallengeContext], person: str) -> list[TimedEvent]:
    """The visit sessions a person is in, across challenges, as timed events (SPEC §9)."""
    return [
        event
        for ctx in contexts
        for event in session_events(ctx.challenge, person_slots(ctx.challenge, person))
    ]


def people_to_chase(step: Step, challenge: Challenge, programme: Programme | None) -> list[str]:
    """The names behind a step's owners: who the programme manager would write to.

    (The visiting team's other members are reached through its lead.)
    """
    return list(_chase(step.owners, _owners(challenge, programme, active_members(challenge))))


def _owners(
    challenge: Challenge, programme: Programme | None, active: list[tuple[int, Member]]
) -> dict[str, str | None]:
    lead = next((m.name for _, m in active if m.lead), None)
    return {
        "host_dcs": challenge.host.dcs,
        "visiting_lead": lead,
        "visiting_members": None,
        "project_manager": challenge.host.project_manager,
        "programme_manager": programme.programme_manager if programme else None,
    }


def _chase(owners: tuple[str, ...], by_owner: dict[str, str | None]) -> tuple[str, ...]:
    names = [by_owner[owner] for owner in owners]
    return tuple(dict.fromkeys(name for name in names if name))
