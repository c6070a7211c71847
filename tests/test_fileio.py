"""No lost update, and safe writing (SPEC §6, issue 10), through the real command line.

Concurrent edits of one file queue up on the folder's lock and all land; `new`
creates exclusively; a killed edit leaves the old bytes or the new ones, never
anything else, and its temporary file goes with the next write; output files
(`schema --out`, `calendar --out`) refuse what is not theirs to replace in one
line. Every run here is a subprocess (``python -m pcplan``), except where a
failure has to be simulated inside pcplan (monkeypatch), which runs in-process.
Timeouts are safety nets only (a hung run fails instead of hanging the suite),
never assertions of speed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

import pcplan.fileio
from pcplan.edit import Editor
from pcplan.errors import Terminated
from pcplan.models import Challenge, validate_challenge
from pcplan.yamlio import decode, parse
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, STEP_KEYS, build_tree, run

ID = "kent-2027-06"
FILE = f"{ID}.yaml"
SAFETY = 120.0  # seconds before a run counts as hung (a safety net, not a speed bound)
STEPS = STEP_KEYS[1:9]  # eight steps, scope to reading_pack


# ----------------------------------------------------------------------------- helpers


def command(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pcplan", "--dir", os.fspath(root), *args]


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", **extra}


def cli(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(root, *args),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=environment(**env),
        timeout=SAFETY,
    )


def start(root: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command(root, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environment(**env),
    )


def together(root: Path, runs: list[tuple[str, ...]]) -> list[tuple[int, str, str]]:
    """Start every run at once; (exit code, stdout, stderr) of each, in order."""
    processes = [start(root, *args) for args in runs]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=SAFETY)
        results.append((process.returncode, out, err))
    return results


def assert_one_line(code: int, stderr: str, expected: int = 1) -> str:
    assert code == expected, stderr
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcplan: "), stderr
    return lines[0]


def programme(tmp_path: Path, challenge: str | bytes = CHALLENGE_YAML) -> Path:
    return build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: challenge})


def challenge_of(path: Path) -> Challenge:
    """The file parses and is a valid challenge."""
    checked = validate_challenge(parse(decode(path, path.read_bytes())).data)
    assert isinstance(checked, Challenge), checked
    return checked


def leftovers(root: Path) -> list[str]:
    """Anything in the folder that is not a challenge or programme.yaml (temp or lock files)."""
    return sorted(name for name in os.listdir(root) if not name.endswith(".yaml"))


@contextmanager
def folder_locked(root: Path) -> Iterator[None]:
    """Hold the folder's lock from the test, as another pcplan writing would."""
    handle = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


# ----------------------------------------------------------------------------- concurrency


@pytest.mark.parametrize("trial", range(3))
def test_eight_parallel_done_all_land(tmp_path: Path, trial: int) -> None:
    root = programme(tmp_path)
    day = {step: date(2027, 1, 5) + timedelta(days=i) for i, step in enumerate(STEPS)}
    results = together(root, [("done", ID, s, "--on", day[s].isoformat()) for s in STEPS])

    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    steps = challenge_of(root / FILE).steps
    for step in STEPS:
        assert steps[step] == day[step], step
    assert steps["dates"] == date(2026, 11, 2)
    assert leftovers(root) == []


def test_eight_parallel_team_adds_all_land(tmp_path: Path) -> None:
    root = programme(tmp_path)
    names = [f"Sam Parallel {n}" for n in range(8)]
    authorities = ["hampshire", "oxfordshire", "surrey", "medway"]
    roles = ["practitioner", "team_leader"]
    runs = [
        ("team", ID, "add", name, "--authority", authorities[i % 4], "--role", roles[i % 2])
        for i, name in enumerate(names)
    ]
    results = together(root, runs)

    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    team = challenge_of(root / FILE).visiting_team
    assert [m.name for m in team[:4]] == ["Jo Rivers", "Pat Quinn", "Lee Chen", "Ash Brown"]
    assert sorted(m.name for m in team[4:]) == names
    assert all(m.status == "nominated" for m in team[4:])
    assert leftovers(root) == []


def test_eight_parallel_new_with_one_id_exactly_one_wins(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML})
    topics = [f"Topic {n}" for n in range(8)]
    runs = [
        (
            "new",
            "--host",
            "kent",
            "--fieldwork",
            "2027-06-09",
            "--round",
            "10",
            "--topic",
            topic,
            "--host-dcs",
            "Alex Morgan",
            "--id",
            "kent-race",
            "--as-of",
            AS_OF,
        )
        for topic in topics
    ]
    results = together(root, runs)

    winners = [i for i, (code, _out, _err) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    for i, (code, _out, err) in enumerate(results):
        if i not in winners:
            line = assert_one_line(code, err)
            assert "already exists" in line and "--id" in line  # (never a hint to --force)
    # The file is the winner's, whole.
    assert challenge_of(root / "kent-race.yaml").topic == topics[winners[0]]
    assert leftovers(root) == []


# ----------------------------------------------------------------------------- killed edits


def _expected_after_done(root: Path, step: str, day: date) -> bytes:
    editor = Editor(root / FILE)
    editor.set_value(("steps",), step, day)
    return editor.new_bytes()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_a_killed_edit_leaves_the_old_or_the_new_bytes(tmp_path: Path, signum: int) -> None:
    """10 runs per signal (20 in all), each killed at a random moment.

    Every other run is killed at a random moment of its first second; the rest
    the moment it holds the folder's lock (seen in /proc/locks on Linux), so
    that kills land while the file is being read, written and replaced.
    """
    root = programme(tmp_path)
    chance = random.Random(f"pcplan-{signum}")
    for run_number in range(10):
        day = date(2027, 1, 5) + timedelta(days=run_number)
        before = (root / FILE).read_bytes()
        after = _expected_after_done(root, "scope", day)
        process = start(root, "done", ID, "scope", "--on", day.isoformat())
        if run_number % 2 and _wait_until_locked(process):
            time.sleep(chance.uniform(0, 0.005))
        else:
            time.sleep(chance.uniform(0, 1.0))
        process.send_signal(signum)
        _out, err = process.communicate(timeout=SAFETY)
        assert "Traceback" not in err, err
        if signum == signal.SIGTERM and process.returncode > 0:  # pcplan's own handler ran
            assert process.returncode == 128 + signal.SIGTERM, err
            assert err.strip().splitlines()[-1] == "pcplan: stopped by SIGTERM", err
        assert (root / FILE).read_bytes() in (before, after), f"run {run_number}"
        challenge_of(root / FILE)
    final = cli(root, "done", ID, "team", "--on", "2027-02-01")
    assert final.returncode == 0, final.stderr
    assert challenge_of(root / FILE).steps["team"] == date(2027, 2, 1)
    assert leftovers(root) == []  # no temporary file and no lock file
    assert not [name for name in os.listdir(root) if name.startswith(".")]


def _flock_lines(pid: int) -> list[list[str]]:
    """The flock entries of ``pid`` in /proc/locks (a waiter's entry has ``->``)."""
    try:
        text = Path("/proc/locks").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return [
        fields
        for fields in (line.split() for line in text.splitlines())
        if "FLOCK" in fields and str(pid) in fields
    ]


def _wait_until_locked(process: subprocess.Popen[str]) -> bool:
    """Until ``process`` holds a flock (True), or has finished or /proc/locks is missing."""
    if not Path("/proc/locks").exists():
        return False
    deadline = time.monotonic() + SAFETY
    while process.poll() is None and time.monotonic() < deadline:
        if any("->" not in fields for fields in _flock_lines(process.pid)):
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_while_waiting_for_the_lock_exits_128_plus_n_and_writes_nothing(
    tmp_path: Path, signum: int
) -> None:
    root = programme(tmp_path)
    before = (root / FILE).read_bytes()
    with folder_locked(root):
        process = start(root, "done", ID, "scope", "--on", "2027-01-05")
        _wait_until_blocked_on_a_lock(process.pid)
        process.send_signal(signum)
        _out, err = process.communicate(timeout=SAFETY)
    line = assert_one_line(process.returncode, err, 128 + signum)
    assert line == f"pcplan: stopped by {signal.Signals(signum).name}"
    assert (root / FILE).read_bytes() == before
    assert leftovers(root) == []


def _wait_until_blocked_on_a_lock(pid: int) -> None:
    """Until the process waits for a flock (Linux lists waiters in /proc/locks with ``->``)."""
    if not Path("/proc/locks").exists():
        pytest.skip("needs /proc/locks to see that the process is waiting")
    deadline = time.monotonic() + SAFETY
    while time.monotonic() < deadline:
        if any("->" in fields for fields in _flock_lines(pid)):
            return
        time.sleep(0.02)
    raise AssertionError("pcplan never reached the lock")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_a_signal_midway_through_a_write_removes_the_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    """The CLI turns SIGTERM/SIGHUP into `Terminated`; the write unwinds like Ctrl-C."""
    root = programme(tmp_path)
    before = (root / FILE).read_bytes()

    def signalled(*args: object) -> None:
        raise Terminated(signum)

    monkeypatch.setattr(pcplan.fileio.os, "replace", signalled)
    result = run("done", ID, "scope", "--on", "2027-01-05", directory=root)

    line = assert_one_line(result.exit_code, result.stderr, 128 + signum)
    assert line == f"pcplan: stopped by {signal.Signals(signum).name}"
    assert (root / FILE).read_bytes() == before
    assert leftovers(root) == [] and sorted(os.listdir(root)) == [FILE, "programme.yaml"]


# ----------------------------------------------------------------------------- the lock


def test_an_edit_that_cannot_get_the_lock_refuses_in_one_line(tmp_path: Path) -> None:
    root = programme(tmp_path)
    before = (root / FILE).read_bytes()
    with folder_locked(root):
        result = cli(root, "done", ID, "scope", "--on", "2027-01-05", PCPLAN_LOCK_TIMEOUT="0.3")
    line = assert_one_line(result.returncode, result.stderr)
    assert "another pcplan command" in line
    assert result.stdout == ""
    assert (root / FILE).read_bytes() == before
    # Once the lock is free, the same edit goes through.
    again = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert again.returncode == 0, again.stderr
    assert challenge_of(root / FILE).steps["scope"] == date(2027, 1, 5)


def test_stale_temporary_files_go_with_the_next_write_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    root = programme(tmp_path)
    stale = [f".{FILE}.abcd_123.pcplan-tmp", ".programme.yaml.zz9zz9zz.pcplan-tmp"]
    kept = ["notes.pcplan-tmp", ".notes.txt", ".x.toolong123.pcplan-tmp"]
    for name in stale + kept:
        (root / name).write_text("half a file\n", encoding="utf-8")
    result = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(root)) == sorted([FILE, "programme.yaml", *kept])


# ----------------------------------------------------------------------------- file details


def test_an_edit_keeps_extended_attributes(tmp_path: Path) -> None:
    root = programme(tmp_path)
    path = root / FILE
    try:
        os.setxattr(path, "user.pcplan.test", b"kept")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
            pytest.skip(f"no user extended attributes here: {exc.strerror}")
        raise
    result = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert result.returncode == 0, result.stderr
    assert challenge_of(path).steps["scope"] == date(2027, 1, 5)
    assert os.getxattr(path, "user.pcplan.test") == b"kept"


def test_a_cr_only_file_stays_cr_only(tmp_path: Path) -> None:
    before = CHALLENGE_YAML.replace("\n", "\r").encode("utf-8")
    root = programme(tmp_path, before)
    result = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert result.returncode == 0, result.stderr
    assert (root / FILE).read_bytes() == before + b"  scope: 2027-01-05\r"


def test_a_cr_only_file_gets_a_new_block_with_cr(tmp_path: Path) -> None:
    before = CHALLENGE_YAML.split("steps:")[0].replace("\n", "\r").encode("utf-8")
    root = programme(tmp_path, before)
    result = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert result.returncode == 0, result.stderr
    assert (root / FILE).read_bytes() == before + b"steps:\r  scope: 2027-01-05\r"


@pytest.mark.parametrize("empty", ["~", "null"])
def test_an_empty_steps_becomes_a_block_without_a_trailing_space(
    tmp_path: Path, empty: str
) -> None:
    text = CHALLENGE_YAML.replace("steps:\n  dates: 2026-11-02\n", f"steps: {empty}\n")
    root = programme(tmp_path, text)
    result = cli(root, "done", ID, "scope", "--on", "2027-01-05")
    assert result.returncode == 0, result.stderr
    assert (root / FILE).read_text(encoding="utf-8") == text.replace(
        f"steps: {empty}\n", "steps:\n  scope: 2027-01-05\n"
    )


# ----------------------------------------------------------------------------- output files


def _output_args(kind: str, target: Path) -> tuple[str, ...]:
    return (kind, "--out", str(target))


def _target(kind: str, place: Path) -> Path:
    """Where the output's file lands: schema writes into a folder, calendar a file."""
    return place / "challenge.schema.json" if kind == "schema" else place / "diary.ics"


def _assert_refused(result: subprocess.CompletedProcess[str]) -> str:
    return assert_one_line(result.returncode, result.stderr)


@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_onto_a_symlink_is_refused(tmp_path: Path, kind: str) -> None:
    root = programme(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours\n", encoding="utf-8")
    target = _target(kind, out)
    target.symlink_to(elsewhere)
    result = cli(root, *_output_args(kind, out if kind == "schema" else target))
    assert "symbolic link" in _assert_refused(result)
    assert target.is_symlink() and elsewhere.read_text(encoding="utf-8") == "not yours\n"
    assert [p.name for p in out.iterdir()] == [target.name]


@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_onto_a_fifo_neither_blocks_nor_writes(tmp_path: Path, kind: str) -> None:
    root = programme(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = _target(kind, out)
    os.mkfifo(target)
    result = cli(root, *_output_args(kind, out if kind == "schema" else target))
    assert "not a regular file" in _assert_refused(result)
    assert target.is_fifo()
    assert [p.name for p in out.iterdir()] == [target.name]


@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_where_a_file_stands_for_the_folder(tmp_path: Path, kind: str) -> None:
    root = programme(tmp_path)
    blocker = tmp_path / "out"
    blocker.write_text("a file\n", encoding="utf-8")
    for place in (blocker, blocker / "deeper"):
        result = cli(root, *_output_args(kind, place if kind == "schema" else place / "d.ics"))
        _assert_refused(result)
        assert blocker.read_text(encoding="utf-8") == "a file\n"


def test_calendar_out_onto_a_folder_is_refused(tmp_path: Path) -> None:
    root = programme(tmp_path)
    (tmp_path / "diary.ics").mkdir()
    result = cli(root, "calendar", "--out", str(tmp_path / "diary.ics"))
    assert "folder" in _assert_refused(result)


@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_into_a_read_only_folder_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """As root, chmod does not stop a write: simulate the refusal pcplan would meet."""
    root = programme(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    target = _target(kind, out)
    result = run(*_output_args(kind, out if kind == "schema" else target), directory=root)
    line = assert_one_line(result.exit_code, result.stderr)
    assert "Permission denied" in line
    assert list(out.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_into_a_read_only_folder(tmp_path: Path, kind: str) -> None:
    root = programme(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = cli(root, *_output_args(kind, out if kind == "schema" else _target(kind, out)))
        _assert_refused(result)
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


@pytest.mark.parametrize("kind", ["schema", "calendar"])
def test_output_replaces_its_own_file_atomically_keeping_the_mode(
    tmp_path: Path, kind: str
) -> None:
    root = programme(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = _target(kind, out)
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    result = cli(root, *_output_args(kind, out if kind == "schema" else target))
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") != "old\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert not [p for p in out.iterdir() if p.name.endswith(".pcplan-tmp")]
