"""What `pcplan check` reports: findings, their severities and the totals."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

from pcplan.records import sent_as_tuple

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

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return sent_as_tuple(self)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }


class CheckResult(NamedTuple):
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


def finding_read_back(
    file: object, line: object, column: object, rule: object, severity: object, message: object
) -> Finding | None:
    """A finding as pcplan wrote it to disk (the content cache, a verdict), or None when a
    field is not what pcplan writes: what is read back is checked, never trusted."""
    if (
        type(file) is not str
        or type(line) is not int
        or type(column) is not int
        or type(rule) is not str
        or severity not in SEVERITY_ORDER
        or type(message) is not str
    ):
        return None
    return Finding(file, line, column, rule, severity, message)  # type: ignore[arg-type]


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """By file and position; findings at one position keep the order the rules gave them."""
    return tuple(sorted(findings, key=lambda f: (f.file, f.line, f.column)))


def path_label(path: tuple[str | int, ...]) -> str:
    """A key path for people: ``visiting_team#2.lead`` (list items counted from 1)."""
    label = ""
    for part in path:
        if isinstance(part, int):
            label += f"#{part + 1}"
        else:
            label += f".{shorten(part, 40)}" if label else shorten(part, 40)
    return label


def shorten(value: object, limit: int = 80) -> str:
    """A value for a message: at most ``limit`` characters, control characters escaped (SPEC §6)."""
    text = printable(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What no text from the data or the arguments may carry onto the output (SPEC §6):
# C0 and C1 control characters (line breaks, tab, escape, bell…), DEL, the Unicode
# line and paragraph separators, bidirectional overrides and isolates, byte-order
# marks and non-characters, and lone surrogates (the undecodable bytes of a file
# name or an argument, which would also make JSON output invalid UTF-8).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match[0]
    code = ord(character)
    if character in _ESCAPES:
        return _ESCAPES[character]
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or invisible character escaped (``\\n``, ``\\x1b``).

    Text that starts with ``::`` has its first colon escaped too (``\\x3a:``): in
    GitHub Actions a line that starts with ``::`` is a workflow command, and no
    line but those of ``--format github`` may be one.
    """
    # (Every character the pattern matches is one str.isprintable refuses: most text
    # passes that test, in C, and is not searched.)
    if not text.isprintable() and _UNPRINTABLE.search(text) is not None:
        text = _UNPRINTABLE.sub(_escape, text)
    if text.startswith("::"):
        text = "\\x3a" + text[1:]
    return text
