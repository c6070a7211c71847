"""Waivers (SPEC §4): a rule the programme manager agreed to relax for one challenge."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import NamedTuple

from pcplan.findings import Finding, shorten
from pcplan.rules.registry import RULES, ChallengeContext, loader_rule

loader_rule("waiver.unused", "warning", "A waiver names a rule that did not fire in its file.")
loader_rule(
    "waiver.invalid",
    "error",
    "A waiver names no rule, an unknown rule, or a rule that cannot be waived: a physical "
    "clash (`team.diary`), the host's own staff (`team.host`) or a broken file never are.",
)


def waivable_rules() -> list[str]:
    """The rules a waiver may relax (SPEC §4), in the catalogue's order."""
    return [rule.id for rule in RULES.values() if rule.waivable]


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
    reasons = {
        w.rule: w.reason
        for w in waivers
        if w.rule is not None and w.rule in RULES and RULES[w.rule].waivable
    }
    fired = {finding.rule for finding in findings}
    result = [
        Finding(f.file, f.line, f.column, f.rule, "info", f"waived: {shorten(reasons[f.rule], 80)}")
        if f.rule in reasons
        else f
        for f in findings
    ]
    for waiver in waivers:
        rule_id = "waiver.invalid"
        if waiver.rule is None:
            message = "this waiver names no rule; add `rule:` or remove the waiver"
        elif waiver.rule not in RULES:
            close = difflib.get_close_matches(waiver.rule, waivable_rules(), n=1)
            hint = (
                f"did you mean `{close[0]}`?"
                if close
                else "the rules a waiver may relax are " + ", ".join(waivable_rules())
            )
            message = f"`{shorten(waiver.rule, 60)}` is not a rule id; {hint}"
        elif not RULES[waiver.rule].waivable:
            message = (
                f"`{waiver.rule}` cannot be waived (a physical clash, the host's own staff or "
                "a broken file must be put right, ¶21-22); fix what it reports and remove "
                "the waiver"
            )
        elif waiver.rule not in fired:
            rule_id = "waiver.unused"
            message = (
                f"the waiver for `{waiver.rule}` relaxes nothing: the rule does not fire "
                "here; remove the waiver"
            )
        else:
            continue
        result.append(
            Finding(
                display,
                waiver.line,
                waiver.column,
                rule_id,
                RULES[rule_id].severity,
                message,
            )
        )
    return result
