"""Every rule of SPEC §4, registered in :data:`RULES` in the order of the spec's table.

Checking a programme has two passes: :func:`check_file` runs on each valid
challenge on its own (in a worker process, for a large programme) and returns a
:class:`FileReport`, gathered into one :class:`Gathered`; :func:`check_across`
then runs the cross-file rules on the sightings and applies each file's waivers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from itertools import repeat
from typing import Any

from pcplan.findings import Finding
from pcplan.records import Record

# isort: off
# Importing a module registers its rules; this order is the order of SPEC §4's table.
from pcplan.rules import loading  # noqa: F401  (yaml, schema)
from pcplan.rules import identity  # noqa: F401  (id.*, authority.unknown)
from pcplan.rules import fieldwork  # noqa: F401
from pcplan.rules import team  # noqa: F401
from pcplan.rules import steps  # noqa: F401
from pcplan.rules import review  # noqa: F401
from pcplan.rules import planning  # noqa: F401  (feedback.unplanned, escalation.missing)
from pcplan.rules import visit  # noqa: F401  (visit.*, SPEC §9)
from pcplan.rules import reading  # noqa: F401  (reading.*, SPEC §9)
from pcplan.rules import waivers as waiver_rules  # noqa: F401  (waiver.unused)

# isort: on
from pcplan.rules.registry import RULES, ChallengeContext, Problem, Rule, Sighting
from pcplan.rules.waivers import WaiverNote, apply_waivers, note_waivers

__all__ = [
    "RULES",
    "ChallengeContext",
    "FileReport",
    "Gathered",
    "Problem",
    "Rule",
    "Sighting",
    "check_across",
    "check_file",
]

_new = tuple.__new__
_FILE_RULES = [rule for rule in RULES.values() if rule.file_check is not None]
_REPO_RULES = [rule for rule in RULES.values() if rule.repo_check is not None]
# What check_file reads of each rule, taken out once (it runs for every file).
_FILE_CHECKS = [(rule.id, rule.severity, rule.file_check) for rule in _FILE_RULES]
_SIGHTS = [(rule.id, rule.sight) for rule in _REPO_RULES]


class FileReport(Record):
    """One challenge file after its own rules: what the cross-file pass needs of it."""

    __slots__ = ("display", "findings", "sightings", "waivers")

    def __init__(
        self,
        display: str,
        findings: list[Finding] | None = None,
        sightings: dict[str, list[Sighting]] | None = None,
        waivers: list[WaiverNote] | None = None,
    ) -> None:
        self.display = display
        self.findings = [] if findings is None else findings
        self.sightings = {} if sightings is None else sightings
        self.waivers = [] if waivers is None else waivers


def check_file(ctx: ChallengeContext) -> FileReport:
    """Every per-file rule's findings for one valid challenge, and its sightings and waivers."""
    display = ctx.display
    report = FileReport(display)
    locate = ctx.document.locate
    findings = report.findings
    for rule_id, severity, file_check in _FILE_CHECKS:
        assert file_check is not None
        for problem in file_check(ctx):
            line, column = locate(problem.path)
            findings.append(
                Finding(
                    display, line, column, rule_id, problem.severity or severity, problem.message
                )
            )
    for rule_id, sight in _SIGHTS:
        assert sight is not None
        report.sightings[rule_id] = [  # (made as tuple.__new__ does, in C: twice as fast)
            _new(Sighting, (display, *locate(path), value, detail))
            for path, value, detail in sight(ctx)
        ]
    report.waivers = note_waivers(ctx)
    return report


class Gathered(Record):
    """What the cross-file pass needs of many files, gathered by rule and by file.

    Workers each gather a chunk of files and send one of these back; merging them
    is a few list extensions, however many files a chunk holds.
    """

    __slots__ = ("findings", "sightings", "waivers")

    def __init__(
        self,
        findings: dict[str, list[Finding]] | None = None,
        sightings: dict[str, list[Sighting]] | None = None,
        waivers: dict[str, list[WaiverNote]] | None = None,
    ) -> None:
        self.findings = {} if findings is None else findings
        self.sightings = {} if sightings is None else sightings
        self.waivers = {} if waivers is None else waivers

    def add(self, report: FileReport) -> None:
        self.findings[report.display] = report.findings
        for rule_id, seen in report.sightings.items():
            self.sightings.setdefault(rule_id, []).extend(seen)
        if report.waivers:
            self.waivers[report.display] = report.waivers

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # A worker's chunk sends thousands of sightings: as plain tuples, which pickle
        # writes and reads in C, they cost a fifth of the time to send (each Sighting
        # would call its own __reduce__ in Python); they are Sightings again on arrival.
        plain = {rule_id: list(map(tuple, seen)) for rule_id, seen in self.sightings.items()}
        return (_received, (self.findings, plain, self.waivers))

    def merge(self, other: Gathered) -> None:
        self.findings.update(other.findings)
        for rule_id, seen in other.sightings.items():
            self.sightings.setdefault(rule_id, []).extend(seen)
        self.waivers.update(other.waivers)

    def around(self, report: FileReport) -> Gathered:
        """What the cross-file pass needs to give ``report``'s file its findings, with
        ``report`` in place of that file's own (another version of it: an edit's "before").

        Each cross-file rule compares only sightings of one value, so the sightings of
        other files that share no value with ``report``'s cannot change its findings and
        are left out. Its sightings take the place of its file's own among the others'.
        """
        display = report.display
        sightings: dict[str, list[Sighting]] = {}
        for rule_id, new in report.sightings.items():
            values = {sighting.value for sighting in new}
            kept: list[Sighting] = []
            placed = False
            for sighting in self.sightings.get(rule_id, ()):
                if sighting.display == display:
                    if not placed:
                        kept += new
                        placed = True
                elif sighting.value in values:
                    kept.append(sighting)
            sightings[rule_id] = kept if placed else kept + new
        notes = {display: report.waivers} if report.waivers else {}
        return Gathered({display: report.findings}, sightings, notes)


def _received(
    findings: dict[str, list[Finding]],
    plain: dict[str, list[tuple[Any, ...]]],
    waivers: dict[str, list[WaiverNote]],
) -> Gathered:
    """A Gathered back from pickle (see Gathered.__reduce__)."""
    sightings = {
        rule_id: list(map(_new, repeat(Sighting), rows)) for rule_id, rows in plain.items()
    }
    return Gathered(findings, sightings, waivers)


def check_across(gathered: Gathered) -> dict[str, list[Finding]]:
    """Every valid file's findings: its own, the cross-file rules', with its waivers applied."""
    findings = {display: list(found) for display, found in gathered.findings.items()}
    for rule in _REPO_RULES:
        assert rule.repo_check is not None
        by_value: dict[Hashable, list[Sighting]] = defaultdict(list)
        for sighting in gathered.sightings.get(rule.id, ()):
            by_value[sighting.value].append(sighting)
        shared = [group for group in by_value.values() if len(group) > 1]
        for sighting, message in rule.repo_check(shared):
            findings.setdefault(sighting.display, []).append(
                Finding(
                    sighting.display,
                    sighting.line,
                    sighting.column,
                    rule.id,
                    rule.severity,
                    message,
                )
            )
    for display, notes in gathered.waivers.items():
        findings[display] = apply_waivers(display, notes, findings[display])
    return findings
