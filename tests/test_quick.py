"""The quick path of `pcplan check` (pcplan.cli.checking) reads a command line as typer does.

`pcplan check` with plain arguments runs without typer. Whatever the quick path takes,
typer must read the same way: the same paths, options and programme directory reach
the check. Whatever else typer would read differently (or refuse), the quick path
must decline, so that typer reads it and words its errors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

import pcplan.cli.check
import pcplan.cli.checking
from pcplan.cli import app
from pcplan.cli.check import CheckFormat
from pcplan.cli.checking import CHECK_FORMATS, FLAGS, VALUES, quick_check
from pcplan.cli.runtime import STATE

from .conftest import AS_OF

ROOT = Path(__file__).resolve().parents[1]

Call = tuple[list[str], str | None, bool, str, bool, str]


def _recording(calls: list[Call]) -> Any:
    def record(paths: Any, as_of: Any, strict: Any, fmt: Any, no_cache: Any) -> int:
        shown = [os.fspath(path) for path in paths or []]
        calls.append((shown, as_of, strict, fmt, no_cache, STATE.directory))
        return 0

    return record


def read_by_quick_path(arguments: list[str], environ: dict[str, str]) -> Call | None:
    command = quick_check(arguments, environ)
    if command is None:
        return None
    calls: list[Call] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pcplan.cli.checking, "run_check", _recording(calls))
        assert command() == 0
    (call,) = calls
    return call


def read_by_typer(arguments: list[str], environ: dict[str, str]) -> tuple[int, list[Call]]:
    calls: list[Call] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pcplan.cli.check, "run_check", _recording(calls))
        patch.delenv("PCPLAN_DIR", raising=False)
        result = CliRunner().invoke(app, arguments, env=environ, catch_exceptions=False)
    return result.exit_code, calls


def assert_read_alike(arguments: list[str], environ: dict[str, str] | None = None) -> bool:
    """True when the quick path took the command line (and typer read it the same way)."""
    environ = environ or {}
    quick = read_by_quick_path(arguments, environ)
    if quick is None:
        return False
    code, calls = read_by_typer(arguments, environ)
    assert (code, calls) == (0, [quick]), arguments
    return True


TAKEN = [
    ["check"],
    ["--dir", "programme", "check"],
    ["--dir=programme", "check", "--strict"],
    ["--dir", "a", "--dir", "b", "check"],
    ["check", "--format", "json", "--no-cache"],
    ["check", "--format=github", "--format", "text"],
    ["check", "--as-of", AS_OF, "--strict", "--strict"],
    ["check", "--as-of=not-a-date"],  # (a bad date is run_check's to refuse, with exit 2)
    ["check", "round-10/kent.yaml", "--strict", "round-11"],
    ["check", "--", "--strict", "-", "x"],
    ["check", "a b.yaml", "é.yaml", "=x"],
]

DECLINED = [
    [],
    ["--help"],
    ["--version"],
    ["status"],
    ["check", "--help"],
    ["check", "-h"],
    ["check", "--format", "JSON"],
    ["check", "--format", "yaml"],
    ["check", "--format"],
    ["check", "--format="],
    ["check", "--as-of", "--strict"],
    ["check", "--strict=yes"],
    ["check", "--no-such-option"],
    ["check", "-"],
    ["check", ""],
    ["check", "--dir", "elsewhere"],
    ["--dir", "check"],
    ["--dir"],
    ["--dir=", "check"],
    ["--directory", "x", "check"],
    ["--install-completion"],
    ["-h", "check"],
]


@pytest.mark.parametrize("arguments", TAKEN, ids=" ".join)
def test_the_quick_path_reads_a_plain_command_line_as_typer_does(arguments: list[str]) -> None:
    assert assert_read_alike(arguments)


@pytest.mark.parametrize("arguments", DECLINED, ids=lambda words: " ".join(words) or "(none)")
def test_anything_else_is_left_to_typer(arguments: list[str]) -> None:
    assert quick_check(arguments, {}) is None


def test_the_programme_directory_from_the_environment() -> None:
    assert assert_read_alike(["check"], {"PCPLAN_DIR": "from-env"})
    assert assert_read_alike(["--dir", "given", "check"], {"PCPLAN_DIR": "from-env"})
    assert quick_check(["check"], {"PCPLAN_DIR": ""}) is None
    assert quick_check(["check"], {"_PCPLAN_COMPLETE": "complete_bash"}) is None
    assert assert_read_alike(["check"], {"SETUP_COMPLETE": "1"})  # (not a completion)


WORDS = [
    "check",
    "--dir",
    "--dir=d",
    "d",
    "--strict",
    "--no-cache",
    "--format",
    "--format=json",
    "json",
    "github",
    "Text",
    "--as-of",
    "--as-of=2026-01-05",
    AS_OF,
    "--",
    "-",
    "-x",
    "--help",
    "file.yaml",
    "",
]


@settings(deadline=None)  # (each example runs typer twice: 0.1–0.3 s on a loaded machine)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_any_command_line_the_quick_path_takes_typer_reads_alike(words: list[str]) -> None:
    assert_read_alike(words)
    assert_read_alike(["check", *words])


def test_the_quick_path_knows_every_option_of_check() -> None:
    """A new option of `check` must be taught to the quick path (or typer gets it all)."""
    command = get_command(app).commands["check"]  # type: ignore[attr-defined]
    options = {name for param in command.params for name in param.opts if name.startswith("-")}
    assert options == {*FLAGS, *VALUES}
    assert tuple(CheckFormat) == CHECK_FORMATS


def _console(arguments: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n"
        "sys.argv = ['pcplan', *sys.argv[1:]]\n"
        "from pcplan.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    heavy = any(m in sys.modules for m in ('typer', 'inspect', 'dataclasses'))\n"
        "    sys.stdout.write(f'exit {done.code} typer={heavy}')\n"
    )
    environment = {**os.environ, "PCPLAN_NO_CACHE": "1"}
    environment.pop("PCPLAN_DIR", None)
    return subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=environment,
    )


@pytest.mark.parametrize(
    ("arguments", "quick"),
    [
        (["check", "--as-of", AS_OF], True),
        (["check", "--as-of", AS_OF, "--format", "json", "--strict"], True),
        (["check", "--as-of", "2026-13-01"], True),
        (["--dir", "nowhere", "check"], True),
        (["check", "--as-of", AS_OF, "--format", "yaml"], False),
    ],
)
def test_the_console_gives_what_typer_gives(
    programme: Path, arguments: list[str], quick: bool
) -> None:
    """Same output, same errors, same exit code; on the quick path, typer is not even
    imported (nor inspect and dataclasses, which cost about 25 ms)."""
    done = _console(arguments, programme.parent)
    output, _, marker = done.stdout.rpartition("exit ")
    code, typer_loaded = marker.split(" typer=")
    assert typer_loaded == str(not quick)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(programme.parent)
        expected = CliRunner().invoke(app, arguments, catch_exceptions=False)
    assert (int(code), output, done.stderr) == (
        expected.exit_code,
        expected.stdout,
        expected.stderr,
    )


def test_only_the_console_process_freezes_what_an_analysis_made(programme: Path) -> None:
    """gc.freeze after an analysis spares the collector's passes in a process that ends
    with its command; a process that goes on (these tests) keeps collecting as usual."""
    import gc

    frozen = gc.get_freeze_count()
    arguments = ["--dir", str(programme), "check", "--no-cache", "--as-of", AS_OF]
    assert CliRunner().invoke(app, arguments).exit_code == 0
    assert gc.get_freeze_count() == frozen
    script = (
        "import gc, sys\n"
        "sys.argv = ['pcplan', *sys.argv[1:]]\n"
        "from pcplan.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    sys.stdout.write(f'frozen {gc.get_freeze_count() > 0}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=False
    )
    assert done.stdout.endswith("frozen True"), done
