"""Waivers (SPEC §4): a rule the programme manager agreed to relax for one challenge."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import NamedTuple

from pcplan.findings import Finding, shorten
from pcplan.rules.registry import RULES, ChallengeContext, loader_rule

loader_rule(
    "waiver.unused",
    "warning",
    "A waiver names a rule that did not fire in its file, or names no rule at all.",
)


class WaiverNote(NamedTuple):
    """One waiver of a file, with the position a `waiver.unused` finding would take."""

    rule: str | None
    reason: str
    line: int
    column: int


def note_waivers(ctx: ChallengeContext) -> list[WaiverNote]:
    notes = []
    for index, waiver in enumerate(ctx.challenge.waivers):
        path = ("waivers", index, "rule") if waiver.rule is not None else ("waivers", index)
        line, column = ctx.document.locate(path)
        notes.append(WaiverNote(waiver.rule, waiver.reason, line, column))
    return notes


def apply_waivers(
    display: str, waivers: list[WaiverNote], findings: Iterable[Finding]
) -> list[Finding]:
    """Turn the waived rules' findings into `info` and flag waivers that relax nothing."""
    findings = list(findings)
    if not waivers:
        return findings
    reasons = {w.rule: w.reason for w in waivers if w.rule is not None}
    fired = {finding.rule for finding in findings}
    result = [
        Finding(f.file, f.line, f.column, f.rule, "info", f"waived: {shorten(reasons[f.rule], 80)}")
        if f.rule in reasons
        else f
        for f in findings
    ]
    severity = RULES["waiver.unused"].severity
    for waiver in waivers:
        if waiver.rule is None:
            message = "this waiver names no rule; add `rule:` or remove the waiver"
        elif waiver.rule not in RULES:
            close = difflib.get_close_matches(waiver.rule, list(RULES), n=1)
            hint = f"did you mean `{close[0]}`?" if close else "`pcplan check --help` lists them"
            message = f"`{shorten(waiver.rule, 60)}` is not a rule id; {hint}"
        elif waiver.rule not in fired:
            message = (
                f"the waiver for `{waiver.rule}` relaxes nothing: the rule does not fire "
                "here; remove the waiver"
            )
        else:
            continue
        result.append(
            Finding(display, waiver.line, waiver.column, "waiver.unused", severity, message)
        )
    return result
