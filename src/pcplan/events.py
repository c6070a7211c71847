"""The YAML parser's events, as plain tuples, for :mod:`pcplan.yamlio`'s builder.

libyaml (through ``ruamel.yaml.clib``) parses in C, but hands each event to Python as
an instance of one of ruamel.yaml's event classes, whose ``__init__`` chains through
two or three Python base classes. For a 60-line challenge file that is about 140
events, and building them took a third of the C parser's time. The C parser looks
the event classes up by name in its module each time it makes an event, so for the
length of one parse (:func:`tuple_events`) pcplan puts small functions there instead,
each returning one tuple laid out as below; they are put back when the parse ends, so
nothing else that uses the C parser ever sees them.

Every event is ``(kind, anchor, tag, value, style, start_mark, end_mark)``:

* ``kind``: one of the constants below;
* ``anchor``, ``tag``: the node's anchor and tag (None for events that carry none);
* ``value``: a scalar's text; for ``DOCUMENT_START``, ``(version, tags)``, its
  ``%YAML`` and ``%TAG`` directives;
* ``style``: a scalar's quote style (``""`` when plain), a collection's flow style
  (True for ``[…]``/``{…}``);
* ``start_mark``, ``end_mark``: the parser's marks (``index``, ``line``, ``column``,
  0-based).

When the C extension is missing, or does not take the functions (a later version
that no longer looks the classes up), the events it or ruamel.yaml's pure-Python
parser gives are converted one by one (:func:`as_tuple`): slower, same tuples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

Event = tuple[Any, ...]
NextEvent = Callable[[], Event | None]

KIND, ANCHOR, TAG, VALUE, STYLE, START, END = range(7)

(
    STREAM_START,
    STREAM_END,
    DOCUMENT_START,
    DOCUMENT_END,
    ALIAS,
    SCALAR,
    SEQUENCE_START,
    SEQUENCE_END,
    MAPPING_START,
    MAPPING_END,
) = range(10)


# The C parser's calls, with the arguments it passes (``_ruamel_yaml.pyx``,
# ``CParser._event_to_object``); each event class is replaced by the function below it.


def _stream_start(start_mark: Any, end_mark: Any, encoding: Any = None) -> Event:
    return (STREAM_START, None, None, None, None, start_mark, end_mark)


def _stream_end(start_mark: Any, end_mark: Any) -> Event:
    return (STREAM_END, None, None, None, None, start_mark, end_mark)


def _document_start(
    start_mark: Any, end_mark: Any, explicit: Any = None, version: Any = None, tags: Any = None
) -> Event:
    return (DOCUMENT_START, None, None, (version, tags), None, start_mark, end_mark)


def _document_end(start_mark: Any, end_mark: Any, explicit: Any = None) -> Event:
    return (DOCUMENT_END, None, None, None, None, start_mark, end_mark)


def _alias(anchor: Any, start_mark: Any, end_mark: Any) -> Event:
    return (ALIAS, anchor, None, None, None, start_mark, end_mark)


def _scalar(
    anchor: Any,
    tag: Any,
    implicit: Any,
    value: str,
    start_mark: Any,
    end_mark: Any,
    style: Any,
) -> Event:
    return (SCALAR, anchor, tag, value, style, start_mark, end_mark)


def _sequence_start(
    anchor: Any, tag: Any, implicit: Any, start_mark: Any, end_mark: Any, flow_style: Any
) -> Event:
    return (SEQUENCE_START, anchor, tag, None, flow_style, start_mark, end_mark)


def _sequence_end(start_mark: Any, end_mark: Any) -> Event:
    return (SEQUENCE_END, None, None, None, None, start_mark, end_mark)


def _mapping_start(
    anchor: Any, tag: Any, implicit: Any, start_mark: Any, end_mark: Any, flow_style: Any
) -> Event:
    return (MAPPING_START, anchor, tag, None, flow_style, start_mark, end_mark)


def _mapping_end(start_mark: Any, end_mark: Any) -> Event:
    return (MAPPING_END, None, None, None, None, start_mark, end_mark)


_MAKERS: dict[str, Callable[..., Event]] = {
    "StreamStartEvent": _stream_start,
    "StreamEndEvent": _stream_end,
    "DocumentStartEvent": _document_start,
    "DocumentEndEvent": _document_end,
    "AliasEvent": _alias,
    "ScalarEvent": _scalar,
    "SequenceStartEvent": _sequence_start,
    "SequenceEndEvent": _sequence_end,
    "MappingStartEvent": _mapping_start,
    "MappingEndEvent": _mapping_end,
}


def as_tuple(event: Any) -> Event | None:
    """One of ruamel.yaml's event objects as the tuple described above."""
    if event is None:
        return None
    kind = _KINDS[type(event).__name__]
    if kind == DOCUMENT_START:
        value: Any = (event.version, event.tags)
    else:
        value = getattr(event, "value", None)
    style = event.style if kind == SCALAR else getattr(event, "flow_style", None)
    return (
        kind,
        getattr(event, "anchor", None),
        getattr(event, "tag", None),
        value,
        style,
        event.start_mark,
        event.end_mark,
    )


_KINDS = dict(zip(_MAKERS, range(10), strict=True))  # (in the order of the kinds)


# ----------------------------------------------------------------------------- sources


class tuple_events:
    """While entered, the C parser makes tuples (and is left as it was on leaving).

    One thread at a time: the module is shared, so a second thread waits for the first
    to leave (the same thread may enter again, inside a parse).
    """

    __slots__ = ("_saved",)

    def __enter__(self) -> None:
        namespace = _c_namespace()
        if namespace is None:
            self._saved: dict[str, Any] | None = None
            return
        _PARSING.acquire()
        self._saved = {name: namespace[name] for name in _MAKERS}
        namespace.update(_MAKERS)

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            namespace = _c_namespace()
            assert namespace is not None
            namespace.update(self._saved)
            _PARSING.release()


_PARSING = threading.RLock()


def c_events(text: str) -> NextEvent:
    """libyaml's events for ``text``, as tuples (read them inside :class:`tuple_events`)."""
    next_event: NextEvent = _c_class("CParser")(text).get_event
    if _c_makes_tuples():
        return next_event
    return lambda: as_tuple(next_event())


def pure_events(text: str) -> NextEvent:
    """ruamel.yaml's pure-Python parser's events for ``text``, as tuples."""
    import io

    from ruamel.yaml import YAML

    # The round-trip parser places empty values where libyaml does (the safe one
    # does not), but marks the folds of `>` scalars with BEL characters for its
    # own dumper; they are not part of the value (a real BEL never gets this far).
    events: Iterator[Any] = iter(YAML(typ="rt").parse(io.StringIO(text)))

    def next_event() -> Event | None:
        event = as_tuple(next(events))
        if event is not None and event[STYLE] == ">" and "\a" in event[VALUE]:
            event = (*event[:VALUE], event[VALUE].replace("\a", ""), *event[STYLE:])
        return event

    return next_event


def default_events() -> Callable[[str], NextEvent]:
    """The C parser when ruamel.yaml.clib is installed, else the pure-Python one."""
    return c_events if _c_namespace() is not None else pure_events


# "namespace": the C parser's module's (None without it); "tuples": see _c_makes_tuples.
_C: dict[str, Any] = {}


def _c_namespace() -> dict[str, Any] | None:
    try:
        return _C["namespace"]  # type: ignore[no-any-return]
    except KeyError:
        pass
    try:
        import _ruamel_yaml
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        _C["namespace"] = None
    else:
        _C["namespace"] = vars(_ruamel_yaml)
    return _C["namespace"]  # type: ignore[no-any-return]


def _c_class(name: str) -> Any:
    namespace = _c_namespace()
    assert namespace is not None, "ruamel.yaml.clib is not installed"
    return namespace[name]


def _c_makes_tuples() -> bool:
    """Does the C parser call the functions :class:`tuple_events` puts in its module?"""
    try:
        return _C["tuples"]  # type: ignore[no-any-return]
    except KeyError:
        pass
    with tuple_events():
        _C["tuples"] = type(_c_class("CParser")("").get_event()) is tuple
    return _C["tuples"]  # type: ignore[no-any-return]
