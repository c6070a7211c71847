"""The fieldwork timetable (SPEC §9, ¶24-33): times, clashes, and a programme that works."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from pcplan.dates import show_date
from pcplan.findings import shorten
from pcplan.rules.registry import ChallengeContext, Problem, file_rule
from pcplan.timetable import (
    Slot,
    active_visitors,
    fieldwork_length,
    parse_time,
    same_name,
    session_date,
    show_time,
    slots,
    visitors_of,
)
from pcplan.vocabulary import EVIDENCE_KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_RUN_MINUTES = 180  # ¶31: over three hours with no pause is over-programmed
MIN_GAP_MINUTES = 15  # an unscheduled gap this long is a pause
MIN_TEAM_TIME_MINUTES = 60  # thinking time and comparing notes, each day
CONSENT_DAYS = 7
PAUSES = ("team_time", "break")


def _label(slot: Slot) -> str:
    return (
        f"session #{slot.index + 1} ({shorten(slot.session.title, 40)}, day {slot.session.day} "
        f"{show_time(slot.start)}–{show_time(slot.end)})"
    )


def _names(names: list[str]) -> str:
    return ", ".join(shorten(name, 40) for name in names)


@file_rule("visit.times", "error")
def check_visit_times(ctx: ChallengeContext) -> Iterator[Problem]:
    """A session's end is not after its start, a time is not `HH:MM` (an unquoted number included), or its day is beyond the fieldwork's length."""
    length = fieldwork_length(ctx.challenge)
    for index, session in enumerate(ctx.challenge.visit.sessions):
        path = ("visit", "sessions", index)
        times = {}
        for key in ("start", "end"):
            value = getattr(session, key)
            times[key] = parse_time(value)
            if times[key] is None:
                shown = shorten(value if isinstance(value, str) else repr(value), 20)
                hint = (
                    '; quote it, as "09:30" (unquoted, YAML reads it as a number)'
                    if not isinstance(value, str)
                    else ""
                )
                yield Problem(
                    (*path, key),
                    f'`{key}` must be a 24-hour time HH:MM, such as "09:30"; got {shown}{hint}',
                )
        start, end = times["start"], times["end"]
        if start is not None and end is not None and end <= start:
            yield Problem(
                (*path, "end"),
                f"the session ends ({show_time(end)}) before or when it starts "
                f"({show_time(start)}); correct `start` or `end`",
            )
        if length and session.day > length:
            yield Problem(
                (*path, "day"),
                f"day {session.day} is beyond the fieldwork, which lasts {length} "
                f"day{'s' if length != 1 else ''} "
                f"({show_date(ctx.challenge.fieldwork.start)}–"
                f"{show_date(ctx.challenge.fieldwork.end)}); use day 1 to {length}",
            )


@file_rule("visit.clash", "error")
def check_visit_clash(ctx: ChallengeContext) -> Iterator[Problem]:
    """A visitor is in two overlapping sessions, or a name in `visitors` is not in the visiting team (or declined)."""
    challenge = ctx.challenge
    team = active_visitors(challenge)
    declined = [m.name for m in challenge.visiting_team if m.status == "declined"]
    for index, session in enumerate(challenge.visit.sessions):
        if session.visitors == "all":
            continue
        for position, name in enumerate(session.visitors):
            if any(same_name(name, member) for member in team):
                continue
            why = (
                "declined the nomination"
                if any(same_name(name, other) for other in declined)
                else "is not in the visiting team"
            )
            yield Problem(
                ("visit", "sessions", index, "visitors", position),
                f"{shorten(name, 60)} {why}; name visitors from `visiting_team` as written "
                f"there ({_names(team) or 'none yet'}), or write `visitors: all`",
            )
    by_day: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots(challenge):
        by_day[slot.session.day].append(slot)
    for day_slots in by_day.values():
        for position, later in enumerate(day_slots):
            later_names = visitors_of(challenge, later.session)
            for earlier in day_slots[:position]:
                if not (earlier.start < later.end and later.start < earlier.end):
                    continue
                both = [
                    name
                    for name in visitors_of(challenge, earlier.session)
                    if any(same_name(name, other) for other in later_names)
                ]
                if both:
                    yield Problem(
                        ("visit", "sessions", later.index),
                        f"{_names(both)} cannot be in {_label(later)} and in {_label(earlier)} "
                        "at once; move one session or give it to the other pair (¶21)",
                    )


@file_rule("visit.feedback", "warning", waivable=True)
def check_visit_feedback(ctx: ChallengeContext) -> Iterator[Problem]:
    """Sessions are planned but none is `feedback` on the last day of fieldwork (¶30, ¶34)."""
    sessions = ctx.challenge.visit.sessions
    last = fieldwork_length(ctx.challenge)
    if not sessions or not last:
        return
    if not any(s.kind == "feedback" and s.day == last for s in sessions):
        yield Problem(
            ("visit", "sessions"),
            f"the timetable has no `feedback` session on day {last}, the last day: the "
            "visiting team gives its feedback before it leaves (¶30, ¶34)",
        )


@file_rule("visit.dcs_to_dcs", "warning", waivable=True)
def check_visit_dcs_to_dcs(ctx: ChallengeContext) -> Iterator[Problem]:
    """Sessions are planned but none is `dcs_to_dcs` (¶32: no surprises)."""
    sessions = ctx.challenge.visit.sessions
    if sessions and not any(s.kind == "dcs_to_dcs" for s in sessions):
        yield Problem(
            ("visit", "sessions"),
            "the timetable has no `dcs_to_dcs` session: allow the host and visiting DCS time "
            "together during the visit, so the feedback holds no surprises (¶32)",
        )


def _overprogrammed(
    ctx: ChallengeContext,
) -> Iterator[tuple[tuple[str, int, int], str]]:
    """(kind, day, session index) and a visitor's name, for each stretch or day too full."""
    challenge = ctx.challenge
    mine: dict[tuple[str, int], list[Slot]] = defaultdict(list)
    for slot in slots(challenge):
        for name in visitors_of(challenge, slot.session):
            mine[(" ".join(name.split()), slot.session.day)].append(slot)
    for (name, day), own in mine.items():
        run_start: int | None = None
        run_end = 0
        reported = False
        for slot in own:
            if slot.session.kind in PAUSES:
                run_start, reported = None, False
                run_end = max(run_end, slot.end)
                continue
            if run_start is None or slot.start - run_end >= MIN_GAP_MINUTES:
                run_start, reported = slot.start, False
            run_end = max(run_end, slot.end)
            if not reported and run_end - run_start > MAX_RUN_MINUTES:
                reported = True
                yield ("run", day, slot.index), name
        team_time = sum(s.minutes for s in own if s.session.kind == "team_time")
        if team_time < MIN_TEAM_TIME_MINUTES:
            yield ("team_time", day, own[0].index), name


@file_rule("visit.overprogrammed", "warning", waivable=True)
def check_visit_overprogrammed(ctx: ChallengeContext) -> Iterator[Problem]:
    """A visitor has over 3 hours in sessions with no `team_time`, `break` or 15-minute gap between, or under 60 minutes of `team_time` in a day (¶31)."""
    grouped: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for key, name in _overprogrammed(ctx):
        grouped[key].append(name)
    for (kind, day, index), names in sorted(grouped.items(), key=lambda item: item[0][2]):
        path = ("visit", "sessions", index)
        if kind == "run":
            yield Problem(
                path,
                f"{_names(names)}: over 3 hours of sessions without a break on day {day} by "
                f"the end of session #{index + 1}; add a `break` or `team_time`, or a gap of "
                "15 minutes (¶31: visits have been over-programmed)",
            )
        else:
            yield Problem(
                path,
                f"{_names(names)}: under 60 minutes of `team_time` on day {day}; the most "
                "satisfied teams had thinking time and time to compare notes (¶31)",
            )


@file_rule("visit.evidence", "warning", waivable=True)
def check_visit_evidence(ctx: ChallengeContext) -> Iterator[Problem]:
    """Sessions are planned and cover fewer than three of the ¶29 evidence kinds."""
    sessions = ctx.challenge.visit.sessions
    if not sessions:
        return
    covered = {s.kind for s in sessions if s.kind in EVIDENCE_KINDS}
    if len(covered) < 3:
        missing = [kind for kind in EVIDENCE_KINDS if kind not in covered]
        yield Problem(
            ("visit", "sessions"),
            f"the timetable gathers evidence in {len(covered)} of the ways ¶29 lists; plan "
            f"at least three, adding from {', '.join(missing)}",
        )


@file_rule("visit.consent", "error", uses_as_of=True)
def check_visit_consent(ctx: ChallengeContext) -> Iterator[Problem]:
    """A `work_seen` or `service_user` session has no `consent.obtained` (unless `needed: false`) once fieldwork is 7 days away or less (a warning); an error when it was obtained after the session's day (¶26)."""
    challenge = ctx.challenge
    close = (challenge.fieldwork.start - ctx.as_of).days <= CONSENT_DAYS
    for index, session in enumerate(challenge.visit.sessions):
        if session.kind not in ("work_seen", "service_user"):
            continue
        consent = session.consent
        path = ("visit", "sessions", index)
        if consent is not None and not consent.needed:
            continue
        obtained = consent.obtained if consent is not None else None
        if obtained is None:
            if close:
                yield Problem(
                    (*path, "consent") if consent is not None else (*path, "kind"),
                    f"session #{index + 1} ({shorten(session.title, 40)}) is {session.kind} "
                    "with no consent recorded: obtain the consents and permissions and record "
                    "`consent.obtained`, or set `consent.needed: false` (¶26)",
                    severity="warning",
                )
            continue
        day = session_date(challenge, session)
        if obtained > day:
            yield Problem(
                (*path, "consent", "obtained"),
                f"consent for session #{index + 1} was obtained {show_date(obtained)}, after "
                f"the session on {show_date(day)}: it is needed before (¶26); correct the "
                "date or the session",
            )


@file_rule("visit.unplanned", "warning", uses_as_of=True, waivable=True)
def check_visit_planned(ctx: ChallengeContext) -> Iterator[Problem]:
    """Step `logistics` is done or overdue, fieldwork has not ended, and no sessions are planned (¶27)."""
    challenge = ctx.challenge
    if challenge.visit.sessions or ctx.as_of > challenge.fieldwork.end:
        return
    status = ctx.schedule["logistics"].status
    if status not in ("done", "overdue"):
        return
    where = ("visit", "sessions") if "visit" in ctx.document.data else ("steps", "logistics")
    yield Problem(
        where,
        f"step logistics is {status} but `visit.sessions` plans no sessions: add the "
        "timetable of the two days (`pcplan visit "
        f"{challenge.id} add …`; ¶24, ¶27)",
    )
