"""`pcplan check` output: text lines, GitHub annotations, or JSON (SPEC §5)."""

from __future__ import annotations

import json
from typing import TextIO

from pcplan.findings import CheckResult, Finding, printable
from pcplan.render import carries_unicode


def summary(result: CheckResult) -> str:
    """SPEC §5's summary line, word for word whatever the counts (scripts match it)."""
    return (
        f"{result.files_checked} files checked: {result.errors} errors, {result.warnings} warnings"
    )


def finding_line(f: Finding) -> str:
    """``path:line:col: severity rule: message`` (SPEC §5), nothing from the data unescaped.

    A path that starts with ``::`` is shown as ``./::…``: no text line may be a GitHub
    workflow command.
    """
    file = f"./{f.file}" if f.file.startswith("::") else f.file
    return f"{printable(file)}:{f.line}:{f.column}: {f.severity} {f.rule}: {printable(f.message)}\n"


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
            f"::{_GITHUB_LEVEL[f.severity]} file={_escape_property(printable(f.file))},"
            f"line={f.line},col={f.column},title={_escape_property(f.rule)}::"
            f"{_escape_data(printable(f.message))}\n"
        )
    stream.write(summary(result) + "\n")


def write_json(result: CheckResult, stream: TextIO) -> None:
    # One write: json.dump writes piece by piece, millions of times for a big report.
    ascii_only = not carries_unicode(stream)
    stream.write(json.dumps(result.as_json(), indent=2, ensure_ascii=ascii_only) + "\n")


WRITER_BY_FORMAT = {"text": write_text, "github": write_github, "json": write_json}
