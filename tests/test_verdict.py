"""The remembered verdict of the last whole-programme check (pcplan.verdict).

A re-check of an unchanged programme is answered without analysing anything; any
change a check could see (a file touched, added or removed, another date, another way
of naming the directory, a damaged verdict) means a full analysis with the right answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import pcplan.cache
from tests.conftest import AS_OF, CHALLENGE_YAML, build_tree, cached_check, rules_fired, run

CACHE = ".pcplan-cache"


pytestmark = pytest.mark.usefixtures("cache_on")

check = cached_check


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the full analyses `check` runs (one item per run)."""
    import pcplan.cli.checking

    counted: list[int] = []
    real = pcplan.cli.checking.analyse_programme

    def counting(*args: object, **kwargs: object) -> object:
        counted.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pcplan.cli.checking, "analyse_programme", counting)
    return counted


def verdicts(root: Path) -> list[Path]:
    return sorted((root / CACHE).glob("verdict-*.json"))


def test_an_unchanged_programme_is_not_analysed_again(programme: Path, analyses: list[int]) -> None:
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})  # cross-file findings
    first = check(programme)
    assert {"id.duplicate", "team.diary"} <= rules_fired(first)
    assert len(analyses) == 1 and len(verdicts(programme)) == 1
    assert check(programme) == first
    assert len(analyses) == 1  # answered from the verdict
    assert check(programme, "--no-cache") == first
    assert len(analyses) == 2  # --no-cache never uses it


def test_the_warm_check_does_not_load_the_analysis(programme: Path) -> None:
    """What makes it fast: no rules and no YAML parser in the process (nor pydantic)."""
    environment = {k: v for k, v in os.environ.items() if k != "PCPLAN_NO_CACHE"}
    script = (
        "import sys\n"
        "import pcplan.cache\n"
        "pcplan.cache.RACY_NS = -(10**18)  # stat keys trusted at once, as above\n"
        f"sys.argv = ['pcplan', '--dir', {str(programme)!r}, 'check', '--as-of', {AS_OF!r}]\n"
        "try:\n"
        "    from pcplan.cli import main\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('pydantic', 'pcplan.models', 'pcplan.rules', 'ruamel.yaml',\n"
        "                     'typer', 'click', 'typer._click')\n"
        "         if m in sys.modules]\n"
        "print('loaded:', heavy)\n"
    )
    outputs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=environment
        )
        assert done.stderr == "", done.stderr
        outputs.append(done.stdout)
    assert "pcplan.rules" in outputs[0]  # cold: the whole analysis
    assert outputs[1].endswith("loaded: []\n"), outputs[1]
    assert outputs[0].replace(outputs[0].splitlines()[-1], "") == outputs[1].replace(
        "loaded: []", ""
    )


def test_a_touched_file_is_analysed_again(programme: Path, analyses: list[int]) -> None:
    first = check(programme)
    path = programme / "kent-2027-06.yaml"
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    assert check(programme) == first
    assert len(analyses) == 2


def test_a_file_changed_with_its_old_size_and_mtime_is_seen(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    assert rules_fired(check(programme)) == set()
    before = path.stat()
    path.write_text(path.read_text().replace("end: 2027-06-10", "end: 2027-06-08"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # (ctime moves on)
    assert "fieldwork.dates" in rules_fired(check(programme))


def test_added_and_removed_files_are_seen(programme: Path) -> None:
    assert rules_fired(check(programme)) == set()
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})
    assert "id.duplicate" in rules_fired(check(programme))
    (programme / "old" / "kent-2027-06.yaml").unlink()
    after = check(programme)
    assert after["files_checked"] == 1 and rules_fired(after) == set()


def test_another_date_is_another_verdict(programme: Path, analyses: list[int]) -> None:
    check(programme)
    later = run("check", "--as-of", "2027-06-01", "--format", "json", directory=programme)
    assert "steps.overdue" in {p["rule"] for p in later.json()["problems"]}
    assert len(analyses) == 2


def test_the_directory_named_another_way_shows_its_own_paths(
    programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})
    by_path = check(programme)
    monkeypatch.chdir(programme)
    pcplan.cache._MEMO.clear()
    here = run("check", "--as-of", AS_OF, "--format", "json", directory=Path(".")).json()
    files = {problem["file"] for problem in here["problems"]}
    assert files == {"kent-2027-06.yaml", "old/kent-2027-06.yaml"}
    assert {p["file"] for p in by_path["problems"]} == {  # type: ignore[union-attr]
        f"{programme}/{name}" for name in files
    }


def test_checking_named_files_reports_only_them(programme: Path) -> None:
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})
    check(programme)
    one = check(programme, str(programme / "old" / "kent-2027-06.yaml"))
    assert one["files_checked"] == 1
    assert {p["file"] for p in one["problems"]} == {  # type: ignore[union-attr]
        f"{programme}/old/kent-2027-06.yaml"
    }


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"\x00\xff" * 10,
        lambda raw: b"[]",
        lambda raw: raw.replace(b'"warning"', b'"fatal"').replace(b'"error"', b'"fatal"'),
        lambda raw: raw.replace(b'"checked":2', b'"checked":"2"'),
        lambda raw: raw.replace(b'"files":[[', b'"files":[["elsewhere.yaml",1,2,3,4],['),
        lambda raw: raw.replace(b'"findings":[[', b'"findings":[[1,'),
    ],
    ids=["truncated", "binary", "shape", "severity", "count", "files", "finding"],
)
def test_a_damaged_verdict_is_not_used(programme: Path, damage: object) -> None:
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})
    truth = check(programme, "--no-cache")
    assert check(programme) == truth
    (verdict,) = verdicts(programme)
    assert callable(damage)
    damaged = damage(verdict.read_bytes())
    assert damaged != verdict.read_bytes()
    verdict.write_bytes(damaged)
    assert check(programme) == truth
    assert check(programme) == truth


def test_no_verdict_is_kept_for_files_changed_moments_ago(
    programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pcplan.cache, "RACY_NS", 2_000_000_000)  # as in real use
    check(programme)
    assert verdicts(programme) == []


def test_the_private_file_named_another_way_is_shown_as_named(
    programme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private.yaml"
    private.write_text("people: [{name: 1}]\n")  # a finding on the private file itself
    monkeypatch.setenv("PCPLAN_PRIVATE", str(private))
    first = {p["file"] for p in check(programme)["problems"]}  # type: ignore[union-attr]
    assert str(private) in first
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PCPLAN_PRIVATE", "private.yaml")  # the same bytes
    again = {p["file"] for p in check(programme)["problems"]}  # type: ignore[union-attr]
    assert again == {"private.yaml"}


def test_programme_yaml_saved_during_a_check_leaves_no_stale_verdict(
    programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's save or a `git checkout` while a check runs: what that run found may
    belong to neither version, so it keeps nothing, and the next run reads afresh."""
    import pcplan.checker

    path = programme / "programme.yaml"
    good = path.read_text()
    path.write_text(good + "bogus_key: 1\n")
    real = pcplan.checker.load_programme

    def saved_meanwhile(*args: object, **kwargs: object) -> object:
        loaded = real(*args, **kwargs)  # type: ignore[arg-type]
        path.write_text(good)  # ... and the file changes before the run ends
        return loaded

    monkeypatch.setattr(pcplan.checker, "load_programme", saved_meanwhile)
    during = check(programme)
    assert "schema" in rules_fired(during)  # what that run read
    monkeypatch.setattr(pcplan.checker, "load_programme", real)
    assert verdicts(programme) == []
    after = check(programme)
    assert after == check(programme, "--no-cache")
    assert "schema" not in rules_fired(after)


def test_a_private_file_unreadable_for_another_reason_is_read_again(
    programme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private.yaml"
    monkeypatch.setenv("PCPLAN_PRIVATE", str(private))
    missing = check(programme)
    private.mkdir()  # now a folder, not a missing file
    folder = check(programme)
    assert folder == check(programme, "--no-cache")
    assert folder != missing


@pytest.mark.parametrize("overview", ["due", "timebank"])
def test_an_overview_leaves_no_verdict_without_the_cross_file_rules(
    programme: Path, overview: str
) -> None:
    """`due` and `timebank` skip the cross-file rules (they show no findings): the `check`
    after one must still run them, not answer from a verdict that lacks their findings."""
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})  # cross-file findings
    pcplan.cache._MEMO.clear()
    assert run(overview, "--as-of", AS_OF, directory=programme).exit_code == 0
    assert verdicts(programme) == []
    assert {"id.duplicate", "team.diary"} <= rules_fired(check(programme))
