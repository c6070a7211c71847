"""Edits that never lose a byte (SPEC §6): splice text, verify, write atomically.

pcplan does not load a file into a tree and dump it back: no YAML emitter keeps
every comment, quote style, blank line and line ending. Instead an edit is a
*splice*: the parser's events say exactly where a value, a mapping or a sequence
sits in the text, and the edit replaces or inserts only the characters it is
about. The result is parsed again and must give exactly the data intended;
otherwise the edit is refused rather than written.

Writing is atomic: a temporary file in the same directory, fsync, then
``os.replace``, keeping the file's mode; symlinks are refused, and so is a file
that changed on disk since it was read.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pcplan.errors import WriteRefused
from pcplan.yamlio import (
    Document,
    KeyPath,
    NumberTooLong,
    Source,
    Span,
    YamlProblem,
    decode,
    parse,
    read_regular_file,
    resolve_plain,
)

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.'()&/+-]*")  # no comma: flow-safe


def yaml_scalar(value: str | bool | int | date) -> str:
    """A value as YAML text: plain when that reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    try:
        plain = _PLAIN_SAFE.fullmatch(value) and not value.endswith(" ")
        if plain and resolve_plain(value) == value:
            return value
    except NumberTooLong:
        pass
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    return f'"{escaped}"'


@dataclass(slots=True)
class Splice:
    """Replace ``text[start:end]`` with ``insert``."""

    start: int
    end: int
    insert: str


class Editor:
    """One file, read once; one edit at a time, verified before it is written."""

    def __init__(self, path: Path) -> None:
        if path.is_symlink():
            raise WriteRefused(
                f"{path}: is a symbolic link; pcplan edits only regular files "
                "(edit the file it points to)"
            )
        self.path = path
        try:
            self.raw = read_regular_file(path)
        except OSError as exc:
            raise WriteRefused(f"{path}: cannot read: {exc.strerror}") from None
        except YamlProblem as problem:
            raise WriteRefused(f"{path}: {problem.message}") from None
        try:
            self.source: Source = decode(path, self.raw)
            self.document: Document = parse(self.source, spans=True)
        except YamlProblem as problem:
            raise WriteRefused(
                f"{path}:{problem.line}:{problem.column}: {problem.message}; fix this before "
                "editing with pcplan"
            ) from None
        self.text = self.source.text
        self.expected: dict[str, Any] = copy.deepcopy(self.document.data)
        self._splices: list[Splice] = []

    # -- what the data looks like ------------------------------------------------

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data

    def _span(self, path: KeyPath) -> Span:
        assert self.document.spans is not None
        return self.document.spans[path]

    def _key_span(self, path: KeyPath) -> Span:
        assert self.document.key_spans is not None
        return self.document.key_spans[path]

    def _value(self, path: KeyPath) -> Any:
        value: Any = self.data
        for part in path:
            value = value[part]
        return value

    # -- edits ---------------------------------------------------------------------

    def set_value(self, mapping_path: KeyPath, key: str, value: str | bool | date) -> None:
        """Set ``key`` in the mapping at ``mapping_path`` (creating the mapping if needed)."""
        text = yaml_scalar(value)
        plain = value.isoformat() if isinstance(value, date) else value
        self._apply_expected(
            mapping_path, lambda parent: parent.__setitem__(key, plain), create=dict
        )
        target = self._existing(mapping_path)
        if target is None:
            self._create_under(mapping_path, [f"{key}: {text}"])
            return
        if isinstance(target, dict) and key in target:
            span = self._span((*mapping_path, key))
            if span.kind != "scalar":
                self._refuse(f"`{key}` holds a list or mapping, not a single value")
            if span.start == span.end:  # `key:` with nothing after it
                self._fill_empty(span.start, text)
            else:
                self._splices.append(Splice(span.start, span.end, text))
            return
        if not isinstance(target, dict):
            self._refuse(f"`{'.'.join(map(str, mapping_path))}` is not a mapping")
        self._insert_into_mapping(mapping_path, [f"{key}: {text}"])

    def _fill_empty(self, at: int, text: str) -> None:
        """Write a value after ``key:``; a comment further along the line keeps its column."""
        gap = len(self.text[at:]) - len(self.text[at:].lstrip(" "))
        follows_comment = self.text[at + gap : at + gap + 1] == "#"
        take = len(text) + 1 if follows_comment and gap - (len(text) + 1) >= 1 else 0
        self._splices.append(Splice(at, at + take, f" {text}"))

    def append_item(self, sequence_path: KeyPath, item: dict[str, str | bool]) -> None:
        """Append a mapping to the sequence at ``sequence_path`` (creating it if needed)."""
        self._apply_expected(sequence_path, lambda parent: parent.append(dict(item)), create=list)
        entries = [f"{key}: {yaml_scalar(value)}" for key, value in item.items()]
        target = self._existing(sequence_path)
        if target is None:
            self._create_under(sequence_path, entries, sequence=True)
            return
        if not isinstance(target, list):
            self._refuse(f"`{'.'.join(map(str, sequence_path))}` is not a list")
        span = self._span(sequence_path)
        if span.flow or not target:
            self._insert_flow(sequence_path, "{" + ", ".join(entries) + "}", closing="]")
            return
        first = self._span((*sequence_path, 0))
        dash = self.text.rfind("-", 0, first.start)
        dash_column = dash - self._line_start(dash)
        if (
            self._line_start(dash) != self._line_start(first.start)
            or first.kind != "mapping"
            or (first.flow)
        ):
            self._refuse("the list's items are not written as `- key: value` blocks")
        item_column = first.start - self._line_start(first.start)
        lines = [" " * dash_column + "-" + " " * (item_column - dash_column - 1) + entries[0]]
        lines += [" " * item_column + entry for entry in entries[1:]]
        self._insert_after(
            self._end_of_last_child(sequence_path, len(target) - 1), lines, keep_with=item_column
        )

    # -- splicing helpers --------------------------------------------------------------

    def _apply_expected(
        self, path: KeyPath, change: Callable[[Any], None], *, create: type
    ) -> None:
        """Make the same change to a copy of the data, to verify the splice against."""
        node: Any = self.expected
        for index, part in enumerate(path):
            if isinstance(node, dict) and node.get(part) is None:
                node[part] = {} if index < len(path) - 1 else create()
            node = node[part]
        change(node)

    def _existing(self, path: KeyPath) -> Any:
        """The value at ``path``, or None when it is absent or empty (``key:``)."""
        try:
            return self._value(path)
        except (KeyError, IndexError, TypeError):
            return None

    def _insert_into_mapping(self, mapping_path: KeyPath, entries: list[str]) -> None:
        span = self._span(mapping_path)
        mapping = self._value(mapping_path)
        if span.flow or not mapping:
            self._insert_flow(mapping_path, ", ".join(entries), closing="}")
            return
        first_key = self._key_span((*mapping_path, next(iter(mapping))))
        column = first_key.start - self._line_start(first_key.start)
        if self._line_start(first_key.start) != self._line_start(first_key.start - column) or (
            self.text[self._line_start(first_key.start) : first_key.start].strip(" -")
        ):
            self._refuse("the mapping's keys do not start their lines")
        last_key = list(mapping)[-1]
        self._insert_after(
            self._end_of_last_child(mapping_path, last_key),
            [" " * column + e for e in entries],
            keep_with=column,
        )

    def _insert_flow(self, path: KeyPath, entry: str, *, closing: str) -> None:
        span = self._span(path)
        value = self._value(path)
        if self.text[span.end - 1] != closing:
            self._refuse("an inline {…} or […] value could not be edited in place")
        if value:
            last = list(value)[-1] if isinstance(value, dict) else len(value) - 1
            end = self._span((*path, last)).end
            self._splices.append(Splice(end, end, f", {entry}"))
        else:
            self._splices.append(Splice(span.start + 1, span.start + 1, entry))

    def _create_under(self, path: KeyPath, entries: list[str], *, sequence: bool = False) -> None:
        """``path``'s key is absent or empty: write a new block under its parent."""
        parent_path, key = path[:-1], path[-1]
        parent = self._existing(parent_path)
        unit = self._indent_unit()
        if isinstance(parent, dict) and key in parent:  # `key:` with no value: a block below it
            key_span = self._key_span(path)
            indent = key_span.start - self._line_start(key_span.start) + unit
            lines = self._block(entries, indent, sequence=sequence, unit=unit)
            value_span = self._span(path)
            if value_span.kind != "scalar" or value_span.style:
                self._refuse(f"`{key}` has a value pcplan cannot extend")
            if value_span.start != value_span.end:  # `key: ~` or `key: null`: now a block
                self._splices.append(Splice(value_span.start, value_span.end, ""))
            self._insert_after(value_span.end, lines)
            return
        if parent_path:
            self._refuse(f"`{'.'.join(map(str, parent_path))}` is missing")
        lines = [f"{key}:", *self._block(entries, unit, sequence=sequence, unit=unit)]
        newline = self.source.newline
        body = newline.join(lines)
        if self.text.endswith(("\n", "\r")) or not self.text:
            self._splices.append(Splice(len(self.text), len(self.text), body + newline))
        else:
            self._splices.append(Splice(len(self.text), len(self.text), newline + body))

    @staticmethod
    def _block(entries: list[str], indent: int, *, sequence: bool, unit: int) -> list[str]:
        if not sequence:
            return [" " * indent + entry for entry in entries]
        first, *rest = entries
        return [" " * indent + "- " + first] + [" " * (indent + 2) + e for e in rest]

    def _indent_unit(self) -> int:
        """How far this file indents a nested block mapping (2 unless it shows otherwise)."""
        assert self.document.key_spans is not None
        for path, span in self.document.key_spans.items():
            if len(path) != 2 or not isinstance(self._value(path[:1]), dict):
                continue
            parent = self._key_span(path[:1])
            if self._span(path[:1]).flow or span.line == parent.line:
                continue  # `fieldwork: {start: …}` says nothing about block indentation
            step = span.column - parent.column
            if step > 0:
                return step
        return 2

    def _end_of_last_child(self, path: KeyPath, last: str | int) -> int:
        return self._content_end((*path, last))

    def _content_end(self, path: KeyPath) -> int:
        """Where a value's own text ends: a block collection ends with its last child.

        (A block collection's end *event* comes at the next token, after any blank
        lines and comments that belong to what follows.)
        """
        span = self._span(path)
        value = self._value(path)
        if span.kind == "scalar" or span.flow or not value:
            return span.end
        last = list(value)[-1] if isinstance(value, dict) else len(value) - 1
        return self._content_end((*path, last))

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _insert_after(self, index: int, lines: list[str], *, keep_with: int | None = None) -> None:
        """Insert whole lines after the line holding ``index``.

        A block scalar (``|``) ends at the start of the following line: insert there.
        Comment lines that follow, indented at least ``keep_with``, belong to what
        is above them and stay with it. On a last line with no final newline, the
        file keeps having none.
        """
        newline = self.source.newline
        text = self.text
        if index > 0 and text[index - 1] == "\n":
            at = index
        else:
            end = text.find("\n", index)
            if end == -1:
                self._splices.append(
                    Splice(len(text), len(text), "".join(newline + line for line in lines))
                )
                return
            at = end + 1
        if keep_with is not None:
            while at < len(text):
                end = text.find("\n", at)
                line = text[at : len(text) if end == -1 else end]
                stripped = line.lstrip(" ")
                if not stripped.startswith("#") or len(line) - len(stripped) < keep_with:
                    break
                if end == -1:  # a last comment line with no final newline
                    self._splices.append(
                        Splice(len(text), len(text), "".join(newline + line for line in lines))
                    )
                    return
                at = end + 1
        self._splices.append(Splice(at, at, "".join(line + newline for line in lines)))

    def _refuse(self, why: str) -> None:
        raise WriteRefused(
            f"{self.path}: pcplan cannot make this edit without reformatting the file ({why}); "
            "edit it by hand"
        )

    # -- result -----------------------------------------------------------------------

    def new_text(self) -> str:
        """The edited text, verified to mean exactly the intended data."""
        if not self._splices:
            return self.text
        text = self.text
        for splice in sorted(self._splices, key=lambda s: s.start, reverse=True):
            text = text[: splice.start] + splice.insert + text[splice.end :]
        try:
            again = parse(decode(self.path, text.encode("utf-8")))
        except YamlProblem as problem:
            self._refuse(f"the result would not parse: {problem.message}")
            raise  # pragma: no cover - _refuse raises
        if again.data != self.expected:
            self._refuse("the result would not read back as intended")
        return text

    def new_bytes(self) -> bytes:
        text = self.new_text()
        return ("\ufeff" if self.source.bom else "").encode("utf-8") + text.encode("utf-8")

    def save(self) -> bool:
        """Write the edit if there is one; True when the file changed."""
        data = self.new_bytes()
        if data == self.raw:
            return False
        write_atomic(self.path, data, expected=self.raw)
        return True


def write_atomic(path: Path, data: bytes, *, expected: bytes | None, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once, or leave it exactly as it was.

    ``expected`` is what the file held when it was read (``None``: it must not
    exist yet). A symlink, or a file that changed meanwhile, is refused.
    ``durable=False`` skips the fsyncs (still atomic for readers): for files that are
    made again from the data, such as the report's thousand pages.
    """
    if path.is_symlink():
        raise WriteRefused(f"{path}: is a symbolic link; pcplan will not write through it")
    current = current_bytes(path)
    if current != expected:
        raise WriteRefused(
            f"{path}: changed on disk while pcplan was working; nothing was written, run the "
            "command again"
        )
    if current is not None:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    directory = path.parent
    try:
        handle, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f".{path.name}.", suffix=".pcplan-tmp"
        )
    except OSError as exc:
        raise WriteRefused(f"{path}: cannot write here: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if durable:
                os.fsync(out.fileno())
        os.chmod(temp_name, mode)
        if current is not None:
            _keep_owner(temp_name, path)
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise WriteRefused(
                f"{path}: could not write ({exc.strerror or exc}); the file is unchanged"
            ) from None
        raise
    if durable:
        _fsync_directory(directory)


def _keep_owner(temp_name: str, path: Path) -> None:
    """Give the new file the old one's owner and group, where we are allowed to."""
    status = os.stat(path)
    with contextlib.suppress(OSError):
        os.chown(temp_name, status.st_uid, status.st_gid)


def current_bytes(path: Path) -> bytes | None:
    """What ``path`` holds now, or None when there is no such file.

    Only regular files are read (a FIFO would block); the edits' files are at most
    1 MiB, an output file such as a calendar may be larger.
    """
    try:
        return read_regular_file(path, limit=1 << 30)
    except FileNotFoundError:
        return None
    except YamlProblem as problem:
        raise WriteRefused(f"{path}: {problem.message}; not written") from None
    except OSError as exc:
        raise WriteRefused(f"{path}: cannot read: {exc.strerror}") from None


def replace_file(path: Path, data: bytes) -> None:
    """Write an output file (such as a calendar) whatever it held, all at once."""
    write_atomic(path, data, expected=current_bytes(path))


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
