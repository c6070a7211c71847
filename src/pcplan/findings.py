"""What `pcplan check` reports: findings, their severities and the totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "info"]

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}


class Finding(NamedTuple):
    """One problem, at a 1-based line and column of one file.

    A named tuple: immutable, ordered, and cheap to send back from a worker process.
    """

    file: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Every finding of one run, and how many challenge files it covered."""

    files_checked: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for finding in self.findings if finding.severity == "warning")

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def as_json(self) -> dict[str, object]:
        return {
            "files_checked": self.files_checked,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [finding.as_json() for finding in self.findings],
        }


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """By file and position; findings at one position keep the order the rules gave them."""
    return tuple(sorted(findings, key=lambda f: (f.file, f.line, f.column)))


def shorten(value: object, limit: int = 80) -> str:
    """A value for a message: at most ``limit`` characters (SPEC §6)."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
