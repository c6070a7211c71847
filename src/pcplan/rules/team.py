"""The visiting team (¶18-22): its lead, its shape, its diary and its conflicts.

The composition rules look at members who have not declined; the *core* team
leaves partners out as well (¶21 counts partners as extra to the four). They
apply only once `visiting_team` has someone in it; `team.missing` covers the
empty team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterator
from datetime import date, timedelta
from typing import Any

from pcplan.dates import show_date
from pcplan.models import Challenge, Member, Person, Programme
from pcplan.rules.registry import ChallengeContext, Problem, Sighting, file_rule, repo_rule
from pcplan.yamlio import KeyPath

PRACTITIONER_ROLES = ("team_leader", "practitioner")
TEAM_SIZE = 4


def active_members(challenge: Challenge) -> list[tuple[int, Member]]:
    """Members who have not declined, with their index in `visiting_team`."""
    return [(i, m) for i, m in enumerate(challenge.visiting_team) if m.status != "declined"]


def core_members(challenge: Challenge) -> list[tuple[int, Member]]:
    """Members who count towards the team of four: not declined, not partners."""
    return [(i, m) for i, m in active_members(challenge) if m.role != "partner"]


def _member(index: int, key: str | None = None) -> KeyPath:
    return ("visiting_team", index) if key is None else ("visiting_team", index, key)


@file_rule("team.lead", "error")
def check_team_lead(ctx: ChallengeContext) -> Iterator[Problem]:
    """Not exactly one lead among members not declined, or a lead who is neither a DCS nor an assistant director with `lead_consent` (¶18-19)."""
    challenge = ctx.challenge
    if not challenge.visiting_team:
        return
    leads = [(i, m) for i, m in active_members(challenge) if m.lead]
    if not leads:
        declined = [m for m in challenge.visiting_team if m.lead and m.status == "declined"]
        why = f"{declined[0].name}, the lead, declined" if declined else "no member is the lead"
        yield Problem(
            ("visiting_team",),
            f"the visiting team has no lead ({why}); mark one member (a DCS, ¶18) with "
            "`lead: true`",
        )
        return
    for index, member in leads[1:]:
        yield Problem(
            _member(index, "lead"),
            f"{member.name} is a second lead (the first is {leads[0][1].name}); "
            "a visiting team has exactly one lead",
        )
    index, lead = leads[0]
    if lead.role == "dcs":
        return
    if lead.role == "assistant_director":
        if challenge.lead_consent is None:
            yield Problem(
                _member(index, "role"),
                f"the lead, {lead.name}, is an assistant director: record the host DCS's "
                "consent under `lead_consent` (given_by, date, reason; ¶19)",
            )
        return
    yield Problem(
        _member(index, "role"),
        f"the lead, {lead.name}, is a {lead.role.replace('_', ' ')}; the lead is a DCS, or "
        "an assistant director with the host DCS's consent (¶18-19)",
    )


@file_rule("team.size", "error")
def check_team_size(ctx: ChallengeContext) -> Iterator[Problem]:
    """The core team (members not declined, not partners) is not four: the lead and three (¶21, step 3)."""
    if not ctx.challenge.visiting_team:
        return
    core = core_members(ctx.challenge)
    if len(core) != TEAM_SIZE:
        yield Problem(
            ("visiting_team",),
            f"the core visiting team has {len(core)} member{'s' if len(core) != 1 else ''} "
            f"(not declined, not partners); it should be {TEAM_SIZE}: the lead and three (¶21)",
        )


@file_rule("team.authorities", "error")
def check_team_authorities(ctx: ChallengeContext) -> Iterator[Problem]:
    """Two or more core team members come from the same authority (¶21: four authorities)."""
    seen: dict[str, Member] = {}
    for index, member in core_members(ctx.challenge):
        first = seen.get(member.employer)
        if first is None:
            seen[member.employer] = member
            continue
        yield Problem(
            _member(index, "authority"),
            f"{member.name} and {first.name} both come from `{member.authority}`; the core "
            "team comes from four different authorities (¶21)",
        )


@file_rule("team.host", "error")
def check_team_not_from_host(ctx: ChallengeContext) -> Iterator[Problem]:
    """A core visiting team member comes from the host authority."""
    host = ctx.challenge.host.authority
    for index, member in core_members(ctx.challenge):
        if member.authority == host:
            yield Problem(
                _member(index, "authority"),
                f"{member.name} is from the host authority `{host}`; the visiting team "
                "comes from other authorities",
            )


@file_rule("team.assistant_director", "error")
def check_one_assistant_director(ctx: ChallengeContext) -> Iterator[Problem]:
    """Not exactly one non-lead core member at assistant director level (¶21)."""
    if not ctx.challenge.visiting_team:
        return
    count = sum(
        1
        for _, member in core_members(ctx.challenge)
        if not member.lead and member.role == "assistant_director"
    )
    if count != 1:
        yield Problem(
            ("visiting_team",),
            f"the team has {count} assistant director{'s' if count != 1 else ''} besides the "
            "lead; it should have one (¶21). If the programme manager agrees to another "
            "shape, record a waiver",
        )


@file_rule("team.practitioners", "error")
def check_two_practitioners(ctx: ChallengeContext) -> Iterator[Problem]:
    """Not exactly two non-lead core members at team leader/practitioner level (¶21)."""
    if not ctx.challenge.visiting_team:
        return
    count = sum(
        1
        for _, member in core_members(ctx.challenge)
        if not member.lead and member.role in PRACTITIONER_ROLES
    )
    if count != 2:
        yield Problem(
            ("visiting_team",),
            f"the team has {count} team leader{'s' if count != 1 else ''}/"
            f"practitioner{'s' if count != 1 else ''}; "
            "it should have two (¶21). If the programme manager agrees to another shape, "
            "record a waiver",
        )


def sight_people(ctx: ChallengeContext) -> Iterator[tuple[KeyPath, Hashable, tuple[Any, ...]]]:
    """Everyone whose diary a challenge takes: host DCS, project manager, members not declined."""
    challenge = ctx.challenge
    # Day numbers rather than dates: sightings travel between processes, and ints
    # cost a tenth of what dates do to send.
    fieldwork = challenge.fieldwork
    when = (fieldwork.start.toordinal(), fieldwork.end.toordinal(), challenge.id)
    seen = set()
    people: list[tuple[KeyPath, str, str]] = [(("host", "dcs"), challenge.host.dcs, "host DCS")]
    if challenge.host.project_manager:
        people.append(
            (("host", "project_manager"), challenge.host.project_manager, "host project manager")
        )
    for index, member in active_members(challenge):
        people.append((_member(index, "name"), member.name, "visiting team member"))
    for path, name, role in people:
        if name not in seen:
            seen.add(name)
            yield path, name, (*when, role)


@repo_rule("team.diary", "error", sight=sight_people)
def check_diaries(shared: list[list[Sighting]]) -> Iterator[tuple[Sighting, str]]:
    """One person (host DCS, host project manager or visiting member not declined) is in two challenges whose fieldwork overlaps."""
    for appearances in shared:
        name = appearances[0].value
        shown: dict[int, list[Sighting]] = defaultdict(list)  # the first few, for the message
        counts: dict[int, int] = defaultdict(int)
        ordered = sorted(appearances, key=lambda a: (a.detail[0], a.display))
        active: list[Sighting] = []
        for appearance in ordered:
            start = appearance.detail[0]
            active = [a for a in active if a.detail[1] >= start]
            for other in active:
                for here, there in ((appearance, other), (other, appearance)):
                    counts[id(here)] += 1
                    if len(shown[id(here)]) < _NAMED:
                        shown[id(here)].append(there)
            active.append(appearance)
        for appearance in ordered:
            if counts.get(id(appearance)):
                yield (
                    appearance,
                    _diary_message(str(name), shown[id(appearance)], counts[id(appearance)]),
                )


_NAMED = 3


def _diary_message(name: str, others: list[Sighting], count: int) -> str:
    shown = [
        f"{other.detail[2]} as {other.detail[3]} (fieldwork "
        f"{show_date(date.fromordinal(other.detail[0]))}–"
        f"{show_date(date.fromordinal(other.detail[1]))})"
        for other in others
    ]
    more = f" and {count - len(others)} more" if count > len(others) else ""
    return (
        f"{name} is also in {'; '.join(shown)}{more}, whose fieldwork overlaps this one; "
        "one person cannot be in both"
    )


_REGISTRY: list[tuple[Programme, dict[str, Person]]] = []


def _people_by_name(programme: Programme) -> dict[str, Person]:
    """programme.yaml's people by name, built once per programme rather than per file."""
    if not _REGISTRY or _REGISTRY[0][0] is not programme:
        _REGISTRY[:] = [(programme, {person.name: person for person in programme.people})]
    return _REGISTRY[0][1]


@file_rule("team.conflict", "warning", needs_registry=True)
def check_previous_employers(ctx: ChallengeContext) -> Iterator[Problem]:
    """A member's `previous_authorities` in programme.yaml include the host (¶22)."""
    if ctx.programme is None:
        return
    host = ctx.challenge.host.authority
    registry = _people_by_name(ctx.programme)
    for index, member in active_members(ctx.challenge):
        person = registry.get(member.name)
        if person is not None and host in person.previous_authorities:
            yield Problem(
                _member(index, "name"),
                f"{member.name} used to work for the host, `{host}` (programme.yaml); "
                "the host DCS may ask to reconsider this nomination (¶22)",
            )


@file_rule("team.unconfirmed", "warning", uses_as_of=True)
def check_confirmed_in_time(ctx: ChallengeContext) -> Iterator[Problem]:
    """A member is still `nominated` from two weeks before fieldwork until it ends."""
    fieldwork = ctx.challenge.fieldwork
    if not (fieldwork.start - timedelta(weeks=2) <= ctx.as_of <= fieldwork.end):
        return
    starts = "started" if ctx.as_of >= fieldwork.start else "starts"
    for index, member in enumerate(ctx.challenge.visiting_team):
        if member.status == "nominated":
            yield Problem(
                _member(index, "status"),
                f"{member.name} is still nominated and fieldwork {starts} "
                f"{show_date(fieldwork.start)}; record the host DCS's answer with `pcplan team "
                f'{ctx.challenge.id} confirm "{member.name}"` (or `decline`)',
            )


@file_rule("team.missing", "warning", uses_as_of=True)
def check_team_identified(ctx: ChallengeContext) -> Iterator[Problem]:
    """No visiting team yet, once step `team` is overdue."""
    if ctx.challenge.visiting_team:
        return
    team_step = ctx.schedule["team"]
    if team_step.status == "overdue" and team_step.due is not None:
        yield Problem(
            ("visiting_team",),
            f"no visiting team yet; step 3 was due {show_date(team_step.due)}. Add members "
            f"with `pcplan team {ctx.challenge.id} add NAME --authority SLUG --role ROLE`",
        )


_COUNT_WORDS = {1: "one", 2: "two", 3: "three", 4: "four"}


def still_needed(challenge: Challenge) -> list[str]:
    """What the core team still lacks (¶21), in words: ["an assistant director", …]."""
    core = core_members(challenge)
    needed = []
    if not any(member.lead for _, member in core):
        needed.append("a lead (a DCS)")
    others = [member for _, member in core if not member.lead]
    if not any(member.role == "assistant_director" for member in others):
        needed.append("an assistant director")
    practitioners = sum(1 for member in others if member.role in PRACTITIONER_ROLES)
    if practitioners < 2:
        count = 2 - practitioners
        plural = "s" if count > 1 else ""
        needed.append(f"{_COUNT_WORDS[count]} team leader{plural}/practitioner{plural}")
    more = TEAM_SIZE - len(core) - len(needed) - (1 if practitioners == 0 else 0)
    if more > 0:
        needed.append(f"{_COUNT_WORDS[more]} more member{'s' if more > 1 else ''}")
    return needed
