"""A programme directory: where it is, which files in it are challenges, how paths show.

Only the standard library: the commands that answer from the content cache
(:mod:`pcplan.verdict`) walk the directory without loading pydantic or the models.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from pcplan.errors import UsageError
from pcplan.findings import Finding, printable
from pcplan.records import Record

PROGRAMME_FILE = "programme.yaml"
PRIVATE_ENV = "PCPLAN_PRIVATE"  # names the private constraints file (¶22), kept out of the repo
SUFFIXES = (".yaml", ".yml")


class ProgrammeDir(Record):
    """Where a programme lives and how its paths are shown."""

    __slots__ = ("root", "shown_as")

    def __init__(self, root: Path, shown_as: str) -> None:
        self.root = root
        self.shown_as = shown_as

    @property
    def programme_path(self) -> Path:
        return self.root / PROGRAMME_FILE

    def display(self, path: Path | str) -> str:
        """A path as findings show it: under the directory as the user named it.

        Control characters and undecodable bytes in a file name are escaped
        (``\\n``, ``\\xff``): a name is shown, never obeyed.
        """
        return show_path(self._as_named(path))

    def displays(self, paths: list[FilePath]) -> list[str]:
        """:meth:`display` of each path, in one pass for the walk's (thousands of) paths."""
        prefix, lead = _layout(os.fspath(self.root), self.shown_as)
        cut = len(prefix)
        if os.sep == "/" and not lead.startswith(":"):
            named = [
                lead + path[cut:]
                if path.__class__ is str
                and path.startswith(prefix)
                and len(path) > cut
                and (cut or path[:1] != "/")
                else ""
                for path in paths
            ]  # (as _as_named; "" where a path needs the longer way)
            printable = all(named) and "".join(named).isprintable()
            if printable and (lead or not any(name.startswith("::") for name in named)):
                return named  # (as show_path would leave every one of them)
        return [self.display(path) for path in paths]

    def _as_named(self, path: Path | str) -> str:
        text = os.fspath(path)
        prefix, lead = _layout(os.fspath(self.root), self.shown_as)
        if text.startswith(prefix) and not (prefix == "" and os.path.isabs(text)):
            tail = text[len(prefix) :]  # (as relative_to gives, for the walk's paths)
            if os.sep == "/" and tail:
                return lead + tail
        try:
            relative = Path(path).relative_to(self.root)
        except ValueError:
            return str(path)
        if self.shown_as in ("", "."):
            return relative.as_posix()
        return f"{self.shown_as.rstrip('/')}/{relative.as_posix()}"


@functools.cache
def _layout(root: str, shown_as: str) -> tuple[str, str]:
    """How a path under ``root`` is shown (ProgrammeDir._as_named): the prefix taken off
    it, and the text put before what remains. (Worked out once: it runs for every file.)"""
    prefix = "" if root == "." else os.path.join(root, "")
    lead = "" if shown_as in ("", ".") else f"{shown_as.rstrip('/')}/"
    return prefix, lead


def show_path(path: str | os.PathLike[str]) -> str:
    """A path for output: control characters and undecodable bytes escaped, no leading ``::``."""
    shown = os.fspath(path)
    return printable(f"./{shown}" if shown.startswith("::") else shown)


class Unreadable(NamedTuple):
    """A folder below the programme directory that pcplan could not list."""

    path: Path
    reason: str


def open_programme_dir(directory: str | os.PathLike[str]) -> ProgrammeDir:
    """Check that a programme directory exists and has a programme.yaml (else exit 2)."""
    shown = os.fspath(directory)
    root = Path(shown)
    try:
        is_dir = root.is_dir()
        has_programme = is_dir and (root / PROGRAMME_FILE).is_file()
    except OSError as exc:  # no search permission on the way
        raise UsageError(f"{show_path(shown)}: cannot be read ({exc.strerror})") from None
    if not is_dir:
        raise UsageError(
            f"{show_path(shown)}: no such programme directory; run pcplan in the folder holding "
            "`challenges/`, or give --dir DIR (or PCPLAN_DIR)"
        )
    if not has_programme:
        raise UsageError(
            f"{show_path(shown)}: no {PROGRAMME_FILE} here; a programme directory holds "
            f"{PROGRAMME_FILE} (authorities, people, settings) and one file per challenge"
        )
    return ProgrammeDir(root=root, shown_as=shown)


def names_a_file(reference: str) -> bool:
    """Is a challenge named on the command line by its file's path (else by its id)?"""
    return reference.endswith(SUFFIXES) or os.sep in reference or "/" in reference


def challenge_paths(programme_dir: ProgrammeDir) -> list[Path]:
    """Every challenge file below the directory: ``*.yaml``/``*.yml`` but programme.yaml.

    Hidden files and folders (``.git``, ``.github``, ``.pre-commit-config.yaml``)
    are never challenge files. Folders that cannot be listed are left out; see
    :func:`walk_challenges` for them.
    """
    return [Path(path) for path in walk_challenges(programme_dir)[0]]


# What walk_challenges gives: the challenge files' paths as text (each as the Path of the
# same text would show it), and the folders that could not be read.
Walked = tuple[list[str], list[Unreadable]]
# A challenge file's path: as text from the walk, a Path when named on the command line;
# made a Path only where one is asked for (LoadedFile.path, ChallengeContext.path).
FilePath = Path | str


def as_path(path: FilePath) -> Path:
    """A path given as text (the walk's) or as a Path, as a Path."""
    return path if isinstance(path, Path) else Path(path)


def walk_challenges(programme_dir: ProgrammeDir) -> Walked:
    """The challenge files, and the folders that could not be read (never silently skipped).

    Files come sorted as paths sort (part by part): each folder's entries are taken in
    the order of their names, a subfolder's files where its name falls. Folders reached
    through a symbolic link are not walked (as ``os.walk`` does not). Paths are text,
    joined as :class:`~pathlib.Path` joins them: making a Path of every file cost more
    than the walk itself, and most of them are only looked up in the cache.
    """
    unreadable: list[Unreadable] = []
    found: list[str] = []

    def listed(folder: str) -> tuple[Iterator[os.DirEntry[str]], str] | None:
        """A folder's entries in name order and the text its paths start with (None and
        the folder kept in ``unreadable`` when it cannot be listed)."""
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            where = error.filename if error.filename is not None else folder
            unreadable.append(Unreadable(Path(where), error.strerror or str(error)))
            return None
        lead = "" if folder == "." else folder if folder.endswith("/") else f"{folder}/"
        return iter(entries), lead

    # Depth first with a stack of the folders being listed, not by recursion: a tree of
    # a thousand nested folders must not exhaust Python's recursion limit.
    top = listed(os.fspath(programme_dir.root))
    stack = [] if top is None else [top]
    while stack:
        entries, lead = stack[-1]
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if not entry.is_symlink() and (inner := listed(lead + name)) is not None:
                    stack.append(inner)  # (its files come before the rest of this folder's)
                    break
            elif name.endswith(SUFFIXES) and not (len(stack) == 1 and name == PROGRAMME_FILE):
                found.append(lead + name)
        else:
            stack.pop()
    unreadable.sort(key=lambda entry: entry.path)
    return found, unreadable


def unreadable_finding(programme_dir: ProgrammeDir, entry: Unreadable) -> Finding:
    """A folder pcplan could not list: a `yaml` error, so that `check` fails rather than skip it."""
    return Finding(
        programme_dir.display(entry.path),
        1,
        1,
        "yaml",
        "error",
        f"this folder cannot be read ({entry.reason}), so the challenge files in it are not "
        "checked; give pcplan read and search permission on it, or move it out",
    )


def private_path(environ: dict[str, str] | None = None) -> Path | None:
    """The private constraints file named by env PCPLAN_PRIVATE, if any."""
    value = (os.environ if environ is None else environ).get(PRIVATE_ENV, "")
    return Path(value) if value.strip() else None
