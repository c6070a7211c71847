"""Waivers (SPEC §4): a rule the programme manager agreed to relax for one challenge."""

from __future__ import annotations

from collections.abc import Iterable

from pcplan.findings import Finding, shorten
from pcplan.rules.registry import RULES, ChallengeContext, loader_rule

loader_rule(
    "waiver.unused",
    "warning",
    "A waiver names a rule that did not fire in its file, or names no rule at all.",
)


def apply_waivers(ctx: ChallengeContext, findings: Iterable[Finding]) -> list[Finding]:
    """Turn the waived rules' findings into `info` and flag waivers that relax nothing."""
    waivers = ctx.challenge.waivers
    findings = list(findings)
    if not waivers:
        return findings
    reasons = {w.rule: w.reason for w in waivers if w.rule is not None}
    fired = {finding.rule for finding in findings}
    result = [
        Finding(f.file, f.line, f.column, f.rule, "info", f"waived: {reasons[f.rule]}")
        if f.rule in reasons
        else f
        for f in findings
    ]
    for index, waiver in enumerate(waivers):
        if waiver.rule is None:
            message = "this waiver names no rule; add `rule:` or remove the waiver"
            path: tuple[str | int, ...] = ("waivers", index)
        elif waiver.rule not in RULES:
            message = (
                f"`{shorten(waiver.rule, 60)}` is not a rule id; see `pcplan check --help` "
                "or docs/rules.md for the list"
            )
            path = ("waivers", index, "rule")
        elif waiver.rule not in fired:
            message = (
                f"the waiver for `{waiver.rule}` relaxes nothing: the rule does not fire "
                "here; remove the waiver"
            )
            path = ("waivers", index, "rule")
        else:
            continue
        line, column = ctx.document.locate(path)
        result.append(
            Finding(
                ctx.display, line, column, "waiver.unused", RULES["waiver.unused"].severity, message
            )
        )
    return result
