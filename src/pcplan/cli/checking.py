"""`pcplan check` without typer: the command's work, and the quick path that runs it.

`pcplan check` runs on every commit (as a pre-commit hook) and in every CI job, mostly
on small programmes. Importing typer and click and building the command takes about
0.1 s, more than checking 40 files, so :func:`pcplan.cli.runtime.main` asks
:func:`quick_check` first: a plain command line (`pcplan [--dir DIR] check` with the
options below and paths) runs :func:`run_check` directly. Anything else (``--help``,
a value that is not one of the choices, an unknown option, shell completion) is
declined and goes to typer, which also words every usage error. typer's declaration of
the command (:mod:`pcplan.cli.check`) holds the help text and calls :func:`run_check`
too; tests/test_quick.py checks that the two read every command line the quick path
takes in the same way.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from pcplan.cli.runtime import (
    DEFAULT_DIRECTORY,
    STATE,
    analyse_programme,
    as_of_or_today,
    open_directory,
    under_root,
)
from pcplan.errors import UsageError

CHECK_FORMATS = ("text", "github", "json")  # --format (pcplan.cli.check.CheckFormat)

# The options of `check` the quick path reads, by the parameter of run_check they set.
FLAGS = {"--strict": "strict", "--no-cache": "no_cache"}
VALUES = {"--as-of": "as_of", "--format": "fmt"}


def run_check(
    paths: list[Path] | None, as_of: str | None, strict: bool, fmt: str, no_cache: bool
) -> int:
    """Check the programme and write the findings; the exit code (see `pcplan check --help`)."""
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
    WRITER_BY_FORMAT[fmt](result, sys.stdout)
    return STATE.exit_code


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the challenge files below it."""
    from pcplan.directory import ProgrammeDir, challenge_paths, show_path

    found: list[Path] = []
    for path in paths:
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as error:  # a name too long for the file system, a loop of links
            raise UsageError(f"{show_path(path)}: cannot be read ({error.strerror})") from None
        if is_dir:
            found += challenge_paths(ProgrammeDir(root=path, shown_as=str(path)))
        elif is_file:
            found.append(path)
        else:
            raise UsageError(f"{show_path(path)}: no such file or folder")
    return found


def quick_check(arguments: list[str], environ: Mapping[str, str]) -> Callable[[], int] | None:
    """`pcplan [--dir DIR] check [OPTIONS] [PATHS]…` read without typer, ready to run;
    None for any other command line, which typer then reads.

    Declined, to be safe: any word typer might read otherwise (one that starts with
    ``-`` and is not an option below, a value that starts with ``-`` or is empty, an
    empty word), a value that is not one of the choices, an empty PCPLAN_DIR, and shell
    completion (``_PCPLAN_COMPLETE``).
    """
    if any(name[:1] == "_" and name.endswith("_COMPLETE") for name in environ):
        return None  # (click's shell completion: _PCPLAN_COMPLETE, named after the program)
    directory = environ.get("PCPLAN_DIR", DEFAULT_DIRECTORY)
    index = 0
    while index < len(arguments) and arguments[index].startswith("--dir"):
        word = arguments[index]
        if word == "--dir" and index + 1 < len(arguments):
            directory = arguments[index + 1]
            index += 2
        elif word.startswith("--dir="):
            directory = word[len("--dir=") :]
            index += 1
        else:
            return None
        if not directory or directory.startswith("-"):
            return None
    if not directory or arguments[index : index + 1] != ["check"]:
        return None
    options: dict[str, str | bool | None] = {
        "as_of": None,
        "strict": False,
        "fmt": CHECK_FORMATS[0],
        "no_cache": False,
    }
    paths: list[Path] = []
    words = iter(arguments[index + 1 :])
    only_paths = False
    for word in words:
        if not word:
            return None
        if only_paths or not word.startswith("-"):
            paths.append(Path(word))
        elif word == "--":
            only_paths = True
        elif word in FLAGS:
            options[FLAGS[word]] = True
        else:
            name, equals, value = word.partition("=")
            if name not in VALUES:
                return None
            value = value if equals else next(words, "")
            if not value or value.startswith("-"):
                return None
            options[VALUES[name]] = value
    if options["fmt"] not in CHECK_FORMATS:
        return None

    def command() -> int:
        STATE.directory = directory
        return run_check(paths or None, **options)  # type: ignore[arg-type]

    return command
