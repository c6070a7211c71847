"""Edits that never lose a byte (SPEC §6): splice text, verify, write atomically.

pcplan does not load a file into a tree and dump it back: no YAML emitter keeps
every comment, quote style, blank line and line ending. Instead an edit is a
*splice*: the parser's events say exactly where a value, a mapping or a sequence
sits in the text, and the edit replaces or inserts only the characters it is
about. The result is parsed again and must give exactly the data intended;
otherwise the edit is refused rather than written.

Writing goes through :mod:`pcplan.fileio`: :func:`open_editor` holds the
folder's lock from before the bytes are read until after they are replaced, so
concurrent edits queue up instead of losing each other's changes; the write is
atomic, and a symlink or a file that changed since it was read is refused.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pcplan import fileio
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


Value = str | bool | int | float | date | list[str] | dict[str, str | bool | date]


def yaml_value(value: Value) -> str:
    """A scalar as :func:`yaml_scalar`; a list or mapping of scalars in flow style."""
    if isinstance(value, list):
        return "[" + ", ".join(yaml_scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in value.items()) + "}"
    return yaml_scalar(value)


def plain_value(value: Value) -> Any:
    """What the parser reads back from :func:`yaml_value` (dates stay ISO text)."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def yaml_scalar(value: str | bool | int | float | date) -> str:
    """A value as YAML text: plain when that reads back as the same string, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
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
        # What ends a line, to search for: LF (also the end of CRLF), or CR in a CR-only file.
        self._eol = "\r" if self.source.newline == "\r" else "\n"
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

    def set_value(self, mapping_path: KeyPath, key: str, value: Value) -> None:
        """Set ``key`` in the mapping at ``mapping_path`` (creating the mapping if needed).

        A list of strings is written as a flow sequence ``[a, b]``; it replaces a
        list written either way.
        """
        text = yaml_value(value)
        plain = plain_value(value)
        self._apply_expected(
            mapping_path, lambda parent: parent.__setitem__(key, plain), create=dict
        )
        target = self._existing(mapping_path)
        if target is None:
            self._create_under(mapping_path, [f"{key}: {text}"])
            return
        if isinstance(target, dict) and key in target:
            span = self._span((*mapping_path, key))
            if isinstance(value, list) and span.kind == "sequence":
                self._replace_sequence((*mapping_path, key), text)
                return
            if span.kind != "scalar":
                self._refuse(f"`{key}` holds a list or mapping, not a single value")
            if span.style in ("|", ">"):
                self._replace_block_scalar((*mapping_path, key), value)
                return
            if span.start == span.end:  # `key:` with nothing after it
                self._fill_empty(span.start, text)
            else:
                self._splices.append(Splice(span.start, span.end, text))
            return
        if not isinstance(target, dict):
            self._refuse(f"`{'.'.join(map(str, mapping_path))}` is not a mapping")
        self._insert_into_mapping(mapping_path, [f"{key}: {text}"])

    def add_mapping(self, mapping_path: KeyPath, key: str, value: dict[str, Any]) -> None:
        """Add ``key`` (absent or empty) holding a new block mapping of scalars and mappings."""

        def plain(node: Any) -> Any:
            return (
                {k: plain(v) for k, v in node.items()}
                if isinstance(node, dict)
                else (plain_value(node))
            )

        unit = self._indent_unit()

        def lines(node: dict[str, Any]) -> list[str]:
            result = []
            for name, item in node.items():
                if isinstance(item, dict):
                    result += [f"{name}:", *(" " * unit + line for line in lines(item))]
                else:
                    result.append(f"{name}: {yaml_value(item)}")
            return result

        self._apply_expected(
            mapping_path, lambda parent: parent.__setitem__(key, plain(value)), create=dict
        )
        existing = self._existing((*mapping_path, key))
        if existing is not None:
            self._refuse(f"`{key}` is already there")
        self._create_under((*mapping_path, key), lines(value))

    def _fill_empty(self, at: int, text: str) -> None:
        """Write a value after ``key:``; a comment further along the line keeps its column."""
        gap = len(self.text[at:]) - len(self.text[at:].lstrip(" "))
        follows_comment = self.text[at + gap : at + gap + 1] == "#"
        take = len(text) + 1 if follows_comment and gap - (len(text) + 1) >= 1 else 0
        self._splices.append(Splice(at, at + take, f" {text}"))

    def append_item(self, sequence_path: KeyPath, item: Mapping[str, Value]) -> None:
        """Append a mapping to the sequence at ``sequence_path`` (creating it if needed).

        Values may be lists or mappings of scalars (written in flow style). When the
        list's items are written ``- {key: value, …}``, the new one is too.
        """
        plain = {key: plain_value(value) for key, value in item.items()}
        self._apply_expected(sequence_path, lambda parent: parent.append(plain), create=list)
        entries = [f"{key}: {yaml_value(value)}" for key, value in item.items()]
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
            first.kind == "mapping"
            and first.flow
            and self._line_start(dash) == self._line_start(first.start)
        ):
            gap = first.start - dash - 1
            line = " " * dash_column + "-" + " " * gap + "{" + ", ".join(entries) + "}"
            self._insert_after(
                self._end_of_last_child(sequence_path, len(target) - 1),
                [line],
                keep_with=dash_column + 1 + gap,
            )
            return
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

    def remove_item(self, sequence_path: KeyPath, index: int) -> None:
        """Delete item ``index`` of the sequence at ``sequence_path``: its own lines only.

        Comments above the item, and blank lines, stay (they may belong to the next
        item); comments inside the item (indented deeper than its dash) go with it.
        """
        sequence = self._value(sequence_path)
        if not isinstance(sequence, list) or not 0 <= index < len(sequence):
            self._refuse(f"`{'.'.join(map(str, sequence_path))}` has no item {index}")
        emptied = len(sequence) == 1
        span = self._span(sequence_path)
        self._apply_expected(sequence_path, lambda items: items.pop(index), create=list)
        if span.flow:
            self._remove_flow_entry(sequence_path, list(range(len(sequence))), index)
            return
        if emptied:  # `key:` with nothing under it reads as null (an empty team)
            self._empty_parent(sequence_path)
        item = self._span((*sequence_path, index))
        dash = self.text.rfind("-", 0, item.start)
        start = self._line_start(dash)
        if start != self._line_start(item.start) or self.text[start:dash].strip(" "):
            self._refuse("the list's items are not written as `- key: value` blocks")
        self._remove_lines(start, self._content_end((*sequence_path, index)), dash - start)

    def remove_key(self, mapping_path: KeyPath, key: str) -> None:
        """Delete ``key`` and its value from the mapping at ``mapping_path``: its own lines only.

        A block mapping left with no key reads as null (``steps:``).
        """
        mapping = self._existing(mapping_path)
        if not isinstance(mapping, dict) or key not in mapping:
            return
        emptied = len(mapping) == 1
        span = self._span(mapping_path) if mapping_path else None
        self._apply_expected(mapping_path, lambda parent: parent.pop(key), create=dict)
        if span is not None and span.flow:
            self._remove_flow_entry(mapping_path, list(mapping), key)
            return
        if emptied and mapping_path:
            self._empty_parent(mapping_path)
        key_span = self._key_span((*mapping_path, key))
        start = self._line_start(key_span.start)
        if self.text[start : key_span.start].strip(" "):
            self._refuse(f"`{key}` does not start its line")
        self._remove_lines(start, self._content_end((*mapping_path, key)), key_span.column - 1)

    def _empty_parent(self, path: KeyPath) -> None:
        """A block collection that loses its last entry reads back as null."""
        parent = path[:-1]
        self._apply_expected(parent, lambda node: node.__setitem__(path[-1], None), create=dict)

    def _remove_flow_entry(self, path: KeyPath, keys: list[Any], which: Any) -> None:
        """Delete one entry of ``{…}`` / ``[…]`` with the separator next to it."""
        position = keys.index(which)

        def start_of(entry: Any) -> int:
            if isinstance(entry, str):
                return self._key_span((*path, entry)).start
            return self._span((*path, entry)).start

        if position + 1 < len(keys):
            begin, end = start_of(which), start_of(keys[position + 1])
        elif position > 0:
            begin, end = self._span((*path, keys[position - 1])).end, self._span((*path, which)).end
        else:
            begin, end = start_of(which), self._span((*path, which)).end
        self._splices.append(Splice(begin, end, ""))

    def _remove_lines(self, start: int, content_end: int, column: int) -> None:
        """Delete from ``start`` (a line start) through the line holding ``content_end``,
        and the comment lines after it indented deeper than ``column``."""
        text = self.text
        if content_end > start and text[content_end - 1] == "\n":
            at = content_end  # a block scalar ends at the start of the next line
        else:
            end = text.find("\n", content_end)
            at = len(text) if end == -1 else end + 1
        while at < len(text):
            end = text.find("\n", at)
            line = text[at : len(text) if end == -1 else end]
            stripped = line.lstrip(" ")
            if not stripped.startswith("#") or len(line) - len(stripped) <= column:
                break
            at = len(text) if end == -1 else end + 1
        if at == len(text) and not text.endswith("\n") and start > 0:
            start -= 1  # the file ends without a newline: keep it that way
            if start > 0 and text[start - 1] == "\r":
                start -= 1
        self._splices.append(Splice(start, at, ""))

    def _replace_block_scalar(self, path: KeyPath, value: Value) -> None:
        """Write new text in place of a ``|`` or ``>`` block, as a ``|-`` block at its indent."""
        if not isinstance(value, str):
            self._refuse(f"`{path[-1]}` is a block of text")
            return
        span = self._span(path)
        first = self.text.find("\n", span.start) + 1
        body = self.text[first : span.end]
        indent = len(body) - len(body.lstrip(" "))
        if first == 0 or indent == 0:
            self._refuse(f"`{path[-1]}` is a block of text pcplan cannot rewrite")
        newline = self.source.newline
        lines = [" " * indent + line if line else "" for line in value.split("\n")]
        ends_line = span.end > 0 and self.text[span.end - 1] == "\n"
        text = "|-" + newline + newline.join(lines) + (newline if ends_line else "")
        self._splices.append(Splice(span.start, span.end, text))

    def _replace_sequence(self, path: KeyPath, text: str) -> None:
        """Write a list anew as ``[a, b]`` in place of the list at ``path``."""
        span = self._span(path)
        if span.flow:
            self._splices.append(Splice(span.start, span.end, text))
            return
        key_span = self._key_span(path)
        colon = self.text.find(":", key_span.end)
        end = self._content_end(path)
        line_end = self.text.find("\n", colon)
        same_line = self.text[colon + 1 : len(self.text) if line_end == -1 else line_end]
        if same_line.strip():
            self._refuse(f"`{path[-1]}` has a comment on its line")
        self._splices.append(Splice(colon + 1, end, f" {text}"))

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
                start = value_span.start
                rest = self.text[value_span.end :].split(self._eol, 1)[0]
                if not rest.strip():  # nothing else on the line: no trailing space either
                    while start > key_span.end and self.text[start - 1] in " \t":
                        start -= 1
                self._splices.append(Splice(start, value_span.end, ""))
            self._insert_after(value_span.end, lines)
            return
        lines = [f"{key}:", *self._block(entries, unit, sequence=sequence, unit=unit)]
        if parent_path:
            if not isinstance(parent, dict) or not parent:  # make the parent too
                if parent is not None and not isinstance(parent, dict):
                    self._refuse(f"`{'.'.join(map(str, parent_path))}` is not a mapping")
                self._create_under(parent_path, lines)
                return
            if self._span(parent_path).flow:
                self._refuse("an inline {…} mapping cannot take a nested block")
            self._insert_into_mapping(parent_path, lines)
            return
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
        return self.text.rfind(self._eol, 0, index) + 1

    def _insert_after(self, index: int, lines: list[str], *, keep_with: int | None = None) -> None:
        """Insert whole lines after the line holding ``index``.

        A block scalar (``|``) ends at the start of the following line: insert there.
        Comment lines that follow, indented at least ``keep_with``, belong to what
        is above them and stay with it. On a last line with no final newline, the
        file keeps having none.
        """
        newline = self.source.newline
        text = self.text
        eol = self._eol
        if index > 0 and text[index - 1] == eol:
            at = index
        else:
            end = text.find(eol, index)
            if end == -1:
                self._splices.append(
                    Splice(len(text), len(text), "".join(newline + line for line in lines))
                )
                return
            at = end + 1
        if keep_with is not None:
            while at < len(text):
                end = text.find(eol, at)
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
        fileio.write_atomic(self.path, data, expected=self.raw)
        return True


@contextmanager
def open_editor(path: Path) -> Iterator[Editor]:
    """An :class:`Editor` of ``path`` under the folder's exclusive lock.

    The lock is taken before the bytes are read and released after the edit is
    saved (or abandoned), so an edit always starts from the latest saved file.
    """
    with fileio.locked(path.parent):
        yield Editor(path)
