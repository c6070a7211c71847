"""pcplan.records: the plain record classes that stand in for dataclasses on the hot path."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from pcplan.directory import ProgrammeDir
from pcplan.findings import Finding
from pcplan.repo import LoadedFile
from pcplan.rules import FileReport, Gathered, Sighting
from pcplan.schedule import Schedule


def test_records_compare_and_show_field_by_field() -> None:
    one = ProgrammeDir(Path("challenges"), "challenges")
    assert one == ProgrammeDir(root=Path("challenges"), shown_as="challenges")
    assert one != ProgrammeDir(Path("challenges"), ".")
    assert one != ("challenges", "challenges")
    assert repr(one) == "ProgrammeDir(root=PosixPath('challenges'), shown_as='challenges')"
    with pytest.raises(TypeError):
        hash(one)  # mutable: not hashable, as a dataclass without frozen=True


def test_mutable_defaults_are_not_shared() -> None:
    first, second = FileReport("a.yaml"), FileReport("b.yaml")
    first.findings.append("x")  # type: ignore[arg-type]
    assert second.findings == [] and Gathered().sightings == {}


def test_a_frozen_record_cannot_be_changed_and_travels_between_processes() -> None:
    day = date(2027, 6, 9)
    schedule = Schedule("kent-2027-06", day, day, day, ())
    with pytest.raises(AttributeError, match="frozen"):
        schedule.start = date(2027, 6, 10)
    with pytest.raises(AttributeError, match="frozen"):
        del schedule.start
    again = pickle.loads(pickle.dumps(schedule))
    assert again == schedule and hash(again) == hash(schedule)
    assert {schedule: 1}[again] == 1
    report = FileReport("a.yaml", sightings={"id.duplicate": []})
    assert pickle.loads(pickle.dumps(report)) == report


def test_what_workers_send_back_arrives_whole() -> None:
    """Findings, sightings and loaded files travel as their fields, and come back the same."""
    finding = Finding("a.yaml", 3, 1, "steps.overdue", "warning", "was due")
    sighting = Sighting("a.yaml", 7, 3, "Ann Smith", (738894, 738895, "kent-2027-06", "lead"))
    loaded = LoadedFile(Path("round-1/a.yaml"), "round-1/a.yaml", findings=[finding])
    for sent in (finding, sighting, loaded, [sighting, sighting]):
        for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
            again = pickle.loads(pickle.dumps(sent, protocol=protocol))
            assert again == sent and type(again) is type(sent)
    again = pickle.loads(pickle.dumps(loaded))
    assert isinstance(again.path, Path) and again.findings[0].rule == "steps.overdue"
    assert type(again.findings[0]) is Finding
    other = Sighting("b.yaml", 2, 1, "kent-2027-06")
    gathered = Gathered(
        {"a.yaml": [finding], "b.yaml": []},
        {"team.diary": [sighting, sighting], "id.duplicate": [other]},
        {},
    )
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(gathered, protocol=protocol))
        assert back == gathered  # (sent as plain tuples: Sightings again on arrival)
        assert {type(seen) for found in back.sightings.values() for seen in found} == {Sighting}
        assert back.sightings["id.duplicate"][0].value == "kent-2027-06"


def test_a_file_named_by_text_is_the_same_file_as_by_path() -> None:
    """The walk gives paths as text; a loaded file still offers (and compares by) a Path."""
    as_text = LoadedFile("challenges/kent-2027-06.yaml", "kent-2027-06.yaml")
    as_path = LoadedFile(Path("challenges/kent-2027-06.yaml"), "kent-2027-06.yaml")
    assert as_text == as_path
    assert as_text.path == Path("challenges/kent-2027-06.yaml")
    assert isinstance(as_text.path, Path) and as_text.path is as_text.path  # made once
    assert as_text != LoadedFile("challenges/kent-2027-07.yaml", "kent-2027-06.yaml")
