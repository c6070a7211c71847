"""Proposing visiting teams (SPEC §8, ¶18-22) as an integer program.

:func:`propose` builds an instance from the registry and the challenge files
(the contexts of :func:`pcplan.checker.analyse`), prefilters candidates by the
hard constraints that do not depend on the proposal, and solves one integer
program with a binary ``x[person, challenge, slot]`` for every candidate left:
first the most slots filled, then the best score. Round mode solves every
target jointly. No printing, no clock; PuLP (with its bundled CBC) is imported
only when a model is solved.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pcplan.dates import show_span
from pcplan.errors import UsageError
from pcplan.models import Challenge, Member, Person, Private, Programme
from pcplan.rules import ChallengeContext
from pcplan.rules.team import PRACTITIONER_ROLES, active_members, core_members

SLOTS = ("lead", "assistant_director", "practitioner")
CAPACITY = {"lead": 1, "assistant_director": 1, "practitioner": 2}
LEVEL = {
    "lead": "lead DCS",
    "assistant_director": "assistant director",
    "practitioner": "team leader or practitioner",
}
NEAR_DAYS = 2  # fieldwork this close to another's is a clash (SPEC §8)
HOSTING_DAYS = 14  # a DCS never leads within this many days of hosting
KM_UNIT = 50.0
SCALE = 1000  # scores have three decimals; the model works in thousandths
DEFAULT_TIME_LIMIT = 60.0


@dataclass(frozen=True, slots=True)
class Options:
    alternatives: int = 1
    backups: int = 2
    fair: bool = False
    locks: tuple[tuple[str, str], ...] = ()  # (name, challenge id)
    excludes: tuple[str, ...] = ()
    allow_ad_lead: bool = False
    time_limit: float = DEFAULT_TIME_LIMIT


# ------------------------------------------------------------------- score terms

_WORD = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    """Simple plural and -ing folding: decisions → decision, families → family."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """Lowercase whole words, stemmed."""
    return tuple(_stem(w) for w in _WORD.findall(text.casefold()))


def phrase_in(phrase: Sequence[str], text: Sequence[str]) -> bool:
    """Whether the words of ``phrase`` appear one after another in ``text``."""
    size = len(phrase)
    if not size:
        return False
    return any(tuple(text[i : i + size]) == tuple(phrase) for i in range(len(text) - size + 1))


def haversine_km(a: Sequence[float], b: Sequence[float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(slots=True)  # not frozen: made tens of thousands of times, and never changed
class Terms:
    """One person's score for one challenge, term by term, and the words for it."""

    skills: float
    travel: float
    timebank: float
    spread: float
    matched: tuple[str, ...]
    km: float | None
    owes: int
    recent: int
    total: float = 0.0

    @classmethod
    def of(
        cls,
        skills: float,
        travel: float,
        timebank: float,
        spread: float,
        matched: tuple[str, ...],
        km: float | None,
        owes: int,
        recent: int,
    ) -> Terms:
        total = round(skills + travel + timebank + spread, 3) + 0.0
        return cls(skills, travel, timebank, spread, matched, km, owes, recent, total)

    def as_json(self) -> dict[str, float]:
        return {
            "skills": self.skills,
            "travel": self.travel,
            "timebank": self.timebank,
            "spread": self.spread,
        }

    def why(self, authority_name: str) -> str:
        parts = [f"skills: {', '.join(self.matched)}" if self.matched else "no skills match"]
        if self.km is not None:
            parts.append(f"{round(self.km)} km")
        if self.owes > 0:
            parts.append(f"{authority_name} owes {self.owes}")
        if self.recent:
            parts.append(
                f"{self.recent} visit{'s' if self.recent != 1 else ''} in the last two rounds"
            )
        return "; ".join(parts)


# ------------------------------------------------------------------- the instance


@dataclass(frozen=True, slots=True)
class Busy:
    start: date
    end: date
    id: str
    round: int


@dataclass(slots=True)
class Target:
    """A challenge whose team is being filled."""

    index: int
    challenge: Challenge
    kept: list[Member]
    declined: set[str]
    open: dict[str, int]
    waived: set[str]
    text: tuple[str, ...]
    travel_ok: bool = True
    vocabulary: frozenset[str] = frozenset()
    missing_locations: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.challenge.id

    @property
    def round(self) -> int:
        return self.challenge.round

    @property
    def span(self) -> str:
        return show_span(self.challenge.fieldwork.start, self.challenge.fieldwork.end)


def _near(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Fieldwork that overlaps or lies within NEAR_DAYS of the other's."""
    gap = timedelta(days=NEAR_DAYS)
    return a_start <= b_end + gap and b_start <= a_end + gap


def slot_of(member: Member) -> str:
    if member.lead:
        return "lead"
    if member.role in PRACTITIONER_ROLES:
        return "practitioner"
    return "assistant_director"


class Instance:
    """Everything the hard constraints and the score read, computed once."""

    def __init__(
        self,
        programme: Programme,
        contexts: Sequence[ChallengeContext],
        target_ids: Sequence[str],
        options: Options,
        private: Private | None = None,
    ) -> None:
        from pcplan.overview import timebank

        self.programme = programme
        self.options = options
        self.weights = programme.settings.matching
        self.visits_per_round = programme.settings.visits_per_round
        challenges = {ctx.challenge.id: ctx.challenge for ctx in contexts}
        self.people = sorted(
            (p for p in programme.people if p.role != "partner" and p.authority),
            key=lambda p: p.name,
        )
        self.by_name = {p.name: p for p in self.people}
        self.phrases = {
            p.name: [(phrase, words(phrase)) for phrase in p.expertise if words(phrase)]
            for p in self.people
        }
        self.excluded = set(options.excludes)
        for name in sorted(self.excluded):
            if name not in self.by_name:
                raise UsageError(f"--exclude {name}: not in the registry (programme.yaml people)")
        # not_with, symmetric; True when only the private file says so
        self.pairs: dict[frozenset[str], bool] = {}
        for person in programme.people:
            for other in person.not_with:
                if other != person.name:
                    self.pairs[frozenset((person.name, other))] = False
        if private is not None:
            for entry in private.people:
                for other in entry.not_with:
                    if other != entry.name:
                        self.pairs.setdefault(frozenset((entry.name, other)), True)
        # diaries and visits from the files
        self.busy: dict[str, list[Busy]] = defaultdict(list)
        self.visits: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.leads: dict[tuple[str, int], list[str]] = defaultdict(list)
        self.hosting: dict[str, list[Busy]] = defaultdict(list)
        for challenge in sorted(challenges.values(), key=lambda c: c.id):
            fw = challenge.fieldwork
            here = Busy(fw.start, fw.end, challenge.id, challenge.round)
            self.hosting[challenge.host.authority].append(here)
            names = {challenge.host.dcs, challenge.host.project_manager or ""}
            for _, member in active_members(challenge):
                names.add(member.name)
                self.visits[(member.name, challenge.round)].append(challenge.id)
                if member.lead:
                    self.leads[(member.name, challenge.round)].append(challenge.id)
            for name in sorted(names - {""}):
                self.busy[name].append(here)
        rows = timebank(contexts, programme)
        self.owes = {row.authority: max(0, -row.balance) for row in rows}
        # targets
        self.targets: list[Target] = []
        for index, target_id in enumerate(target_ids):
            challenge = challenges[target_id]
            kept = [m for _, m in core_members(challenge)]
            taken = Counter(slot_of(m) for m in kept)
            self.targets.append(
                Target(
                    index=index,
                    challenge=challenge,
                    kept=kept,
                    declined={m.name for m in challenge.visiting_team if m.status == "declined"},
                    open={s: max(0, CAPACITY[s] - taken[s]) for s in SLOTS},
                    waived={w.rule for w in challenge.waivers if w.rule},
                    text=words(f"{challenge.topic} {challenge.scope or ''}"),
                )
            )
        for target in self.targets:
            target.vocabulary = frozenset(target.text)
        self.target_by_id = {t.id: t for t in self.targets}
        self.locks: dict[tuple[str, int], bool] = {}
        for name, target_id in options.locks:
            if name not in self.by_name:
                raise UsageError(f"--lock {name}@{target_id}: {name} is not in the registry")
            lock_target = self.target_by_id.get(target_id)
            if lock_target is None:
                raise UsageError(
                    f"--lock {name}@{target_id}: {target_id} is not among the challenges matched"
                )
            self.locks[(name, lock_target.index)] = True
        partners: dict[str, int] = Counter()
        for pair in self.pairs:
            for name in pair:
                partners[name] += 1
        self.most_pairs = max(partners.values(), default=0)
        self._terms: dict[tuple[str, int], Terms] = {}
        self._km: dict[tuple[str, str], float | None] = {}
        self._recent_visits: dict[tuple[str, int], int] = {}
        self._ranked: dict[tuple[int, str], list[Person]] = {}
        self._static: dict[tuple[str, int, str], tuple[str, str] | None] = {}
        self.candidates: dict[tuple[int, str], list[Person]] = {}
        for target in self.targets:
            for slot in SLOTS:
                self.candidates[(target.index, slot)] = [
                    p
                    for p in self.people
                    if self.fits(p, target, slot) and self.static_block(p, target, slot) is None
                ]
            self._travel_check(target)
        for (name, index), _ in sorted(self.locks.items()):
            target = self.targets[index]
            if not any(
                self.by_name[name] in self.candidates[(index, s)] for s in SLOTS if target.open[s]
            ):
                why = [
                    self.static_block(self.by_name[name], target, s)
                    for s in SLOTS
                    if self.fits(self.by_name[name], target, s)
                ]
                reason = next((w[1] for w in why if w), "no open slot at their level")
                raise UsageError(f"--lock {name}@{target.id}: cannot be on this team: {reason}")

    # -- levels and hard constraints -------------------------------------------------

    def fits(self, person: Person, target: Target, slot: str) -> bool:
        """The person's level suits the slot (waivers let a slot take the other level)."""
        role = person.role
        if slot == "lead":
            return role == "dcs" or (role == "assistant_director" and self.options.allow_ad_lead)
        if slot == "assistant_director":
            return role == "assistant_director" or (
                role in PRACTITIONER_ROLES and "team.assistant_director" in target.waived
            )
        return role in PRACTITIONER_ROLES or (
            role == "assistant_director" and "team.practitioners" in target.waived
        )

    def not_with(self, a: str, b: str) -> bool | None:
        """None when a and b may work together; else whether only the private file says so."""
        return self.pairs.get(frozenset((a, b)))

    def _not_with_reason(self, name: str, other: str, what: str) -> str:
        private = self.not_with(name, other)
        return "a private constraint (¶22)" if private else f"not with {other} ({what})"

    def static_block(self, person: Person, target: Target, slot: str) -> tuple[str, str] | None:
        """The first hard constraint that keeps ``person`` out whatever else is proposed.

        Returned as (category, words); None when nothing does.
        """
        key = (person.name, target.index, slot)
        if key not in self._static:
            self._static[key] = self._static_block(person, target, slot)
        return self._static[key]

    def _static_block(self, person: Person, target: Target, slot: str) -> tuple[str, str] | None:
        name = person.name
        challenge = target.challenge
        host = challenge.host
        fw = challenge.fieldwork
        if any(m.name == name for m in target.kept):
            return ("team", "already on the team")
        if name in self.excluded:
            return ("excluded", "excluded with --exclude")
        if name in target.declined:
            return ("declined", "declined this challenge")
        if person.authority == host.authority:
            return ("host", "from the host authority")
        if name in (host.dcs, host.project_manager):
            return ("host", "the host's own DCS or project manager")
        if "team.authorities" not in target.waived:
            for member in target.kept:
                if member.employer == person.authority:
                    return ("authority", f"same authority as {member.name}")
        if host.authority in person.previous_authorities and "team.conflict" not in target.waived:
            return ("previous", "previous employer")
        for other, what in ((host.dcs, "host DCS"), (host.project_manager, "host project manager")):
            if other and self.not_with(name, other) is not None:
                return ("not_with", self._not_with_reason(name, other, what))
        for member in target.kept:
            if self.not_with(name, member.name) is not None:
                return ("not_with", self._not_with_reason(name, member.name, "team member"))
        for period in person.unavailable:
            if period.start <= fw.end and fw.start <= period.end:
                return ("unavailable", f"unavailable {show_span(period.start, period.end)}")
        for busy in self.busy.get(name, []):
            if busy.id != challenge.id and _near(busy.start, busy.end, fw.start, fw.end):
                return ("busy", f"already on {busy.id}")
        visits = [i for i in self.visits.get((name, challenge.round), []) if i != challenge.id]
        if len(visits) >= self.visits_per_round:
            return ("visits", f"already visiting in round {challenge.round} ({visits[0]})")
        if slot == "lead":
            leads = [i for i in self.leads.get((name, challenge.round), []) if i != challenge.id]
            if leads:
                return ("leads", f"already leads {leads[0]} in round {challenge.round}")
            for hosted in self.hosting.get(person.authority or "", []):
                if (
                    hosted.id != challenge.id
                    and abs((hosted.start - fw.start).days) <= HOSTING_DAYS
                ):
                    return ("hosts", f"their authority hosts {hosted.id} within 14 days")
        return None

    def dynamic_block(
        self,
        person: Person,
        target: Target,
        slot: str,
        proposal: Proposal,
        leaving: str | None = None,
    ) -> tuple[str, str] | None:
        """Hard constraints against what is proposed: the team (less ``leaving``) and the round."""
        blocked = self.static_block(person, target, slot)
        if blocked is not None:
            return blocked
        name = person.name
        team = [a for a in proposal.by_target[target.index] if a.name != leaving]
        if name in {a.name for a in team}:
            return ("team", "already proposed for this team")
        if "team.authorities" not in target.waived:
            for mate in team:
                if mate.authority == person.authority:
                    return ("authority", f"same authority as {mate.name}")
        for mate in team:
            if self.not_with(name, mate.name) is not None:
                return ("not_with", self._not_with_reason(name, mate.name, "team member"))
        fw = target.challenge.fieldwork
        elsewhere = [self.targets[index] for index in proposal.where(name) if index != target.index]
        for other in elsewhere:
            ofw = other.challenge.fieldwork
            if _near(ofw.start, ofw.end, fw.start, fw.end):
                return ("busy", f"proposed for {other.id}")
        existing = [i for i in self.visits.get((name, target.round), []) if i != target.id]
        in_round = existing + [o.id for o in elsewhere if o.round == target.round]
        if len(in_round) >= self.visits_per_round:
            return ("visits", f"already visiting in round {target.round} ({in_round[0]})")
        if slot == "lead":
            for other in elsewhere:
                if other.round == target.round and any(
                    a.name == name and a.slot == "lead" for a in proposal.by_target[other.index]
                ):
                    return ("leads", f"proposed to lead {other.id}")
        return None

    # -- score -------------------------------------------------------------------------

    def _travel_check(self, target: Target) -> None:
        host = target.challenge.host.authority
        needed = {host} | {m.employer for m in target.kept}
        for slot in SLOTS:
            needed |= {p.authority or "" for p in self.candidates[(target.index, slot)]}
        missing = sorted(slug for slug in needed if self.programme.location(slug) is None)
        target.travel_ok = not missing
        target.missing_locations = missing

    def ranked(self, target: Target, slot: str) -> list[Person]:
        """A slot's candidates, best score first, then by name."""
        key = (target.index, slot)
        if key not in self._ranked:
            self._ranked[key] = sorted(
                self.candidates[key],
                key=lambda p: (-self.terms(p.name, p.authority or "", target).total, p.name),
            )
        return self._ranked[key]

    def _recent(self, name: str, round_: int) -> int:
        """Visits ``name`` made in the two rounds before ``round_``."""
        key = (name, round_)
        if key not in self._recent_visits:
            self._recent_visits[key] = sum(
                len(self.visits.get((name, r), [])) for r in (round_ - 1, round_ - 2)
            )
        return self._recent_visits[key]

    def _distance(self, here: str, there: str) -> float | None:
        key = (here, there)
        if key not in self._km:
            a, b = self.programme.location(here), self.programme.location(there)
            self._km[key] = None if a is None or b is None else haversine_km(a, b)
        return self._km[key]

    def terms(self, person_name: str, authority: str, target: Target) -> Terms:
        key = (person_name, target.index)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        vocabulary = target.vocabulary
        matched = tuple(
            phrase
            for phrase, phrase_words in self.phrases.get(person_name, ())
            if phrase_words[0] in vocabulary and phrase_in(phrase_words, target.text)
        )
        km = (
            self._distance(authority, target.challenge.host.authority) if target.travel_ok else None
        )
        travel = 0.0 if km is None else round(-self.weights.travel * km / KM_UNIT, 3) + 0.0
        owes = self.owes.get(authority, 0)
        recent = self._recent(person_name, target.round)
        terms = Terms.of(
            float(round(self.weights.skills * len(matched), 3)),
            travel,
            float(round(self.weights.timebank * owes, 3)),
            round(-self.weights.spread * recent, 3) + 0.0,
            matched,
            km,
            owes,
            recent,
        )
        self._terms[key] = terms
        return terms


# ------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class Assignment:
    name: str
    authority: str
    role: str
    slot: str


@dataclass(slots=True)
class Proposal:
    by_target: list[list[Assignment]]
    optimal: bool
    gap: float | None
    status: str

    _where: dict[str, list[int]] | None = None

    def where(self, name: str) -> list[int]:
        """The targets ``name`` is proposed for."""
        if self._where is None:
            self._where = defaultdict(list)
            for index, team in enumerate(self.by_target):
                for a in team:
                    self._where[a.name].append(index)
        return self._where.get(name, [])

    def score(self, instance: Instance, target: Target) -> float:
        kept = sum(instance.terms(m.name, m.employer, target).total for m in target.kept)
        new = sum(
            instance.terms(a.name, a.authority, target).total for a in self.by_target[target.index]
        )
        return round(kept + new, 3)

    def total(self, instance: Instance) -> float:
        return round(sum(self.score(instance, t) for t in instance.targets), 3)


class Model:
    """The integer program over the instance's candidates (joint or each challenge alone)."""

    def __init__(self, instance: Instance, *, joint: bool) -> None:
        import pulp

        self.instance = instance
        self.pulp = pulp
        self.infeasible = False
        self.problem = pulp.LpProblem("match", pulp.LpMaximize)
        self.x: dict[tuple[str, int, str], Any] = {}
        self.score: dict[tuple[str, int, str], float] = {}
        targets = instance.targets
        self.targets = targets
        per_person: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for target in targets:
            for slot in SLOTS:
                if not target.open[slot]:
                    continue
                for person in self._shortlist(target, slot, joint):
                    key = (person.name, target.index, slot)
                    self.x[key] = self._variable(f"x{len(self.x)}", 0, 1, "Binary")
                    terms = instance.terms(person.name, person.authority or "", target)
                    self.score[key] = round(terms.total * SCALE)
                    per_person[person.name].append((target.index, slot))
        # Most slots filled first: a filled slot is worth more than any score difference
        # between two proposals (integer coefficients keep CBC's comparisons exact).
        spread = max((abs(v) for v in self.score.values()), default=0)
        open_slots = sum(sum(t.open.values()) for t in targets)
        self.fill_weight = 1 + 2 * spread * open_slots
        add = self.problem.addConstraint
        by_target_slot: dict[tuple[int, str], list[Any]] = defaultdict(list)
        by_target_authority: dict[tuple[int, str], list[Any]] = defaultdict(list)
        person_target: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (name, index, slot), var in self.x.items():
            by_target_slot[(index, slot)].append(var)
            by_target_authority[(index, instance.by_name[name].authority or "")].append(var)
            person_target[(name, index)].append(var)
        for (index, slot), variables in sorted(by_target_slot.items()):
            add(pulp.lpSum(variables) <= instance.targets[index].open[slot])
        for _, variables in sorted(person_target.items()):
            if len(variables) > 1:
                add(pulp.lpSum(variables) <= 1)
        for (index, _), variables in sorted(by_target_authority.items()):
            if len(variables) > 1 and "team.authorities" not in instance.targets[index].waived:
                add(pulp.lpSum(variables) <= 1)
        # not_with pairs inside one team
        names_in: dict[int, set[str]] = defaultdict(set)
        for name, index in person_target:
            names_in[index].add(name)
        for pair in sorted(instance.pairs, key=sorted):
            a, b = sorted(pair)
            for index in sorted(names_in):
                if a in names_in[index] and b in names_in[index]:
                    add(pulp.lpSum(person_target[(a, index)] + person_target[(b, index)]) <= 1)
        for (name, index), _ in sorted(instance.locks.items()):
            if (name, index) in person_target:
                add(pulp.lpSum(person_target[(name, index)]) == 1)
        if joint:
            self._round_constraints(per_person, person_target)

    def _shortlist(self, target: Target, slot: str, joint: bool) -> list[Person]:
        """The candidates an optimal proposal can need, best first, cut where none further can.

        Someone outside the shortlist could only be chosen if every better candidate
        were taken elsewhere, on this team, from a team mate's authority or barred by a
        mate's `not_with`; the shortlist is longer than all of those together, so one of
        its people is always free and scores at least as much (an exchange argument).
        """
        instance = self.instance
        people = instance.candidates[(target.index, slot)]
        elsewhere = (
            sum(sum(t.open.values()) for t in instance.targets if t.index != target.index)
            if joint
            else 0
        )
        mates = sum(target.open.values()) - 1
        per_authority = max(Counter(p.authority for p in people).values(), default=0)
        keep = target.open[slot] + elsewhere + mates * (1 + per_authority + instance.most_pairs)
        # each team --alternatives forbids can bar one more exchange
        keep += instance.options.alternatives - 1
        if keep >= len(people):
            return people
        ranked = instance.ranked(target, slot)
        chosen = {p.name for p in ranked[:keep]}
        chosen |= {name for name, index in instance.locks if index == target.index}
        return [p for p in people if p.name in chosen]

    def _variable(self, name: str, low: float | None, high: float | None, cat: str) -> Any:
        if hasattr(self.problem, "add_variable"):  # PuLP 3.3 and later
            return self.problem.add_variable(name, low, high, cat=cat)
        return self.pulp.LpVariable(name, low, high, cat=cat)  # pragma: no cover

    def _round_constraints(
        self,
        per_person: dict[str, list[tuple[int, str]]],
        person_target: dict[tuple[str, int], list[Any]],
    ) -> None:
        pulp = self.pulp
        instance = self.instance
        add = self.problem.addConstraint
        # pairs of targets too close in time for one person, where the visits per round
        # do not already forbid both
        clashes = []
        for one in instance.targets:
            for two in instance.targets[one.index + 1 :]:
                a, b = one.challenge.fieldwork, two.challenge.fieldwork
                implied = one.round == two.round and instance.visits_per_round == 1
                if not implied and _near(a.start, a.end, b.start, b.end):
                    clashes.append((one.index, two.index))
        for name in sorted(per_person):
            indexes = sorted({index for index, _ in per_person[name]})
            if len(indexes) < 2:
                continue
            by_round: dict[int, list[int]] = defaultdict(list)
            for index in indexes:
                by_round[instance.targets[index].round].append(index)
            for round_, in_round in sorted(by_round.items()):
                existing = len(instance.visits.get((name, round_), []))
                room = instance.visits_per_round - existing
                if len(in_round) > room:
                    add(pulp.lpSum(v for i in in_round for v in person_target[(name, i)]) <= room)
                leads = [self.x[(name, i, "lead")] for i in in_round if (name, i, "lead") in self.x]
                if len(leads) > 1 and room > 1:
                    add(pulp.lpSum(leads) <= 1)
            mine = set(indexes)
            for first, second in clashes:
                if first in mine and second in mine:
                    add(
                        pulp.lpSum(person_target[(name, first)] + person_target[(name, second)])
                        <= 1
                    )

    # -- solving -------------------------------------------------------------------

    def filled(self) -> Any:
        return self.pulp.lpSum(self.x.values())

    def total(self, indexes: Iterable[int] | None = None) -> Any:
        wanted = None if indexes is None else set(indexes)
        return self.pulp.lpSum(
            self.score[key] * var
            for key, var in self.x.items()
            if wanted is None or key[1] in wanted
        )

    def solve(self, objective: Any, time_limit: float) -> tuple[bool, bool, float | None]:
        """(feasible, proven optimal, gap) of maximising ``objective``."""
        import os
        import tempfile

        pulp = self.pulp
        self.problem.setObjective(objective)
        handle, log = tempfile.mkstemp(prefix="pcplan-cbc-", suffix=".log")
        os.close(handle)
        try:
            with warnings.catch_warnings():
                # PuLP 3.3 announces that PULP_CBC_CMD moves in 4.0; its bundled CBC is what
                # installing pcplan brings today (pyproject keeps pulp below 4).
                warnings.simplefilter("ignore", DeprecationWarning)
                solver = pulp.PULP_CBC_CMD(
                    msg=False,
                    timeLimit=time_limit,
                    timeMode="cpu",  # the same limit whatever else the machine runs
                    threads=1,
                    gapRel=0,
                    options=["randomSeed 1", "randomCbcSeed 1"],
                    logPath=log,
                )
                self.problem.solve(solver)
                with open(log, encoding="utf-8", errors="replace") as stream:
                    text = stream.read()
        finally:
            os.unlink(log)
        if self.problem.status != pulp.LpStatusOptimal:
            self.infeasible = (
                self.problem.status == pulp.LpStatusInfeasible and "Stopped on time" not in text
            )
            return False, False, None
        optimal = self.problem.sol_status == pulp.LpSolutionOptimal
        gap = 0.0
        if not optimal:
            found = re.search(r"Gap:\s*([0-9.eE+-]+)", text)
            gap = float(found.group(1)) if found else None  # type: ignore[assignment]
        return True, optimal, gap

    def value(self, expression: Any) -> float:
        return float(self.pulp.value(expression) or 0.0)

    def chosen(self) -> list[list[Assignment]]:
        instance = self.instance
        teams: list[list[Assignment]] = [[] for _ in instance.targets]
        for (name, index, slot), var in sorted(self.x.items()):
            if (var.value() or 0) > 0.5:
                person = instance.by_name[name]
                teams[index].append(Assignment(name, person.authority or "", person.role, slot))
        order = {s: n for n, s in enumerate(SLOTS)}
        for team in teams:
            team.sort(key=lambda a: (order[a.slot], a.name))
        return teams

    def weighted(self) -> Any:
        """Filled slots first, then the score: one objective (see ``fill_weight``)."""
        return self.pulp.lpSum(
            (self.fill_weight + self.score[key]) * var for key, var in self.x.items()
        )

    def lexicographic(
        self, time_limit: float, *, fair: bool = False
    ) -> tuple[Proposal | None, float | None]:
        """Most slots filled, then (with ``fair``, the lowest team score first) the best total.

        Returns the proposal and, with ``fair``, the lowest team score reached.
        """
        feasible, optimal, gap = self.solve(self.weighted(), time_limit)
        if not feasible:
            return None, None
        worst = None
        if fair and self.targets:
            most = round(self.value(self.filled()))
            self.problem.addConstraint(self.filled() >= most)
            floor = self._variable("floor", None, None, "Continuous")
            for target in self.targets:
                kept = sum(
                    self.instance.terms(m.name, m.employer, target).total for m in target.kept
                )
                self.problem.addConstraint(
                    floor <= self.total([target.index]) + round(kept * SCALE)
                )
            feasible, optimal_floor, _ = self.solve(floor, time_limit)
            lowest = math.floor(self.value(floor) + 1e-6)
            worst = lowest / SCALE
            self.problem.addConstraint(floor >= lowest)
            feasible, optimal_total, gap = self.solve(self.total(), time_limit)
            if not feasible:
                return None, worst
            optimal = optimal and optimal_floor and optimal_total
        status = "optimal" if optimal else "stopped at the time limit"
        return Proposal(self.chosen(), optimal, 0.0 if optimal else gap, status), worst

    def forbid(self, team: list[Assignment], index: int) -> None:
        """A no-good cut: never this exact team again."""
        variables = [self.x[(a.name, index, a.slot)] for a in team]
        if variables:
            self.problem.addConstraint(self.pulp.lpSum(variables) <= len(variables) - 1)


# ------------------------------------------------------------------- the result


@dataclass(slots=True)
class ChallengeResult:
    target: Target
    team: list[dict[str, Any]]
    score: float
    quality: float | None
    unfilled: list[dict[str, str]]
    backups: list[dict[str, Any]]
    not_chosen: list[dict[str, str]]
    alternatives: list[dict[str, Any]]
    notes: list[str]
    lead_consent_needed: bool

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.target.id,
            "team": self.team,
            "score": self.score,
            "quality": self.quality,
            "unfilled": self.unfilled,
            "backups": self.backups,
            "not_chosen": self.not_chosen,
            "notes": self.notes,
        }
        if self.alternatives:
            out["alternatives"] = self.alternatives
        return out


@dataclass(slots=True)
class MatchResult:
    round: int | None
    optimal: bool
    gap: float | None
    status: str
    fair: bool
    price_of_fairness: float | None
    challenges: list[ChallengeResult]

    def as_json(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "optimal": self.optimal,
            "gap": self.gap,
            "fair": self.fair,
            "price_of_fairness": self.price_of_fairness,
            "challenges": [c.as_json() for c in self.challenges],
        }


def _quality(score: float, best: float) -> float:
    if best > 0:
        return round(max(0.0, score / best), 3)
    if score >= best:
        return 1.0
    return round(best / score, 3) if score < 0 else 0.0


def propose(
    programme: Programme,
    contexts: Sequence[ChallengeContext],
    target_ids: Sequence[str],
    options: Options,
    private: Private | None = None,
) -> MatchResult:
    """Propose teams for ``target_ids`` jointly (SPEC §8)."""
    if options.alternatives > 1 and len(target_ids) != 1:
        raise UsageError("--alternatives gives the best teams for one challenge: name one ID")
    instance = Instance(programme, contexts, target_ids, options, private)
    model = Model(instance, joint=True)
    proposal, _ = model.lexicographic(options.time_limit)
    if proposal is None:
        if model.infeasible:
            raise UsageError(
                "no proposal satisfies the --lock options together; drop one of them and try again"
            )
        raise UsageError(
            f"the solver found no proposal within --time-limit {options.time_limit:g} s; "
            "give it longer"
        )
    price = None
    if options.fair:
        fair_model = Model(instance, joint=True)
        fair, _ = fair_model.lexicographic(options.time_limit, fair=True)
        if fair is not None:
            price = round(proposal.total(instance) - fair.total(instance), 3) + 0.0
            proposal = fair
    alone = Model(instance, joint=False)
    solo, _ = alone.lexicographic(options.time_limit)
    alternatives: list[dict[str, Any]] = []
    if options.alternatives > 1 and instance.targets:
        index = instance.targets[0].index
        team = proposal.by_target[index]
        for rank in range(2, options.alternatives + 1):
            if not team:
                break
            model.forbid(team, index)
            again, _ = model.lexicographic(options.time_limit)
            if again is None:
                break
            team = again.by_target[index]
            alternatives.append(
                {
                    "rank": rank,
                    "team": [{"name": a.name, "slot": a.slot} for a in team],
                    "score": again.score(instance, instance.targets[index]),
                }
            )
    results = [
        _describe(instance, target, proposal, solo, alternatives if target.index == 0 else [])
        for target in instance.targets
    ]
    rounds = {t.round for t in instance.targets}
    return MatchResult(
        round=rounds.pop() if len(rounds) == 1 else None,
        optimal=proposal.optimal,
        gap=proposal.gap,
        status=proposal.status,
        fair=options.fair,
        price_of_fairness=price,
        challenges=results,
    )


def _describe(
    instance: Instance,
    target: Target,
    proposal: Proposal,
    solo: Proposal | None,
    alternatives: list[dict[str, Any]],
) -> ChallengeResult:
    programme = instance.programme
    team: list[dict[str, Any]] = []
    for member in target.kept:
        terms = instance.terms(member.name, member.employer, target)
        team.append(
            _member_json(
                programme, member.name, member.employer, member.role, member.lead, True, terms
            )
        )
    for a in proposal.by_target[target.index]:
        terms = instance.terms(a.name, a.authority, target)
        team.append(
            _member_json(programme, a.name, a.authority, a.role, a.slot == "lead", False, terms)
        )
    score = proposal.score(instance, target)
    best = solo.score(instance, target) if solo is not None else score
    filled = Counter(a.slot for a in proposal.by_target[target.index])
    unfilled = []
    for slot in SLOTS:
        for _ in range(target.open[slot] - filled[slot]):
            unfilled.append({"slot": slot, "reason": _why_empty(instance, target, slot, proposal)})
    backups = []
    for a in proposal.by_target[target.index]:
        names = _ranked(instance, target, a.slot, proposal, a.name, instance.options.backups)
        backups.append({"slot": a.slot, "for": a.name, "names": names})
    not_chosen = _not_chosen(instance, target, proposal)
    notes = []
    if not target.travel_ok:
        notes.append(
            "travel not scored: no location in programme.yaml for "
            + ", ".join(target.missing_locations)
        )
    lead = [a for a in proposal.by_target[target.index] if a.slot == "lead"]
    consent = bool(lead and lead[0].role == "assistant_director")
    if consent:
        notes.append(
            f"{lead[0].name}, an assistant director, would lead: record the host DCS's consent "
            "under `lead_consent` (¶19)"
        )
    return ChallengeResult(
        target=target,
        team=team,
        score=score,
        quality=_quality(score, best),
        unfilled=unfilled,
        backups=backups,
        not_chosen=not_chosen,
        alternatives=alternatives,
        notes=notes,
        lead_consent_needed=consent,
    )


def _member_json(
    programme: Programme,
    name: str,
    authority: str,
    role: str,
    lead: bool,
    kept: bool,
    terms: Terms,
) -> dict[str, Any]:
    return {
        "name": name,
        "authority": authority,
        "role": role,
        "lead": lead,
        "kept": kept,
        "score": terms.as_json(),
        "why": terms.why(programme.employer_name(authority) or authority),
    }


def _ranked(
    instance: Instance, target: Target, slot: str, proposal: Proposal, leaving: str, limit: int
) -> list[str]:
    """Up to ``limit`` people who could take ``leaving``'s place, every hard constraint held."""
    found: list[str] = []
    for person in instance.ranked(target, slot):
        if len(found) >= limit:
            break
        if person.name == leaving:
            continue
        if instance.dynamic_block(person, target, slot, proposal, leaving=leaving) is None:
            found.append(person.name)
    return found


def _not_chosen(instance: Instance, target: Target, proposal: Proposal) -> list[dict[str, str]]:
    out = []
    team = proposal.by_target[target.index]
    on_team = {a.name for a in team} | {m.name for m in target.kept}
    for slot in SLOTS:
        if not target.open[slot]:
            continue
        chosen = [a for a in team if a.slot == slot]
        lowest = min(
            (instance.terms(a.name, a.authority, target).total for a in chosen), default=None
        )
        pool = []
        for person in instance.people:
            if person.name in on_team or not instance.fits(person, target, slot):
                continue
            score = instance.terms(person.name, person.authority or "", target).total
            pool.append((-score, person.name, person))
        pool.sort(key=lambda item: (item[0], item[1]))
        for negative, name, person in pool[:3]:
            blocked = instance.dynamic_block(person, target, slot, proposal)
            if blocked is not None:
                reason = blocked[1]
            elif lowest is not None:
                loses = round(lowest + negative, 3)
                reason = (
                    f"scores {-negative:g}, {loses:g} less than the one chosen"
                    if loses > 0
                    else f"scores {-negative:g}, as much as the one chosen (a tie)"
                )
            else:
                reason = "needed by another team in the round"
            out.append({"slot": slot, "name": name, "reason": reason})
    return out


_COUNTED = {
    "excluded": "excluded",
    "declined": "declined",
    "previous": "previous employer",
    "not_with": "not_with",
    "unavailable": "unavailable",
    "busy": "on another challenge within 2 days",
    "leads": "leading another challenge in the round",
    "hosts": "their authority hosts within 14 days",
}


def _why_empty(instance: Instance, target: Target, slot: str, proposal: Proposal) -> str:
    """Which hard constraints emptied a slot's candidates, with counts (SPEC §8)."""
    counts: Counter[str] = Counter()
    outside = {target.challenge.host.authority} | {m.employer for m in target.kept}
    outside |= {a.authority for a in proposal.by_target[target.index]}
    free = 0
    for person in instance.people:
        if not instance.fits(person, target, slot):
            continue
        blocked = instance.dynamic_block(person, target, slot, proposal)
        if blocked is None:
            free += 1
            continue
        category = blocked[0]
        if category in ("host", "authority", "team"):
            continue
        label = (
            f"already visiting in round {target.round}"
            if category == "visits"
            else _COUNTED[category]
        )
        counts[label] += 1
    level = LEVEL[slot]
    if slot == "lead" and instance.options.allow_ad_lead:
        level = "DCS or assistant director to lead"
    where = _and_list(sorted(outside))
    if free:
        return (
            f"no {level} can be added on {target.span} outside {where}: the {free} still free "
            "are needed by other teams in the round or clash with a --lock"
        )
    if not counts:
        return f"no {level} in the registry outside {where}"
    detail = ", ".join(
        f"{n} {label}" for label, n in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    )
    return f"no {level} is free on {target.span} outside {where}: {detail}"


def _and_list(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# ------------------------------------------------------------------- which challenges


def incomplete(challenge: Challenge) -> bool:
    """The core team has fewer than its four slots filled."""
    taken = Counter(slot_of(m) for _, m in core_members(challenge))
    return any(taken[s] < CAPACITY[s] for s in SLOTS)


def default_targets(
    contexts: Sequence[ChallengeContext], round_number: int | None, as_of: date
) -> tuple[int | None, list[str]]:
    """Every challenge of ``round_number`` with an incomplete team; without a round,
    those of the next round with fieldwork ahead and teams incomplete."""
    challenges = sorted(
        (ctx.challenge for ctx in contexts), key=lambda c: (c.fieldwork.start, c.id)
    )
    if round_number is None:
        ahead = sorted({c.round for c in challenges if c.fieldwork.start > as_of and incomplete(c)})
        if not ahead:
            return None, []
        round_number = ahead[0]
    return round_number, [c.id for c in challenges if c.round == round_number and incomplete(c)]
