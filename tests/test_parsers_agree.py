"""One set of results whichever way a file is read (SPEC §7).

pcplan reads with libyaml's events (``ruamel.yaml.clib``, the fast path) and can
read the same text with ruamel.yaml's pure-Python round-trip parser. Both must
give the same findings, at the same places, with the same words: only the
wording of a parser's own syntax error may differ. Likewise `check` spreads a
large programme over worker processes; that must give exactly what one process
gives.

Every case file and the example programme go four ways (each parser, in one
process and in workers) in a few tests that loop over them, so that the suite
stays fast; a failure names each case that differs, and how.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pcplan import checker, yamlio
from pcplan.directory import ProgrammeDir
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, Run, build_tree, run
from tests.test_edit import GOLDEN, Golden, golden
from tests.test_edit import ID as EDIT_ID

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases"
EXAMPLE = ROOT / "challenges"

EventSource = Callable[[str], Callable[[], Any]]


# ----------------------------------------------------------------------------- helpers


def _case_expected(case: Path) -> dict[str, Any]:
    source = (
        case / "expected.json"
        if case.is_dir()
        else case.with_name(case.name.split(".")[0] + ".expected.json")
    )
    if not source.is_file():
        return {}
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def _all_cases() -> list[Path]:
    found = sorted((CASES / "valid").glob("*.y*ml"))
    for path in sorted((CASES / "invalid").iterdir()):
        if path.is_dir() or not path.name.endswith(".expected.json"):
            found.append(path)
    return found


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.split('.')[0]}"


def _programme_with(root: Path, case: Path) -> Path:
    directory = root / "challenges"
    directory.mkdir(parents=True)
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


def _check_with(
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    directory: Path,
    as_of: str,
    *,
    parallel: bool = False,
) -> Run:
    """`pcplan check --format json` with every default read going through ``source``.

    ``parallel`` forces the worker processes (two of them, one file per chunk, so that
    a programme's files are read in different processes); otherwise one process.
    """
    chosen = yamlio.EVENT_SOURCES[source]
    used: list[str] = []
    pools: list[int] = []
    real_batches = checker._parallel_batches

    def counting(text: str) -> Callable[[], Any]:
        used.append(source)
        return chosen(text)

    def spy(*args: Any, **kwargs: Any) -> Iterator[Any]:
        pools.append(1)
        return real_batches(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_default_events", lambda: counting)
        patch.setattr(checker, "_parallel_batches", spy)
        if parallel:
            patch.setattr(checker, "PARALLEL_FROM", 1)
            patch.setattr(checker, "CHUNK", 1)
            patch.setattr(checker, "_worker_count", lambda files, jobs: 2)
        else:
            patch.setattr(checker, "PARALLEL_FROM", 10**9)
        result = run("check", "--format", "json", "--as-of", as_of, directory=directory)
    assert used, f"the {source} event source was never used"
    assert pools == ([1] if parallel else []), f"parallel={parallel}, pools started: {pools}"
    assert "Traceback" not in result.stdout + result.stderr, result
    return result


def _comparable(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem with a parser library's own syntax-error wording set aside."""
    shown = dict(problem)
    if problem["rule"] == "yaml" and str(problem["message"]).startswith("YAML syntax"):
        shown["message"] = "YAML syntax …"
    return shown


def _difference(reference: Run, other: Run, *, exact: bool) -> str | None:
    """How ``other`` differs from ``reference`` (None: it does not).

    ``exact``: the same bytes on stdout (one parser, in-process or parallel); otherwise
    the same findings with a parser's own syntax-error wording set aside.
    """
    if reference.exit_code != other.exit_code:
        return f"exit {reference.exit_code} vs {other.exit_code}"
    if exact:
        if reference.stdout == other.stdout:
            return None
        return f"output differs:\n{reference.stdout[:3000]}\n--- vs ---\n{other.stdout[:3000]}"
    left, right = reference.json(), other.json()
    for key in ("files_checked", "errors", "warnings"):
        if left[key] != right[key]:
            return f"{key}: {left[key]} vs {right[key]}"
    # Syntax errors: same rule, file, line, column and severity; both say "YAML syntax".
    mine = [_comparable(p) for p in left["problems"]]
    theirs = [_comparable(p) for p in right["problems"]]
    if mine != theirs:
        return json.dumps({"reference": mine, "other": theirs}, indent=1)[:4000]
    return None


WAYS = (("roundtrip", False), ("fast", True), ("roundtrip", True))


def _four_ways(
    monkeypatch: pytest.MonkeyPatch, name: str, directory: Path, as_of: str
) -> tuple[Run, list[str]]:
    """Check ``directory`` with each event source, in one process and in workers.

    Returns the fast in-process run and one line per way that differs from it.
    """
    fast = _check_with(monkeypatch, "fast", directory, as_of)
    runs = {("fast", False): fast}
    failures = []
    for source, parallel in WAYS:
        runs[source, parallel] = _check_with(
            monkeypatch, source, directory, as_of, parallel=parallel
        )
        if parallel:  # in workers: exactly what the same parser gives in one process
            found = _difference(runs[source, False], runs[source, True], exact=True)
            if found:
                failures.append(f"{name} ({source} parser, in workers vs one process): {found}")
        else:  # the round-trip parser: the same findings as the fast one
            found = _difference(fast, runs[source, False], exact=False)
            if found:
                failures.append(f"{name} (round-trip vs fast parser): {found}")
    return fast, failures


def test_both_event_sources_are_really_different_parsers() -> None:
    """Without ruamel.yaml.clib the 'fast' path would silently be the pure one."""
    assert importlib.util.find_spec("_ruamel_yaml") is not None
    assert yamlio._default_events() is yamlio.EVENT_SOURCES["fast"]
    assert yamlio.EVENT_SOURCES["fast"] is not yamlio.EVENT_SOURCES["roundtrip"]
    text = "id: x\n"
    fast = yamlio.EVENT_SOURCES["fast"](text).__self__  # type: ignore[attr-defined]
    assert type(fast).__name__ == "CParser" and "_ruamel_yaml" in type(fast).__module__


# ----------------------------------------------------------------------------- the cases


def _batches(items: list[Path], size: int) -> list[list[Path]]:
    """A few batches, so that the test runners spread the work over their processes."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def _batch_id(batch: list[Path]) -> str:
    return f"{_case_id(batch[0])}..{_case_id(batch[-1])}"


@pytest.mark.parametrize("cases", _batches(_all_cases(), 12), ids=_batch_id)
def test_every_case_gives_the_same_findings_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cases: list[Path]
) -> None:
    """Each case: fast and round-trip parser, in one process and in worker processes."""
    failures = []
    for case in cases:
        directory = _programme_with(tmp_path / _case_id(case), case)
        as_of = _case_expected(case).get("as_of", AS_OF)
        failures += _four_ways(monkeypatch, _case_id(case), directory, as_of)[1]
    assert not failures, "\n".join(failures)


def test_the_example_programme_gives_the_same_findings_either_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files = sorted(EXAMPLE.rglob("*.y*ml"))
    assert len(files) > 10
    failures = []
    for as_of in (AS_OF, "2026-01-05", "2027-03-01", "2028-06-30"):
        fast, found = _four_ways(monkeypatch, f"challenges/ as of {as_of}", EXAMPLE, as_of)
        assert fast.json()["files_checked"] == len(files) - 1  # programme.yaml is not counted
        failures += found
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------------------- by hand

_TOPIC = "topic: Early help and the front door\n"
_FOLDED = CHALLENGE_YAML.replace("  end: 2027-06-10\n", "  end: 2027-06-11\n") + (
    "scope: >\n  Early help, the front door\n  and the referral pathway.\n"
    "waivers:\n  - rule: fieldwork.length\n    reason: >-\n"
    "      three days agreed: the host\n      asked for an extra day\n"
    "    agreed_by: Morgan Ellis\n"
)

# Hand-written texts that people produce and that parsers are known to read differently.
TRICKY: dict[str, str] = {
    "trailing-tab": CHALLENGE_YAML.replace(_TOPIC, _TOPIC.replace("\n", "\t\n")),
    "tab-after-colon": CHALLENGE_YAML.replace("round: 10\n", "round:\t10\n"),
    "tab-before-comment": CHALLENGE_YAML.replace("round: 10\n", "round: 10\t# tenth\n"),
    "tabs-in-flow": CHALLENGE_YAML + "feedback:\n  audience: [lead member,\tcabinet]\n",
    "noncharacter-fffe": CHALLENGE_YAML.replace(_TOPIC, "topic: 'Early help \ufffe'\n"),
    "escaped-lone-surrogate": CHALLENGE_YAML.replace(_TOPIC, 'topic: "Early \\ud800 help"\n'),
    "folded-scalars-in-messages": _FOLDED,
    "empty-values": CHALLENGE_YAML.replace(
        "  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n  project_manager:\n"
    ).replace("  dates: 2026-11-02\n", "  dates:\n  scope: 2026-11-10\n  team: ~\n"),
    "cr-only-line-endings": (CHALLENGE_YAML + "colour: blue\n").replace("\n", "\r"),
    "crlf-unknown-key": (CHALLENGE_YAML + "colour: blue\n").replace("\n", "\r\n"),
    "document-markers": "---\n" + CHALLENGE_YAML + "...\n",
    "explicit-key": CHALLENGE_YAML.replace("id: kent-2027-06\n", "? id\n: kent-2027-06\n"),
    "flow-trailing-comma": CHALLENGE_YAML.replace(
        "fieldwork:\n  start: 2027-06-09\n  end: 2027-06-10\n",
        "fieldwork: {start: 2027-06-09, end: 2027-06-10,}\n",
    ),
    "quoted-multiline": CHALLENGE_YAML.replace(
        _TOPIC, "topic: 'Early help\n\n  and the front door'\nscope: \"a\\\n  b\"\n"
    ),
}


# Tabs used as separators (after `key:`, before a comment, at a line's end) are
# valid YAML and libyaml reads them; ruamel.yaml's pure-Python scanner refuses
# them. pcplan uses that parser only where ruamel.yaml.clib is missing (the
# package requires it on CPython), so this is a documented limitation of the
# fallback (docs/architecture.md), pinned here so that a change on either side
# shows: the fast path reads the file, the fallback gives one `yaml` finding.
TABS_AS_SEPARATORS = {"trailing-tab", "tab-after-colon", "tab-before-comment"}


def test_hand_written_oddities_give_the_same_findings_either_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = []
    for name in sorted(set(TRICKY) - TABS_AS_SEPARATORS):
        directory = build_tree(
            tmp_path / name / "challenges",
            {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": TRICKY[name]},
        )
        failures += _four_ways(monkeypatch, name, directory, AS_OF)[1]
    assert not failures, "\n".join(failures)


def test_tabs_as_separators_are_read_by_the_fast_path_and_refused_by_the_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in sorted(TABS_AS_SEPARATORS):
        directory = build_tree(
            tmp_path / name / "challenges",
            {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": TRICKY[name]},
        )
        fast = _check_with(monkeypatch, "fast", directory, AS_OF)
        roundtrip = _check_with(monkeypatch, "roundtrip", directory, AS_OF)
        assert [p["rule"] for p in fast.json()["problems"]] == [], (name, fast)
        problems = roundtrip.json()["problems"]
        assert [p["rule"] for p in problems] == ["yaml"], (name, roundtrip)
        tab_line = 1 + TRICKY[name].split("\t")[0].count("\n")
        assert problems[0]["line"] == tab_line, (name, problems)


# ----------------------------------------------------------------------------- documents


def _every_file() -> list[Path]:
    found = [p for p in sorted(CASES.rglob("*")) if p.is_file() and p.suffix in (".yaml", ".yml")]
    found += sorted(EXAMPLE.rglob("*.y*ml"))
    return found


def _outcome(source: Path, raw: bytes, events: EventSource, *, spans: bool) -> Any:
    try:
        decoded = yamlio.decode(source, raw)
    except yamlio.YamlProblem as problem:
        return ("decode", problem.message, problem.line, problem.column)
    try:
        document = yamlio.parse(decoded, spans=spans, events=events)
    except yamlio.YamlProblem as problem:
        message = "YAML syntax …" if problem.message.startswith("YAML syntax") else problem.message
        return ("problem", message, problem.line, problem.column)
    return (
        "document",
        document.data,
        document.positions,
        document.spans,
        document.key_spans,
    )


def _document_difference(path: Path) -> list[str]:
    """Data, every key's position and (for edits) every value's span, both parsers."""
    raw = path.read_bytes()
    name = path.relative_to(ROOT).as_posix().removeprefix("tests/")
    failures = []
    for spans, mode in ((False, "read"), (True, "edit")):
        fast = _outcome(path, raw, yamlio.EVENT_SOURCES["fast"], spans=spans)
        roundtrip = _outcome(path, raw, yamlio.EVENT_SOURCES["roundtrip"], spans=spans)
        if fast[0] != roundtrip[0] or fast[0] != "document":
            if fast != roundtrip:
                failures.append(f"{name} ({mode}): {fast[:4]} vs {roundtrip[:4]}")
            continue
        for index, aspect in enumerate(("data", "positions", "spans", "key_spans"), start=1):
            if fast[index] != roundtrip[index]:
                where = (
                    _first_difference(fast[index], roundtrip[index])
                    if isinstance(fast[index], dict) and aspect != "data"
                    else ""
                )
                failures.append(f"{name} ({mode}): {aspect} differ {where}")
    return failures


@pytest.mark.parametrize("paths", _batches(_every_file(), 40), ids=_batch_id)
def test_every_file_parses_to_the_same_document_with_either_parser(paths: list[Path]) -> None:
    """Read (data, positions) and edit (and every value's span) paths, both parsers."""
    failures = [failure for path in paths for failure in _document_difference(path)]
    assert not failures, "\n".join(failures)


def _first_difference(left: dict[Any, Any], right: dict[Any, Any]) -> str:
    for key in sorted(set(left) | set(right), key=repr):
        if left.get(key) != right.get(key):
            return f"{key}: fast {left.get(key)} vs roundtrip {right.get(key)}"
    return "same"


# ----------------------------------------------------------------------------- edits


def _edit_with(
    monkeypatch: pytest.MonkeyPatch, source: str, root: Path, case: Golden
) -> tuple[int, bytes]:
    directory = build_tree(
        root / case.name / source / "challenges",
        {"programme.yaml": PROGRAMME_YAML, f"{EDIT_ID}.yaml": golden(case.source)},
    )
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_default_events", lambda: yamlio.EVENT_SOURCES[source])
        result = run(*case.args, directory=directory)
    assert "Traceback" not in result.stdout + result.stderr, result
    return result.exit_code, (directory / f"{EDIT_ID}.yaml").read_bytes()


def test_every_golden_edit_gives_the_same_bytes_with_either_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor splices at the spans the parser reports: both must put them in one place."""
    failures = []
    for case in GOLDEN:
        fast = _edit_with(monkeypatch, "fast", tmp_path, case)
        roundtrip = _edit_with(monkeypatch, "roundtrip", tmp_path, case)
        if fast != (0, golden(f"{case.name}.expected")):
            failures.append(f"{case.name}: the fast parser's edit gave {fast}")
        elif roundtrip != fast:
            failures.append(f"{case.name}: the round-trip parser's edit gave {roundtrip}")
    assert not failures, "\n".join(failures)


# ----------------------------------------------------------------------------- parallel


BROKEN: dict[str, str] = {
    # a syntax error
    "zz-broken/syntax-error.yaml": "id: syntax-error\nround: [1, 2\nhost:\n  authority: kent\n",
    # a schema error (unknown key, wrong type)
    "zz-broken/schema-error.yaml": (
        "id: schema-error\nround: ten\nhost:\n  authority: kent\n  dcs: A B\n"
        "topic: T\nfieldwork:\n  start: 2027-02-30\n  end: 2027-03-02\ncolour: blue\n"
    ),
    # an alias, refused by the YAML layer
    "zz-broken/alias.yaml": "id: &a alias\nround: 1\nother: *a\n",
    # an empty file
    "zz-broken/empty.yaml": "",
    # invalid UTF-8
    "zz-broken/latin1.yml": "id: latin1\ntopic: caf\xe9\n",
}


def _clash_text(challenge_id: str, start: date, *, lead: str, host: str = "kent") -> str:
    return f"""\
id: {challenge_id}
round: 50
host:
  authority: {host}
  dcs: Clash Host {challenge_id}
topic: Clashing diaries
fieldwork:
  start: {start.isoformat()}
  end: {date.fromordinal(start.toordinal() + 1).isoformat()}
visiting_team:
  - name: {lead}
    authority: surrey
    role: dcs
    lead: true
    status: confirmed
  - name: AD {challenge_id}
    authority: medway
    role: assistant_director
    status: confirmed
  - name: TL {challenge_id}
    authority: slough
    role: team_leader
    status: nominated
  - name: PR {challenge_id}
    authority: reading
    role: practitioner
    status: confirmed
waivers:
  - rule: team.size
    reason: never fires here
    agreed_by: Morgan Ellis
"""


GENERATED = 40  # files: with chunks of 10, five chunks shared by two workers


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 10 files (not 100), so that a small programme still spans several workers."""
    monkeypatch.setattr(checker, "CHUNK", 10)


@pytest.fixture(scope="module")
def big_programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "bench"))
    target = tmp_path_factory.mktemp("parallel") / "challenges"
    paths = generate(GENERATED, target)
    assert len(paths) == GENERATED
    files: dict[str, str | bytes] = {
        name: text.encode("latin-1") if name.endswith(".yml") else text
        for name, text in BROKEN.items()
    }
    # The same person in two challenges whose fieldwork overlaps, in different chunks.
    files["aa-first/clash-one.yaml"] = _clash_text("clash-one", date(2027, 6, 9), lead="Dee Clash")
    files["zz-last/clash-two.yaml"] = _clash_text(
        "clash-two", date(2027, 6, 10), lead="Dee Clash", host="hampshire"
    )
    # Two files with one id, far apart in the walk.
    first_id = paths[0].stem
    files[f"zz-last/{first_id}.yaml"] = paths[0].read_text(encoding="utf-8")
    # An authority the registry does not know, and a file whose id is not its name.
    files["zz-last/nowhere-2027-01.yaml"] = _clash_text(
        "nowhere-2027-01", date(2027, 1, 12), lead="Nia Elsewhere", host="atlantis"
    )
    files["zz-last/misnamed.yaml"] = _clash_text("not-the-name", date(2027, 9, 7), lead="Mo Name")
    build_tree(target, files)
    return target


def _analysed(directory: Path, as_of: date, jobs: int) -> Any:
    programme_dir = ProgrammeDir(root=directory, shown_as=str(directory))
    return checker.analyse(programme_dir, as_of, jobs=jobs, keep=False)


def _rules(result: dict[str, Any]) -> set[str]:
    return {p["rule"] for p in result["problems"]}


WORKERS_END_CLEANLY = """
import sys
from datetime import date
from pathlib import Path
from pcplan import checker
from pcplan.cli.runtime import install_signal_handlers
from pcplan.directory import ProgrammeDir

install_signal_handlers()  # as the console script does
example = ProgrammeDir(root=Path(sys.argv[1]), shown_as="challenges")
for _ in range(15):
    checker.analyse(example, date(2026, 11, 25), jobs=2, keep=False)
"""


def test_workers_end_cleanly_however_the_pool_is_shut(tmp_path: Path) -> None:
    """Regression: workers inherited the SIGTERM handler, so the pool's shutdown made an
    idle worker raise while holding the shared queue lock: a traceback on stderr, and one
    run in a few hung for ever. (One chunk for two workers: one worker is always idle.)"""
    result = subprocess.run(
        [sys.executable, "-c", WORKERS_END_CLEANLY, str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("as_of", [date(2026, 11, 25), date(2030, 2, 14)])
def test_parallel_check_gives_exactly_what_one_process_gives(
    big_programme: Path, as_of: date
) -> None:
    single = _analysed(big_programme, as_of, jobs=1)
    parallel = _analysed(big_programme, as_of, jobs=2)
    assert checker._worker_count(len(single.files), 2) == 2
    one, two = single.result().as_json(), parallel.result().as_json()
    assert one["files_checked"] == GENERATED + len(BROKEN) + 5
    # The programme really has findings of every kind: per-file, cross-file, waived.
    assert {
        "yaml",
        "schema",
        "id.filename",
        "id.duplicate",
        "authority.unknown",
        "team.diary",
        "waiver.unused",
    } <= _rules(one), sorted(_rules(one))
    assert one == two
    assert {name: list(found) for name, found in single.findings.items() if found} == {
        name: list(found) for name, found in parallel.findings.items() if found
    }
    assert [f.display for f in single.files] == [f.display for f in parallel.files]


def test_parallel_check_through_the_cli_matches_one_process(
    big_programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pcplan check` itself, once forced in-process and once forced onto two workers."""
    calls: list[int] = []
    real = checker._parallel_batches

    def spy(*args: Any, **kwargs: Any) -> Iterator[Any]:
        calls.append(kwargs["workers"] if "workers" in kwargs else args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(checker, "_parallel_batches", spy)
    monkeypatch.setattr(checker, "PARALLEL_FROM", 10**9)
    one = run("check", "--format", "json", "--as-of", AS_OF, directory=big_programme)
    assert calls == []
    monkeypatch.setattr(checker, "PARALLEL_FROM", 1)
    monkeypatch.setattr(checker, "_worker_count", lambda files, jobs: 2)
    two = run("check", "--format", "json", "--as-of", AS_OF, directory=big_programme)
    assert calls == [2]
    assert one.exit_code == two.exit_code == 1
    assert one.json() == two.json()
    assert one.stdout == two.stdout


def test_parallel_check_with_the_roundtrip_parser_matches_the_fast_one(
    big_programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers inherit the event source; the results still agree with the fast path."""
    as_of = date(2026, 11, 25)
    fast = _analysed(big_programme, as_of, jobs=2).result().as_json()
    monkeypatch.setattr(yamlio, "_default_events", lambda: yamlio.EVENT_SOURCES["roundtrip"])
    roundtrip = _analysed(big_programme, as_of, jobs=2).result().as_json()
    assert [_comparable(p) for p in fast["problems"]] == [
        _comparable(p) for p in roundtrip["problems"]
    ]
    assert {k: v for k, v in fast.items() if k != "problems"} == {
        k: v for k, v in roundtrip.items() if k != "problems"
    }
