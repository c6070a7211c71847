"""Reading YAML safely, with the position of every key and item.

pcplan never hands a file to a YAML *constructor*. It walks the parser's event
stream itself, which lets it refuse everything SPEC §6 lists (anchors, aliases,
tags, directives, duplicate keys, several documents, deep nesting) before any of
it can do harm, and record where each key and item starts on the same pass.

Because positions come with the events, pcplan never needs ruamel's slower
round-trip tree: checks and edits alike read with libyaml through
``ruamel.yaml.clib``. ruamel.yaml's own pure-Python parser gives the same events
and is used where the C extension is missing; a test runs every case file
through both and requires identical findings. Either way the events go through
one :class:`_Builder`, so there is one set of rules for what a file means.

Scalars are resolved with the YAML 1.2 core schema: ``null``/``~``/empty,
``true``/``false``, integers and floats. Everything else, dates included, stays
a string; the models decide what a date is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pcplan import fileio
from pcplan.events import (
    ALIAS,
    ANCHOR,
    DOCUMENT_END,
    DOCUMENT_START,
    END,
    KIND,
    MAPPING_END,
    MAPPING_START,
    SCALAR,
    SEQUENCE_END,
    SEQUENCE_START,
    START,
    STREAM_END,
    STYLE,
    TAG,
    VALUE,
    Event,
    NextEvent,
    c_events,
    pure_events,
    tuple_events,
)
from pcplan.events import default_events as _default_events
from pcplan.findings import shorten
from pcplan.records import Record

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50
_CORE_TAG = "tag:yaml.org,2002:"

KeyPath = tuple[str | int, ...]


class YamlProblem(Exception):
    """The YAML layer refused a file; carries a 1-based position."""

    def __init__(self, message: str, *, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Span(NamedTuple):
    """Where a value sits in the text: character offsets and its kind.

    ``kind`` is ``"scalar"``, ``"mapping"`` or ``"sequence"``; ``flow`` is true
    for ``{…}`` / ``[…]`` collections; ``style`` is the scalar's quote style
    (``""`` for plain).
    """

    start: int
    end: int
    line: int
    column: int
    kind: str
    flow: bool = False
    style: str = ""


class Document(Record):
    """A parsed file: plain data, and the 1-based (line, column) of every key path.

    ``positions[path]`` is where the key (for a mapping entry) or the item (for a
    sequence entry) starts; ``positions[()]`` is the top-level mapping.
    ``spans`` (only when asked for) holds the text span of every value, for edits.
    """

    __slots__ = ("data", "key_spans", "positions", "spans")

    def __init__(
        self,
        data: dict[str, Any],
        positions: dict[KeyPath, tuple[int, int]],
        spans: dict[KeyPath, Span] | None = None,
        key_spans: dict[KeyPath, Span] | None = None,
    ) -> None:
        self.data = data
        self.positions = positions
        self.spans = spans
        self.key_spans = key_spans

    def locate(self, path: KeyPath) -> tuple[int, int]:
        """The line and column for a key path: the deepest recorded ancestor.

        Pydantic reports a missing key at a path that does not exist in the file;
        walking up finds its parent mapping, as SPEC §5 asks.
        """
        positions = self.positions
        found = positions.get(path)
        if found is not None:  # (the path itself, nearly always)
            return found
        for end in range(len(path) - 1, -1, -1):
            found = positions.get(path[:end])
            if found is not None:
                return found
        return (1, 1)


class Source(Record):
    """The bytes of a file and the text pcplan parses (UTF-8, BOM removed)."""

    __slots__ = ("bom", "newline", "path", "raw", "text")

    def __init__(
        self, path: Path | str, raw: bytes, text: str, bom: bool = False, newline: str = "\n"
    ) -> None:
        self.path = path
        self.raw = raw
        self.text = text
        self.bom = bom
        self.newline = newline


# Control characters, and invisible characters that change how text reads or
# compares: a byte-order mark after the start, bidirectional overrides and
# isolates ("Trojan source"), and the Unicode line/paragraph separators, which
# YAML parsers count as line breaks where editors do not.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F]|U0000[dD][89a-fA-F])")
_LINE_BREAK = re.compile("\r\n|\r|\n")
MAX_DIGITS = 100
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
# The core schema's null and boolean words (but the empty null) and how each reads; every
# plain scalar that starts with one of their first characters and is not one is text.
_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("~", "null", "Null", "NULL")),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_WORD_STARTS = frozenset(word[0] for word in _WORDS)
_MAYBE_NOT_STRING = frozenset("0123456789+-.~nNtTfF")


def decode(path: Path | str, raw: bytes) -> Source:
    """Bytes to text, refusing what SPEC §6 refuses before any parsing."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem(_too_large(len(raw)))
    if raw.isascii() and not raw.translate(None, _PLAIN_ASCII):
        text, bom = raw.decode("ascii"), False  # (most files: nothing here to refuse)
    else:
        text, bom = _checked_text(raw)
    if "\r" not in text:
        newline = "\n"
    elif "\r\n" in text:
        newline = "\r\n"
    elif "\n" not in text:
        newline = "\r"  # an old Mac file: its lines end with CR alone
    else:
        newline = "\n"
    return Source(path=path, raw=raw, text=text, bom=bom, newline=newline)


# Printable ASCII, tab and line ends: bytes that need no closer look (see _CONTROL).
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def _checked_text(raw: bytes) -> tuple[str, bool]:
    """Any bytes as text without its byte-order mark, or the reason they are refused."""
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise YamlProblem("the file is UTF-32; save it as UTF-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise YamlProblem("the file is UTF-16; save it as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_col_of_byte(raw, exc.start)
        raise YamlProblem(
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
            line=line,
            column=column,
        ) from None
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    bad = _CONTROL.search(text)
    if bad is not None:
        line, column = line_col(text, bad.start())
        raise YamlProblem(_control_message(bad.group()), line=line, column=column)
    return text, bom


def has_forbidden_character(text: str) -> bool:
    """Does ``text`` hold a character no pcplan file may contain (see ``_CONTROL``)?"""
    return _CONTROL.search(text) is not None


def _control_message(character: str) -> str:
    return (
        f"character U+{ord(character):04X} is not allowed (a control or invisible "
        "character); only tab, line feed and carriage return may appear"
    )


def read_source(path: Path | str) -> Source:
    """Read and decode a file, refusing an oversized one without reading it."""
    return decode(path, read_regular_file(path))


def read_regular_file(path: Path | str, limit: int = MAX_BYTES, *, links: bool = True) -> bytes:
    """A regular file's bytes (:func:`pcplan.fileio.read_regular_file`), refusals as YamlProblem.

    Raises :class:`YamlProblem` for what is not a regular file or is too large,
    and ``OSError`` when it cannot be opened.
    """
    try:
        return fileio.read_regular_file(path, limit, links=links)
    except fileio.UnsuitableFile as problem:
        if problem.size is not None:
            raise YamlProblem(_too_large(problem.size)) from None
        raise YamlProblem(f"{problem.message}; pcplan skips it") from None


def _too_large(size: int) -> str:
    return (
        f"the file is {size:,} bytes; pcplan reads files up to 1 MiB ({MAX_BYTES:,} bytes). "
        "Split it or remove what does not belong"
    )


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset (CR, LF and CRLF all end a line)."""
    line, line_start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, line_start = line + 1, match.end()
    return line, index - line_start + 1


def _line_col_of_byte(raw: bytes, index: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, index) + 1
    column = len(raw[line_start:index].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, index) + 1, column


class NumberTooLong(ValueError):
    """A plain scalar that reads as a number longer than anything pcplan stores."""


def resolve_plain(value: str) -> Any:
    """A plain (unquoted) scalar as the YAML 1.2 core schema reads it."""
    if not value:
        return None
    first = value[0]
    if first not in _MAYBE_NOT_STRING:
        return value
    if first in _WORD_STARTS:  # (no number starts so: only these words are not text)
        return _WORDS.get(value, value)
    if value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)  # (the common number, ahead of the patterns below)
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value  # a date (YYYY-MM-DD): text, for the models to read
    if _INT.fullmatch(value):
        if len(value) > MAX_DIGITS:
            raise NumberTooLong(
                f"a number of {len(value)} digits is too long; quote it if it is text"
            )
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if _FLOAT.fullmatch(value):
        if len(value) > MAX_DIGITS:
            raise NumberTooLong(
                f"a number of {len(value)} characters is too long; quote it if it is text"
            )
        lowered = value.lower()
        if lowered.endswith((".inf", ".nan")):
            return float(lowered.replace(".", ""))
        return float(value)
    return value


# --------------------------------------------------------------------------- events

EVENT_SOURCES: dict[str, Callable[[str], NextEvent]] = {
    "fast": c_events,
    "roundtrip": pure_events,
}


def parse(
    source: Source,
    *,
    spans: bool = False,
    events: Callable[[str], NextEvent] | None = None,
) -> Document:
    """Parse a decoded file into a :class:`Document`, or raise :class:`YamlProblem`."""
    with tuple_events():
        next_event = (events or _default_events())(source.text)
        builder = _Builder(source.text, next_event, record_spans=spans)
        try:
            return builder.build()
        except MarkedYAMLError as exc:
            raise _syntax_problem(source.text, exc) from None
        except YAMLError as exc:
            raise YamlProblem(f"YAML error: {' '.join(str(exc).split())}") from None
        except RecursionError:  # pragma: no cover - MAX_DEPTH stops this first
            raise YamlProblem(f"nesting deeper than {MAX_DEPTH} levels") from None


_SYNTAX_HINTS = (
    (
        "cannot start any token",
        "this character cannot start a value here (a tab used for "
        "indentation? an unquoted `@` or backquote?); use spaces, or quote the value",
    ),
    ("did not find expected key", "check the indentation of this line and the one above"),
    (
        "mapping values are not allowed",
        "a second `: ` on one line; quote the value if it contains a colon",
    ),
    ("could not find expected ':'", "a key without `: ` after it; check this line"),
    (
        "found unexpected end of stream",
        "the file ends inside a quoted or bracketed value: close it",
    ),
    ("did not find expected ',' or ']'", "a `[` list is not closed with `]`"),
    ("did not find expected ',' or '}'", "a `{` mapping is not closed with `}`"),
)


def _syntax_problem(text: str, exc: MarkedYAMLError) -> YamlProblem:
    """A parser error as one line, at the most useful place.

    Errors found at the very end of the file (an unclosed bracket or quote) point
    at where the unclosed thing began, not past the last line.
    """
    mark = exc.problem_mark
    if mark is None or (exc.context_mark is not None and mark.index >= len(text.rstrip())):
        mark = exc.context_mark or mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = " ".join(str(exc.problem or "").split())
    context = " ".join(str(exc.context or "").split())
    message = f"YAML syntax: {problem}" + (f" ({context})" if context else "")
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        before = text[text.rfind("\n", 0, mark.index) + 1 : mark.index]
        where = "for indentation" if not before.strip() else "as a separator"
        return YamlProblem(
            f"YAML syntax: a tab is used {where} here; use spaces",
            line=line,
            column=column,
        )
    for needle, hint in _SYNTAX_HINTS:
        if needle in problem:
            message += f"; {hint}"
            break
    return YamlProblem(message, line=line, column=column)


def load(path: Path | str, *, spans: bool = False) -> tuple[Source, Document]:
    """Read, decode and parse a file."""
    source = read_source(path)
    return source, parse(source, spans=spans)


class _Builder:
    """Turns an event stream into plain data plus positions, refusing unsafe YAML."""

    __slots__ = ("_next", "_text", "key_spans", "positions", "spans")

    def __init__(self, text: str, next_event: NextEvent, *, record_spans: bool) -> None:
        self._text = text
        self._next = next_event
        self.positions: dict[KeyPath, tuple[int, int]] = {}
        self.spans: dict[KeyPath, Span] | None = {} if record_spans else None
        self.key_spans: dict[KeyPath, Span] | None = {} if record_spans else None

    def _event(self) -> Event:
        event = self._next()
        assert event is not None  # (the parser ends with STREAM_END before None)
        return event

    def build(self) -> Document:
        self._event()  # STREAM_START
        event = self._event()
        if event[KIND] == STREAM_END:
            if self._text.strip():
                raise YamlProblem(
                    "the file has only comments, no keys; a pcplan file is a "
                    "mapping such as `id: …`"
                )
            raise YamlProblem("the file is empty; a pcplan file is a mapping such as `id: …`")
        if event[KIND] != DOCUMENT_START:  # pragma: no cover - parser invariant
            raise _problem(event, "expected the start of a YAML document")
        self._refuse_directives(event)
        root_event = self._event()
        root_mark = root_event[START]
        self.positions[()] = (root_mark.line + 1, root_mark.column + 1)
        if (
            root_event[KIND] == SCALAR
            and not root_event[STYLE]
            and (resolve_plain(root_event[VALUE]) is None)
        ):
            _refuse_tags_and_anchors(root_event)
            raise YamlProblem("the file has no content; a pcplan file is a mapping")
        if root_event[KIND] != MAPPING_START:
            _refuse_tags_and_anchors(root_event)
            raise _problem(
                root_event,
                "the top level must be a mapping of keys and values (such as `id: …`), "
                f"not {_kind_of(root_event)}",
            )
        data = self._node(root_event, (), 1)
        end = self._event()
        if end[KIND] != DOCUMENT_END:  # pragma: no cover - parser invariant
            raise _problem(end, "expected the end of the document")
        following = self._event()
        if following[KIND] == DOCUMENT_START:
            raise _problem(
                following,
                "a second YAML document starts here; keep one challenge per file "
                "and remove the `---`",
            )
        if following[KIND] != STREAM_END:  # pragma: no cover - parser invariant
            raise _problem(following, "unexpected content after the document")
        return Document(
            data=data, positions=self.positions, spans=self.spans, key_spans=self.key_spans
        )

    def _refuse_directives(self, event: Event) -> None:
        version, tags = event[VALUE]
        if version is not None or tags:
            directive = _DIRECTIVE.search(self._text)
            line, column = line_col(self._text, directive.start()) if directive else (1, 1)
            raise YamlProblem(
                "%YAML and %TAG directives are not allowed: they change how values are "
                "read (`no` could become false). Remove the directive lines",
                line=line,
                column=column,
            )

    def _node(self, event: Event, path: KeyPath, depth: int) -> Any:
        # The hot loop of every `pcplan check`: plain scalars are handled inline.
        if event[ANCHOR] is not None or event[TAG] is not None:
            _refuse_tags_and_anchors(event)
        kind = event[KIND]
        if kind == SCALAR:
            if self.spans is not None:
                self._record_span(path, event, event[END], "scalar")
            return _scalar(event, self._text)
        if depth > MAX_DEPTH:
            raise _problem(event, f"nesting deeper than {MAX_DEPTH} levels is not allowed")
        next_event = self._next
        positions = self.positions
        inline = self.spans is None
        if kind == MAPPING_START:
            mapping: dict[str, Any] = {}
            while True:
                # (Each event unpacked at once: its fields as (KIND, ANCHOR, TAG, VALUE,
                # STYLE, START, END), read far more often here than anywhere else.)
                key_event: Any = next_event()
                key_kind, key_anchor, key_tag, key, key_style, mark, _ = key_event
                if key_kind == MAPPING_END:
                    if not inline:
                        self._record_span(path, event, key_event[END], "mapping")
                    return mapping
                if key_kind != SCALAR:
                    _refuse_tags_and_anchors(key_event)
                    raise _problem(key_event, "a key must be plain text, not a list or mapping")
                if key_anchor is not None or key_tag is not None:
                    _refuse_tags_and_anchors(key_event)
                if key_style or not key or key[0] in _MAYBE_NOT_STRING:
                    key = _scalar(key_event, self._text)
                if key.__class__ is not str:
                    raise _problem(
                        key_event,
                        f"key {shorten(key_event[VALUE], 40)!r} is read as "
                        f"{_type_name(key)}, not text; keys must be text (quote it if needed)",
                    )
                if key in mapping:
                    raise _problem(
                        key_event,
                        f"duplicate key `{shorten(key, 60)}`; each key may appear once "
                        "in a mapping",
                    )
                key_path = path + (key,)  # noqa: RUF005  (faster than (*path, key))
                positions[key_path] = (mark.line + 1, mark.column + 1)
                if not inline:
                    assert self.key_spans is not None
                    self.key_spans[key_path] = Span(
                        mark.index,
                        key_event[END].index,
                        mark.line + 1,
                        mark.column + 1,
                        "scalar",
                        style=key_style or "",
                    )
                value_event: Any = next_event()
                value_kind, anchor, tag, value, style, _, _ = value_event
                if inline and value_kind == SCALAR and anchor is None and tag is None:
                    if style or not value or value[0] in _MAYBE_NOT_STRING:
                        value = _scalar(value_event, self._text)
                    mapping[key] = value  # (plain text, the common case, handled inline)
                else:
                    mapping[key] = self._node(value_event, key_path, depth + 1)
                    if not inline and value_kind == SCALAR and (value == "" and not style):
                        self._place_empty_value(key_path, key_event)
        if kind == SEQUENCE_START:
            items: list[Any] = []
            while True:
                item_event: Any = next_event()
                item_kind, anchor, tag, value, style, mark, _ = item_event
                if item_kind == SEQUENCE_END:
                    if not inline:
                        self._record_span(path, event, item_event[END], "sequence")
                    return items
                item_path = path + (len(items),)  # noqa: RUF005  (as key_path)
                positions[item_path] = (mark.line + 1, mark.column + 1)
                if inline and item_kind == SCALAR and anchor is None and tag is None:
                    if style or not value or value[0] in _MAYBE_NOT_STRING:
                        value = _scalar(item_event, self._text)
                    items.append(value)
                else:
                    items.append(self._node(item_event, item_path, depth + 1))
        raise _problem(event, "unexpected YAML content")  # pragma: no cover - parser invariant

    def _place_empty_value(self, path: KeyPath, key_event: Event) -> None:
        """`key:` with nothing after it: the value sits just after the colon.

        (libyaml says so; ruamel's pure-Python parser puts it at the next line's
        start. Edits write the value there, so both must agree.)
        """
        assert self.spans is not None
        colon = self._text.find(":", key_event[END].index)
        line, column = line_col(self._text, colon + 1)
        self.spans[path] = Span(colon + 1, colon + 1, line, column, "scalar")

    def _record_span(self, path: KeyPath, start_event: Event, end_mark: Any, kind: str) -> None:
        assert self.spans is not None
        mark = start_event[START]
        collection = start_event[KIND] != SCALAR
        self.spans[path] = Span(
            mark.index,
            end_mark.index,
            mark.line + 1,
            mark.column + 1,
            kind,
            flow=bool(start_event[STYLE]) if collection else False,
            style="" if collection else start_event[STYLE] or "",
        )


def _refuse_tags_and_anchors(event: Event) -> None:
    anchor = event[ANCHOR]
    if anchor is not None:
        if event[KIND] == ALIAS:
            raise _problem(
                event,
                f"alias `*{shorten(anchor, 40)}` is not allowed; write the value out in full",
            )
        raise _problem(
            event,
            f"anchor `&{shorten(anchor, 40)}` is not allowed; "
            "pcplan files use no anchors or aliases",
        )
    tag = event[TAG]
    if tag is not None:
        shown = "!!" + tag[len(_CORE_TAG) :] if tag.startswith(_CORE_TAG) else tag
        raise _problem(
            event,
            f"tag `{shorten(shown, 60)}` is not allowed; remove it and write a plain value",
        )


def _scalar(event: Event, text: str) -> Any:
    """A scalar event's value: plain ones resolved, double-quoted ones checked for escapes."""
    value = event[VALUE]
    style = event[STYLE]
    if not style:
        try:
            return resolve_plain(value)
        except NumberTooLong as exc:
            raise _problem(event, str(exc)) from None
    if style == '"':  # escapes such as "\e" or "\x07" make characters the raw text lacks
        bad = _CONTROL.search(value)
        if bad is not None:
            raise _problem(event, _control_message(bad.group()) + " (written as an escape)")
        if _SURROGATE.search(value):  # libyaml refuses these; the pure-Python parser does not
            start, end = event[START].index, event[END].index
            escape = _SURROGATE_ESCAPE.search(text, start, end)
            index = escape.start() + 2 if escape else start
            line, column = line_col(text, index)
            raise YamlProblem(
                "YAML syntax: found invalid Unicode character escape code "
                "(while parsing a quoted scalar)",
                line=line,
                column=column,
            )
    return value


def _problem(event: Event, message: str) -> YamlProblem:
    mark = event[START]
    return YamlProblem(message, line=mark.line + 1, column=mark.column + 1)


def _kind_of(event: Event) -> str:
    if event[KIND] == SEQUENCE_START:
        return "a list"
    if event[KIND] == SCALAR:
        return "a single value"  # (never quoted: it may be a secret behind a symlink)
    return "this"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    return "text"
