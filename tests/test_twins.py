"""The models' plain twins (pcplan.twins) take exactly what the models take, the same way.

The twins let a check skip pydantic for plainly valid data. They may decline
anything (pydantic then decides), but whatever they accept the model must accept
too, with equal values of the same types; and they must accept every valid file
of the example programme and of the test cases, or they save nothing.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pcplan import models, twingen, twins
from pcplan.yamlio import YamlProblem, load
from tests.test_properties import challenges

ROOT = Path(__file__).resolve().parents[1]
VALIDATE = {
    "challenge": models.validate_challenge,
    "programme": models.validate_programme,
    "private": models.validate_private,
}


def plain(value: Any) -> Any:
    """A model or a twin as nested tuples: class name, field names, values and their types."""
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return (type(value).__name__, tuple((k, plain(getattr(value, k))) for k in fields))
    if isinstance(value, twins._Twin):
        return (type(value).__name__, tuple((k, plain(getattr(value, k))) for k in value.__slots__))
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return (type(value).__name__, value)


@pytest.fixture(autouse=True)
def _strict_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    """A twin that raises anything but a refusal is a bug: let it show."""
    monkeypatch.setattr(twins, "STRICT", True)


def agree(kind: str, data: Any) -> bool:
    """The twin and the model agree on this data; True when the twin took it."""
    twin = getattr(twins, kind)(data)
    model = VALIDATE[kind](copy.deepcopy(data))
    if twin is None:
        return False
    assert not isinstance(model, list), f"the twin took data the model refuses: {model}"
    assert plain(twin) == plain(model)
    return True


def test_the_twins_are_generated_from_the_models() -> None:
    on_disk = (ROOT / "src" / "pcplan" / "twins.py").read_text(encoding="utf-8")
    assert twingen.generate() == on_disk, "run: python -m pcplan.twingen > src/pcplan/twins.py"


def _yaml_files() -> list[Path]:
    found = sorted((ROOT / "challenges").rglob("*.yaml"))
    found += sorted((ROOT / "tests").rglob("*.yaml"))
    return found


def test_every_valid_file_of_the_repository_is_taken_as_the_model_takes_it() -> None:
    taken = valid = 0
    for path in _yaml_files():
        try:
            data = load(path)[1].data
        except YamlProblem:
            continue
        kind = "programme" if path.name == "programme.yaml" else "challenge"
        took = agree(kind, data)
        is_valid = not isinstance(VALIDATE[kind](data), list)
        assert took == is_valid, f"{path}: valid, but the twin declined it"
        taken += took
        valid += is_valid
    assert taken == valid > 20


# Every field of every model filled in (tests/cases and the example programme leave some
# out), so that every generated check runs (see test_every_generated_check_runs).
FULL_CHALLENGE: dict[str, Any] = {
    "id": "kent-2027-06",
    "round": 10,
    "host": {"authority": "kent", "dcs": "Alex Morgan", "project_manager": "Sam Patel"},
    "topic": "Early help and the front door",
    "scope": "How well the front door works,\nand for whom.\tTabs too.",
    "briefing_needed": False,
    "fieldwork": {"start": "2027-06-09", "end": "2027-06-10"},
    "visiting_team": [
        {
            "name": "Pat Quinn",
            "authority": "medway",
            "role": "dcs",
            "lead": True,
            "status": "confirmed",
        },
        {"name": "Robin Hale", "organisation": "nhs-kent", "role": "partner"},
    ],
    "lead_consent": {"given_by": "Alex Morgan", "date": "2026-11-20", "reason": "interim"},
    "steps": {"dates": "2026-11-02", "scope": "2026-11-10", "planning_discussion": None},
    "feedback": {"audience": ["senior team"], "format": "oral", "agreed_on": "2026-11-20"},
    "escalation": {"host_contact": "Alex Morgan", "visiting_contact": ""},
    "review": {
        "opted_in": True,
        "contents": ["original_scope", "impact_evidence"],
        "visit": {"requested": True, "hours": 3.5, "one_to_one": False},
    },
    "visit": {
        "base": "Room 4",
        "accommodation": "Hotel",
        "staff_briefed": "2027-06-01",
        "sessions": [
            {"day": 1, "start": "09:00", "end": "10:00", "kind": "briefing", "title": "Welcome"},
            {
                "day": 2,
                "start": 930,
                "end": 10.5,
                "kind": "work_seen",
                "title": "Case files",
                "visitors": ["Pat Quinn"],
                "with": ["Team manager"],
                "where": "Office",
                "consent": {"needed": True, "obtained": "2027-06-01"},
            },
            {
                "day": 2,
                "start": "11:00",
                "end": "12:00",
                "kind": "other",
                "title": "x",
                "visitors": None,
            },
        ],
    },
    "reading": {
        "pack": [{"title": "Self-assessment", "kind": "self_assessment", "pages": 40}],
        "requests": [
            {"what": "Audit", "by": "Pat Quinn", "asked": "2027-05-01", "sent": "2027-05-03"},
            {"what": "Plan", "asked": "2027-05-02"},
        ],
    },
    "waivers": [
        {"rule": "team.size", "reason": "a small authority\nagreed", "agreed_by": "Sam Lee"},
        {"reason": "all of them", "agreed_by": "Sam Lee"},
    ],
}


def test_the_defaults_are_the_models_defaults() -> None:
    assert plain(twins.settings({})) == plain(models.Settings())
    assert plain(twins.private({})) == plain(models.Private())
    assert twins.settings({}) == twins.settings({})  # (a twin compares by value)
    assert twins.settings({}) != twins.settings({"due_soon_days": 3})


# Values that sit on the edges of what the format takes.
AWKWARD = [
    None,
    "",
    " ",
    "all",
    "x",
    "Jo Rivers",
    "jo\nrivers",
    "tab\there",
    "a" * 81,
    "a" * 501,
    "2027-02-29",
    "2028-02-29",
    "1899-12-31",
    "2026-06-10T09:00",
    "2026-6-1",
    "２０２７-01-01",
    "kent",
    "Kent",
    "kent-",
    "dcs",
    "partner",
    "nominated",
    "interview",
    "09:30",
    0,
    1,
    -1,
    1001,
    3,
    3.5,
    1e309,
    float("nan"),
    True,
    False,
    [],
    ["x"],
    [1, 2],
    [51.5, -0.1],
    [91.0, 0],
    {},
    {"x": 1},
    {"from": "2027-01-01", "to": "2027-01-02"},
    {"start": "2027-01-01", "end": "2027-01-02"},
    {"name": "Jo Rivers", "authority": "kent", "role": "dcs"},
    {"name": "Jo Rivers", "organisation": "nhs-kent", "role": "dcs"},
    date(2027, 1, 1),
    "\ud800",  # a lone surrogate: not UTF-8, which pydantic refuses
    "ok\udcff",
]
# Each limit of the models, and one past it: numbers, and text lengths.
for limit in (-180, -90, 0, 1, 90, 100, 104, 180, 366, 1000, 100_000):
    AWKWARD += [limit - 1, limit, limit + 1, float(limit) + 0.5]
for length in (80, 100, 500, 2000, 20_000):
    AWKWARD += ["a" * length, "a" * (length + 1)]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _mutated(data: dict[str, Any], path: tuple[Any, ...], how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value if how == "set" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "set":
        parent[last] = value
    elif how == "delete":
        del parent[last]
    elif how == "add" and isinstance(parent, dict):
        parent[f"{last}_extra"] = value
    elif how == "key" and isinstance(parent, dict) and isinstance(value, str):
        parent[value] = parent[last]  # (another key beside it, with the same value)
    return data


@pytest.mark.parametrize("path", ["FULL_CHALLENGE", "tests/cases/valid/full-every-section.yaml"])
def test_every_awkward_value_anywhere_in_a_full_challenge(path: str) -> None:
    """Each value of AWKWARD put in place of each value (and as an unknown key) of a file."""
    data = FULL_CHALLENGE if path == "FULL_CHALLENGE" else load(ROOT / path)[1].data
    taken = 0
    for where in _paths(data):
        for value in AWKWARD:
            taken += agree("challenge", _mutated(data, where, "set", value))
            if isinstance(value, str):
                taken += agree("challenge", _mutated(data, where, "key", value))
        for how in ("add", "delete"):  # (an unknown key, a missing one)
            taken += agree("challenge", _mutated(data, where, how, None))
    assert taken > 100  # (the twins take some of these; the rest are the models' to refuse)


def test_every_awkward_value_anywhere_in_a_programme() -> None:
    for where in _paths(PROGRAMME):
        for value in AWKWARD:
            agree("programme", _mutated(PROGRAMME, where, "set", value))
        agree("programme", _mutated(PROGRAMME, where, "delete", None))


@st.composite
def mutations(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> Any:
    data = draw(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["set", "set", "delete", "add"]))
        value = draw(st.sampled_from(AWKWARD))
        data = _mutated(data, path, how, value)
        if not isinstance(data, dict):
            break
    return data


@given(mutations(challenges()))
def test_a_mutated_challenge_is_taken_only_as_the_model_takes_it(data: Any) -> None:
    note(repr(data))
    agree("challenge", data)


PROGRAMME = {
    "name": "A programme",
    "programme_manager": "Sam Lee",
    "authorities": {
        "kent": "Kent County Council",
        "medway": {"name": "Medway Council", "location": [51.39, 0.54]},
    },
    "organisations": {"nhs-kent": "NHS Kent"},
    "people": [
        {
            "name": "Jo Rivers",
            "authority": "kent",
            "role": "dcs",
            "previous_authorities": ["medway"],
            "expertise": ["early help"],
            "unavailable": [{"from": "2027-01-04", "to": "2027-01-08"}],
            "not_with": ["Ash Brown"],
        },
        {"name": "Ash Brown", "organisation": "nhs-kent", "role": "partner"},
    ],
    "settings": {
        "due_soon_days": 10,
        "response_document_weeks": 6,
        "reading_pack_max_pages": 120,
        "visits_per_round": 2,
        "matching": {"skills": 3, "travel": 1.5, "timebank": 0, "spread": 1000},
    },
}


@given(mutations(st.just(PROGRAMME)))
def test_a_mutated_programme_is_taken_only_as_the_model_takes_it(data: Any) -> None:
    note(repr(data))
    agree("programme", data)


def test_every_generated_check_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The full fixtures reach every generated function, so the sweeps above test them all."""
    called: set[str] = set()
    for name, function in list(vars(twins).items()):
        if name.startswith(("_t", "_m_")) and callable(function):

            def counting(v: Any, _name: str = name, _function: Any = function) -> Any:
                called.add(_name)
                return _function(v)

            monkeypatch.setattr(twins, name, counting)
    assert twins.challenge(FULL_CHALLENGE) is not None
    assert twins.programme(PROGRAMME) is not None
    assert twins.private({"people": [{"name": "Jo Rivers", "not_with": ["Ash Brown"]}]})
    generated = {name for name in vars(twins) if name.startswith(("_t", "_m_"))}
    assert generated - called == set()


def test_the_full_fixtures_are_valid() -> None:
    assert agree("challenge", FULL_CHALLENGE)
    assert agree("programme", PROGRAMME)


def test_the_programme_example_is_taken() -> None:
    assert agree("programme", PROGRAMME)
    assert agree("private", {"people": [{"name": "Jo Rivers", "not_with": ["Ash Brown"]}]})


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("challenge", []),  # not a mapping
        ("programme", {**PROGRAMME, "extra": 1}),  # an unknown key
        ("programme", {**PROGRAMME, "settings": {"due_soon_days": True}}),  # a bool for an int
        (
            "programme",
            {
                **PROGRAMME,
                "people": [
                    {"name": "Jo", "authority": "kent", "role": "partner", "organisation": "x"}
                ],
            },
        ),  # both employers: the shared check refuses
        ("programme", {**PROGRAMME, "authorities": {"kent": {"name": "K", "location": [91, 0]}}}),
    ],
)
def test_what_the_model_refuses_the_twin_declines(kind: str, data: Any) -> None:
    assert getattr(twins, kind)(data) is None
    assert isinstance(VALIDATE[kind](data), list)


def test_the_generator_stops_at_what_it_cannot_translate() -> None:
    with pytest.raises(twingen.Unsupported):
        twingen.type_function(twingen._Output(), set[int], [])

    class Odd(BaseModel):
        when: date  # a date without pcplan.fieldchecks.iso_date

    class Stripped(models._Model):
        model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)
        name: str

    class Aliased(models._Model):
        x: int = Field(validation_alias="y")

    class Methodical(models._Model):
        name: str

        def shout(self) -> str:
            return self.name.upper()

    class Patterned(models._Model):
        name: Annotated[str, StringConstraints(pattern=r"^[a-z&&[^aeiou]]+$")]

    for model in (Odd, Stripped, Aliased, Methodical, Patterned):
        with pytest.raises(twingen.Unsupported):
            twingen._model_builder(twingen._Output(), model)


@pytest.mark.parametrize("command", ["status", "due", "timebank"])
def test_the_overviews_of_valid_files_do_not_import_pydantic(command: str) -> None:
    """pydantic alone costs ~0.15 s of a small `status`."""
    script = (
        "import sys\n"
        "from pcplan.cli import main\n"
        "sys.argv = ['pcplan', '--dir', sys.argv[1], sys.argv[2], '--as-of', '2026-11-25']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    print('exit', done.code, 'pydantic' in sys.modules)\n"
    )
    environment = {**os.environ, "PCPLAN_NO_CACHE": "1"}
    run = [sys.executable, "-c", script, str(ROOT / "challenges"), command]
    done = subprocess.run(run, capture_output=True, text=True, check=False, env=environment)
    assert done.stdout.splitlines()[-1] == "exit 0 False", done.stdout + done.stderr


def test_a_check_of_valid_files_does_not_import_pydantic(tmp_path: Path) -> None:
    """What the twins are for; and a broken file still gets pydantic's words."""
    script = (
        "import sys\n"
        "from pcplan.cli import main\n"
        "sys.argv = ['pcplan', '--dir', sys.argv[1], 'check', '--no-cache']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    print('exit', done.code, 'pydantic' in sys.modules)\n"
    )
    run = [sys.executable, "-c", script, str(ROOT / "challenges")]
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    assert done.stdout.splitlines()[-1] in ("exit 0 False", "exit 1 False"), done.stdout
    broken = tmp_path / "challenges"
    subprocess.run(["cp", "-r", str(ROOT / "challenges"), str(broken)], check=True)
    first = sorted(broken.rglob("*.yaml"))[1]
    first.write_text(first.read_text(encoding="utf-8").replace("round:", "round: x\nx_round:", 1))
    run[-1] = str(broken)
    done = subprocess.run(run, capture_output=True, text=True, check=False)
    assert done.stdout.splitlines()[-1] == "exit 1 True", done.stdout
    assert "schema" in done.stdout
