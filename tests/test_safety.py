"""Input safety and output that cannot be forged (SPEC §5, §6; issue 10).

Each case runs the real command line (a subprocess ``python -m pcplan``, or
``tests.conftest.run`` in-process where a monkeypatch is the only way to make the
condition happen as root) and asserts the exit code, one line on stderr for a
refusal, no traceback, and files unchanged.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, build_tree, run

TIMEOUT = 120.0  # a hung run, not a speed limit
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def pcplan(
    directory: Path,
    *args: str | bytes,
    env: dict[str, str] | None = None,
    prefix: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[bytes]:
    """``python -m pcplan --dir directory args…`` in a subprocess (bytes in, bytes out)."""
    environment = {**os.environ, **(env or {})}
    environment.pop("PCPLAN_DIR", None)
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pcplan", "--dir", os.fspath(directory), *args],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        cwd=directory.parent,
        timeout=TIMEOUT,
        env=environment,
        check=False,
    )


def snapshot(root: Path) -> dict[bytes, str]:
    return {
        os.fsencode(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_refused(done: subprocess.CompletedProcess[bytes], code: int) -> str:
    """Exit ``code``, one line on stderr, nothing unescaped, no traceback."""
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == code, done
    assert b"Traceback" not in done.stdout + done.stderr, done
    assert stderr.count("\n") == 1 and stderr.startswith("pcplan: "), done
    assert not _CONTROL.search(stderr.rstrip("\n")), done
    return stderr


def assert_no_forgery(text: str) -> None:
    """No control character but line ends, and no line that is a GitHub workflow command."""
    assert not _CONTROL.search(text.replace("\n", "")), text
    for line in text.splitlines():
        assert not line.startswith("::"), line
    assert "Traceback" not in text


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_tree(
        tmp_path / "challenges",
        {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": CHALLENGE_YAML},
    )


def replaced(*pairs: tuple[str, str]) -> str:
    text = CHALLENGE_YAML
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def problems(stdout: bytes) -> list[tuple[str, str, int, int]]:
    report = json.loads(stdout.decode("utf-8"))
    return [(p["file"], p["rule"], p["line"], p["column"]) for p in report["problems"]]


# ------------------------------------------------------------------ unreadable folders


def test_a_folder_that_cannot_be_listed_is_a_yaml_error(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_tree(root, {"locked/a.yaml": "id: a\n", "open/kent-2028-06.yaml": "broken: [\n"})
    real_scandir = os.scandir
    locked = os.fspath(root / "locked")

    def scandir(path: object = ".") -> object:
        if os.fspath(path) == locked:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("check", "--as-of", AS_OF, "--format", "json", directory=root)
    assert result.exit_code == 1, result
    report = result.json()
    shown = f"{root}/locked"
    assert [(p["file"], p["rule"], p["line"], p["column"]) for p in report["problems"]] == [
        (shown, "yaml", 1, 1),
        (f"{root}/open/kent-2028-06.yaml", "yaml", 2, 1),
    ]
    assert "cannot be read" in report["problems"][0]["message"]
    assert report["files_checked"] == 2
    status = run("status", "--as-of", AS_OF, directory=root)
    assert status.exit_code == 0 and "left out the folder" in status.stderr


def test_a_file_whose_folder_cannot_be_searched_is_a_yaml_error(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As without search permission on its folder: every system call on the file fails."""
    build_tree(root, {"sub/kent-2028-06.yaml": CHALLENGE_YAML})
    real_open, real_stat = os.open, os.stat

    def refuse(path: Any) -> None:
        if os.path.basename(os.path.dirname(os.fspath(path))) == "sub":
            raise PermissionError(13, "Permission denied", os.fspath(path))

    def fake_open(path: Any, *args: Any, **kwargs: Any) -> int:
        refuse(path)
        return real_open(path, *args, **kwargs)

    def fake_stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if not isinstance(path, int):
            refuse(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "stat", fake_stat)
    result = run("check", "--as-of", AS_OF, "--format", "json", directory=root)
    assert result.exit_code == 1, result
    found = [(p["file"], p["rule"], p["line"], p["column"]) for p in result.json()["problems"]]
    assert found == [(f"{root}/sub/kent-2028-06.yaml", "yaml", 1, 1)]


# Root reads whatever chmod says. Run it without the capabilities that let it
# (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), so that permissions apply as to anyone.
UNPRIVILEGED = ("setpriv", "--bounding-set=-dac_override,-dac_read_search", "--")


@functools.cache
def _unprivileged() -> tuple[str, ...] | None:
    """A command prefix under which a folder with mode 000 cannot be listed, if any."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        locked = Path(folder) / "locked"
        locked.mkdir(mode=0o000)
        probe = [sys.executable, "-c", f"import os; os.listdir({os.fspath(locked)!r})"]
        try:
            done = subprocess.run([*UNPRIVILEGED, *probe], capture_output=True, check=False)
        finally:
            locked.chmod(0o755)
    return UNPRIVILEGED if b"PermissionError" in done.stderr else None


@pytest.mark.skipif(_unprivileged() is None, reason="cannot run without root's file access")
def test_links_are_read_only_within_the_programme(root: Path, tmp_path: Path) -> None:
    """A link to a file inside is read like the file; out, dangling or to a FIFO is refused."""
    build_tree(root, {"real/kent-2028-06.yaml": CHALLENGE_YAML})
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(CHALLENGE_YAML, encoding="utf-8")
    os.mkfifo(root / "real" / "pipe")
    (root / "in.yaml").symlink_to(root / "real" / "kent-2028-06.yaml")
    (root / "out.yaml").symlink_to(outside)
    (root / "dangling.yaml").symlink_to(root / "real" / "gone.yaml")
    (root / "pipe.yaml").symlink_to(root / "real" / "pipe")
    result = run("check", "--as-of", AS_OF, "--format", "json", "--no-cache", directory=root)
    problems = result.json()["problems"]
    yaml = {Path(p["file"]).name: p["message"] for p in problems if p["rule"] == "yaml"}
    assert yaml == {
        "dangling.yaml": "cannot read the file: No such file or directory",
        "out.yaml": "a symbolic link to a file outside the programme directory; pcplan does "
        "not read it. Copy the file in instead",
        "pipe.yaml": "not a regular file (a pipe, device or socket); pcplan skips it",
    }
    # The link inside is read: the same id as the file it points to.
    duplicates = {Path(p["file"]).name for p in problems if p["rule"] == "id.duplicate"}
    assert duplicates == {"in.yaml", "kent-2027-06.yaml", "kent-2028-06.yaml"}


def test_unreadable_folders_without_privileges(root: Path) -> None:
    build_tree(
        root,
        {"locked/kent-2028-06.yaml": "broken: [\n", "noexec/kent-2029-06.yaml": CHALLENGE_YAML},
    )
    (root / "locked").chmod(0o000)
    (root / "noexec").chmod(0o644)  # listable, not searchable
    try:
        before = snapshot(root)
        done = pcplan(
            root, "check", "--as-of", AS_OF, "--format", "json", prefix=_unprivileged() or ()
        )
        after = snapshot(root)
    finally:
        (root / "locked").chmod(0o755)
        (root / "noexec").chmod(0o755)
    assert done.returncode == 1, done
    assert b"Traceback" not in done.stderr, done
    assert problems(done.stdout) == [
        (f"{root}/locked", "yaml", 1, 1),
        (f"{root}/noexec/kent-2029-06.yaml", "yaml", 1, 1),
    ]
    assert after == before


# ------------------------------------------------------------------ forged output


def test_single_line_fields_refuse_control_characters(root: Path) -> None:
    text = replaced(
        ("dcs: Alex Morgan", 'dcs: "Alex\\tMorgan"'),
        ("topic: Early help and the front door", 'topic: "Early help\\t(front door)"'),
        ("- name: Pat Quinn", '- name: "Pat\\nQuinn"'),
        ("steps:", 'scope: "line one\\nline two"\nfeedback:\n  format: "a\\rb"\nsteps:'),
    )
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    before = snapshot(root)
    done = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1, done
    lines = text.splitlines()

    def line_of(fragment: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if fragment in line)

    expected = [
        ("host.dcs", line_of("dcs:"), 3),
        ("topic", line_of("topic:"), 1),
        ("visiting_team#2.name", line_of("Pat\\nQuinn"), 5),
        ("feedback.format", line_of("format:"), 3),
    ]
    report = json.loads(done.stdout)
    schema = [p for p in report["problems"] if p["rule"] == "schema"]
    assert [(p["line"], p["column"]) for p in schema] == [(line, col) for _, line, col in expected]
    for problem, (field, _, _) in zip(schema, expected, strict=True):
        assert f"`{field}` is one line of text" in problem["message"]
    assert snapshot(root) == before  # (and `scope` may hold a line break: no finding)


def test_unknown_keys_and_file_names_are_escaped_in_text_output(root: Path) -> None:
    build_tree(
        root,
        {
            "kent-2027-06.yaml": CHALLENGE_YAML
            + '"::warning x\\ty": 1\n"::error title=x::pwned": 2\n"a\\rb\\nc": 3\n',
            "::error file=x::pwned.yaml": "broken: [\n",
        },
    )
    before = snapshot(root)
    for directory in (root, Path(".")):
        done = subprocess.run(
            [sys.executable, "-m", "pcplan", "--dir", os.fspath(directory), "check"],
            capture_output=True,
            cwd=root,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == 1, done
        out = done.stdout.decode("utf-8")
        assert_no_forgery(out)
        assert "unknown key `\\x3a:warning x\\ty`" in out and "a\\rb\\nc" in out
    assert "./::error file=x::pwned.yaml:2:1: error yaml:" in out
    github = pcplan(root, "check", "--format", "github").stdout.decode("utf-8")
    assert github.startswith("::error file=")  # (only --format github may)
    assert snapshot(root) == before


def test_team_tables_escape_what_they_show(root: Path) -> None:
    text = replaced(
        ("- name: Lee Chen", '- name: "::warning pwned"'),
        ("- name: Ash Brown", '- name: "Ash | Brown"'),
    )
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    plain = pcplan(root, "team", "kent-2027-06", "--as-of", AS_OF)
    assert plain.returncode == 0, plain
    assert_no_forgery(plain.stdout.decode("utf-8"))
    markdown = pcplan(root, "team", "kent-2027-06", "--as-of", AS_OF, "--format", "markdown")
    out = markdown.stdout.decode("utf-8")
    assert "| Ash \\| Brown |" in out
    assert_no_forgery(out)


def test_arguments_are_escaped_in_error_lines(root: Path) -> None:
    before = snapshot(root)
    for args in (
        ("done", "kent\x1b[31m\r::error x", "scope"),
        ("done", "kent-2027-06", "sco\npe"),
        ("calendar", "--person", "Jo\x1b]0;pwned\x07Rivers"),
        ("team", "kent-2027-06", "confirm", "\x1b[2JJo"),
        ("team", "kent-2027-06", "add", "Sam\tHill", "--authority", "kent", "--role", "dcs"),
        ("team", "kent-2027-06", "add", "Sam\nHill", "--authority", "kent", "--role", "dcs"),
        ("new", "--host", "kent", "--fieldwork", "2027-09-08", "--round", "1", "--topic", "a\rb"),
    ):
        assert_refused(pcplan(root, *args), 2)
    assert snapshot(root) == before


def test_an_argument_that_is_not_utf8_is_a_usage_error(root: Path) -> None:
    before = snapshot(root)
    done = pcplan(
        root, "team", "kent-2027-06", "add", b"Sam\xffHill", "--authority", "kent", "--role", "dcs"
    )
    stderr = assert_refused(done, 2)
    assert "Sam\\xffHill" in stderr
    assert snapshot(root) == before


def test_a_file_name_that_is_not_utf8_is_shown_escaped(root: Path) -> None:
    (root / os.fsdecode(b"bad\xff.yaml")).write_bytes(b"broken: [\n")
    done = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1, done
    assert (f"{root}/bad\\xff.yaml", "yaml", 2, 1) in problems(done.stdout)
    text = pcplan(root, "check", "--as-of", AS_OF)
    assert f"{root}/bad\\xff.yaml:2:1:".encode() in text.stdout


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "start",
    ["２０２７-０６-０９", "٢٠٢٧-٠٦-٠٩", "2027-０6-09"],
    ids=["fullwidth", "arabic-indic", "one-digit"],
)
def test_dates_take_ascii_digits_only(root: Path, start: str) -> None:
    text = replaced(("start: 2027-06-09", f"start: {start}"))
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    done = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1, done
    line = text.splitlines().index(f"  start: {start}") + 1
    assert ("schema", line, 3) in [(r, li, c) for _, r, li, c in problems(done.stdout)]


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--as-of", "9999-12-31"),
        ("status", "--as-of", "1899-12-31"),
        ("check", "--as-of", "２０２６-１１-２５"),
        ("due", "--as-of", "2199-06-01", "--within", "9m"),
        ("due", "--as-of", AS_OF, "--within", "٣d"),
        ("done", "kent-2027-06", "scope", "--on", "1800-01-01"),
        ("new", "--host", "kent", "--fieldwork", "2200-01-01", "--round", "1", "--topic", "T"),
        ("new", "--host", "kent", "--fieldwork", "2027-06-09", "--end", "9999-12-31"),
        ("schedule", "kent-2027-06", "--as-of", "0001-01-01"),
    ],
    ids=lambda args: "-".join(args[:3]),
)
def test_date_arguments_outside_the_years_are_usage_errors(
    root: Path, args: tuple[str, ...]
) -> None:
    before = snapshot(root)
    assert_refused(pcplan(root, *args), 2)
    assert snapshot(root) == before


# ------------------------------------------------------------------ streams


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0", "LANG": "C"}],
    ids=["ascii", "c-locale"],
)
def test_output_degrades_on_a_stream_that_is_not_utf8(root: Path, env: dict[str, str]) -> None:
    text = replaced(
        ("dcs: Alex Morgan", "dcs: Zoë Ńowak"), ("- name: Ash Brown", "- name: Åsa Brün")
    )
    (root / "kent-2027-06.yaml").write_text(text + "ünknown: 1\n", encoding="utf-8")
    check = pcplan(root, "check", "--as-of", AS_OF, env=env)
    assert check.returncode == 1, check
    assert b"unknown key `\\xfcnknown`" in check.stdout  # escaped, not failed
    check = pcplan(root, "check", "--as-of", AS_OF, "--format", "json", env=env)
    assert "`ünknown`" in json.loads(check.stdout.decode("ascii"))["problems"][0]["message"]
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    for args in (
        ("team", "kent-2027-06", "--as-of", AS_OF),
        ("status", "--as-of", AS_OF, "--format", "markdown"),
        ("calendar", "--as-of", AS_OF),
    ):
        done = pcplan(root, *args, env=env)
        assert done.returncode == 0, done
        assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr, done
        done.stdout.decode("ascii")
    team = pcplan(root, "team", "kent-2027-06", "--as-of", AS_OF, "--format", "json", env=env)
    assert json.loads(team.stdout.decode("ascii"))["members"][3]["name"] == "Åsa Brün"


def test_a_closed_stdout_exits_1_quietly(root: Path) -> None:
    done = subprocess.run(
        [
            "sh",
            "-c",
            'exec "$@" >&-',
            "sh",
            sys.executable,
            "-m",
            "pcplan",
            "--dir",
            root,
            "status",
        ],
        capture_output=False,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done
    assert done.stderr == b"", done


def test_a_broken_pipe_keeps_the_exit_status(root: Path) -> None:
    many = "".join(f"unknown{index}: 1\n" for index in range(3000))  # far more than a pipe holds
    (root / "kent-2027-06.yaml").write_text(CHALLENGE_YAML + many, encoding="utf-8")
    command = f'set -o pipefail; "{sys.executable}" -m pcplan --dir "{root}" '
    for args, code in (("check --as-of " + AS_OF, 1), ("status --as-of " + AS_OF, 0)):
        done = subprocess.run(
            ["bash", "-c", command + args + " | head -1 >/dev/null"],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == code, done
        assert b"Traceback" not in done.stderr and b"Broken" not in done.stderr, done


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line_and_exit_1(root: Path) -> None:
    many = "".join(f"unknown{index}: 1\n" for index in range(3000))  # more than a buffer
    (root / "kent-2027-06.yaml").write_text(CHALLENGE_YAML + many, encoding="utf-8")
    shell = ["sh", "-c", 'exec "$@" >/dev/full', "sh", sys.executable, "-m", "pcplan"]
    done = subprocess.run(
        [*shell, "--dir", os.fspath(root), "check", "--as-of", AS_OF],
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
        check=False,
    )
    done.stdout = b""
    assert "No space left on device" in assert_refused(done, 1)


def test_typer_commands_map_a_system_error_alike(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError out of any command: one line and exit 1, never a traceback."""
    import pcplan.cli.overview

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pcplan.cli.overview, "glance_at_programme", full)
    done = run("status", "--as-of", AS_OF, directory=root)
    assert (done.exit_code, done.stderr) == (1, "pcplan: stopped: No space left on device\n")


def test_a_path_too_long_for_the_file_system_is_a_usage_error(root: Path) -> None:
    stderr = assert_refused(pcplan(root, "check", "a" * 300 + ".yaml"), 2)
    assert "cannot be read" in stderr


# ------------------------------------------------------------------ names


def _two_ashes(root: Path) -> None:
    extra = (
        "  - name: ash  brown\n    authority: hampshire\n    role: practitioner\n"
        "    status: nominated\n"
    )
    text = CHALLENGE_YAML.replace("steps:", extra + "steps:")
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")


def test_names_match_exactly_before_case_or_spacing(root: Path) -> None:
    _two_ashes(root)
    done = pcplan(root, "team", "kent-2027-06", "confirm", "Ash Brown")
    assert done.returncode == 0, done
    data = (root / "kent-2027-06.yaml").read_text(encoding="utf-8")
    assert (
        "  - name: Ash Brown\n    authority: reading\n    role: practitioner\n    status: confirmed"
        in data
    )
    ash = "  - name: ash  brown\n    authority: hampshire\n    role: practitioner\n"
    assert ash + "    status: nominated" in data
    near = pcplan(root, "team", "kent-2027-06", "confirm", "pat  QUINN")  # the only candidate
    assert near.returncode == 0 and b"Pat Quinn is now confirmed" in near.stdout, near


def test_a_near_match_with_several_candidates_is_refused(root: Path) -> None:
    _two_ashes(root)
    before = snapshot(root)
    for args in (
        ("team", "kent-2027-06", "decline", "ASH BROWN"),
        (
            "team",
            "kent-2027-06",
            "add",
            "Ash  Brown",
            "--authority",
            "oxfordshire",
            "--role",
            "dcs",
        ),
        ("calendar", "--person", "ASH BROWN"),
    ):
        assert_refused(pcplan(root, *args), 2)
    assert snapshot(root) == before
    exact = pcplan(root, "calendar", "--person", "ash  brown")
    assert exact.returncode == 0 and b"kent-2027-06" in exact.stdout, exact


# ------------------------------------------------------------------ keys ending in ]


def test_keys_that_look_like_pydantic_locations(root: Path) -> None:
    text = replaced(
        ("  dcs: Alex Morgan", '  dcs: Alex Morgan\n  "x[1]": 2\n  "[key]": 3'),
        ("round: 10", 'round: 10\n"foo]": 1'),
    )
    (root / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    done = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done
    lines = text.splitlines()
    report = json.loads(done.stdout)
    got = [(p["line"], p["column"], p["message"].split(";")[0]) for p in report["problems"]]
    assert got == [
        (lines.index('"foo]": 1') + 1, 1, "unknown key `foo]`"),
        (lines.index('  "x[1]": 2') + 1, 3, "unknown key `x[1]` under `host`"),
        (lines.index('  "[key]": 3') + 1, 3, "unknown key `[key]` under `host`"),
    ]


def test_a_system_error_line_says_what_and_where() -> None:
    from pcplan.cli.runtime import exit_code_for

    cases = [
        (OSError(), "pcplan: stopped: OSError\n"),
        (OSError(28, "No space left on device"), "pcplan: stopped: No space left on device\n"),
        (
            OSError(18, "Invalid cross-device link", "a.tmp", None, "b\nyaml"),
            "pcplan: stopped: Invalid cross-device link (a.tmp → b\\nyaml)\n",
        ),
    ]
    for error, line in cases:
        with pytest.MonkeyPatch.context() as patch:
            import io

            stderr = io.StringIO()
            patch.setattr(sys, "stderr", stderr)
            assert exit_code_for(error) == 1
        assert stderr.getvalue() == line
