"""The programme at a glance (SPEC §5): status rows, what is due, the time-bank, calendars.

Pure functions of an :class:`~pcplan.checker.Analysis` or of challenge contexts;
the renderers turn their results into tables, JSON or ICS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from pcplan.checker import Analysis
from pcplan.errors import UsageError
from pcplan.models import Challenge, Programme
from pcplan.rules import ChallengeContext
from pcplan.rules.team import PRACTITIONER_ROLES, TEAM_SIZE, active_members, core_members
from pcplan.schedule import Schedule, StepDates
from pcplan.steps import Step

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


@dataclass(frozen=True, slots=True)
class StatusRow:
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


def status_rows(analysis: Analysis, round_number: int | None = None) -> list[StatusRow]:
    rows = []
    for ctx in analysis.contexts:
        challenge = ctx.challenge
        if round_number is not None and challenge.round != round_number:
            continue
        findings = analysis.findings.get(ctx.display, [])
        rows.append(
            StatusRow(
                id=challenge.id,
                display=ctx.display,
                host=challenge.host.authority,
                round=challenge.round,
                start=challenge.fieldwork.start,
                end=challenge.fieldwork.end,
                phase=phase(challenge, ctx.schedule),
                next_step=ctx.schedule.next_step(),
                overdue=len(ctx.schedule.with_status("overdue")),
                team_confirmed=confirmed_count(challenge),
                errors=sum(1 for f in findings if f.severity == "error"),
                warnings=sum(1 for f in findings if f.severity == "warning"),
            )
        )
    rows.sort(key=lambda row: (row.start, row.id))
    return rows


def still_needed(challenge: Challenge) -> list[str]:
    """What the visiting team still lacks for the shape of ¶18-21, in words (empty: nothing).

    Counts members not declined; partners are extra to the four and never fill a place.
    """
    core = [member for _, member in core_members(challenge)]
    needed = []
    if not any(member.lead for _, member in active_members(challenge)):
        needed.append("a lead (a DCS, ¶18)")
    others = [member for member in core if not member.lead]
    directors = sum(1 for member in others if member.role == "assistant_director")
    if directors < 1:
        needed.append("an assistant director (¶21)")
    practitioners = sum(1 for member in others if member.role in PRACTITIONER_ROLES)
    if practitioners < 2:
        count = 2 - practitioners
        needed.append(
            f"{'a' if count == 1 else 'two'} team leader{'s' if count != 1 else ''} or "
            f"practitioner{'s' if count != 1 else ''} (¶21)"
        )
    if len(core) > TEAM_SIZE:
        needed.append(f"{len(core) - TEAM_SIZE} fewer core members: the team is four (¶21)")
    waiting = sorted(member.name for member in core if member.status == "nominated")
    if waiting:
        needed.append("the host DCS's answer on " + ", ".join(waiting) + " (¶22)")
    return needed


# ----------------------------------------------------------------------- due

_PERIOD = re.compile(r"\s*(\d{1,4})\s*([dwm])\s*", re.IGNORECASE)


def parse_period(text: str) -> relativedelta:
    """``14d``, ``3w`` or ``2m`` as a relativedelta (exit 2 for anything else)."""
    match = _PERIOD.fullmatch(text)
    if match is None:
        raise UsageError(f"--within {text!r}: give a number and d, w or m, such as 14d, 3w or 2m")
    amount, unit = int(match[1]), match[2].lower()
    if unit == "d":
        return relativedelta(days=amount)
    if unit == "w":
        return relativedelta(weeks=amount)
    return relativedelta(months=amount)


@dataclass(frozen=True, slots=True)
class DueItem:
    id: str
    display: str
    entry: StepDates

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


def due_items(
    contexts: Iterable[ChallengeContext], as_of: date, within: relativedelta
) -> list[DueItem]:
    """Every step overdue, or due by ``as_of + within`` and not done, across challenges."""
    horizon = as_of + within
    items = []
    for ctx in contexts:
        for entry in ctx.schedule.steps:
            if entry.due is None or entry.status in ("done", "not_applicable"):
                continue
            if entry.status == "overdue" or entry.due <= horizon:
                items.append(DueItem(ctx.challenge.id, ctx.display, entry))
    items.sort(key=lambda item: (item.due, item.id, item.entry.step.number))
    return items


# ----------------------------------------------------------------------- time-bank


@dataclass(frozen=True, slots=True)
class TimebankRow:
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
    contexts: Iterable[ChallengeContext], programme: Programme | None
) -> list[TimebankRow]:
    """Per authority: challenges hosted and led, members contributed, and the balance (¶18)."""
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    if programme is not None:
        names = {slug: programme.authority_name(slug) or slug for slug in programme.authorities}
    for slug in names:
        counts[slug] = [0, 0, 0]
    for ctx in contexts:
        challenge = ctx.challenge
        counts.setdefault(challenge.host.authority, [0, 0, 0])[0] += 1
        for _, member in core_members(challenge):  # partners never count (SPEC §2)
            tally = counts.setdefault(member.employer, [0, 0, 0])
            if member.lead:
                tally[1] += 1
            else:
                tally[2] += 1
    return [
        TimebankRow(slug, names.get(slug, slug), *tally) for slug, tally in sorted(counts.items())
    ]


# ----------------------------------------------------------------------- calendars


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """An all-day event from ``first`` to ``last`` inclusive."""

    uid: str
    summary: str
    first: date
    last: date
    description: str
    location: str = ""


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
    return CalendarEvent(
        uid=f"{challenge.id}/{step.key}@pcplan",
        summary=f"{challenge.id}: {step.title}",
        first=day,
        last=day,
        description="\n".join(line for line in lines if line),
    )


def _normalise(name: str) -> str:
    return " ".join(name.split()).casefold()


def involves(challenge: Challenge, person: str) -> bool:
    """Is the person host DCS, host project manager or a visiting member not declined?"""
    wanted = _normalise(person)
    names = [challenge.host.dcs, challenge.host.project_manager or ""]
    names += [member.name for _, member in active_members(challenge)]
    return any(_normalise(name) == wanted for name in names)


def known_people(contexts: Iterable[ChallengeContext], programme: Programme | None) -> set[str]:
    people = {person.name for person in programme.people} if programme else set()
    for ctx in contexts:
        challenge = ctx.challenge
        people.add(challenge.host.dcs)
        if challenge.host.project_manager:
            people.add(challenge.host.project_manager)
        people.update(member.name for member in challenge.visiting_team)
    return people


def people_to_chase(step: Step, challenge: Challenge, programme: Programme | None) -> list[str]:
    """The names behind a step's owners: who the programme manager would write to."""
    lead = next((m.name for _, m in active_members(challenge) if m.lead), None)
    by_owner = {
        "host_dcs": challenge.host.dcs,
        "visiting_dcs": lead,
        "project_manager": challenge.host.project_manager,
        "programme_manager": programme.programme_manager if programme else None,
    }
    names = [by_owner[owner] for owner in step.owners]
    return list(dict.fromkeys(name for name in names if name))
