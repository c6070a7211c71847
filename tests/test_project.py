"""The project keeps its promises: quick start, CI, help examples, schemas, lint and types."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pcplan.cli import app
from pcplan.jsonschema import SCHEMA_FILES, schema_text
from tests.conftest import run

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)\n```", section, flags=re.DOTALL)


def test_the_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    install_and_run, install_and_test = commands
    assert "pip install" in install_and_run and "pcplan" in install_and_run.split("&&")[-1]
    assert "[test]" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readmes_test_command_word_for_word() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_is_listed() -> None:
    expected = {
        "check",
        "schedule",
        "status",
        "due",
        "calendar",
        "timebank",
        "new",
        "done",
        "team",
        "set",
        "schema",
        "visit",
        "match",
        "report",
    }
    assert set(_commands()) == expected


@pytest.mark.parametrize("command", _commands())
def test_every_commands_help_has_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"pcplan {command}" in " ".join(result.stdout.split())


def test_the_top_level_help_has_an_example() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "Example: pcplan" in result.stdout


@pytest.mark.parametrize("argv", [["-m", "pcplan", "--version"], ["-m", "pcplan", "--help"]])
def test_python_dash_m_works(argv: list[str]) -> None:
    result = subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "pcplan" in result.stdout


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_the_committed_schemas_are_up_to_date(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text(encoding="utf-8")
    assert committed == schema_text(SCHEMA_FILES[name]), (
        f"schemas/{name} is stale: run `pcplan schema --out schemas`"
    )


def test_pcplan_schema_writes_both_schemas(tmp_path: Path) -> None:
    result = run("schema", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    for name in SCHEMA_FILES:
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == (
            ROOT / "schemas" / name
        ).read_text(encoding="utf-8")


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:  # pragma: no cover - the [test] extra installs both
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return found


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    for args in (
        ["check", "src", "tests", "bench"],
        ["format", "--check", "src", "tests", "bench"],
    ):
        result = subprocess.run(
            [_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--dir", "challenges"],
        ["status", "--format", "json", "--dir=challenges"],
        ["done", "kent-2027-06", "scope", "--dir", "challenges"],
    ],
)
def test_dir_after_the_command_says_to_put_it_before(argv: list[str]) -> None:
    result = run(*argv)
    assert result.exit_code == 2, result
    assert "put it before the command" in result.stderr
    assert f"pcplan --dir challenges {argv[0]}" in result.stderr


def _help_examples() -> list[str]:
    texts = [run("--help").stdout] + [run(command, "--help").stdout for command in _commands()]
    return [
        " ".join(line.split())
        for text in texts
        for line in text.splitlines()
        if line.strip().startswith(("pcplan ", "Example: pcplan ", "Examples:"))
        or "pcplan " in line
    ]


def test_every_help_example_uses_the_example_programme() -> None:
    """Ids, people and authorities in `--help` examples exist in challenges/ (a fresh clone)."""
    import re

    example = ROOT / "challenges"
    ids = {path.stem for path in example.rglob("*.yaml")} - {"programme"}
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(example.rglob("*.yaml")))
    lines = [line for line in _help_examples() if "pcplan " in line]
    assert lines
    seen = 0
    for line in lines:
        for challenge in re.findall(r"\b[a-z]+(?:-[a-z]+)*-\d{4}-\d{2}\b", line):
            assert challenge in ids, (challenge, line)
            seen += 1
        for name in re.findall(r'"([^"]+)"', line):
            if re.fullmatch(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)+", name):
                assert name in text, (name, line)
                seen += 1
        for option in ("--host", "--authority", "--organisation"):
            for slug in re.findall(rf"{option} ([a-z0-9-]+)", line):
                assert re.search(rf"^\s+{slug}:", text, re.MULTILINE), (slug, line)
                seen += 1
    assert seen >= 10
