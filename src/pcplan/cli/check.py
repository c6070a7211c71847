"""`pcplan check` and `pcplan schema`: the rules over the programme, and the JSON Schemas."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pcplan.cli.checking import run_check
from pcplan.cli.common import app, handles_errors
from pcplan.cli.runtime import STATE

# ----------------------------------------------------------------------------- check


class CheckFormat(StrEnum):
    """--format's choices; the quick path reads pcplan.cli.checking.CHECK_FORMATS, which
    tests/test_quick.py keeps equal to these."""

    text = "text"
    github = "github"
    json = "json"


@app.command()
@handles_errors
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Challenge files or folders to report on (default: the whole programme).",
            show_default=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Check as of this date (YYYY-MM-DD); default today."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    fmt: Annotated[
        CheckFormat, typer.Option("--format", help="text, github (annotations) or json.")
    ] = CheckFormat.text,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read every file afresh and write no cache (.pcplan-cache/ in the programme "
            "directory; also PCPLAN_NO_CACHE=1).",
        ),
    ] = False,
) -> None:
    """Check every challenge file and every rule; exit 1 on errors (or warnings with --strict).

    The cross-file rules (duplicate ids, diaries) always compare against the whole
    programme, even when only some files are named. Each file's own results are
    kept in .pcplan-cache/ and reused while the file, programme.yaml, the date and
    pcplan are unchanged.

    Example: pcplan check --format github --strict
    """
    raise typer.Exit(run_check(paths, as_of, strict, fmt.value, no_cache))


# ----------------------------------------------------------------------------- schema


@app.command()
@handles_errors
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Directory to write into; default `schemas/` beside --dir."),
    ] = None,
) -> None:
    """Write the JSON Schemas of a challenge file and of programme.yaml.

    Editors use them through the modeline at the top of each challenge file.

    Example: pcplan schema --out schemas
    """
    from pcplan.directory import show_path
    from pcplan.jsonschema import write_schemas

    target = out if out is not None else Path(STATE.directory).parent / "schemas"
    for path in write_schemas(target):
        sys.stdout.write(f"wrote {show_path(path)}\n")
