"""`pcplan new`: scaffold a challenge file that checks clean and schedules at once (SPEC §5, §6)."""

from __future__ import annotations

import errno
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import pcplan.fileio
from pcplan.yamlio import decode, parse
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, Run, build_tree, run

MODELINE = "# yaml-language-server: $schema=../schemas/challenge.schema.json"
KENT = (
    "new",
    "--host",
    "kent",
    "--fieldwork",
    "2027-06-09",
    "--round",
    "10",
    "--topic",
    "Early help and the front door",
    "--host-dcs",
    "Alex Morgan",
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A programme directory with programme.yaml and no challenge yet."""
    return build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML})


def data_of(path: Path) -> dict[str, Any]:
    return parse(decode(path, path.read_bytes())).data


def with_option(args: tuple[str, ...], option: str, value: str) -> tuple[str, ...]:
    index = args.index(option)
    return (*args[: index + 1], value, *args[index + 2 :])


def without(args: tuple[str, ...], option: str) -> tuple[str, ...]:
    index = args.index(option)
    return (*args[:index], *args[index + 2 :])


def assert_one_line_error(result: Run, code: int) -> None:
    assert result.exit_code == code, result
    assert "Traceback" not in result.stderr + result.stdout, result
    assert result.stderr.startswith("pcplan: "), result
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result


def printed_path(result: Run) -> Path:
    return (Path.cwd() / result.stdout.splitlines()[0]).resolve()


# ----------------------------------------------------------------------------- the file


def test_new_writes_id_yaml_with_the_given_details(root: Path) -> None:
    result = run(*KENT, "--as-of", AS_OF, directory=root)

    assert result.exit_code == 0, result
    assert result.stderr == ""
    path = root / "kent-2027-06.yaml"
    assert sorted(os.listdir(root)) == ["kent-2027-06.yaml", "programme.yaml"]
    data = data_of(path)
    assert data["id"] == "kent-2027-06"
    assert data["round"] == 10
    assert data["host"]["authority"] == "kent"
    assert data["host"]["dcs"] == "Alex Morgan"
    assert data["topic"] == "Early help and the front door"
    assert data["fieldwork"] == {"start": "2027-06-09", "end": "2027-06-10"}
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "\r" not in text
    assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5  # commented


def test_new_file_has_a_modeline_pointing_at_the_schema_beside_the_directory(root: Path) -> None:
    assert run(*KENT, "--as-of", AS_OF, directory=root).exit_code == 0
    path = root / "kent-2027-06.yaml"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE
    reference = first.split("$schema=", 1)[1]
    schema = root.parent / "schemas" / "challenge.schema.json"
    assert (path.parent / reference).resolve() == schema.resolve()


def test_modeline_with_a_relative_nested_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(tmp_path / "repo" / "programmes" / "south-east", {"programme.yaml": PROGRAMME_YAML})
    monkeypatch.chdir(tmp_path / "repo")
    result = run(*KENT, "--as-of", AS_OF, directory=Path("programmes/south-east"))
    assert result.exit_code == 0, result
    path = tmp_path / "repo" / "programmes" / "south-east" / "kent-2027-06.yaml"
    assert printed_path(result) == path.resolve()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    reference = first.split("$schema=", 1)[1]
    expected = tmp_path / "repo" / "programmes" / "schemas" / "challenge.schema.json"
    assert (path.parent / reference).resolve() == expected.resolve()
    assert not Path(reference).is_absolute()


@pytest.mark.parametrize("as_of", [AS_OF, "2027-04-07", "2027-06-01"])
def test_new_file_checks_with_no_errors(root: Path, as_of: str) -> None:
    assert run(*KENT, "--as-of", as_of, directory=root).exit_code == 0
    result = run("check", "--format", "json", "--as-of", as_of, directory=root)
    report = result.json()
    assert report["files_checked"] == 1
    assert report["errors"] == 0, report
    assert result.exit_code == 0, result


def test_new_file_schedules_straight_away(root: Path) -> None:
    assert run(*KENT, "--as-of", AS_OF, directory=root).exit_code == 0
    result = run("schedule", "kent-2027-06", "--as-of", AS_OF, "--format", "json", directory=root)
    assert result.exit_code == 0, result
    schedule = result.json()
    assert schedule["id"] == "kent-2027-06"
    assert schedule["fieldwork"] == {"start": "2027-06-09", "end": "2027-06-10"}
    assert [step["step"] for step in schedule["steps"]][:3] == ["dates", "scope", "team"]
    assert all(step["done"] is None for step in schedule["steps"])
    table = run("schedule", "kent-2027-06", "--as-of", AS_OF, directory=root)
    assert table.exit_code == 0, table


# ----------------------------------------------------------------------------- defaults


@pytest.mark.parametrize(
    ("start", "end", "challenge_id"),
    [
        ("2027-06-09", "2027-06-10", "kent-2027-06"),  # Wednesday -> Thursday
        ("2027-06-11", "2027-06-14", "kent-2027-06"),  # Friday -> Monday
        ("2027-05-28", "2027-06-01", "kent-2027-05"),  # Friday before the spring bank holiday
        ("2027-03-25", "2027-03-30", "kent-2027-03"),  # Thursday before Good Friday and Easter
        ("2026-12-24", "2026-12-29", "kent-2026-12"),  # Christmas, Boxing Day (observed)
    ],
)
def test_default_id_and_end_the_next_working_day(
    root: Path, start: str, end: str, challenge_id: str
) -> None:
    args = with_option(KENT, "--fieldwork", start)
    result = run(*args, "--as-of", "2026-06-01", directory=root)
    assert result.exit_code == 0, result
    path = root / f"{challenge_id}.yaml"
    assert printed_path(result) == path.resolve()
    data = data_of(path)
    assert data["id"] == challenge_id
    assert data["fieldwork"] == {"start": start, "end": end}
    check = run("check", "--format", "json", "--as-of", "2026-06-01", directory=root).json()
    assert check["errors"] == 0, check
    # ¶11's 48 hours are two consecutive days (fieldwork.length, SPEC §4): a warning when
    # the next working day is not the next day.
    consecutive = date.fromisoformat(end) - date.fromisoformat(start) == timedelta(days=1)
    fired = "fieldwork.length" in {problem["rule"] for problem in check["problems"]}
    assert fired != consecutive


def test_explicit_id_and_end_are_used(root: Path) -> None:
    args = (*KENT, "--id", "kent-summer", "--end", "2027-06-11", "--as-of", AS_OF)
    result = run(*args, directory=root)
    assert result.exit_code == 0, result
    path = root / "kent-summer.yaml"
    assert sorted(os.listdir(root)) == ["kent-summer.yaml", "programme.yaml"]
    data = data_of(path)
    assert data["id"] == "kent-summer"
    assert data["fieldwork"] == {"start": "2027-06-09", "end": "2027-06-11"}
    assert run("check", "--as-of", AS_OF, directory=root).exit_code == 0
    assert run("schedule", "kent-summer", "--as-of", AS_OF, directory=root).exit_code == 0


def test_host_dcs_defaults_to_the_registrys_dcs_of_the_host(root: Path) -> None:
    args = with_option(without(KENT, "--host-dcs"), "--host", "surrey")
    result = run(*args, "--as-of", AS_OF, directory=root)
    assert result.exit_code == 0, result
    assert data_of(root / "surrey-2027-06.yaml")["host"]["dcs"] == "Jo Rivers"


@pytest.mark.parametrize(
    "topic", ["Care leavers: housing", "No", "'quoted' #hash [red]", "Ünïcödé — topic"]
)
def test_a_topic_that_needs_quoting_reads_back_the_same(root: Path, topic: str) -> None:
    args = with_option(KENT, "--topic", topic)
    result = run(*args, "--as-of", AS_OF, directory=root)
    assert result.exit_code == 0, result
    assert data_of(root / "kent-2027-06.yaml")["topic"] == topic
    assert topic in result.stdout  # the headline shows it literally


# ----------------------------------------------------------------------------- what it prints


def test_new_prints_the_path_then_the_schedule_headline(root: Path) -> None:
    result = run(*KENT, "--as-of", AS_OF, directory=root)
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert printed_path(result) == (root / "kent-2027-06.yaml").resolve()
    assert lines[1].startswith("kent-2027-06")
    assert "Kent County Council" in lines[1] and "round 10" in lines[1]
    assert "Early help and the front door" in lines[1]
    assert any("Fieldwork" in line and "2027" in line for line in lines[2:])
    # fieldwork 28 weeks away: no window has closed yet
    assert "closed" not in result.stdout


def test_new_nine_weeks_before_fieldwork_says_which_windows_closed(root: Path) -> None:
    result = run(*KENT, "--as-of", "2027-04-07", directory=root)  # F − 9 weeks
    assert result.exit_code == 0, result
    notes = [line for line in result.stdout.splitlines() if "closed" in line]
    assert len(notes) == 1, result.stdout
    note = notes[0]
    assert "9 weeks" in note
    for key in ("dates", "scope", "team", "planning_discussion", "project_manager"):
        assert key in note
    assert "self_assessment" not in note  # due F − 4w: still open
    assert "1–5" in note or "1-5" in note


def test_the_schedule_command_agrees_on_the_closed_windows(root: Path) -> None:
    assert run(*KENT, "--as-of", "2027-04-07", directory=root).exit_code == 0
    result = run("schedule", "kent-2027-06", "--as-of", "2027-04-07", directory=root)
    assert result.exit_code == 0, result
    assert any("closed" in line and "9 weeks" in line for line in result.stdout.splitlines())


# ----------------------------------------------------------------------------- overwriting


def test_new_refuses_to_overwrite_without_force(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    before = path.read_bytes()
    result = run(*with_option(KENT, "--topic", "Other"), "--as-of", AS_OF, directory=programme)
    assert_one_line_error(result, 1)
    assert "--id kent-2027-06-b" in result.stderr  # a second challenge that month
    assert "--force" not in result.stderr  # never the hint: it would lose the first one
    assert path.read_bytes() == before
    assert result.stdout == ""
    assert sorted(os.listdir(programme)) == ["kent-2027-06.yaml", "programme.yaml"]


def test_new_overwrites_with_force_keeping_the_mode(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    path.chmod(0o640)
    args = (*with_option(KENT, "--topic", "Other"), "--force", "--as-of", AS_OF)
    result = run(*args, directory=programme)
    assert result.exit_code == 0, result
    assert path.read_bytes() != CHALLENGE_YAML.encode()
    assert data_of(path)["topic"] == "Other"
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(programme)) == ["kent-2027-06.yaml", "programme.yaml"]


def test_new_refuses_a_symlink_even_with_force(tmp_path: Path, root: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text(CHALLENGE_YAML, encoding="utf-8")
    (root / "kent-2027-06.yaml").symlink_to(target)
    result = run(*KENT, "--force", "--as-of", AS_OF, directory=root)
    assert_one_line_error(result, 1)
    assert target.read_text(encoding="utf-8") == CHALLENGE_YAML
    assert (root / "kent-2027-06.yaml").is_symlink()


def test_new_refuses_an_id_another_file_already_has(root: Path) -> None:
    build_tree(root, {"round-10/kent-2027-06.yaml": CHALLENGE_YAML})
    result = run(*KENT, "--as-of", AS_OF, directory=root)
    assert result.exit_code in (1, 2), result
    assert "Traceback" not in result.stderr
    assert not (root / "kent-2027-06.yaml").exists()


@pytest.mark.parametrize("broken", ["link", "fsync"])  # (new links its file into place)
def test_new_that_fails_midway_leaves_nothing_behind(
    root: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(pcplan.fileio.os, broken, fail)
    result = run(*KENT, "--as-of", AS_OF, directory=root)
    assert_one_line_error(result, 1)
    assert sorted(os.listdir(root)) == ["programme.yaml"]


@pytest.mark.parametrize("broken", ["replace", "fsync"])
def test_new_force_that_fails_midway_keeps_the_old_file(
    programme: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    path = programme / "kent-2027-06.yaml"
    before = path.read_bytes()
    monkeypatch.setattr(pcplan.fileio.os, broken, fail)
    result = run(*KENT, "--force", "--as-of", AS_OF, directory=programme)
    assert_one_line_error(result, 1)
    assert path.read_bytes() == before
    assert sorted(os.listdir(programme)) == ["kent-2027-06.yaml", "programme.yaml"]


# ----------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize("option", ["--host", "--fieldwork", "--round", "--topic", "--host-dcs"])
def test_something_missing_off_a_terminal_is_exit_2_naming_it(root: Path, option: str) -> None:
    result = run(*without(KENT, option), "--as-of", AS_OF, directory=root)
    assert_one_line_error(result, 2)
    assert option in result.stderr
    assert sorted(os.listdir(root)) == ["programme.yaml"]


def test_everything_missing_names_every_option(root: Path) -> None:
    result = run("new", directory=root)
    assert_one_line_error(result, 2)
    for option in ("--host", "--fieldwork", "--round", "--topic"):
        assert option in result.stderr
    assert sorted(os.listdir(root)) == ["programme.yaml"]


@pytest.mark.parametrize("host", ["narnia", "Kent", "kent county", "../kent"])
def test_unknown_host_is_exit_2(root: Path, host: str) -> None:
    result = run(*with_option(KENT, "--host", host), "--as-of", AS_OF, directory=root)
    assert_one_line_error(result, 2)
    assert sorted(os.listdir(root)) == ["programme.yaml"]
    assert not (root.parent / "kent-2027-06.yaml").exists()


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--fieldwork", "2027-02-30"),
        ("--fieldwork", "09/06/2027"),
        ("--round", "ten"),
        ("--id", "Kent 2027"),
        ("--id", "../escape"),
    ],
)
def test_a_bad_value_is_exit_2_and_nothing_is_written(
    tmp_path: Path, root: Path, option: str, value: str
) -> None:
    args = with_option(KENT, option, value) if option in KENT else (*KENT, option, value)
    result = run(*args, "--as-of", AS_OF, directory=root)
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(os.listdir(root)) == ["programme.yaml"]
    assert sorted(os.listdir(tmp_path)) == ["challenges"]


def test_end_before_start_is_not_written(root: Path) -> None:
    result = run(*KENT, "--end", "2027-06-08", "--as-of", AS_OF, directory=root)
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr + result.stdout
    assert sorted(os.listdir(root)) == ["programme.yaml"]


def test_missing_programme_is_exit_2(tmp_path: Path) -> None:
    result = run(*KENT, "--as-of", AS_OF, directory=tmp_path / "nowhere")
    assert_one_line_error(result, 2)
    assert not (tmp_path / "nowhere").exists()


# ----------------------------------------------------------------------------- then edit it


def test_edits_of_a_new_file_change_only_their_own_lines(root: Path) -> None:
    assert run(*KENT, "--as-of", AS_OF, directory=root).exit_code == 0
    path = root / "kent-2027-06.yaml"
    scaffold = path.read_text(encoding="utf-8")

    assert run("done", "kent-2027-06", "dates", "--on", "2026-11-02", directory=root).exit_code == 0
    add = (
        "team",
        "kent-2027-06",
        "add",
        "Jo Rivers",
        "--authority",
        "surrey",
        "--role",
        "dcs",
        "--lead",
    )
    assert run(*add, directory=root).exit_code == 0

    expected = scaffold.replace("\nsteps:\n", "\nsteps:\n  dates: 2026-11-02\n", 1).replace(
        "\nvisiting_team:\n",
        "\nvisiting_team:\n"
        "  - name: Jo Rivers\n"
        "    authority: surrey\n"
        "    role: dcs\n"
        "    lead: true\n"
        "    status: nominated\n",
        1,
    )
    assert path.read_text(encoding="utf-8") == expected
    report = run("check", "--format", "json", "--as-of", AS_OF, directory=root).json()
    assert {
        problem["rule"] for problem in report["problems"] if problem["severity"] == "error"
    } <= {
        "team.size",
        "team.assistant_director",
        "team.practitioners",
    }


def test_an_unknown_host_is_named_before_any_missing_option(root: Path) -> None:
    result = run("new", "--host", "kentt", directory=root)
    assert_one_line_error(result, 2)
    assert "kentt" in result.stderr and "did you mean `kent`?" in result.stderr
    assert "missing" not in result.stderr


def test_the_schema_the_modeline_points_at_exists_after_new(tmp_path: Path, root: Path) -> None:
    assert not (tmp_path / "schemas").exists()
    assert run(*KENT, "--as-of", AS_OF, directory=root).exit_code == 0
    schema = tmp_path / "schemas" / "challenge.schema.json"
    assert schema.is_file()
    assert (root.parent / "schemas" / "programme.schema.json").is_file()
    result = run("schema", "--out", str(tmp_path / "fresh"), directory=root)
    assert result.exit_code == 0
    assert schema.read_bytes() == (tmp_path / "fresh" / "challenge.schema.json").read_bytes()


def test_on_a_terminal_a_wrong_answer_is_asked_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pcplan.cli.editing

    monkeypatch.setattr(pcplan.cli.editing, "interactive", lambda: True)
    answers = "narnia\nkent\n2027-02-30\n2027-06-09\nten\n10\nEarly help\nAlex Morgan\n"
    result = run("new", "--as-of", AS_OF, directory=root, input=answers)
    assert result.exit_code == 0, result
    assert "narnia" in result.stderr and "2027-02-30" in result.stderr and "ten" in result.stderr
    data = data_of(root / "kent-2027-06.yaml")
    assert (data["round"], data["topic"], data["host"]["dcs"]) == (10, "Early help", "Alex Morgan")
