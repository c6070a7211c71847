"""`pcplan check` output: text lines, GitHub annotations, or JSON (SPEC §5)."""

from __future__ import annotations

import json
from typing import TextIO

from pcplan.findings import CheckResult, Finding


def summary(result: CheckResult) -> str:
    """SPEC §5's summary line, word for word whatever the counts (scripts match it)."""
    return (
        f"{result.files_checked} files checked: {result.errors} errors, {result.warnings} warnings"
    )


def finding_line(f: Finding) -> str:
    """``path:line:col: severity rule: message`` (SPEC §5)."""
    return f"{f.file}:{f.line}:{f.column}: {f.severity} {f.rule}: {f.message}\n"


def write_text(result: CheckResult, stream: TextIO) -> None:
    stream.write("".join(finding_line(f) for f in result.findings) + summary(result) + "\n")


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(result: CheckResult, stream: TextIO) -> None:
    """GitHub Actions workflow commands: each finding becomes an annotation on its line."""
    for f in result.findings:
        stream.write(
            f"::{_GITHUB_LEVEL[f.severity]} file={_escape_property(f.file)},line={f.line},"
            f"col={f.column},title={_escape_property(f.rule)}::{_escape_data(f.message)}\n"
        )
    stream.write(summary(result) + "\n")


def write_json(result: CheckResult, stream: TextIO) -> None:
    # One write: json.dump writes piece by piece, millions of times for a big report.
    stream.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")


WRITER_BY_FORMAT = {"text": write_text, "github": write_github, "json": write_json}
