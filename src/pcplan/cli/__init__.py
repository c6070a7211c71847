"""The command line (SPEC §5): parse, call the core, render, map errors to exit codes.

One module per family of commands; importing them registers the commands on the
typer app in the order ``--help`` lists them. ``app`` and ``main`` are found here
on first use, so that :mod:`pcplan.cli.runtime` and :mod:`pcplan.cli.checking` can run
a plain `pcplan check` without importing typer at all. The heavy modules (pydantic
models, rules, holidays, icalendar, Rich) are imported inside the commands that need
them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typer import Typer

__all__ = ["app", "load_app", "main"]


def load_app() -> Typer:
    """The typer app with every command registered."""
    from pcplan.cli.common import app

    # isort: off
    from pcplan.cli import check  # noqa: F401  (check, schema)
    from pcplan.cli import schedule  # noqa: F401  (schedule)
    from pcplan.cli import overview  # noqa: F401  (status, due, calendar, timebank)
    from pcplan.cli import editing  # noqa: F401  (new, done, team)
    from pcplan.cli import visit  # noqa: F401  (visit)
    from pcplan.cli import match  # noqa: F401  (match)
    from pcplan.cli import report  # noqa: F401  (report)
    # isort: on

    return app


def __getattr__(name: str) -> Any:
    if name == "app":
        globals()["app"] = app = load_app()
        return app
    if name == "main":
        from pcplan.cli.runtime import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
