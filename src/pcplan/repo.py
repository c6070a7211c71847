"""A programme directory: finding its files and loading them (SPEC §2).

Loading never raises for bad content: a file that the YAML layer or the schema
refuses becomes findings, and the rest of the programme is still read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pcplan.errors import UsageError
from pcplan.findings import Finding, printable
from pcplan.models import (
    Challenge,
    Private,
    Programme,
    SchemaIssue,
    validate_challenge,
    validate_private,
    validate_programme,
)
from pcplan.yamlio import Document, YamlProblem, decode, load, parse

PROGRAMME_FILE = "programme.yaml"
PRIVATE_ENV = "PCPLAN_PRIVATE"  # names the private constraints file (¶22), kept out of the repo
SUFFIXES = (".yaml", ".yml")


@dataclass(slots=True)
class LoadedFile:
    """One file as read: its document and model when valid, else the findings saying why."""

    path: Path
    display: str
    document: Document | None = None
    model: Challenge | Programme | Private | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass(slots=True)
class ProgrammeDir:
    """Where a programme lives and how its paths are shown."""

    root: Path
    shown_as: str

    @property
    def programme_path(self) -> Path:
        return self.root / PROGRAMME_FILE

    def display(self, path: Path) -> str:
        """A path as findings show it: under the directory as the user named it.

        Control characters and undecodable bytes in a file name are escaped
        (``\\n``, ``\\xff``): a name is shown, never obeyed.
        """
        return show_path(self._as_named(path))

    def _as_named(self, path: Path) -> str:
        text = os.fspath(path)
        root = os.fspath(self.root)
        prefix = "" if root == "." else os.path.join(root, "")
        if text.startswith(prefix) and not (prefix == "" and os.path.isabs(text)):
            tail = text[len(prefix) :]  # (as relative_to gives, for the walk's paths)
            if os.sep == "/" and tail:
                if self.shown_as in ("", "."):
                    return tail
                return f"{self.shown_as.rstrip('/')}/{tail}"
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return str(path)
        if self.shown_as in ("", "."):
            return relative.as_posix()
        return f"{self.shown_as.rstrip('/')}/{relative.as_posix()}"


def show_path(path: str | os.PathLike[str]) -> str:
    """A path for output: control characters and undecodable bytes escaped, no leading ``::``."""
    shown = os.fspath(path)
    return printable(f"./{shown}" if shown.startswith("::") else shown)


@dataclass(frozen=True, slots=True)
class Unreadable:
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


def challenge_paths(programme_dir: ProgrammeDir) -> list[Path]:
    """Every challenge file below the directory: ``*.yaml``/``*.yml`` but programme.yaml.

    Hidden files and folders (``.git``, ``.github``, ``.pre-commit-config.yaml``)
    are never challenge files. Folders that cannot be listed are left out; see
    :func:`walk_challenges` for them.
    """
    return walk_challenges(programme_dir)[0]


def walk_challenges(programme_dir: ProgrammeDir) -> tuple[list[Path], list[Unreadable]]:
    """The challenge files, and the folders that could not be read (never silently skipped)."""
    unreadable: list[Unreadable] = []
    root = programme_dir.root

    def refused(error: OSError) -> None:
        where = Path(error.filename) if error.filename is not None else root
        unreadable.append(Unreadable(where, error.strerror or str(error)))

    # Sorted as paths sort (part by part), by keys of strings: sorting the Paths
    # themselves costs a third of an edit's time on a 1,000-file programme.
    keyed: list[tuple[tuple[str, ...], Path]] = []
    for folder, subfolders, files in os.walk(root, onerror=refused):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        base = Path(folder)
        parts = base.parts
        for name in files:
            if name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            if name == PROGRAMME_FILE and base == root:
                continue
            keyed.append(((*parts, name), base / name))
    keyed.sort(key=lambda item: item[0])
    found = [path for _, path in keyed]
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


def load_programme(programme_dir: ProgrammeDir) -> LoadedFile:
    """programme.yaml, read and validated; its findings say why when it cannot be used."""
    path = programme_dir.programme_path
    return load_file(path, programme_dir.display(path), programme=True)


def private_path(environ: dict[str, str] | None = None) -> Path | None:
    """The private constraints file named by env PCPLAN_PRIVATE, if any."""
    value = (os.environ if environ is None else environ).get(PRIVATE_ENV, "")
    return Path(value) if value.strip() else None


def load_private(path: Path | None = None) -> LoadedFile | None:
    """The private constraints file (``people: [{name, not_with}]``, ¶22), read and validated.

    ``path`` defaults to the file env PCPLAN_PRIVATE names; None when there is
    none. Its problems are findings on that file, never quoted elsewhere.
    """
    path = private_path() if path is None else path
    if path is None:
        return None
    return load_file(path, str(path), kind="private")


def _within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return True


def _problem_finding(display: str, problem: YamlProblem) -> Finding:
    return Finding(display, problem.line, problem.column, "yaml", "error", problem.message)


def load_file(
    path: Path,
    display: str,
    *,
    programme: bool = False,
    root: Path | None = None,
    kind: Literal["challenge", "programme", "private"] = "challenge",
    raw: bytes | None = None,
) -> LoadedFile:
    """Read one file and validate it against its model.

    With ``root``, a symbolic link to something outside that directory is not
    read: a link in a shared repository must not make pcplan quote a private file.
    ``raw``: the file's bytes, already read (by the cache, which hashes them), so
    that what is checked is exactly what was hashed.
    """
    loaded = LoadedFile(path=path, display=display)
    try:
        outside = root is not None and path.is_symlink() and not _within(path, root)
    except OSError as exc:  # no search permission on its folder
        loaded.findings.append(
            Finding(display, 1, 1, "yaml", "error", f"cannot read the file: {exc.strerror}")
        )
        return loaded
    if outside:
        loaded.findings.append(
            Finding(
                display,
                1,
                1,
                "yaml",
                "error",
                "a symbolic link to a file outside the programme directory; pcplan does "
                "not read it. Copy the file in instead",
            )
        )
        return loaded
    try:
        document = load(path)[1] if raw is None else parse(decode(path, raw))
    except YamlProblem as problem:
        loaded.findings.append(_problem_finding(display, problem))
        return loaded
    except OSError as exc:
        loaded.findings.append(
            Finding(display, 1, 1, "yaml", "error", f"cannot read the file: {exc.strerror}")
        )
        return loaded
    loaded.document = document
    if programme:
        kind = "programme"
    result: Challenge | Programme | Private | list[SchemaIssue]
    if kind == "programme":
        result = validate_programme(document.data)
    elif kind == "private":
        result = validate_private(document.data)
    else:
        result = validate_challenge(document.data)
    if isinstance(result, list):
        for issue in result:
            line, column = document.locate(issue.path)
            loaded.findings.append(Finding(display, line, column, "schema", "error", issue.message))
    else:
        loaded.model = result
    return loaded


def find_challenge(programme_dir: ProgrammeDir, reference: str) -> Path:
    """A challenge named by its id or by its path (exit 2 when there is no such challenge)."""
    as_path = Path(reference)
    if reference.endswith(SUFFIXES) or os.sep in reference or "/" in reference:
        try:
            if as_path.is_file():
                return as_path
        except OSError as exc:
            raise UsageError(f"{show_path(reference)}: cannot be read ({exc.strerror})") from None
        raise UsageError(f"{show_path(reference)}: no such challenge file")
    paths = challenge_paths(programme_dir)
    by_stem = [path for path in paths if path.stem == reference]
    if len(by_stem) == 1:
        return by_stem[0]
    if len(by_stem) > 1:
        shown = ", ".join(programme_dir.display(path) for path in by_stem)
        raise UsageError(f"{reference}: several files have this name ({shown}); give a path")
    for path in paths:  # an id that differs from its file name
        loaded = load_file(path, programme_dir.display(path))
        if isinstance(loaded.model, Challenge) and loaded.model.id == reference:
            return path
    import difflib

    close = difflib.get_close_matches(reference, [path.stem for path in paths], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"{reference}: no challenge with this id in {programme_dir.shown_as}{hint}")
