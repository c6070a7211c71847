"""A challenge's schedule as of a date (SPEC §3): pure, never reads the clock."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple, cast

from pcplan.dates import WorkingDays, add_months, week_commencing, working_days
from pcplan.records import FrozenRecord
from pcplan.steps import STEPS, Offset, Step

if TYPE_CHECKING:
    from collections.abc import Callable

    from pcplan.models import Challenge, Settings

Status = Literal["done", "unrecorded", "overdue", "due_soon", "open", "upcoming", "not_applicable"]
STATUSES: tuple[Status, ...] = (
    "done",
    "unrecorded",
    "overdue",
    "due_soon",
    "open",
    "upcoming",
    "not_applicable",
)
# Statuses of a step nobody chases any more: done, not applicable, or (a planning
# step after fieldwork is over) unrecorded.
SETTLED: tuple[Status, ...] = ("done", "unrecorded", "not_applicable")


class StepDates(NamedTuple):
    """One step's window, done date and status as of the schedule's date.

    (A named tuple: fifteen of these are made for every file checked.)
    """

    step: Step
    opens: date | None
    due: date | None
    done: date | None
    status: Status
    moved_from: date | None = None  # the due date before moving off a weekend/holiday

    @property
    def key(self) -> str:
        return self.step.key

    @property
    def applicable(self) -> bool:
        return self.status != "not_applicable"


class Week(NamedTuple):
    week_commencing: date
    label: str
    opens: tuple[str, ...]
    due: tuple[str, ...]
    done: tuple[str, ...]


class Schedule(FrozenRecord):
    """Every step of one challenge, as of ``as_of``."""

    __slots__ = ("as_of", "challenge_id", "end", "start", "steps")
    challenge_id: str
    start: date
    end: date
    as_of: date
    steps: tuple[StepDates, ...]

    def __init__(
        self, challenge_id: str, start: date, end: date, as_of: date, steps: tuple[StepDates, ...]
    ) -> None:
        self._set(challenge_id=challenge_id, start=start, end=end, as_of=as_of, steps=steps)

    def __getitem__(self, key: str) -> StepDates:
        for entry in self.steps:
            if entry.step.key == key:
                return entry
        raise KeyError(key)

    def with_status(self, *statuses: Status) -> list[StepDates]:
        return [entry for entry in self.steps if entry.status in statuses]

    def closed_windows(self) -> list[StepDates]:
        """Steps before fieldwork whose window had closed by ``as_of`` and are not done.

        Said by ``schedule`` and ``new`` when fieldwork is nearer than the windows need.
        """
        if self.as_of > self.start:
            return []
        return [
            entry
            for entry in self.steps
            if entry.step.before_fieldwork
            and entry.due is not None
            and entry.due < self.as_of
            and entry.status != "done"
        ]

    def next_step(self) -> StepDates | None:
        """The step to chase next: the earliest due of those not done, else the first open one."""
        pending = [e for e in self.steps if e.status not in SETTLED]
        with_due = [e for e in pending if e.due is not None]
        if with_due:
            return min(with_due, key=lambda e: (e.due, e.step.number))
        return pending[0] if pending else None

    def weeks(self) -> list[Week]:
        """One entry per week (commencing Monday) from the first opening to the last due date."""
        applicable = [e for e in self.steps if e.applicable]
        opens = [e.opens for e in applicable if e.opens is not None]
        dues = [e.due for e in applicable if e.due is not None]
        first = week_commencing(min(opens))
        last = week_commencing(max(dues))
        fieldwork_week = week_commencing(self.start)
        weeks: list[Week] = []
        monday = first
        while monday <= last:
            sunday = monday + timedelta(days=6)
            offset = (monday - fieldwork_week).days // 7
            weeks.append(
                Week(
                    week_commencing=monday,
                    label=week_label(offset),
                    opens=_keys_within(applicable, "opens", monday, sunday),
                    due=_keys_within(applicable, "due", monday, sunday),
                    done=_keys_within(applicable, "done", monday, sunday),
                )
            )
            monday += timedelta(days=7)
        return weeks


def week_label(offset: int) -> str:
    """``T−14w`` for fourteen weeks before the fieldwork week, ``T0w`` for it, ``T+2w`` after."""
    if offset < 0:
        return f"T\u2212{-offset}w"
    if offset == 0:
        return "T0w"
    return f"T+{offset}w"


def _keys_within(entries: list[StepDates], field: str, first: date, last: date) -> tuple[str, ...]:
    found = []
    for entry in entries:
        value = getattr(entry, field)
        if value is not None and first <= value <= last:
            found.append(entry.step.key)
    return tuple(found)


def default_settings() -> Settings:
    """The programme-wide settings when programme.yaml gives none (or cannot be read)."""
    from pcplan import twins

    return cast("Settings", twins.settings({}))


def compute_schedule(
    challenge: Challenge,
    settings: Settings,
    as_of: date,
    calendar: WorkingDays | None = None,
) -> Schedule:
    """The schedule of ``challenge`` as of ``as_of`` (SPEC §3)."""
    calendar = calendar or working_days()
    start, end = challenge.fieldwork.start, challenge.fieldwork.end
    review = challenge.review
    flags = (
        review.opted_in,
        review.opted_in and review.visit.requested,
        challenge.briefing_needed,
    )
    weeks = tuple(getattr(settings, name) for name in _WEEKS_SETTINGS)
    windows = _windows(start, end, flags, weeks, calendar)
    recorded = challenge.steps
    due_soon_days = settings.due_soon_days
    over = as_of > end  # the visit happened
    entries = []
    # (Each StepDates made as a tuple.__new__ does, in C: fifteen a file, twice as fast.)
    for (step, key, after, is_fieldwork, before), window in zip(_FACTS, windows, strict=True):
        done = recorded.get(key)
        if window is None:
            entries.append(_new(StepDates, (step, None, None, done, "not_applicable", None)))
            continue
        opens, due, moved_from = window
        if after is not None:
            earlier = recorded.get(after)
            if earlier is not None and earlier > opens:
                opens = earlier
        if is_fieldwork and over and (done is None or done > as_of):
            done = end  # fieldwork is done once it is over, whatever was recorded (SPEC §3)
        status = step_status(opens, due, done, as_of, due_soon_days)
        if before and over and status != "done":
            status = "unrecorded"  # the visit happened: no longer chased (SPEC §3)
        entries.append(_new(StepDates, (step, opens, due, done, status, moved_from)))
    return Schedule(challenge.id, start, end, as_of, tuple(entries))


_new = tuple.__new__
# What compute_schedule reads of each step, taken out of the table once.
_FACTS = [
    (step, step.key, step.opens_after_done, step.key == "fieldwork", step.before_fieldwork)
    for step in STEPS
]
Window = tuple[date, date | None, date | None]  # opens, due, the due date before it moved
# The settings that give a step's due date in weeks after fieldwork (Step.due_weeks_setting).
_WEEKS_SETTINGS = tuple(sorted({step.due_weeks_setting or "" for step in STEPS} - {""}))


@functools.lru_cache(maxsize=4096)  # (many files of a large programme share their dates)
def _windows(
    start: date,
    end: date,
    flags: tuple[bool, bool, bool],
    weeks: tuple[int | None, ...],
    calendar: WorkingDays,
) -> tuple[Window | None, ...]:
    """Each step's window from the steps table (None: not applicable), before what is done.

    ``flags``: the review opted into, its visit requested, a briefing needed (the
    names of :attr:`pcplan.steps.Step.applies_if`); ``weeks``: the settings named in
    ``_WEEKS_SETTINGS``.
    """
    named = dict(zip(("opted_in", "visit_requested", "briefing_needed"), flags, strict=True))
    weeks_by_name = dict(zip(_WEEKS_SETTINGS, weeks, strict=True))
    windows: list[Window | None] = []
    for step, opens_at, due_at in _PLAN:
        if step.applies_if and not all(named[flag] for flag in step.applies_if):
            windows.append(None)
            continue
        opens = opens_at(start, end)
        if step.due_weeks_setting is not None:
            after = weeks_by_name[step.due_weeks_setting]
            due = None if after is None else end + timedelta(weeks=after)
        else:
            due = None if due_at is None else due_at(start, end)
        moved_from = None
        if due is not None and step.due_moves:
            moved = calendar.on_or_before(due)
            if moved != due:
                due, moved_from = moved, due
        windows.append((opens, due, moved_from))
    return tuple(windows)


def _date_of(offset: Offset) -> Callable[[date, date], date]:
    """An offset from the steps table as a function of (start, end), built once."""
    weeks = timedelta(weeks=offset.weeks)
    months = offset.months
    if offset.anchor == "start":
        if months:
            return lambda start, end: add_months(start + weeks, months)
        return lambda start, end: start + weeks
    if months:
        return lambda start, end: add_months(end + weeks, months)
    return lambda start, end: end + weeks


_PLAN = [
    (step, _date_of(step.opens), None if step.due is None else _date_of(step.due)) for step in STEPS
]


def step_status(
    opens: date, due: date | None, done: date | None, as_of: date, due_soon_days: int
) -> Status:
    """SPEC §3's status of an applicable step as of a date; the first match wins."""
    if done is not None and done <= as_of:
        return "done"
    if due is not None and as_of > due:
        return "overdue"
    if as_of < opens:
        return "upcoming"
    if due is not None and (due - as_of).days < due_soon_days:
        return "due_soon"
    return "open"
