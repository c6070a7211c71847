"""Every rule of SPEC §4, registered in :data:`RULES` in the order of the spec's table."""

from __future__ import annotations

from collections.abc import Iterable

from pcplan.findings import Finding
from pcplan.rules import (  # noqa: F401
    fieldwork,
    identity,
    loading,
    planning,
    review,
    steps,
    team,
)
from pcplan.rules.registry import RULES, ChallengeContext, Problem, Rule
from pcplan.rules.waivers import apply_waivers

__all__ = [
    "RULES",
    "ChallengeContext",
    "Problem",
    "Rule",
    "apply_waivers",
    "file_findings",
    "repo_findings",
]

_FILE_RULES = [rule for rule in RULES.values() if rule.file_check is not None]
_REPO_RULES = [rule for rule in RULES.values() if rule.repo_check is not None]


def _finding(ctx: ChallengeContext, rule: Rule, problem: Problem) -> Finding:
    line, column = ctx.document.locate(problem.path)
    return Finding(ctx.display, line, column, rule.id, rule.severity, problem.message)


def file_findings(ctx: ChallengeContext) -> list[Finding]:
    """Every per-file rule's findings for one valid challenge."""
    found = []
    for rule in _FILE_RULES:
        assert rule.file_check is not None
        for problem in rule.file_check(ctx):
            found.append(_finding(ctx, rule, problem))
    return found


def repo_findings(contexts: list[ChallengeContext]) -> Iterable[tuple[ChallengeContext, Finding]]:
    """The cross-file rules' findings, each with the file it belongs to."""
    for rule in _REPO_RULES:
        assert rule.repo_check is not None
        for ctx, problem in rule.repo_check(contexts):
            yield ctx, _finding(ctx, rule, problem)
