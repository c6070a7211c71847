"""The command line's declaration, shared by every command: the typer app, its global
options, and what commands that load one challenge share.

Only the CLI package imports typer and raises ``typer.Exit``; what a command needs at
run time without typer is in :mod:`pcplan.cli.runtime`. The heavy modules (pydantic
models, rules, holidays, icalendar, Rich) are imported inside the commands that need
them, so ``pcplan --version`` stays fast.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, TypeVar

import typer
from typer.core import TyperGroup

from pcplan import __version__
from pcplan.cli.runtime import (
    DEFAULT_DIRECTORY,
    EXPECTED,
    STATE,
    analyse_programme,
    exit_code_for,
    open_directory,
    under_root,
)

if TYPE_CHECKING:
    from pcplan.checker import Analysis
    from pcplan.directory import ProgrammeDir, Walked
    from pcplan.models import Programme
    from pcplan.repo import LoadedFile

F = TypeVar("F", bound=Callable[..., Any])


class _Commands(TyperGroup):
    """pcplan's commands; a `--dir` given after the command is pointed back before it."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        rest = args[1:]
        rest = rest[: rest.index("--")] if "--" in rest else rest
        for index, word in enumerate(rest):
            if word == "--dir" or word.startswith("--dir="):
                value = word[6:] if "=" in word else (rest[index + 1 : index + 2] or ["DIR"])[0]
                ctx.fail(
                    "--dir is a global option: put it before the command, as in "
                    f"`pcplan --dir {_echo(value)} {_echo(args[0])} …`"
                )
        return super().resolve_command(ctx, args)


def _echo(text: str) -> str:
    """An argument as it may be echoed: short, with no control characters."""
    from pcplan.findings import shorten

    return shorten("".join(c if c.isprintable() else ascii(c)[1:-1] for c in text), 60)


app = typer.Typer(
    name="pcplan",
    cls=_Commands,
    help="Plan, check and track children's services peer challenges kept as YAML files.\n\n"
    "Example: pcplan status",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def handles_errors(function: F) -> F:
    """Turn an expected error (:data:`pcplan.cli.runtime.EXPECTED`) into one line on
    stderr and its exit code."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        STATE.exit_code = 0
        try:
            return function(*args, **kwargs)
        except EXPECTED as error:
            raise typer.Exit(exit_code_for(error)) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"pcplan {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_options(
    directory: Annotated[
        str,
        typer.Option(
            "--dir",
            envvar="PCPLAN_DIR",
            metavar="DIR",
            help="The programme directory (programme.yaml and one file per challenge).",
            show_default=True,
        ),
    ] = DEFAULT_DIRECTORY,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Plan, check and track children's services peer challenges kept as YAML files.

    Example: pcplan --dir challenges status --round 9
    """
    STATE.directory = directory


# ----------------------------------------------------------------------------- helpers


class NamedChallenge(NamedTuple):
    """A challenge named on the command line: its file and how findings show it."""

    directory: ProgrammeDir
    path: Path
    display: str
    outside: list[Path]  # [path] when the file is not under the programme directory
    walked: Walked | None = None  # the directory's walk, when it was walked to find the file

    @property
    def focus(self) -> Path:
        """The file as the directory walk finds it (or as named, when outside)."""
        return (
            self.outside[0]
            if self.outside
            else under_root(self.directory.root, self.path) or self.path
        )

    def snapshot(self) -> bytes | None:
        """The file's bytes now (before an edit: see cli.editing._report_edit)."""
        from pcplan.yamlio import YamlProblem, read_regular_file

        try:
            return read_regular_file(self.path)
        except (OSError, YamlProblem):
            return None

    def analyse(self, as_of: date, *, whole: bool = False) -> Analysis:
        """The whole programme's findings (for cross-file rules), with this file in it.

        Only this file is read afresh, and only its model and context are kept
        (:meth:`Analysis.context`); the other files' findings and sightings come
        from the content cache when unchanged. ``whole`` keeps every file's model.
        """
        if not whole:
            focus = [self.focus]
            analysis = analyse_programme(
                as_of, self.outside, cache=True, focus=focus, walked=self.walked
            )
            if any(loaded.path == focus[0] for loaded in analysis.files):
                return analysis
        return analyse_programme(as_of, self.outside)  # (the walk did not find it as named)


def named_challenge(reference: str) -> NamedChallenge:
    """A challenge by id or path (exit 2 if there is none)."""
    from pcplan.directory import names_a_file, show_path, walk_challenges
    from pcplan.repo import find_challenge

    directory = open_directory()
    walked = None if names_a_file(reference) else walk_challenges(directory)
    path = find_challenge(directory, reference, walked[0] if walked is not None else None)
    inside = under_root(directory.root, path)
    if inside is None:
        return NamedChallenge(directory, path, show_path(path), [path], walked)
    return NamedChallenge(directory, path, directory.display(inside), [], walked)


def load_one(reference: str) -> tuple[LoadedFile, Programme | None]:
    """A challenge by id or path, with the programme's registry; exit 1 if it is broken."""
    from pcplan.render.findings import write_text
    from pcplan.repo import load_file, load_programme

    named = named_challenge(reference)
    programme_dir = named.directory
    loaded = load_file(named.path, named.display)
    programme_file = load_programme(programme_dir)
    programme = programme_file.programme
    if programme is None:
        sys.stderr.write(
            f"pcplan: {programme_file.display} cannot be read; using default settings "
            "(run `pcplan check`)\n"
        )
    if loaded.challenge is None:
        from pcplan.findings import CheckResult

        write_text(CheckResult(1, tuple(loaded.findings)), sys.stderr)
        raise typer.Exit(1)
    return loaded, programme


class ShowFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"


class ListFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"
    json = "json"


def check_person(person: str, contexts: Any, programme: Programme | None) -> str:
    """The person's name as the programme writes it: exactly, or the one name that differs
    only by case and spacing. Exit 2 when there is none (with the nearest names) or several.
    """
    import difflib

    from pcplan.errors import UsageError
    from pcplan.findings import shorten
    from pcplan.overview import known_people, matching_names

    people = known_people(contexts, programme)
    matches = matching_names(person, people)
    if len(matches) > 1:
        raise UsageError(
            f"{shorten(person, 80)}: several people differ from this name only by case or "
            f"spacing ({', '.join(matches)}); give the name exactly"
        )
    if not matches:
        close = difflib.get_close_matches(person, sorted(people), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"{shorten(person, 80)}: nobody of this name in the programme{hint}")
    return matches[0]


@contextmanager
def only_the_command_asked(arguments: list[str]) -> Iterator[None]:
    """Build only the command asked for: typer builds every registered command's
    parameters (their annotations evaluated, their converters made) before it parses
    a word, which costs more than a small `check`. `pcplan`, `pcplan --help`, a command
    not known and anything unusual before the command get the whole app, as before."""
    name = _command_asked(arguments)
    registered = app.registered_commands
    chosen = [info for info in registered if _command_name(info) == name]
    app.registered_commands = chosen or registered
    try:
        yield
    finally:
        app.registered_commands = registered


def _command_asked(arguments: list[str]) -> str | None:
    """COMMAND in ``pcplan [--dir DIR] COMMAND …``; None if anything else comes first."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word == "--dir":
            index += 2
        elif word.startswith("--dir="):
            index += 1
        else:
            return None if word.startswith("-") else word
    return None


def _command_name(info: Any) -> str:
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))
