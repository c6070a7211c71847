"""Hostile input, through the real command line, under limits (SPEC §4 `yaml`/`schema`, §5, §6).

Every run is the installed program in a subprocess (``python -m pcplan`` or the
``pcplan`` console script beside ``sys.executable``) with a 1 GiB address-space limit
and a timeout. Each case asserts:

* the exit code (1 for findings with errors, 2 for usage problems);
* one finding per problem, each with its file and a 1-based line and column; for a
  `yaml`/`schema` problem exactly one finding for that file, at the offending place;
* no ``Traceback`` anywhere, and no control character from the data on the output;
* no message echoes more than 80 characters of a raw value from the files;
* every file (and symlink, FIFO and folder) is untouched: same bytes, inode, mode
  and modification time.

No test here asserts how long a run takes: a run that hangs is killed after a
generous safety timeout (a minute), and speed is measured in ``bench/``.

Single-file cases of one family (tags, encodings, dates…) share one programme
directory, one file per case, and so one run of `check --format json` (and one
of the console script's text output): a run costs half a second of imports, and
a `yaml`/`schema` finding must stay with its own file anyway. Big inputs are
generated at run time, never committed. Select this module with
``pytest tests/test_hostile.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import resource
import select
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pcplan.models import UNKNOWN_KEYS_LISTED
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML

SCRIPT = str(Path(sys.executable).with_name("pcplan"))
MEMORY_LIMIT = 1 << 30  # RLIMIT_AS: 1 GiB
TIMEOUT = 60.0  # seconds before a run is killed as hung (a safety net, not a speed test)
MIB = 1024 * 1024
NAME = "kent-2027-06.yaml"  # the challenge's id matches this, so only the hostile part fires

_CONTROL_OUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TEXT_FINDING = re.compile(r"^(.*):(\d+):(\d+): (error|warning|info) (\S+): (.+)$")
_SUMMARY = re.compile(r"^\d+ files checked: \d+ errors, \d+ warnings$")

Snapshot = dict[str, tuple[object, ...]]


# ----------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """One run of the real command line."""

    argv: list[str]
    code: int
    stdout: str
    stderr: str
    seconds: float

    def report(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.stdout)
        except ValueError:
            pytest.fail(f"`check --format json` did not print JSON: {self!r}")
        return data

    def __repr__(self) -> str:
        return (
            f"Outcome(code={self.code}, seconds={self.seconds:.2f}, "
            f"stdout={self.stdout[:1500]!r}, stderr={self.stderr[-1500:]!r})"
        )


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def pcplan(
    directory: Path | str, *args: str, script: bool = False, timeout: float = TIMEOUT
) -> Outcome:
    """``pcplan --dir directory args…`` in a subprocess, in the directory's parent."""
    command = [SCRIPT] if script else [sys.executable, "-m", "pcplan"]
    argv = [*command, "--dir", os.fspath(directory), *args]
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            cwd=Path(directory).parent,
            timeout=timeout,
            preexec_fn=_limits,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"pcplan hung: no answer within {timeout:.0f} s: {' '.join(argv[-6:])}")
    return Outcome(
        argv,
        done.returncode,
        done.stdout.decode("utf-8", errors="replace"),
        done.stderr.decode("utf-8", errors="replace"),
        time.monotonic() - started,
    )


def pcplan_on_terminal(directory: Path, *args: str) -> Outcome:
    """The console script with stdout on a pseudo-terminal, so that Rich draws the tables."""
    argv = [SCRIPT, "--dir", os.fspath(directory), *args]
    env = {**os.environ, "COLUMNS": "240", "LINES": "60", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_limits,
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            left = started + TIMEOUT - time.monotonic()
            if left <= 0:
                process.kill()
                process.wait()
                pytest.fail(f"pcplan hung on a terminal: {' '.join(argv[-4:])}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=TIMEOUT)
    finally:
        os.close(master)
    assert process.stderr is not None
    stderr = process.stderr.read()
    process.stderr.close()
    return Outcome(
        argv,
        process.returncode,
        b"".join(chunks).decode("utf-8", errors="replace"),
        stderr.decode("utf-8", errors="replace"),
        time.monotonic() - started,
    )


# ----------------------------------------------------------------------------- the tree


class Fifo:
    """A named pipe (nobody ever writes to it)."""


class Folder:
    """An empty directory."""


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (relative targets stay relative)."""

    target: str


@dataclass(frozen=True)
class Sparse:
    """A file of ``size`` bytes that takes no room on disk."""

    size: int


Content = str | bytes | Fifo | Folder | Link | Sparse


def make(root: Path, files: dict[str, Content]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8"))
        elif isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        elif isinstance(content, Folder):
            path.mkdir()
        elif isinstance(content, Link):
            os.symlink(content.target, path)
        else:
            with path.open("wb") as handle:
                handle.truncate(content.size)
    return root


def programme_dir(top: Path, programme: Content = PROGRAMME_YAML) -> Path:
    root = top / "challenges"
    root.mkdir()
    return make(root, {"programme.yaml": programme})


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(MIB):
            sha.update(block)
    return sha.hexdigest()


def snapshot(top: Path) -> Snapshot:
    """Everything under ``top`` as it is now: kind, bytes (hash), inode, mode, mtime."""
    state: Snapshot = {}
    for folder, subfolders, files in os.walk(top):
        for name in [*subfolders, *files]:
            path = Path(folder, name)
            info = path.lstat()
            key = path.relative_to(top).as_posix()
            if stat.S_ISLNK(info.st_mode):
                state[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                content = _digest(path) if info.st_size <= 64 * MIB else f"{info.st_size} bytes"
                state[key] = ("file", content, info.st_ino, info.st_mode, info.st_mtime_ns)
            else:
                state[key] = ("other", info.st_ino, info.st_mode, info.st_mtime_ns)
    return state


def raw_texts(top: Path) -> list[str]:
    """The text of every regular file under ``top`` (first 2 MiB), for the echo check."""
    texts = []
    for folder, _, files in os.walk(top):
        for name in files:
            path = Path(folder, name)
            try:
                if not stat.S_ISREG(path.stat().st_mode):
                    continue
                with path.open("rb") as handle:
                    raw = handle.read(2 * MIB)
            except OSError:
                continue
            texts.append(raw.decode("utf-8", errors="replace"))
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                texts.append(raw.decode("utf-16", errors="replace"))
    return texts


# ----------------------------------------------------------------------------- checks


def assert_no_long_echo(messages: Iterable[str], sources: list[str]) -> None:
    """No message holds more than 80 consecutive characters of any file (SPEC §6).

    Any 81-character window of a message contains one of its 41-character chunks
    starting at a multiple of 40, so only the windows around a chunk found in a
    file are compared in full.
    """
    for message in messages:
        for start in range(0, len(message) - 80, 40):
            chunk = message[start : start + 41]
            if not any(chunk in source for source in sources):
                continue
            for window_start in range(max(0, start - 40), start + 1):
                window = message[window_start : window_start + 81]
                if len(window) == 81 and any(window in source for source in sources):
                    pytest.fail(f"a message echoes over 80 characters of raw data: {message!r}")


def assert_sound(out: Outcome, top: Path, before: Snapshot, after: Snapshot | None = None) -> None:
    """What every run must hold, whatever its input."""
    assert "Traceback" not in out.stdout, out
    assert "Traceback" not in out.stderr, out
    assert out.code >= 0, f"killed by signal {-out.code}: {out!r}"
    assert (snapshot(top) if after is None else after) == before, "pcplan changed a file"
    bad = _CONTROL_OUT.search(out.stdout + out.stderr)
    assert bad is None, f"a control character U+{ord(bad.group()):04X} was printed: {out!r}"
    assert_no_long_echo(out.stderr.splitlines(), raw_texts(top))


def assert_report_shape(out: Outcome) -> list[dict[str, Any]]:
    """`check --format json` as SPEC §5 describes it; returns the problems."""
    report = out.report()
    assert set(report) == {"files_checked", "errors", "warnings", "problems"}, report
    problems: list[dict[str, Any]] = report["problems"]
    for problem in problems:
        assert set(problem) == {"file", "line", "column", "rule", "severity", "message"}
        assert isinstance(problem["line"], int) and problem["line"] >= 1, problem
        assert isinstance(problem["column"], int) and problem["column"] >= 1, problem
        assert problem["severity"] in ("error", "warning", "info"), problem
        assert problem["message"].strip(), problem
        assert "\n" not in problem["message"] and "\r" not in problem["message"], problem
    errors = sum(1 for p in problems if p["severity"] == "error")
    warnings = sum(1 for p in problems if p["severity"] == "warning")
    assert (report["errors"], report["warnings"]) == (errors, warnings), report
    return problems


def at(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based line and column (in characters) of the ``nth`` ``needle`` in ``text``.

    CR, LF and CRLF each end a line, as they do for YAML.
    """
    index = -1
    for _ in range(nth):
        index = text.index(needle, index + 1)
    line_start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
    line = 1 + sum(1 for _ in re.finditer(r"\r\n|\r|\n", text[:index]))
    return line, index - line_start + 1


Want = tuple[str, str, int, int | None]  # (file, rule, line, column); see `matches`


def matches(got: list[tuple[str, str, int, int]], want: list[Want]) -> bool:
    """Exactly the wanted findings. A column of None matches any; rule "a|b" either rule."""
    if len(got) != len(want):
        return False
    got = sorted(got, key=lambda item: (item[0], item[2], item[3]))
    want = sorted(want, key=lambda item: (item[0], item[2], item[3] or 0))
    return all(
        g_file == w_file
        and g_rule in w_rule.split("|")
        and g_line == w_line
        and (w_column is None or g_column == w_column)
        for (g_file, g_rule, g_line, g_column), (w_file, w_rule, w_line, w_column) in zip(
            got, want, strict=True
        )
    )


# ----------------------------------------------------------------------------- the cases


@dataclass
class Expect:
    """What `check` must say about a case: its findings (files relative to the root)."""

    findings: list[Want]
    exit: int = 1
    files_checked: int | None = None
    message: str | None = None  # a substring of the first finding's message (any case)
    absent: list[str] = field(default_factory=list)  # paths (under the run's top) never made


@dataclass
class Single:
    """One hostile challenge file and the one finding it must give."""

    content: Content
    rule: str
    line: int
    column: int | None
    message: str | None = None
    absent: list[str] = field(default_factory=list)


SingleBuilder = Callable[[], Single]
SoloBuilder = Callable[[Path], Expect]

SINGLES: dict[str, tuple[str, SingleBuilder]] = {}  # name -> (family, builder)
SOLOS: dict[str, SoloBuilder] = {}


def single(name: str, family: str) -> Callable[[SingleBuilder], SingleBuilder]:
    def register(builder: SingleBuilder) -> SingleBuilder:
        assert name not in SINGLES and name not in SOLOS, name
        SINGLES[name] = (family, builder)
        return builder

    return register


def solo(name: str) -> Callable[[SoloBuilder], SoloBuilder]:
    def register(builder: SoloBuilder) -> SoloBuilder:
        assert name not in SINGLES and name not in SOLOS, name
        SOLOS[name] = builder
        return builder

    return register


def challenge(*replacements: tuple[str, str], append: str = "", prepend: str = "") -> str:
    text = CHALLENGE_YAML
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return prepend + text + append


def found_at(
    text: str, needle: str, rule: str = "yaml", *, column: bool = True, message: str | None = None
) -> Single:
    """``text`` as the file; one ``rule`` finding where ``needle`` starts."""
    line, col = at(text, needle)
    return Single(text, rule, line, col if column else None, message)


TOPIC = "topic: Early help and the front door"


# -- anchors and aliases


@single("alias-bomb-billion-laughs", "aliases")
def _() -> Single:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, current in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = challenge(append="lols:\n" + "".join(f"  {line}\n" for line in levels))
    return found_at(text, "&a ", message="anchor")


@single("alias-bomb-wide", "aliases")
def _() -> Single:
    text = challenge(append="lol: &w lol\nlols: [" + "*w, " * 100_000 + "*w]\n")
    return found_at(text, "&w ")


@single("alias-bomb-40-levels-of-doubling", "aliases")
def _() -> Single:
    lines = ["l0: &l0 [lol, lol]"] + [f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]" for i in range(1, 40)]
    text = challenge(append="bomb:\n" + "".join(f"  {line}\n" for line in lines))
    return found_at(text, "&l0 ")


@single("alias-without-anchor", "aliases")
def _() -> Single:
    return found_at(challenge((TOPIC, "topic: *nowhere")), "*nowhere", message="alias")


@single("anchor-on-top-level-mapping", "aliases")
def _() -> Single:
    return found_at(challenge(prepend="--- &top\n"), "&top")


# -- tags


def _tagged(label: str, value: str, needle: str | None = None) -> None:
    @single(f"tag-{label}", "tags")
    def _() -> Single:
        text = challenge((TOPIC, f"topic: {value}"))
        return found_at(text, needle or value.split()[0], message="tag")


_tagged("python-name", "!!python/name:os.system ''")
_tagged("python-object-new", "!!python/object/new:subprocess.Popen [[touch, popen-ran]]")
_tagged("binary", "!!binary aGVsbG8gd29ybGQ=")
_tagged("set", "!!set {a, b}")
_tagged("omap", "!!omap [{a: 1}, {b: 2}]")
_tagged("local", "!local front door")
_tagged("verbatim", "!<tag:yaml.org,2002:str> Early help")
_tagged("non-specific", "! Early help", "! Early")
_tagged("str", "!!str Early help")


@single("tag-python-object-apply", "tags")
def _() -> Single:
    value = '!!python/object/apply:os.system ["touch pwned"]'  # run in the run's top folder
    found = found_at(challenge((TOPIC, f"topic: {value}")), "!!python", message="tag")
    found.absent = ["pwned", "popen-ran"]
    return found


@single("tag-on-a-key", "tags")
def _() -> Single:
    return found_at(challenge(("topic:", "!!str topic:")), "!!str")


@single("tag-on-a-sequence", "tags")
def _() -> Single:
    return found_at(challenge(("visiting_team:", "visiting_team: !!seq")), "!!seq")


@single("tag-on-top-level-mapping", "tags")
def _() -> Single:
    return found_at(challenge(prepend="--- !!map\n"), "!!map")


@single("tag-on-top-level-mapping-own-line", "tags")
def _() -> Single:
    return found_at(challenge(prepend="!!python/object:os.system\n"), "!!python")


# -- directives and documents


@single("directive-yaml-1-1", "documents")
def _() -> Single:
    text = challenge(("lead: true", "lead: yes"), prepend="# by hand\n%YAML 1.1\n---\n")
    return found_at(text, "%YAML", message="%YAML")


@single("directive-tag", "documents")
def _() -> Single:
    text = challenge(prepend="# by hand\n%TAG !py! tag:yaml.org,2002:python/object:\n---\n")
    return found_at(text, "%TAG", message="%TAG")


@single("several-documents", "documents")
def _() -> Single:
    text = challenge(append="---\nid: kent-2027-07\n---\nid: kent-2027-08\n")
    return found_at(text, "---\nid: kent-2027-07")


@single("document-end-then-junk", "documents")
def _() -> Single:
    return found_at(challenge(append="...\njunk: [unclosed\n"), "junk", column=False)


@single("document-end-then-directive-and-document", "documents")
def _() -> Single:
    return found_at(challenge(append="...\n%YAML 1.1\n---\nid: other\n"), "%YAML", column=False)


@single("empty-challenge", "documents")
def _() -> Single:
    return Single("", "yaml", 1, 1, "empty")


@single("only-a-document-marker", "documents")
def _() -> Single:
    return Single("---\n...\n", "yaml", 1, None)


@single("top-level-list", "documents")
def _() -> Single:
    return Single("- id: kent-2027-06\n", "yaml", 1, 1, "mapping")


# -- encodings


@single("encoding-latin-1", "encodings")
def _() -> Single:
    text = challenge(("dcs: Alex Morgan", "dcs: Zoë Morgan"))
    line, column = at(text, "ë")
    return Single(text.encode("latin-1"), "yaml", line, column, "UTF-8")


@single("encoding-utf-16-le-bom", "encodings")
def _() -> Single:
    return Single(b"\xff\xfe" + CHALLENGE_YAML.encode("utf-16-le"), "yaml", 1, 1, "UTF-8")


@single("encoding-utf-16-be-bom", "encodings")
def _() -> Single:
    return Single(b"\xfe\xff" + CHALLENGE_YAML.encode("utf-16-be"), "yaml", 1, 1, "UTF-8")


@single("encoding-utf-16-le-no-bom", "encodings")
def _() -> Single:
    return Single(CHALLENGE_YAML.encode("utf-16-le"), "yaml", 1, None)


@single("encoding-utf-32-le-bom", "encodings")
def _() -> Single:
    raw = b"\xff\xfe\x00\x00" + CHALLENGE_YAML.encode("utf-32-le")
    return Single(raw, "yaml", 1, 1, "UTF-8")


@single("encoding-utf-32-be-bom", "encodings")
def _() -> Single:
    raw = b"\x00\x00\xfe\xff" + CHALLENGE_YAML.encode("utf-32-be")
    return Single(raw, "yaml", 1, None, "UTF-8")


@single("encoding-utf-8-bom-at-start-of-a-middle-line", "encodings")
def _() -> Single:
    # what `cat a.yaml b.yaml` gives when b.yaml starts with a BOM
    return found_at(challenge(("topic:", "\ufefftopic:")), "\ufeff", column=False)


@single("encoding-utf-8-bom-inside-a-plain-name", "encodings")
def _() -> Single:
    # YAML 1.2 keeps the BOM out of the document (nb-char excludes it); here it would
    # make `Pat\ufeffQuinn` someone else than the registry's `Pat Quinn`, unseen
    return found_at(challenge(("name: Pat Quinn", "name: Pat\ufeffQuinn")), "\ufeff", column=False)


def _bad_bytes(label: str, inserted: bytes) -> None:
    @single(f"encoding-{label}", "encodings")
    def _() -> Single:
        text = challenge(("topic: Early help", "topic: Early\x00 help"))
        line, column = at(text, "\x00")
        raw = text.encode("utf-8").replace(b"\x00", inserted)
        return Single(raw, "yaml", line, column, "UTF-8")


_bad_bytes("overlong-slash", b"\xc0\xaf")
_bad_bytes("overlong-nul", b"\xc0\x80")
_bad_bytes("overlong-three-bytes", b"\xe0\x80\xaf")
_bad_bytes("cesu-surrogate-pair", b"\xed\xa0\xbd\xed\xb8\x80")
_bad_bytes("cesu-lone-high-surrogate", b"\xed\xa0\x80")
_bad_bytes("cesu-lone-low-surrogate", b"\xed\xbf\xbf")
_bad_bytes("beyond-u10ffff", b"\xf4\x90\x80\x80")
_bad_bytes("truncated-sequence", b"\xe2\x82")


# -- control characters: raw in the file, and as escapes in a double-quoted value

CONTROLS = {
    "nul": "\x00",
    "bel": "\x07",
    "esc": "\x1b",
    "del": "\x7f",
    "c1-nel-u0085": "\x85",
    "c1-csi-u009b": "\x9b",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
}


def _raw_control(label: str, char: str) -> None:
    @single(f"control-raw-{label}", "controls-raw")
    def _() -> Single:
        text = challenge(("name: Pat Quinn", f"name: Pat{char}Quinn"))
        return found_at(text, char, message="control")


for _label, _char in CONTROLS.items():
    _raw_control(_label, _char)


@single("control-raw-ansi-colour-in-a-name", "controls-raw")
def _() -> Single:
    text = challenge(("name: Pat Quinn", "name: \x1b[31mPat Quinn\x1b[0m"))
    return found_at(text, "\x1b", message="control")


@single("control-raw-osc8-hyperlink-in-a-name", "controls-raw")
def _() -> Single:
    link = "\x1b]8;;file:///etc/passwd\x07Pat Quinn\x1b]8;;\x07"
    return found_at(challenge(("name: Pat Quinn", f"name: {link}")), "\x1b", message="control")


@single("control-raw-with-cr-only-line-endings", "controls-raw")
def _() -> Single:
    # CR alone ends a line for YAML (and pcplan allows CR), so this is line 7, column 13
    text = challenge(("topic: Early help", "topic: Early\x07 help")).replace("\n", "\r")
    return found_at(text, "\x07", message="control")


def _escaped_control(label: str, escape: str) -> None:
    # The file's bytes are clean; the double-quoted escape makes the control character.
    @single(f"control-escaped-{label}", "controls-escaped")
    def _() -> Single:
        text = challenge(("name: Pat Quinn", f'name: "Pat{escape}Quinn"'))
        return found_at(text, escape, column=False, message="control")


_escaped_control("ansi-colour", "\\e[31m")
_escaped_control("nul", "\\0")
_escaped_control("bel", "\\a")
_escaped_control("osc8-hyperlink", "\\x1b]8;;file:///etc/passwd\\x07")
_escaped_control("c1-csi", "\\u009b31m")
_escaped_control("c1-nel", "\\N")
_escaped_control("del", "\\x7f")


# -- size


@single("size-just-over-1-mib", "size")
def _() -> Single:
    text = challenge(append="# padding\n")
    text += "#" * (MIB - len(text.encode("utf-8"))) + "\n"
    assert len(text.encode("utf-8")) == MIB + 1
    return Single(text, "yaml", 1, 1, "1 MiB")


@single("size-20-mib", "size")
def _() -> Single:
    return Single(challenge(append="scope: " + "a" * (20 * MIB) + "\n"), "yaml", 1, 1, "1 MiB")


@single("size-sparse-8-gib", "size")
def _() -> Single:
    return Single(Sparse(8 << 30), "yaml", 1, 1, "1 MiB")


@single("size-symlink-to-dev-zero", "size")
def _() -> Single:
    return Single(Link("/dev/zero"), "yaml", 1, 1)


@single("size-2-mib-single-line", "size")
def _() -> Single:
    return Single(challenge(append="scope: " + "x" * (2 * MIB)), "yaml", 1, 1, "1 MiB")


# -- nesting (the top-level mapping is level 1, `scope`'s value level 2)


@single("nesting-51-flow-lists", "nesting")
def _() -> Single:
    text = challenge(append="scope: " + "[" * 51 + "]" * 51 + "\n")
    return found_at(text, "scope:", column=False, message="50")


@single("nesting-100000-flow-lists", "nesting")
def _() -> Single:
    text = challenge(append="scope: " + "[" * 100_000 + "]" * 100_000 + "\n")
    return found_at(text, "scope:", column=False)


@single("nesting-100000-flow-mappings-bare", "nesting")
def _() -> Single:
    text = challenge(append="scope: " + "{" * 100_000 + "}" * 100_000 + "\n")
    return found_at(text, "scope:", column=False)


@single("nesting-100000-flow-mappings-keyed", "nesting")
def _() -> Single:
    text = challenge(append="scope: " + "{a: " * 100_000 + "}" * 100_000 + "\n")
    return found_at(text, "scope:", column=False)


@single("nesting-100000-block-sequences", "nesting")
def _() -> Single:
    return found_at(challenge(append="scope:\n" + "- " * 100_000 + "x\n"), "- - ", column=False)


@single("nesting-10000-block-mappings", "nesting")
def _() -> Single:
    # 10,000 levels of indentation cannot fit in 1 MiB: the size limit answers first
    body = "".join(" " * level + f"k{level}:\n" for level in range(1, 10_001))
    return Single(challenge(append="scope:\n" + body), "yaml", 1, 1, "1 MiB")


@single("nesting-1000-block-mappings", "nesting")
def _() -> Single:
    # scope's mapping (holding k1) is level 2, so the mapping holding k50 is level 51
    body = "".join(" " * level + f"k{level}:\n" for level in range(1, 1001)) + " " * 1001 + "x\n"
    text = challenge(append="scope:\n" + body)
    assert len(text.encode("utf-8")) < MIB
    return found_at(text, " " * 50 + "k50:\n", column=False, message="50")


# -- many keys, long keys, big numbers


@single("keys-100000-under-scope", "keys")
def _() -> Single:
    text = challenge(append="scope:\n" + "".join(f" k{index:x}:\n" for index in range(100_000)))
    assert len(text.encode("utf-8")) < MIB
    return found_at(text, "scope:", "schema")


@single("keys-100000-duplicates", "keys")
def _() -> Single:
    text = challenge(append="k: 1\n" * 100_000)
    line, column = at(text, "k: 1", nth=2)
    return Single(text, "yaml", line, column, "duplicate")


@single("keys-non-string-flow-list", "keys")
def _() -> Single:
    return found_at(challenge(append="[a, b]: x\n"), "[a, b]")


@single("keys-5000-character-key", "keys")
def _() -> Single:
    return found_at(challenge(append="k" * 5000 + ": x\n"), "k" * 5000, column=False)


@single("keys-5000-digit-integer-key", "numbers")
def _() -> Single:
    return found_at(challenge(append="9" * 5000 + ": x\n"), "9" * 5000, column=False)


@single("value-5000-digit-integer-round", "numbers")
def _() -> Single:
    text = challenge(("round: 10", "round: " + "9" * 5000))
    return found_at(text, "9" * 5000, "schema|yaml")  # the value is what is at fault


@single("value-5000-digit-integer-in-a-list", "numbers")
def _() -> Single:
    text = challenge(append="feedback:\n  audience: [" + "1" * 5000 + "]\n")
    line, _ = at(text, "1" * 5000)
    return Single(text, "schema|yaml", line, None)


@single("value-float-overflow-round", "keys")
def _() -> Single:
    return found_at(challenge(("round: 10", "round: 1e999999")), "round:", "schema")


# -- dates


def _bad_date(label: str, value: str, message: str) -> None:
    @single(f"date-{label}", "dates")
    def _() -> Single:
        text = challenge(("start: 2027-06-09", f"start: {value}"))
        return found_at(text, "start:", "schema", message=message)


_bad_date("february-30", "2027-02-30", "2027-02-30")
_bad_date("month-00", "2027-00-10", "2027-00-10")
_bad_date("month-13", "2027-13-01", "2027-13-01")
_bad_date("year-0000", "0000-01-01", "0000-01-01")
_bad_date("day-00", "2027-06-00", "2027-06-00")
_bad_date("date-time-9999", "9999-12-31T23:59", "date and time")
_bad_date("date-time-zulu", "2027-06-09T10:00:00Z", "date and time")
_bad_date("date-time-space", "2027-06-09 10:00", "date and time")
_bad_date("quoted-impossible", '"2027-02-30"', "2027-02-30")


# -- the programme directory itself: one run each


@solo("fs-symlink-loops")
def _(root: Path) -> Expect:
    make(
        root,
        {
            NAME: CHALLENGE_YAML,
            "self.yaml": Link("self.yaml"),
            "ping.yaml": Link("pong.yaml"),
            "pong.yaml": Link("ping.yaml"),
            "round-10/again": Link(".."),  # a folder loop: never walked into
            "round-10/up.yaml": Link("../round-10/up.yaml"),
        },
    )
    loops = ("ping.yaml", "pong.yaml", "round-10/up.yaml", "self.yaml")
    return Expect([(loop, "yaml", 1, 1) for loop in loops], files_checked=5)


@solo("fs-directory-named-x-yaml")
def _(root: Path) -> Expect:
    files: dict[str, Content] = {
        "x.yaml": Folder(),
        "round-10/y.yml": Folder(),
        f"nested.yaml/{NAME}": CHALLENGE_YAML,
    }
    make(root, files)
    return Expect([], exit=0, files_checked=1)


@solo("fs-fifo-named-fifo-yaml")
def _(root: Path) -> Expect:
    # Sensible: what is not a regular file is reported (a `yaml` error at 1:1, such
    # as "not a regular file"), never opened for reading and never waited on.
    make(root, {NAME: CHALLENGE_YAML, "fifo.yaml": Fifo()})
    return Expect([("fifo.yaml", "yaml", 1, 1)], files_checked=2)


@solo("fs-symlink-to-a-secret-outside")
def _(root: Path) -> Expect:
    # A key-like file outside the programme, reached through a link inside it: a
    # top-level single value, so one `yaml` finding (which may quote 80 characters)
    secret = root.parent / "id_ed25519"
    body = "".join(f"c2VjcmV0{index:04d}" * 5 + "\n" for index in range(6))
    secret.write_text(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "-----END OPENSSH PRIVATE KEY-----\n",
        encoding="utf-8",
    )
    make(root, {"secret.yaml": Link(str(secret))})
    return Expect([("secret.yaml", "yaml", 1, 1)], files_checked=1)


@solo("programme-broken")
def _(root: Path) -> Expect:
    text = PROGRAMME_YAML.replace("name: Test programme", "name: Test: programme")
    make(root, {"programme.yaml": text, NAME: CHALLENGE_YAML})
    line, _ = at(text, "name: Test:")
    return Expect([("programme.yaml", "yaml", line, None)], files_checked=1)


@solo("programme-empty")
def _(root: Path) -> Expect:
    make(root, {"programme.yaml": "", NAME: CHALLENGE_YAML})
    return Expect([("programme.yaml", "yaml", 1, 1)], files_checked=1)


@solo("programme-a-list")
def _(root: Path) -> Expect:
    make(root, {"programme.yaml": "- kent\n- surrey\n", NAME: CHALLENGE_YAML})
    return Expect([("programme.yaml", "yaml", 1, 1)], files_checked=1)


@solo("programme-alias-bomb")
def _(root: Path) -> Expect:
    text = PROGRAMME_YAML + "x: &x [a, a]\ny: [*x, *x]\n"
    make(root, {"programme.yaml": text, NAME: CHALLENGE_YAML})
    line, column = at(text, "&x")
    return Expect([("programme.yaml", "yaml", line, column)], files_checked=1)


@solo("programme-python-tag")
def _(root: Path) -> Expect:
    value = "!!python/object/apply:os.system [touch pwned]"
    text = PROGRAMME_YAML.replace("name: Test programme", f"name: {value}")
    make(root, {"programme.yaml": text, NAME: CHALLENGE_YAML})
    line, column = at(text, "!!python")
    return Expect([("programme.yaml", "yaml", line, column)], files_checked=1, absent=["pwned"])


@solo("programme-20-mib")
def _(root: Path) -> Expect:
    make(root, {"programme.yaml": PROGRAMME_YAML + "#" * (20 * MIB) + "\n", NAME: CHALLENGE_YAML})
    return Expect([("programme.yaml", "yaml", 1, 1)], files_checked=1)


# ----------------------------------------------------------------------------- runs


FAMILIES: dict[str, list[str]] = {}
for _name, (_family, _) in SINGLES.items():
    FAMILIES.setdefault(_family, []).append(_name)
FAMILY_OF = {name: family for family, names in FAMILIES.items() for name in names}
FAMILY_OF.update({name: name for name in SOLOS})
ALL_CASES = sorted(FAMILY_OF)


@dataclass
class Run:
    """One programme directory, checked once in one format."""

    top: Path
    root: Path
    expects: dict[str, Expect]  # case name -> what it must give (files relative to root)
    before: Snapshot
    after: Snapshot
    out: Outcome


_RUNS: dict[tuple[str, str], Run] = {}


def family_run(factory: pytest.TempPathFactory, family: str, fmt: str) -> Run:
    """Build a family's directory and check it once per format (cached for the module)."""
    key = (family, fmt)
    if key not in _RUNS:
        top = factory.mktemp(family)
        root = programme_dir(top)
        expects: dict[str, Expect] = {}
        if family in SOLOS:
            expects[family] = SOLOS[family](root)
        else:
            for name in FAMILIES[family]:
                built = SINGLES[name][1]()
                file = f"{name}.yaml"
                make(root, {file: _renamed(built.content, name, family)})
                expects[name] = Expect(
                    [(file, built.rule, built.line, built.column)],
                    message=built.message,
                    absent=built.absent,
                )
        before = snapshot(top)
        if fmt == "json":
            out = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
        else:  # the console script, default (text) format
            out = pcplan(root, "check", "--as-of", AS_OF, script=True)
        _RUNS[key] = Run(top, root, expects, before, snapshot(top), out)
    return _RUNS[key]


def _renamed(content: Content, name: str, family: str) -> Content:
    """The file's id made its own name, so that a file pcplan wrongly accepts gives no finding.

    (Not for the size family: their byte counts are exact and they are refused unread.)
    """
    if family == "size":
        return content
    if isinstance(content, str):
        return content.replace("id: kent-2027-06", f"id: {name}", 1)
    if isinstance(content, bytes):
        return content.replace(b"id: kent-2027-06", f"id: {name}".encode(), 1)
    return content


def _own(problems: list[tuple[str, str, int, int]], run: Run, name: str) -> list[Any]:
    """The findings of one case: its own file's, or all of a solo run's."""
    if name in SOLOS:
        return problems
    mine = f"{run.root}/{name}.yaml"
    return [problem for problem in problems if problem[0] == mine]


def _wanted(run: Run, name: str) -> list[Want]:
    return [
        (f"{run.root}/{file}", rule, line, column)
        for file, rule, line, column in run.expects[name].findings
    ]


# ----------------------------------------------------------------------------- check


@pytest.mark.parametrize("name", ALL_CASES)
def test_check_json(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    """`python -m pcplan check --format json`: exactly the case's findings, nothing harmed."""
    run = family_run(tmp_path_factory, FAMILY_OF[name], "json")
    out, expect = run.out, run.expects[name]
    assert_sound(out, run.top, run.before, run.after)
    problems = assert_report_shape(out)
    mine = [p for p in problems if name in SOLOS or p["file"] == f"{run.root}/{name}.yaml"]
    got = [(p["file"], p["rule"], p["line"], p["column"]) for p in mine]
    assert matches(got, _wanted(run, name)), f"want {_wanted(run, name)}, got {got}: {out!r}"
    assert_no_long_echo([p["message"] for p in mine[:300]], raw_texts(run.top))
    if expect.message is not None:
        assert expect.message.casefold() in mine[0]["message"].casefold(), mine[0]
    if expect.files_checked is not None:
        assert out.report()["files_checked"] == expect.files_checked, out
    assert out.code == expect.exit, out
    for path in expect.absent:
        assert not (run.top / path).exists(), f"{path} exists: the YAML ran a command"


@pytest.mark.parametrize(
    "family", [*sorted(FAMILIES), "fs-symlink-loops", "fs-fifo-named-fifo-yaml", "programme-a-list"]
)
def test_check_text_through_console_script(
    tmp_path_factory: pytest.TempPathFactory, family: str
) -> None:
    """The `pcplan` script's `path:line:col: severity rule: message` lines, for a family."""
    run = family_run(tmp_path_factory, family, "text")
    out = run.out
    assert_sound(out, run.top, run.before, run.after)
    lines = out.stdout.splitlines()
    assert lines and _SUMMARY.fullmatch(lines[-1]), out
    got = []
    for line in lines[:-1]:
        match = _TEXT_FINDING.fullmatch(line)
        assert match is not None, f"not a finding line: {line!r}"
        got.append((match[1], match[5], int(match[2]), int(match[3])))
    for name in run.expects:
        own = _own(got, run, name)
        assert matches(own, _wanted(run, name)), f"{name}: want {_wanted(run, name)}, got {own}"
    assert_no_long_echo(lines, raw_texts(run.top))
    assert out.code == max(expect.exit for expect in run.expects.values()), out


# ----------------------------------------------------------------------------- odd values


def test_long_single_scalar_under_the_size_limit(tmp_path: Path) -> None:
    """A 900 KiB scalar is no YAML problem; at most one `schema` finding, value not echoed."""
    root = programme_dir(tmp_path)
    text = challenge(append="scope: " + "a" * (900 * 1024) + "\n")
    make(root, {NAME: text})
    before = snapshot(tmp_path)
    out = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert_sound(out, tmp_path, before)
    problems = assert_report_shape(out)
    assert_no_long_echo([p["message"] for p in problems], raw_texts(tmp_path))
    assert [p["rule"] for p in problems] in ([], ["schema"]), out
    if problems:
        assert problems[0]["line"] == at(text, "scope:")[0], out
    assert out.code == (1 if problems else 0), out


@pytest.mark.slow
def test_100000_unknown_keys_under_1_mib(tmp_path: Path) -> None:
    """A finding for each of the first unknown keys at its own line, then one for the rest.

    (How fast and in how much memory: ``bench/run.py``'s `unknown-keys` case.)
    """
    root = programme_dir(tmp_path)
    text = challenge(append="".join(f"k{index:x}: 1\n" for index in range(100_000)))
    assert len(text.encode("utf-8")) < MIB
    make(root, {NAME: text})
    before = snapshot(tmp_path)
    out = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert_sound(out, tmp_path, before)
    problems = assert_report_shape(out)
    first = at(text, "k0: 1")[0]
    assert [(p["rule"], p["line"], p["column"]) for p in problems] == [
        ("schema", first + index, 1) for index in range(UNKNOWN_KEYS_LISTED + 1)
    ]
    assert [p["message"].split(";")[0] for p in problems[:2]] == [
        "unknown key `k0`",
        "unknown key `k1`",
    ]
    assert problems[-1]["message"].startswith(
        f"{100_000 - UNKNOWN_KEYS_LISTED:,} more unknown keys from here on"
    ), problems[-1]
    assert out.report()["errors"] == UNKNOWN_KEYS_LISTED + 1, out
    assert_no_long_echo([p["message"] for p in problems], raw_texts(tmp_path))
    assert out.code == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")],
    ids=["year-9999", "year-0001"],
)
def test_real_dates_at_the_edges_of_the_calendar(tmp_path: Path, start: str, end: str) -> None:
    """Real dates whose schedule falls off the calendar: a finding or nothing, not a crash."""
    root = programme_dir(tmp_path)
    text = challenge(("start: 2027-06-09", f"start: {start}"), ("end: 2027-06-10", f"end: {end}"))
    make(root, {NAME: text})
    before = snapshot(tmp_path)
    out = pcplan(root, "check", "--as-of", AS_OF, "--format", "json")
    assert_sound(out, tmp_path, before)
    assert_report_shape(out)
    assert out.code in (0, 1), out
    shown = pcplan(root, "status", "--as-of", AS_OF, script=True)
    assert_sound(shown, tmp_path, before)
    assert shown.code == 0, shown


# ----------------------------------------------------------------------------- markup


MARKUP_NAME = "[red]boom[/red] [link=file:///etc/passwd]x[/link]"


def test_markup_in_findings_prints_literally(tmp_path: Path) -> None:
    """Rich markup from the data is text in `check`'s text and GitHub output."""
    root = programme_dir(tmp_path)
    text = challenge(
        ("role: assistant_director", "role: '[red]boom[/red]'"),
        ("authority: slough", "authority: '[link=file:///etc/passwd]x[/link]'"),
    )
    make(root, {NAME: text})
    before = snapshot(tmp_path)
    role_line, authority_line = at(text, "role: '[red]")[0], at(text, "authority: '[link")[0]
    for fmt in ("text", "github"):
        out = pcplan(root, "check", "--as-of", AS_OF, "--format", fmt, script=True)
        assert_sound(out, tmp_path, before)
        assert out.code == 1, out
        findings = out.stdout.splitlines()[:-1]
        assert len(findings) == 2, out  # one per problem
        at_role, at_authority = (
            (f":{line}:", f"line={line},") for line in (role_line, authority_line)
        )
        assert any(mark in findings[0] for mark in at_role), out
        assert "'[red]boom[/red]'" in findings[0], out
        assert any(mark in findings[1] for mark in at_authority), out
        assert "'[link=file:///etc/passwd]x[/link]'" in findings[1], out
        assert all("schema" in line for line in findings), out


def _markup_programme(tmp_path: Path) -> Path:
    programme = PROGRAMME_YAML.replace("name: Test programme", f"name: '{MARKUP_NAME}'").replace(
        "Kent County Council", "'[bold blink]Kent[/] :skull:'"
    )
    root = programme_dir(tmp_path, programme)
    make(root, {NAME: challenge(("name: Pat Quinn", f"name: '{MARKUP_NAME}'"))})
    return root


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_markup_in_tables_prints_literally(tmp_path: Path, terminal: bool) -> None:
    """Names with Rich markup show as typed in `status` and `team`, on a pipe and on a TTY."""
    root = _markup_programme(tmp_path)
    before = snapshot(tmp_path)
    for command in (("status", "--as-of", AS_OF), ("team", "kent-2027-06", "--as-of", AS_OF)):
        if terminal:
            out = pcplan_on_terminal(root, *command)
            assert "Traceback" not in out.stdout + out.stderr, out
            assert snapshot(tmp_path) == before
            assert "\x1b]8;" not in out.stdout, f"a hyperlink was drawn: {out!r}"
            assert "\x1b[5" not in out.stdout and ";5m" not in out.stdout, f"blink: {out!r}"
            plain = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout)  # Rich's own styling
        else:
            out = pcplan(root, *command, script=True)
            assert_sound(out, tmp_path, before)
            plain = out.stdout
        assert out.code == 0, out
        assert "💀" not in plain, out
        assert MARKUP_NAME in plain, out  # the programme's name, or the member's


def test_escaped_ansi_in_a_name_never_reaches_the_output(tmp_path: Path) -> None:
    """`"\\e[2J"` in a double-quoted name is a control character once read: never printed."""
    root = programme_dir(tmp_path)
    text = challenge(("name: Pat Quinn", 'name: "\\e[2J\\e[31mPat Quinn\\e]0;pwned\\a"'))
    make(root, {NAME: text})
    before = snapshot(tmp_path)
    for command in (("team", "kent-2027-06", "--as-of", AS_OF), ("status", "--as-of", AS_OF)):
        out = pcplan(root, *command, script=True)
        assert_sound(out, tmp_path, before)  # includes: no control character printed
        assert out.code in (0, 1), out


# ----------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    "setup",
    ["missing-dir", "dir-is-a-file", "programme-fifo", "programme-folder", "programme-loop"],
)
def test_broken_programme_directory_is_a_usage_error(tmp_path: Path, setup: str) -> None:
    """No usable programme.yaml: exit 2 with one line, and no waiting on a FIFO."""
    root = tmp_path / "challenges"
    if setup == "dir-is-a-file":
        root.write_text("id: x\n", encoding="utf-8")
    elif setup != "missing-dir":
        programme: dict[str, Content] = {
            "programme-fifo": Fifo(),
            "programme-folder": Folder(),
            "programme-loop": Link("programme.yaml"),
        }
        make(root, {NAME: CHALLENGE_YAML, "programme.yaml": programme[setup]})
    before = snapshot(tmp_path)
    out = pcplan(root, "check", "--format", "json")
    assert_sound(out, tmp_path, before)
    assert out.code == 2, out
    assert out.stdout == "", out
    assert len(out.stderr.strip().splitlines()) == 1, out


def test_check_of_a_fifo_named_on_the_command_line(tmp_path: Path) -> None:
    root = programme_dir(tmp_path)
    make(root, {NAME: CHALLENGE_YAML, "fifo.yaml": Fifo()})
    before = snapshot(tmp_path)
    out = pcplan(root, "check", str(root / "fifo.yaml"))
    assert_sound(out, tmp_path, before)
    assert out.code in (1, 2), out


# ----------------------------------------------------------------------------- edits


DONE = ("done", "kent-2027-06", "scope", "--on", "2026-11-20")
ADD = ("team", "kent-2027-06", "add", "Sam Hill", "--authority", "hampshire", "--role", "partner")
ELSEWHERE = "../elsewhere.yaml"  # a valid challenge beside the programme directory

EDITS: dict[str, tuple[tuple[str, ...], dict[str, Content]]] = {
    "done-python-tag": (
        DONE,
        {NAME: challenge((TOPIC, "topic: !!python/object/apply:os.system [touch pwned]"))},
    ),
    "add-alias-bomb": (ADD, {NAME: challenge(append="a: &a [x, x]\nb: [*a, *a]\n")}),
    "done-over-1-mib": (DONE, {NAME: challenge(append="#" * MIB + "\n")}),
    "add-utf-16": (ADD, {NAME: b"\xff\xfe" + CHALLENGE_YAML.encode("utf-16-le")}),
    "done-deep-nesting": (
        DONE,
        {NAME: challenge(append="scope: " + "[" * 100_000 + "]" * 100_000 + "\n")},
    ),
    "add-nul": (ADD, {NAME: challenge(("name: Pat Quinn", "name: Pat\x00Quinn"))}),
    "done-directive": (DONE, {NAME: challenge(prepend="%YAML 1.1\n---\n")}),
    "done-two-documents": (DONE, {NAME: challenge(append="---\nid: x\n")}),
    "done-5000-digit-integer": (DONE, {NAME: challenge(("round: 10", "round: " + "9" * 5000))}),
    "done-symlink-to-outside": (DONE, {NAME: Link(ELSEWHERE)}),
    "add-symlink-to-outside": (ADD, {NAME: Link(ELSEWHERE)}),
    "done-on-a-fifo": (("done", "fifo", "scope"), {"fifo.yaml": Fifo()}),
    "add-escape-in-the-name-argument": (
        ("team", "kent-2027-06", "add", "\x1b[2JSam", "--authority", "kent", "--role", "partner"),
        {NAME: CHALLENGE_YAML},
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edit_of_a_hostile_file_is_refused(tmp_path: Path, name: str) -> None:
    """`done` and `team add` on a hostile file: exit 1 or 2, one line on stderr, no write."""
    argv, files = EDITS[name]
    root = programme_dir(tmp_path)
    (tmp_path / "elsewhere.yaml").write_text(CHALLENGE_YAML, encoding="utf-8")
    make(root, files)
    before = snapshot(tmp_path)
    out = pcplan(root, *argv, script=True)
    assert_sound(out, tmp_path, before)
    assert out.code in (1, 2), out
    assert out.stdout == "", out
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcplan: "), out
    assert not (tmp_path / "pwned").exists()


def test_edit_beside_a_fifo_neither_hangs_nor_touches_it(tmp_path: Path) -> None:
    """A FIFO elsewhere in the programme must not stop an edit of a good file."""
    root = programme_dir(tmp_path)
    make(root, {NAME: CHALLENGE_YAML, "fifo.yaml": Fifo()})
    before = snapshot(tmp_path)
    out = pcplan(root, *DONE, script=True)
    assert "Traceback" not in out.stdout + out.stderr, out
    assert out.code == 0, out
    after = snapshot(tmp_path)
    # The edited file is replaced atomically, which also touches its folder's mtime.
    changed = (f"challenges/{NAME}", "challenges")
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }
    expected = CHALLENGE_YAML.replace(
        "  dates: 2026-11-02\n", "  dates: 2026-11-02\n  scope: 2026-11-20\n"
    )
    assert (root / NAME).read_text(encoding="utf-8") == expected
