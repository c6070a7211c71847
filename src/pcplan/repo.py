"""A programme directory: finding its files and loading them (SPEC §2).

Loading never raises for bad content: a file that the YAML layer or the schema
refuses becomes findings, and the rest of the programme is still read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, overload

from pcplan.directory import (
    FilePath,
    ProgrammeDir,
    as_path,
    names_a_file,
    private_path,
    show_path,
    walk_challenges,
)
from pcplan.errors import UsageError
from pcplan.fileio import IsALink
from pcplan.findings import Finding
from pcplan.records import Record
from pcplan.yamlio import (
    Document,
    YamlProblem,
    decode,
    load,
    parse,
    read_regular_file,
    read_source,
)

if TYPE_CHECKING:
    from pcplan.models import Challenge, Private, Programme, SchemaIssue


class LoadedFile(Record):
    """One file as read: its document and model when valid, else the findings saying why.

    Its path may be given as text (as the walk gives it): it becomes a :class:`Path`
    when first asked for, since most files of a large check are never asked (making
    a Path of each cost more than the walk).
    """

    __slots__ = ("display", "document", "findings", "given_path", "kind", "model")

    def __init__(
        self,
        path: FilePath,
        display: str,
        document: Document | None = None,
        model: Challenge | Programme | Private | None = None,
        findings: list[Finding] | None = None,
        kind: Literal["challenge", "programme", "private"] = "challenge",
    ) -> None:
        self.given_path = path
        self.display = display
        self.document = document
        self.model = model
        self.findings = [] if findings is None else findings
        self.kind = kind

    @property
    def path(self) -> Path:
        """The file's path (made a Path once, when first asked for)."""
        self.given_path = path = as_path(self.given_path)
        return path

    def _fields(self) -> tuple[Any, ...]:  # (a path given as text equals its Path)
        return (self.path, self.display, self.document, self.findings, self.kind, self.model)

    @property
    def challenge(self) -> Challenge | None:
        """The model of a valid challenge file (None for any other file, or a broken one)."""
        return cast("Challenge", self.model) if self.kind == "challenge" else None

    @property
    def programme(self) -> Programme | None:
        """The model of a valid programme.yaml."""
        return cast("Programme", self.model) if self.kind == "programme" else None

    @property
    def private(self) -> Private | None:
        """The model of a valid private constraints file."""
        return cast("Private", self.model) if self.kind == "private" else None


def load_programme(programme_dir: ProgrammeDir, *, cache: bool = False) -> LoadedFile:
    """programme.yaml, read and validated; its findings say why when it cannot be used.

    With ``cache``, what parsing its bytes gave is kept in (and read back from) the
    programme's cache folder (:func:`pcplan.cache.recall_document`).
    """
    path = programme_dir.programme_path
    remember = programme_dir.root if cache else None
    return load_file(path, programme_dir.display(path), programme=True, remember=remember)


def load_private(path: Path | None = None) -> LoadedFile | None:
    """The private constraints file (``people: [{name, not_with}]``, ¶22), read and validated.

    ``path`` defaults to the file env PCPLAN_PRIVATE names; None when there is
    none. Its problems are findings on that file, never quoted elsewhere.
    """
    path = private_path() if path is None else path
    if path is None:
        return None
    return load_file(path, str(path), kind="private")


def _read_within(path: FilePath, root: Path) -> bytes | None:
    """The file's bytes, or None when it is a symbolic link to something outside ``root``."""
    try:
        return read_regular_file(path, links=False)
    except IsALink:
        pass
    return read_regular_file(path) if _within(path, root) else None


def _outside_finding(display: str) -> Finding:
    return Finding(
        display,
        1,
        1,
        "yaml",
        "error",
        "a symbolic link to a file outside the programme directory; pcplan does "
        "not read it. Copy the file in instead",
    )


def _within(path: FilePath, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return False
    return True


def _parse_remembered(path: FilePath, root: Path) -> Document:
    """A file parsed, or what parsing the same bytes gave before (see pcplan.cache)."""
    from pcplan.cache import keep_document, recall_document

    source = read_source(path)
    document: Document | None = recall_document(root, source.raw)
    if document is None:
        document = parse(source)
        keep_document(root, source.raw, document)
    return document


def _problem_finding(display: str, problem: YamlProblem) -> Finding:
    return Finding(display, problem.line, problem.column, "yaml", "error", problem.message)


def load_file(
    path: FilePath,
    display: str,
    *,
    programme: bool = False,
    root: Path | None = None,
    kind: Literal["challenge", "programme", "private"] = "challenge",
    raw: bytes | None = None,
    remember: Path | None = None,
) -> LoadedFile:
    """Read one file and validate it against its model.

    With ``root``, a symbolic link to something outside that directory is not
    read: a link in a shared repository must not make pcplan quote a private file.
    ``raw``: the file's bytes, already read (by the cache, which hashes them), so
    that what is checked is exactly what was hashed. ``remember``: the programme
    directory whose cache folder keeps what parsing the file gave.
    """
    if programme:
        kind = "programme"
    loaded = LoadedFile(path=path, display=display, kind=kind)
    try:
        if root is not None and raw is None and remember is None:
            raw = _read_within(path, root)  # (the common case: one system call fewer)
            if raw is None:
                loaded.findings.append(_outside_finding(display))
                return loaded
        elif root is not None and os.path.islink(path) and not _within(path, root):
            loaded.findings.append(_outside_finding(display))
            return loaded
        if raw is not None:
            document = parse(decode(path, raw))
        elif remember is not None:
            document = _parse_remembered(path, remember)
        else:
            document = load(path)[1]
    except YamlProblem as problem:
        loaded.findings.append(_problem_finding(display, problem))
        return loaded
    except OSError as exc:  # (or no search permission on its folder)
        loaded.findings.append(
            Finding(display, 1, 1, "yaml", "error", f"cannot read the file: {exc.strerror}")
        )
        return loaded
    loaded.document = document
    result = validate_data(kind, document.data, len(document.positions))
    if isinstance(result, list):
        for issue in result:
            line, column = document.locate(issue.path)
            loaded.findings.append(Finding(display, line, column, "schema", "error", issue.message))
    else:
        loaded.model = result
    return loaded


@overload
def validate_data(
    kind: Literal["challenge"], data: dict[str, Any], size: int | None = None
) -> Challenge | list[SchemaIssue]: ...
@overload
def validate_data(
    kind: Literal["challenge", "programme", "private"],
    data: dict[str, Any],
    size: int | None = None,
) -> Challenge | Programme | Private | list[SchemaIssue]: ...
def validate_data(
    kind: Literal["challenge", "programme", "private"],
    data: dict[str, Any],
    size: int | None = None,
) -> Challenge | Programme | Private | list[SchemaIssue]:
    """The model of data of this kind, or its schema issues.

    ``size``: how many keys and list items the data holds, when known (the
    document's positions; see models.validate).

    Data that the models' plain twins take as it is (nearly every file, nearly every
    time) needs no pydantic, which costs more to import than checking a small
    programme; anything else is the models' to decide and to word (see pcplan.twingen).
    """
    from pcplan import twins

    twin: Any = getattr(twins, kind)(data)
    if twin is not None:  # (a twin has every field of its model: read as one)
        return cast("Challenge | Programme | Private", twin)
    from pcplan import models

    if kind == "programme":
        return models.validate_programme(data, size)
    if kind == "private":
        return models.validate_private(data, size)
    return models.validate_challenge(data, size)


def find_challenge(
    programme_dir: ProgrammeDir, reference: str, paths: list[str] | None = None
) -> Path:
    """A challenge named by its id or by its path (exit 2 when there is no such challenge).

    ``paths``: the challenge files, when the caller has walked the directory already.
    """
    as_path = Path(reference)
    if names_a_file(reference):
        try:
            if as_path.is_file():
                return as_path
        except OSError as exc:
            raise UsageError(f"{show_path(reference)}: cannot be read ({exc.strerror})") from None
        raise UsageError(f"{show_path(reference)}: no such challenge file")
    if paths is None:
        paths = walk_challenges(programme_dir)[0]
    stems = [os.path.splitext(os.path.basename(path))[0] for path in paths]  # (as Path.stem)
    by_stem = [path for path, stem in zip(paths, stems, strict=True) if stem == reference]
    if len(by_stem) == 1:
        return Path(by_stem[0])
    if len(by_stem) > 1:
        shown = ", ".join(programme_dir.display(path) for path in by_stem)
        raise UsageError(f"{reference}: several files have this name ({shown}); give a path")
    for path in paths:  # an id that differs from its file name
        loaded = load_file(Path(path), programme_dir.display(path))
        challenge = loaded.challenge
        if challenge is not None and challenge.id == reference:
            return Path(path)
    import difflib

    close = difflib.get_close_matches(reference, stems, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UsageError(f"{reference}: no challenge with this id in {programme_dir.shown_as}{hint}")
