"""The rule registry: every rule id, its severity and its one-line description.

A rule is a small pure function registered under its id. It returns
:class:`Problem` s, each naming a *key path* in the file, never a line number:
:meth:`pcplan.yamlio.Document.locate` is the one place paths become positions.

* a **file** rule takes one :class:`ChallengeContext`;
* a **repo** rule takes every context at once (``id.duplicate``, ``team.diary``)
  and says which file each problem belongs to.

``yaml``, ``schema`` and ``waiver.unused`` are produced by the loader and the
waiver pass rather than by a function; they are registered here too so that
the catalogue (``docs/rules.md``) and the severities have one source.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pcplan.directory import FilePath, as_path
from pcplan.records import sent_as_tuple
from pcplan.schedule import Schedule, compute_schedule, default_settings
from pcplan.yamlio import Document, KeyPath

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    from pcplan.dates import WorkingDays
    from pcplan.findings import Severity
    from pcplan.models import Challenge, Private, Programme, Settings


class Problem(NamedTuple):
    """A rule's verdict: where in the file (a key path) and what to do about it.

    ``severity`` overrides the rule's own for this one problem, for the rules
    whose severity depends on the case (SPEC §4: a team still being built is a
    warning until step `team` is recorded, an error after).
    """

    path: KeyPath
    message: str
    severity: Severity | None = None


class ChallengeContext:
    """Everything a rule may read about one valid challenge file (its schedule on demand)."""

    __slots__ = (
        "_schedule",
        "as_of",
        "calendar",
        "challenge",
        "display",
        "document",
        "given_path",
        "memo",
        "private",
        "programme",
    )

    def __init__(
        self,
        *,
        path: FilePath,
        display: str,
        challenge: Challenge,
        programme: Programme | None,
        calendar: WorkingDays,
        as_of: date,
        document: Document,
        private: Private | None = None,
    ) -> None:
        self.given_path = path  # (text from the walk: a Path only if asked for, see path)
        self.display = display
        self.challenge = challenge
        self.programme = programme
        self.calendar = calendar
        self.as_of = as_of
        self.document = document
        # The private constraints file (env PCPLAN_PRIVATE, ¶22): never quoted in messages.
        self.private = private
        self._schedule: Schedule | None = None
        # What several of the file's rules work out alike, made once (see
        # pcplan.rules.team.members).
        self.memo: dict[str, Any] = {}

    @property
    def path(self) -> Path:
        """The file's path (made a Path once, when first asked for)."""
        self.given_path = path = as_path(self.given_path)
        return path

    @property
    def file_name(self) -> str:
        """The file's name (its path's last part), read without making a Path."""
        return os.path.basename(self.given_path)

    @property
    def settings(self) -> Settings:
        if self.programme:
            return self.programme.settings
        return default_settings()

    @property
    def schedule(self) -> Schedule:
        if self._schedule is None:
            self._schedule = compute_schedule(
                self.challenge, self.settings, self.as_of, self.calendar
            )
        return self._schedule


class Sighting(NamedTuple):
    """One file's part in a cross-file rule: a value to compare and where it stands.

    Cross-file rules work in two steps, so that files can be read in parallel: a
    *sight* function picks out of each file what the rule compares (an id, a
    person's name with the fieldwork dates), and the rule itself compares the
    sightings that share a value.
    """

    display: str
    line: int
    column: int
    value: Hashable
    detail: tuple[Any, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return sent_as_tuple(self)


FileCheck = Callable[[ChallengeContext], Iterable[Problem]]
Sight = Callable[[ChallengeContext], Iterable[tuple[KeyPath, Hashable, tuple[Any, ...]]]]
# A repo check sees the sightings that share a value, in groups of two or more.
RepoCheck = Callable[[list[list[Sighting]]], Iterable[tuple[Sighting, str]]]


class Rule(NamedTuple):
    id: str
    severity: Severity
    scope: Literal["file", "repo", "loader"]
    summary: str
    file_check: FileCheck | None = None
    sight: Sight | None = None
    repo_check: RepoCheck | None = None
    uses_as_of: bool = False
    needs_registry: bool = False
    waivable: bool = False  # may a waiver in the file relax it (SPEC §4, `waiver.invalid`)


RULES: dict[str, Rule] = {}


def _summary(function: Callable[..., object]) -> str:
    """The docstring's first line (as inspect.getdoc gives it, without importing inspect)."""
    doc = (function.__doc__ or "").strip()
    return doc.splitlines()[0].strip() if doc else ""


def file_rule(
    rule_id: str,
    severity: Severity,
    *,
    uses_as_of: bool = False,
    needs_registry: bool = False,
    waivable: bool = False,
) -> Callable[[FileCheck], FileCheck]:
    """Register a per-file rule under ``rule_id`` (its severity is the most severe it gives)."""

    def register(function: FileCheck) -> FileCheck:
        RULES[rule_id] = Rule(
            rule_id,
            severity,
            "file",
            _summary(function),
            file_check=function,
            uses_as_of=uses_as_of,
            needs_registry=needs_registry,
            waivable=waivable,
        )
        return function

    return register


def repo_rule(
    rule_id: str, severity: Severity, *, sight: Sight
) -> Callable[[RepoCheck], RepoCheck]:
    """Register a rule that compares the ``sight`` of every challenge file."""

    def register(function: RepoCheck) -> RepoCheck:
        RULES[rule_id] = Rule(
            rule_id, severity, "repo", _summary(function), sight=sight, repo_check=function
        )
        return function

    return register


def loader_rule(rule_id: str, severity: Severity, summary: str) -> None:
    """Register a rule whose findings come from loading or the waiver pass."""
    RULES[rule_id] = Rule(rule_id, severity, "loader", summary)
