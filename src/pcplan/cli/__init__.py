"""The command line (SPEC §5): parse, call the core, render, map errors to exit codes.

One module per family of commands; importing them registers the commands on
:data:`app` in the order ``--help`` lists them. The heavy modules (pydantic
models, rules, holidays, icalendar, Rich) are imported inside the commands that
need them, so ``pcplan --version`` stays fast.
"""

from __future__ import annotations

# isort: off
from pcplan.cli.common import app, main
from pcplan.cli import check  # noqa: F401  (check, schema)
from pcplan.cli import schedule  # noqa: F401  (schedule)
from pcplan.cli import overview  # noqa: F401  (status, due, calendar, timebank)
from pcplan.cli import editing  # noqa: F401  (new, done, team)
from pcplan.cli import visit  # noqa: F401  (visit)
from pcplan.cli import match  # noqa: F401  (match)
from pcplan.cli import report  # noqa: F401  (report)
# isort: on

__all__ = ["app", "main"]
