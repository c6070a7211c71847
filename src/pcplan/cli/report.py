"""`pcplan report`: the programme as a static web site (SPEC §10)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pcplan.cli.common import app, handles_errors
from pcplan.cli.runtime import analyse_programme, as_of_or_today, report_unreadable


@app.command()
@handles_errors
def report(
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="The folder to write the site into.")
    ] = Path("site"),
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="As of this date; default today.")
    ] = None,
) -> None:
    """A static HTML site of the whole programme: status, timeline, challenges, due, people.

    It works offline and from disk (no JavaScript needed, nothing fetched from outside);
    publish the folder from CI, e.g. on GitHub Pages. The same files and --as-of give
    the same bytes.

    Example: pcplan report --out site --as-of 2026-11-25
    """
    from pcplan.report import build_site, write_site

    day = as_of_or_today(as_of)
    analysis = analyse_programme(day, glances=True)
    report_unreadable(analysis)
    site = build_site(analysis, day)
    changed = write_site(out, site)
    pages = len(site)
    sys.stderr.write(
        f"wrote {out}/index.html: {pages} page{'s' if pages != 1 else ''} ({changed} changed)\n"
    )
