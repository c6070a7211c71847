"""pcplan.records: the plain record classes that stand in for dataclasses on the hot path."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

import pytest

from pcplan.directory import ProgrammeDir
from pcplan.rules import FileReport, Gathered
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
