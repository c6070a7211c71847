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

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pcplan.dates import WorkingDays
from pcplan.findings import Severity
from pcplan.models import Challenge, Programme, Settings
from pcplan.schedule import Schedule
from pcplan.yamlio import Document, KeyPath


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule's verdict: where in the file (a key path) and what to do about it."""

    path: KeyPath
    message: str


@dataclass(frozen=True, slots=True)
class ChallengeContext:
    """Everything a file rule may read about one valid challenge file."""

    path: Path
    display: str
    document: Document
    challenge: Challenge
    schedule: Schedule
    programme: Programme | None
    calendar: WorkingDays
    as_of: date

    @property
    def settings(self) -> Settings:
        return self.programme.settings if self.programme else Settings()


FileCheck = Callable[[ChallengeContext], Iterable[Problem]]
RepoCheck = Callable[[list[ChallengeContext]], Iterable[tuple[ChallengeContext, Problem]]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity
    scope: Literal["file", "repo", "loader"]
    summary: str
    file_check: FileCheck | None = None
    repo_check: RepoCheck | None = None
    uses_as_of: bool = False
    needs_registry: bool = False


RULES: dict[str, Rule] = {}


def _summary(function: Callable[..., object]) -> str:
    doc = inspect.getdoc(function) or ""
    return doc.splitlines()[0] if doc else ""


def file_rule(
    rule_id: str, severity: Severity, *, uses_as_of: bool = False, needs_registry: bool = False
) -> Callable[[FileCheck], FileCheck]:
    """Register a per-file rule under ``rule_id``."""

    def register(function: FileCheck) -> FileCheck:
        RULES[rule_id] = Rule(
            rule_id,
            severity,
            "file",
            _summary(function),
            file_check=function,
            uses_as_of=uses_as_of,
            needs_registry=needs_registry,
        )
        return function

    return register


def repo_rule(rule_id: str, severity: Severity) -> Callable[[RepoCheck], RepoCheck]:
    """Register a rule that compares challenge files with each other."""

    def register(function: RepoCheck) -> RepoCheck:
        RULES[rule_id] = Rule(rule_id, severity, "repo", _summary(function), repo_check=function)
        return function

    return register


def loader_rule(rule_id: str, severity: Severity, summary: str) -> None:
    """Register a rule whose findings come from loading or the waiver pass."""
    RULES[rule_id] = Rule(rule_id, severity, "loader", summary)
