"""`pcplan check` and `pcplan schema`: the rules over the programme, and the JSON Schemas."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pcplan.cli.common import (
    STATE,
    analyse_programme,
    app,
    as_of_or_today,
    handles_errors,
    open_directory,
    under_root,
)
from pcplan.errors import UsageError

# ----------------------------------------------------------------------------- check


class CheckFormat(StrEnum):
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
    from pcplan.directory import show_path
    from pcplan.render.findings import WRITER_BY_FORMAT

    day = as_of_or_today(as_of)
    programme_dir = open_directory()
    only: list[str] | None = None
    extra: list[Path] = []
    if paths:
        only = []
        for path in _expand(paths):
            resolved = under_root(programme_dir.root, path)
            if resolved != programme_dir.programme_path:  # programme.yaml is always read
                extra.append(resolved or path)  # analysed even if the walk would skip it
            only.append(programme_dir.display(resolved) if resolved else show_path(path))
    result = None
    if only is None and not no_cache:  # an unchanged programme: the last verdict stands
        from pcplan.verdict import recall

        result = recall(programme_dir, day)
    if result is None:
        analysis = analyse_programme(day, extra, keep=False, cache=not no_cache)
        result = analysis.result(only)
    STATE.exit_code = 1 if result.failed(strict=strict) else 0  # kept if the reader goes
    WRITER_BY_FORMAT[fmt.value](result, sys.stdout)
    raise typer.Exit(STATE.exit_code)


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the challenge files below it."""
    from pcplan.directory import ProgrammeDir, challenge_paths, show_path

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += challenge_paths(ProgrammeDir(root=path, shown_as=str(path)))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{show_path(path)}: no such file or folder")
    return found


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
