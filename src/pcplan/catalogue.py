"""The rule catalogue, ``docs/rules.md``, generated from the rules' docstrings.

Run ``python -m pcplan.catalogue > docs/rules.md`` after changing a rule; a test
fails while the file is stale.
"""

from __future__ import annotations

from pcplan.rules import RULES

SCOPE_WORDS = {
    "file": "one file",
    "repo": "across files",
    "loader": "reading the file",
}


def rules_markdown() -> str:
    lines = [
        "# Rules checked by `pcplan check`",
        "",
        "Generated from the rules' docstrings by `python -m pcplan.catalogue`; do not edit.",
        "",
        "Errors fail `pcplan check` (exit 1). Warnings are shown and fail only with "
        "`--strict`. Rules marked *as of* read the `--as-of` date (default today), so they "
        "are warnings: a commit never fails just because time passed. While step `team` has "
        "no date recorded, what a visiting team still lacks is a warning naming what is still "
        "needed; once it is recorded, an error. A waiver in a challenge file turns a waivable "
        "rule's findings in that file into `info`.",
        "",
        "| rule | severity | checked | fires when |",
        "|---|---|---|---|",
    ]
    for rule in RULES.values():
        checked = SCOPE_WORDS[rule.scope]
        if rule.uses_as_of:
            checked += ", as of"
        if rule.needs_registry:
            checked += ", with programme.yaml"
        if rule.waivable:
            checked += ", waivable"
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| `{rule.id}` | {rule.severity} | {checked} | {summary} |")
    lines += [
        "",
        "## Waiving a rule",
        "",
        "When the programme manager agrees to relax a rule for one challenge (¶21 asks teams "
        'that differ from the usual shape to "ask for help"), record it in that file:',
        "",
        "```yaml",
        "waivers:",
        "  - rule: team.assistant_director",
        "    reason: no assistant director free this round; a second team leader instead",
        "    agreed_by: Morgan Ellis",
        "```",
        "",
        "The rule's findings in that file become `info` with the message "
        "`waived: <reason>`. `agreed_by` is required. A waiver that relaxes nothing is "
        "itself a warning (`waiver.unused`). Only the rules marked *waivable* above may be "
        "waived: a waiver naming no rule, an unknown rule or any other rule (a physical "
        "clash, the host's own staff, a broken file) is an error (`waiver.invalid`) and "
        "relaxes nothing.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_markdown(), end="")
