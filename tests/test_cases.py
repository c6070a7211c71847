"""Data-driven acceptance cases: every file under tests/cases/ is one case.

* ``valid/NAME.yaml``: a challenge file that checks with no findings at all.
* ``invalid/NAME.<ext>`` with ``invalid/NAME.expected.json`` beside it: a file and
  the findings it must give.
* ``invalid/NAME/``: a directory of challenge files (for cross-file rules) with
  ``expected.json`` inside.

``expected.json`` is ``{"as_of": "YYYY-MM-DD" (optional), "findings": [{"rule",
"line", "column", "file" (directory cases), "severity" (optional),
"message" (optional substring)}]}``. Every case runs through the real CLI
against ``cases/programme.yaml`` and must give exactly those findings: no more,
no fewer, at exactly those positions, and never a traceback.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, run

CASES = Path(__file__).parent / "cases"


def _invalid_cases() -> list[Path]:
    found = []
    for path in sorted((CASES / "invalid").iterdir()):
        if path.is_dir() or not path.name.endswith(".expected.json"):
            found.append(path)
    return found


def _expected(case: Path) -> dict[str, Any]:
    if case.is_dir():
        source = case / "expected.json"
    else:
        source = case.with_name(case.name.split(".")[0] + ".expected.json")
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def _programme_with(tmp_path: Path, case: Path) -> Path:
    directory = tmp_path / "challenges"
    directory.mkdir()
    shutil.copyfile(CASES / "programme.yaml", directory / "programme.yaml")
    if case.is_dir():
        for path in case.rglob("*"):
            if path.is_file() and path.name != "expected.json":
                target = directory / path.relative_to(case)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    else:
        shutil.copyfile(case, directory / case.name)
    return directory


@pytest.mark.parametrize("case", sorted((CASES / "valid").glob("*.y*ml")), ids=lambda p: p.stem)
def test_valid_case_has_no_findings(tmp_path: Path, case: Path) -> None:
    directory = _programme_with(tmp_path, case)
    result = run("check", "--format", "json", "--as-of", AS_OF, directory=directory)
    assert result.json()["problems"] == [], result.stdout
    assert result.exit_code == 0
    assert result.json()["files_checked"] == 1


@pytest.mark.parametrize("case", _invalid_cases(), ids=lambda p: p.name.split(".")[0])
def test_invalid_case_gives_exactly_its_findings(tmp_path: Path, case: Path) -> None:
    expected = _expected(case)
    directory = _programme_with(tmp_path, case)
    as_of = expected.get("as_of", AS_OF)
    result = run("check", "--format", "json", "--as-of", as_of, directory=directory)
    assert "Traceback" not in result.stdout + result.stderr
    problems = result.json()["problems"]
    default_file = None if case.is_dir() else f"{directory}/{case.name}"

    def key(item: dict[str, Any]) -> tuple[str, str, int, int]:
        file = item.get("file")
        if file is None:
            file = default_file
        elif not str(file).startswith(str(directory)):
            file = f"{directory}/{file}"
        return (str(file), item["rule"], item["line"], item["column"])

    assert sorted(key(p) for p in problems) == sorted(key(e) for e in expected["findings"]), (
        json.dumps(problems, indent=1)
    )
    for wanted in expected["findings"]:
        match = next(p for p in problems if key(p) == key(wanted))
        if "severity" in wanted:
            assert match["severity"] == wanted["severity"]
        if "message" in wanted:
            assert wanted["message"] in match["message"]
    has_errors = any(p["severity"] == "error" for p in problems)
    assert result.exit_code == (1 if has_errors else 0)
