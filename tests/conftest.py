"""Shared test helpers: build a programme directory inline and run the real CLI on it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from pcplan.cli import app

AS_OF = "2026-11-25"

# The 15 planning steps of SPEC §3, in order, spelled out once for the tests to compare with.
STEP_KEYS = (
    "dates",
    "scope",
    "team",
    "planning_discussion",
    "project_manager",
    "self_assessment",
    "briefing",
    "logistics",
    "reading_pack",
    "pre_meeting",
    "supplementary_reading",
    "fieldwork",
    "response_document",
    "impact_review",
    "impact_visit",
)

# Hypothesis (tests/test_properties.py): a small run by default, for a quick loop at the
# desk, and a larger one under CI=true, still bounded so that the whole suite stays well
# within CI's budget. CI's run is derandomized: one commit, one result, every time.
settings.register_profile("dev", max_examples=15)
settings.register_profile("ci", max_examples=25, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI", "").lower() == "true" else "dev")

PROGRAMME_YAML = (Path(__file__).parent / "cases" / "programme.yaml").read_text(encoding="utf-8")

# A valid challenge, far from any date-based warning as of AS_OF.
CHALLENGE_YAML = """\
# yaml-language-server: $schema=../schemas/challenge.schema.json
id: kent-2027-06
round: 10
host:
  authority: kent
  dcs: Alex Morgan
topic: Early help and the front door
fieldwork:
  start: 2027-06-09
  end: 2027-06-10
visiting_team:
  - name: Jo Rivers
    authority: surrey
    role: dcs
    lead: true
    status: confirmed
  - name: Pat Quinn
    authority: medway
    role: assistant_director
    status: nominated
  - name: Lee Chen
    authority: slough
    role: team_leader
    status: nominated
  - name: Ash Brown
    authority: reading
    role: practitioner
    status: nominated
steps:
  dates: 2026-11-02
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first: with `-n auto`, the workers then finish at about the same time."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def build_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root`` (text is written verbatim)."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the bank-holiday cache of the tests away from the user's home.

    The content cache (`.pcplan-cache/` in the programme directory) is off, so that the
    tests that demand a command leave the tree untouched keep their meaning;
    tests/test_cache.py turns it on. ``PCPLAN_TEST_CACHE=1`` runs the suite with it on.
    """
    cache = tmp_path_factory.getbasetemp() / "pcplan-cache"
    monkeypatch.setenv("PCPLAN_CACHE_DIR", str(cache))
    if not os.environ.get("PCPLAN_TEST_CACHE"):
        monkeypatch.setenv("PCPLAN_NO_CACHE", "1")
    monkeypatch.delenv("PCPLAN_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    """A programme directory with programme.yaml and one valid challenge."""
    return build_tree(
        tmp_path / "challenges",
        {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": CHALLENGE_YAML},
    )


class Run:
    """The result of one CLI run."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:
        return f"Run(exit_code={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def run(
    *args: str | os.PathLike[str], directory: Path | None = None, input: str | None = None
) -> Run:
    """Run ``pcplan [--dir directory] args…`` in-process and capture what it prints."""
    argv = [os.fspath(arg) for arg in args]
    if directory is not None:
        argv = ["--dir", os.fspath(directory), *argv]
    result = CliRunner().invoke(app, argv, input=input, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def findings(result: Run) -> list[tuple[str, int, int]]:
    """(rule, line, column) of every problem in `check --format json` output."""
    return [(p["rule"], p["line"], p["column"]) for p in result.json()["problems"]]


def iter_files(root: Path) -> Iterator[Path]:
    yield from sorted(path for path in root.rglob("*") if path.is_file())


# ----------------------------------------------------------------- the content cache on


@pytest.fixture
def cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The content cache on (this suite runs with it off), with stat keys trusted at once
    (normally only for files over two seconds old), so that the fast paths are what the
    tests exercise, not only the hash."""
    import pcplan.cache

    monkeypatch.delenv("PCPLAN_NO_CACHE", raising=False)
    monkeypatch.setattr(pcplan.cache, "RACY_NS", -(10**18))


def cached_check(root: Path, *extra: str) -> dict[str, object]:
    """`check --format json` as a new process would run it: the cache read from disk."""
    import pcplan.cache

    pcplan.cache._MEMO.clear()
    result = run("check", "--as-of", AS_OF, "--format", "json", *extra, directory=root)
    assert "Traceback" not in result.stderr, result
    payload: dict[str, object] = result.json()
    return payload


def rules_fired(payload: dict[str, object]) -> set[str]:
    problems = payload["problems"]
    assert isinstance(problems, list)
    return {problem["rule"] for problem in problems}
