"""The visiting team (¶18-22): its lead, its shape, its diary and its conflicts.

The composition rules look at members who have not declined; the *core* team
leaves partners out as well (¶21 counts partners as extra to the four). They
apply only once `visiting_team` has someone in it; `team.missing` covers the
empty team.
"""

from __future__ import annotations

import difflib
import operator
from collections import defaultdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from pcplan.dates import show_date
from pcplan.findings import Severity, shorten
from pcplan.rules.registry import (
    RULES,
    ChallengeContext,
    Problem,
    Sighting,
    file_rule,
    repo_rule,
)

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterator

    from pcplan.models import Challenge, Member, Person, Private, Programme
    from pcplan.yamlio import KeyPath

PRACTITIONER_ROLES = ("team_leader", "practitioner")
TEAM_SIZE = 4
PRACTITIONERS = 2


def active_members(challenge: Challenge) -> list[tuple[int, Member]]:
    """Members who have not declined, with their index in `visiting_team`."""
    return [(i, m) for i, m in enumerate(challenge.visiting_team) if m.status != "declined"]


def core_members(challenge: Challenge) -> list[tuple[int, Member]]:
    """Members who count towards the team of four: not declined, not partners."""
    return _core(active_members(challenge))


def _core(active: list[tuple[int, Member]]) -> list[tuple[int, Member]]:
    return [(i, m) for i, m in active if m.role != "partner"]


def members(ctx: ChallengeContext) -> list[tuple[int, Member]]:
    """:func:`active_members` of the file's challenge, made once for all its rules."""
    found: list[tuple[int, Member]] | None = ctx.memo.get("active")
    if found is None:
        found = ctx.memo["active"] = active_members(ctx.challenge)
    return found


def core(ctx: ChallengeContext) -> list[tuple[int, Member]]:
    """:func:`core_members` of the file's challenge, made once for all its rules."""
    found: list[tuple[int, Member]] | None = ctx.memo.get("core")
    if found is None:
        found = ctx.memo["core"] = _core(members(ctx))
    return found


def _member(index: int, key: str | None = None) -> KeyPath:
    return ("visiting_team", index) if key is None else ("visiting_team", index, key)


def team_recorded(challenge: Challenge) -> bool:
    """Is step `team` recorded with a date (whatever the as-of date)? Then the team is complete."""
    return challenge.steps.get("team") is not None


def waived(challenge: Challenge, rule_id: str) -> bool:
    """Does the file carry a waiver for ``rule_id``?"""
    return any(waiver.rule == rule_id for waiver in challenge.waivers)


def _lead_members(active: list[tuple[int, Member]]) -> list[tuple[int, Member]]:
    return [(i, m) for i, m in active if m.lead]


def _count(core: list[tuple[int, Member]], roles: tuple[str, ...]) -> int:
    """Non-lead members of the ``core`` team in ``roles``."""
    return sum(1 for _, m in core if not m.lead and m.role in roles)


def _numbered(count: int, one: str, many: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four"}
    return f"{words.get(count, str(count))} {one if count == 1 else many}"


def still_needed(challenge: Challenge) -> list[str]:
    """What the visiting team still needs, in words (¶18-21): "a lead DCS", "an assistant director", …

    Empty when the team has the usual shape; a waived rule needs nothing.
    """
    needs: list[str] = []
    wanted = 0
    if not _lead_members(active_members(challenge)):
        needs.append("a lead DCS")
        wanted += 1
    team = core_members(challenge)
    if not waived(challenge, "team.assistant_director") and not _count(
        team, ("assistant_director",)
    ):
        needs.append("an assistant director")
        wanted += 1
    short = PRACTITIONERS - _count(team, PRACTITIONER_ROLES)
    if short > 0 and not waived(challenge, "team.practitioners"):
        needs.append(_numbered(short, "team leader/practitioner", "team leaders/practitioners"))
        wanted += short
    more = TEAM_SIZE - len(team) - wanted
    if more > 0 and not waived(challenge, "team.size"):
        needs.append(_numbered(more, "more member", "more members"))
    return needs


def describe_needs(needs: list[str]) -> str:
    """``a, b and c``."""
    if len(needs) <= 1:
        return "".join(needs)
    return ", ".join(needs[:-1]) + " and " + needs[-1]


WAIVER_ADVICE = "If the programme manager agrees to another shape, record a waiver"


def _missing(ctx: ChallengeContext, message: str) -> Problem:
    """What is still missing: a warning until step `team` is recorded, an error after (SPEC §4)."""
    challenge = ctx.challenge
    needs = still_needed(challenge)
    still = f"; still needed: {describe_needs(needs)}" if needs else ""
    if team_recorded(challenge):
        return Problem(
            ("visiting_team",),
            f"{message}{still}. Step `team` is recorded as done: complete the team, or "
            "record a waiver agreed with the programme manager",
        )
    return Problem(
        ("visiting_team",),
        f"{message}{still} (a warning while the team is being built, an error once step "
        f"`team` is recorded). {WAIVER_ADVICE}",
        severity="warning",
    )


def _registry_is_current(ctx: ChallengeContext) -> bool:
    """The registry is today's and files are history: compare them until fieldwork ends."""
    return ctx.programme is not None and ctx.as_of <= ctx.challenge.fieldwork.end


def _same_name(one: str, other: str) -> bool:
    return normalise_name(one) == normalise_name(other)


def normalise_name(name: str) -> str:
    """A name with case and spacing ignored, to spot two spellings of one person."""
    return " ".join(name.split()).casefold()


# Not `uses_as_of`: the date only switches the registry comparison off once fieldwork is
# over (the registry is today's, files are history); passing time never makes an error.
@file_rule("team.lead", "error", needs_registry=True)
def check_team_lead(ctx: ChallengeContext) -> Iterator[Problem]:
    """Two leads, a lead neither a DCS nor an assistant director with `lead_consent`, a DCS lead the registry knows as an assistant director, or consent not given by the host DCS before fieldwork (¶18-19); no lead yet is a warning until step `team` is recorded."""
    challenge = ctx.challenge
    yield from _consent_problems(challenge)
    if not challenge.visiting_team:
        return
    leads = _lead_members(members(ctx))
    if not leads:
        declined = [m for m in challenge.visiting_team if m.lead and m.status == "declined"]
        why = f"{declined[0].name}, the lead, declined" if declined else "no member is the lead"
        yield _missing(
            ctx,
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
        if _registry_is_current(ctx):
            assert ctx.programme is not None
            person = _people_by_name(ctx.programme).get(lead.name)
            if person is not None and person.role == "assistant_director":
                yield Problem(
                    _member(index, "role"),
                    f"programme.yaml knows the lead, {lead.name}, as an assistant director, "
                    "not a DCS: write `role: assistant_director` and record the host DCS's "
                    "consent under `lead_consent` (given_by, date, reason; ¶19)",
                )
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


def _consent_problems(challenge: Challenge) -> Iterator[Problem]:
    consent = challenge.lead_consent
    if consent is None:
        return
    if not _same_name(consent.given_by, challenge.host.dcs):
        yield Problem(
            ("lead_consent", "given_by"),
            f"consent to a lead who is not a DCS is the host DCS's to give (¶19): it was "
            f"given by {shorten(consent.given_by, 80)}, and the host DCS is "
            f"{challenge.host.dcs}; record the host DCS's consent",
        )
    start = challenge.fieldwork.start
    if consent.date > start:
        yield Problem(
            ("lead_consent", "date"),
            f"the host DCS's consent is dated {show_date(consent.date)}, after fieldwork "
            f"starts {show_date(start)}; consent comes before the visit (¶19)",
        )


@file_rule("team.size", "error", waivable=True)
def check_team_size(ctx: ChallengeContext) -> Iterator[Problem]:
    """The core team (members not declined, not partners) is over four; under four is a warning until step `team` is recorded, an error after (¶21, step 3)."""
    if not ctx.challenge.visiting_team:
        return
    count = len(core(ctx))
    shown = f"{count} member{'s' if count != 1 else ''}"
    if count > TEAM_SIZE:
        yield Problem(
            ("visiting_team",),
            f"the core visiting team has {shown} (not declined, not partners); it should "
            f"be {TEAM_SIZE}: the lead and three (¶21). Decline or remove the extra, or "
            "record a waiver agreed with the programme manager",
        )
    elif count < TEAM_SIZE:
        yield _missing(
            ctx,
            f"the core visiting team has {shown} so far (not declined, not partners); "
            f"it is {TEAM_SIZE}: the lead and three (¶21)",
        )


@file_rule("team.authorities", "error", waivable=True)
def check_team_authorities(ctx: ChallengeContext) -> Iterator[Problem]:
    """Two or more core team members come from the same authority (¶21: four authorities)."""
    seen: dict[str, Member] = {}
    for index, member in core(ctx):
        first = seen.get(member.employer)
        if first is None:
            seen[member.employer] = member
            continue
        yield Problem(
            _member(index, "authority"),
            f"{member.name} and {first.name} both come from `{member.employer}`; the core "
            "team comes from four different authorities (¶21)",
        )


@file_rule("team.host", "error")
def check_team_not_from_host(ctx: ChallengeContext) -> Iterator[Problem]:
    """A core visiting team member comes from the host authority."""
    host = ctx.challenge.host.authority
    for index, member in core(ctx):
        if member.authority == host:
            yield Problem(
                _member(index, "authority"),
                f"{member.name} is from the host authority `{host}`; the visiting team "
                "comes from other authorities",
            )


@file_rule("team.assistant_director", "error", waivable=True)
def check_one_assistant_director(ctx: ChallengeContext) -> Iterator[Problem]:
    """More than one non-lead core member at assistant director level; none is a warning until step `team` is recorded, an error after (¶21)."""
    if not ctx.challenge.visiting_team:
        return
    count = _count(core(ctx), ("assistant_director",))
    if count > 1:
        yield Problem(
            ("visiting_team",),
            f"the team has {count} assistant directors besides the lead; it should have one "
            f"(¶21). {WAIVER_ADVICE}",
        )
    elif count == 0:
        yield _missing(ctx, "the team has no assistant director besides the lead; it has one (¶21)")


@file_rule("team.practitioners", "error", waivable=True)
def check_two_practitioners(ctx: ChallengeContext) -> Iterator[Problem]:
    """More than two non-lead core members at team leader/practitioner level; fewer is a warning until step `team` is recorded, an error after (¶21)."""
    if not ctx.challenge.visiting_team:
        return
    count = _count(core(ctx), PRACTITIONER_ROLES)
    shown = (
        f"{count} team leader{'s' if count != 1 else ''}/practitioner{'s' if count != 1 else ''}"
    )
    if count > PRACTITIONERS:
        yield Problem(
            ("visiting_team",),
            f"the team has {shown}; it should have two (¶21). {WAIVER_ADVICE}",
        )
    elif count < PRACTITIONERS:
        yield _missing(ctx, f"the team has {shown} so far; it has two (¶21)")


def _employer_path(index: int, member: Member) -> KeyPath:
    return _member(index, "organisation" if member.organisation else "authority")


@file_rule("team.registry", "warning", uses_as_of=True, needs_registry=True)
def check_team_against_registry(ctx: ChallengeContext) -> Iterator[Problem]:
    """Until fieldwork ends: a member or host DCS/project manager whose authority, organisation or role differs from programme.yaml's `people`, a member not in `people` (a near match is suggested), or two spellings of one name on the team."""
    if not _registry_is_current(ctx):
        return
    assert ctx.programme is not None
    challenge = ctx.challenge
    registry = _people_by_name(ctx.programme)
    seen: dict[str, str] = {}
    for index, member in members(ctx):
        key = normalise_name(member.name)
        first = seen.get(key)
        if first is not None:
            same = "twice" if first == member.name else f"as {first} and as {member.name}"
            yield Problem(
                _member(index, "name"),
                f"{member.name} is on the team {same}: one person, one entry. Write the "
                "name as programme.yaml does and remove the other",
            )
            continue
        seen[key] = member.name
        person = registry.get(member.name)
        if person is None:
            if ctx.programme.people:
                yield Problem(
                    _member(index, "name"),
                    f"{member.name} is not in programme.yaml's `people`, so their conflicts "
                    f"and diary cannot be checked{_near(member, ctx.programme)}",
                )
            continue
        if person.employer != member.employer:
            yield Problem(
                _employer_path(index, member),
                f"programme.yaml has {member.name} at `{person.employer}`, not "
                f"`{member.employer}`; correct the file or the registry",
            )
        ad_lead = member.lead and member.role == "dcs" and person.role == "assistant_director"
        if person.role != member.role and not ad_lead:  # an AD lead as DCS is team.lead's
            yield Problem(
                _member(index, "role"),
                f"programme.yaml has {member.name} as {person.role}, not {member.role}; "
                "correct the file or the registry",
            )
    host = challenge.host
    for key, name, what in (
        ("dcs", host.dcs, "the host DCS"),
        ("project_manager", host.project_manager, "the host project manager"),
    ):
        person = registry.get(name) if name else None
        if person is not None and person.employer != host.authority:
            yield Problem(
                ("host", key),
                f"{name}, {what}, is at `{person.employer}` in programme.yaml, not the host "
                f"`{host.authority}`; correct the file or the registry",
            )


def _near(member: Member, programme: Programme) -> str:
    """A suggestion for a name not in the registry: another spelling, or a close name.

    Close names are looked for among the people at the member's own authority, and in
    the whole registry only when it is small: a fuzzy comparison with every name of a
    large registry would cost more than checking the file.
    """
    index = _registry_index(programme)
    known = index.by_normal.get(normalise_name(member.name))
    if known is not None:
        return f"; did you mean {known}? (names match exactly)"
    candidates = index.by_employer.get(member.employer, [])
    close = difflib.get_close_matches(member.name, candidates, n=1, cutoff=0.75)
    if not close and len(index.by_normal) <= WHOLE_REGISTRY_UP_TO:
        close = difflib.get_close_matches(member.name, index.names, n=1, cutoff=0.75)
    if close:
        return f"; did you mean {close[0]}? (names match exactly)"
    return "; add them to `people` (name, authority, role)"


WHOLE_REGISTRY_UP_TO = 500  # names; above this, near matches only at the same authority


@file_rule("team.unavailable", "warning", needs_registry=True)
def check_members_available(ctx: ChallengeContext) -> Iterator[Problem]:
    """A member not declined is `unavailable` in programme.yaml on a day of the fieldwork."""
    if ctx.programme is None:
        return
    fieldwork = ctx.challenge.fieldwork
    registry = _people_by_name(ctx.programme)
    for index, member in members(ctx):
        person = registry.get(member.name)
        if person is None:
            continue
        for period in person.unavailable:
            if period.start <= fieldwork.end and period.end >= fieldwork.start:
                yield Problem(
                    _member(index, "name"),
                    f"{member.name} is unavailable {show_date(period.start)}–"
                    f"{show_date(period.end)} (programme.yaml), which overlaps the fieldwork "
                    f"({show_date(fieldwork.start)}–{show_date(fieldwork.end)}); ask the "
                    "programme manager to find someone else",
                )
                break


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
    for index, member in members(ctx):
        people.append((_member(index, "name"), member.name, "visiting team member"))
    for path, name, role in people:
        if name not in seen:
            seen.add(name)
            yield path, name, (*when, role)


@repo_rule("team.diary", "error", sight=sight_people)
def check_diaries(shared: list[list[Sighting]]) -> Iterator[tuple[Sighting, str]]:
    """One person (host DCS, host project manager or visiting member not declined) is in two challenges whose fieldwork overlaps."""
    for appearances in shared:
        if not _overlapping(appearances):  # (nearly every person in a large programme)
            continue
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


def _overlapping(appearances: list[Sighting]) -> bool:
    """Could :func:`check_diaries` find any overlap among these appearances?

    The same sweep, keeping only the latest end so far: an appearance overlaps one
    before it exactly when it starts by that end. While every period ends on or after
    its start, the order among equal starts cannot matter, so the details are sorted as
    they are. A period that ends before it starts (`fieldwork.dates`) leaves the group
    to the full sweep, whose order (by start, then file) decides then.
    """
    periods = sorted(map(_DETAIL, appearances))
    if any(period[1] < period[0] for period in periods):
        return True
    reach = periods[0][1]
    for period in periods[1:]:
        if period[0] <= reach:
            return True
        if period[1] > reach:
            reach = period[1]
    return False


_DETAIL = operator.attrgetter("detail")


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


_REGISTRY: list[_RegistryIndex] = []


def _people_by_name(programme: Programme) -> dict[str, Person]:
    """programme.yaml's people by name, built once per programme rather than per file."""
    return _registry_index(programme).by_name


class _RegistryIndex:
    """programme.yaml's people looked up by name, by normalised name and by employer."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.by_name = {person.name: person for person in programme.people}
        self.names = list(self.by_name)
        self.by_normal: dict[str, str] = {}
        self.by_employer: dict[str, list[str]] = defaultdict(list)
        for name, person in self.by_name.items():
            self.by_normal.setdefault(normalise_name(name), name)
            self.by_employer[person.employer].append(name)


def _registry_index(programme: Programme) -> _RegistryIndex:
    if not _REGISTRY or _REGISTRY[0].programme is not programme:
        _REGISTRY[:] = [_RegistryIndex(programme)]
    return _REGISTRY[0]


def check_registry_names(programme: Programme) -> Iterator[Problem]:
    """programme.yaml's people: a name given twice, or two names that differ only in case or spacing."""
    seen: dict[str, str] = {}
    for index, person in enumerate(programme.people):
        key = normalise_name(person.name)
        first = seen.get(key)
        if first is None:
            seen[key] = person.name
            continue
        same = "twice" if first == person.name else f"as {first} and as {person.name}"
        yield Problem(
            ("people", index, "name"),
            f"{person.name} is in `people` {same}; a name is unique in the registry (names "
            "match exactly, so a second spelling hides conflicts and diary clashes): keep one",
        )


class _Pair(NamedTuple):
    names: frozenset[str]
    private: bool


_PAIRS: list[tuple[object, object, list[_Pair]]] = []


def _not_with_pairs(programme: Programme | None, private: Private | None) -> list[_Pair]:
    """Every `not_with` pair, either way round, public ones first (built once per run)."""
    if _PAIRS and _PAIRS[0][0] is programme and _PAIRS[0][1] is private:
        return _PAIRS[0][2]
    pairs: dict[frozenset[str], _Pair] = {}
    sources = [(p.name, p.not_with, False) for p in (programme.people if programme else [])]
    sources += [(p.name, p.not_with, True) for p in (private.people if private else [])]
    for name, others, is_private in sources:
        for other in others:
            names = frozenset((name, other))
            if len(names) == 2 and names not in pairs:
                pairs[names] = _Pair(names, is_private)
    _PAIRS[:] = [(programme, private, list(pairs.values()))]
    return _PAIRS[0][2]


@file_rule("team.conflict", "warning", needs_registry=True, waivable=True)
def check_conflicts(ctx: ChallengeContext) -> Iterator[Problem]:
    """A member used to work for the host (`previous_authorities`), or `not_with` (either way round, in programme.yaml or the private file) pairs a member with another member or the host DCS/project manager (¶22); `info` once the host DCS has confirmed every member it names."""
    challenge = ctx.challenge
    host = challenge.host.authority
    registry = _people_by_name(ctx.programme) if ctx.programme is not None else {}
    team = members(ctx)
    for index, member in team:
        person = registry.get(member.name)
        if person is not None and host in person.previous_authorities:
            yield Problem(
                _member(index, "name"),
                f"{member.name} used to work for the host, `{host}` (programme.yaml); "
                "the host DCS may ask to reconsider this nomination (¶22)",
                _settled([member]),
            )
    pairs = _not_with_pairs(ctx.programme, ctx.private)
    if not pairs:
        return
    where: dict[str, tuple[int, Member]] = {}
    for index, member in team:
        where.setdefault(member.name, (index, member))
    hosts = {challenge.host.dcs: "the host DCS"}
    if challenge.host.project_manager:
        hosts.setdefault(challenge.host.project_manager, "the host project manager")
    for pair in pairs:
        one, other = sorted(pair.names)
        on_team = [where[name] for name in (one, other) if name in where]
        if not on_team:
            continue
        if len(on_team) == 2:
            on_team.sort(key=lambda found: found[0])
            index, member = on_team[1]
            involved = [found[1] for found in on_team]
            if pair.private:
                message = _private_message(member.name)
            else:
                message = (
                    f"{on_team[0][1].name} and {member.name} are not to be on one team "
                    "(`not_with` in programme.yaml, ¶22); ask the programme manager"
                )
        else:
            index, member = on_team[0]
            partner = other if member.name == one else one
            role = hosts.get(partner)
            if role is None:
                continue
            involved = [member]
            if pair.private:
                message = _private_message(member.name)
            else:
                message = (
                    f"{member.name} is not to visit {partner}, {role} (`not_with` in "
                    "programme.yaml, ¶22); ask the programme manager"
                )
        yield Problem(_member(index, "name"), message, _settled(involved))


def _private_message(name: str) -> str:
    return (
        f"{name}: a private constraint (¶22) is against this nomination; the programme "
        "manager keeps the details"
    )


def _settled(members: list[Member]) -> Severity | None:
    """`info` once the host DCS has confirmed every member a conflict names (¶22)."""
    return "info" if all(member.status == "confirmed" for member in members) else None


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


def composition_rules() -> tuple[str, ...]:
    """The rules of the team's shape (¶21), `team.lead` to `team.practitioners`, from the registry."""
    ids = [rule for rule in RULES if rule.startswith("team.")]
    return tuple(ids[: ids.index("team.practitioners") + 1])
