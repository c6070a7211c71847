"""The parser's events as tuples (pcplan.events): borrowed from the C parser only for a parse.

pcplan puts its own event makers into ruamel.yaml.clib's module while it parses; every
other user of that parser in the process must still get ruamel.yaml's event objects,
whether the parse succeeded or refused the file. And where the C parser does not take
the makers, its events are converted one by one, to the same tuples and documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import _ruamel_yaml
import pytest
from ruamel.yaml import YAML
from ruamel.yaml.events import MappingStartEvent, ScalarEvent

from pcplan import events, yamlio
from pcplan.yamlio import YamlProblem

CASES = Path(__file__).parent / "cases"

TEXT = """\
id: x-2027-01   # a comment
fieldwork: {start: 2027-01-12, end: '2027-01-13'}
team:
  - name: "Ann Smith"
    role: lead
  - name: >
      Bob
      Jones
    role: ad
notes: |
  two
  lines
empty:
"""


def _ruamel_classes() -> list[Any]:
    return [getattr(_ruamel_yaml, name) for name in events._MAKERS]


def _documents(text: str, source: str) -> tuple[Any, Any, Any, Any]:
    decoded = yamlio.decode(Path("x.yaml"), text.encode())
    document = yamlio.parse(decoded, spans=True, events=yamlio.EVENT_SOURCES[source])
    return document.data, document.positions, document.spans, document.key_spans


def test_the_c_parser_makes_ruamel_events_again_after_a_parse() -> None:
    before = _ruamel_classes()
    yamlio.parse(yamlio.decode(Path("x.yaml"), TEXT.encode()))
    with pytest.raises(YamlProblem):
        yamlio.parse(yamlio.decode(Path("x.yaml"), b"a: [1, 2\n"))  # unclosed: raises inside
    with pytest.raises(YamlProblem):
        yamlio.parse(yamlio.decode(Path("x.yaml"), b"a: &x 1\n"))  # refused by the builder
    assert _ruamel_classes() == before
    loaded = YAML(typ="safe", pure=False).load(TEXT)  # another user of the C parser
    assert loaded["team"][1]["name"] == "Bob Jones\n"
    assert type(_ruamel_yaml.CParser("a: b").get_event()).__name__ == "StreamStartEvent"


def test_the_c_parser_gives_tuples_inside_a_parse() -> None:
    with events.tuple_events():
        next_event = events.c_events("a: [b]\n")
        kinds = []
        while (event := next_event()) is not None:
            assert type(event) is tuple and len(event) == 7
            kinds.append(event[events.KIND])
    assert kinds == [
        events.STREAM_START,
        events.DOCUMENT_START,
        events.MAPPING_START,
        events.SCALAR,
        events.SEQUENCE_START,
        events.SCALAR,
        events.SEQUENCE_END,
        events.MAPPING_END,
        events.DOCUMENT_END,
        events.STREAM_END,
    ]
    assert events._c_makes_tuples()


def test_nested_use_leaves_the_parser_as_it_was() -> None:
    before = _ruamel_classes()
    with events.tuple_events():
        with events.tuple_events():
            pass
        assert _ruamel_yaml.ScalarEvent is events._scalar  # still the outer parse's
    assert _ruamel_classes() == before


def test_ruamel_events_convert_to_the_same_tuples() -> None:
    scalar = ScalarEvent("a", "!t", (True, False), "v", "m1", "m2", style="'")
    assert events.as_tuple(scalar) == (events.SCALAR, "a", "!t", "v", "'", "m1", "m2")
    mapping = MappingStartEvent(None, None, True, "m1", "m2", flow_style=True)
    assert events.as_tuple(mapping) == (events.MAPPING_START, None, None, None, True, "m1", "m2")
    assert events.as_tuple(None) is None


@pytest.mark.parametrize("text", [TEXT, "a: 1\n", "{a: [1, {b: c}]}\n"])
def test_a_c_parser_that_ignores_the_makers_gives_the_same_documents(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were a later ruamel.yaml.clib to make its events without looking the classes up."""
    expected = _documents(text, "fast")
    monkeypatch.setitem(events._C, "tuples", False)
    monkeypatch.setattr(events, "_MAKERS", {})  # the parser keeps its classes
    assert _documents(text, "fast") == expected
    assert _documents(text, "roundtrip") == expected


def test_both_parsers_give_the_same_documents_for_every_valid_case() -> None:
    differ = []
    for case in sorted((CASES / "valid").glob("*.y*ml")):
        text = case.read_text(encoding="utf-8")
        if _documents(text, "fast") != _documents(text, "roundtrip"):
            differ.append(case.name)
    assert not differ


def test_parses_in_two_threads_each_get_tuples_and_leave_the_parser_as_it_was() -> None:
    """The first thread's parse ends while the second's would be under way: the second
    must not meet ruamel's classes halfway, nor leave the module with pcplan's makers."""
    import threading

    before = _ruamel_classes()
    first_in, second_in, first_done = threading.Event(), threading.Event(), threading.Event()
    documents: list[Any] = []
    failures: list[BaseException] = []

    def first_events(text: str) -> events.NextEvent:
        first_in.set()
        second_in.wait(1)  # (with the lock, the second thread cannot be in yet)
        return events.c_events(text)

    def second_events(text: str) -> events.NextEvent:
        second_in.set()
        first_done.wait(2)
        return events.c_events(text)

    def parse(events_from: Any, done: threading.Event | None) -> None:
        try:
            source = yamlio.decode(Path("x.yaml"), TEXT.encode())
            documents.append(yamlio.parse(source, events=events_from).data)
        except BaseException as exc:
            failures.append(exc)
        finally:
            if done is not None:
                done.set()

    first = threading.Thread(target=parse, args=(first_events, first_done))
    second = threading.Thread(target=parse, args=(second_events, None))
    first.start()
    first_in.wait(5)
    second.start()
    first.join(10)
    second.join(10)
    assert not failures
    assert len(documents) == 2 and documents[0] == documents[1]
    assert _ruamel_classes() == before
