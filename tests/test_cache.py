"""The content cache (SPEC §7): reused only when nothing it depends on has changed.

Every test here turns the cache on (conftest turns it off for the rest of the suite)
and compares what a user sees with the cache to what they see without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pcplan.cache
from tests.conftest import (
    AS_OF,
    CHALLENGE_YAML,
    PROGRAMME_YAML,
    build_tree,
    cached_check,
    findings,
    rules_fired,
    run,
)

CACHE = ".pcplan-cache"


pytestmark = pytest.mark.usefixtures("cache_on")

check = cached_check


def cache_files(root: Path) -> list[Path]:
    return sorted((root / CACHE).glob("analysis-*.json"))


def read_cache(path: Path) -> tuple[str, dict[str, pcplan.cache.Entry]]:
    """A cache file's salt and entries, read as pcplan reads them."""
    raw = path.read_bytes()
    salt = json.loads(raw.split(b"\n", 1)[0])["salt"]
    entries = pcplan.cache.decode(raw, salt)
    assert entries is not None, "not a sound cache"
    return salt, entries


def rewrite_cache(path: Path, change: object) -> None:
    """Rewrite each entry's summary texts (a list of five) with ``change``, in place."""
    salt, entries = read_cache(path)
    for key, entry in entries.items():
        texts = list(entry.texts())
        assert callable(change)
        change(texts)
        entries[key] = pcplan.cache.Entry(entry.fast, entry.digest, tuple(texts))  # type: ignore[arg-type]
    path.write_bytes(pcplan.cache.encode(salt, entries))


def two_of_a_kind(tmp_path: Path) -> Path:
    """Two files with the same id and the same people on the same dates."""
    return build_tree(
        tmp_path / "challenges",
        {
            "programme.yaml": PROGRAMME_YAML,
            "kent-2027-06.yaml": CHALLENGE_YAML,
            "old/kent-2027-06.yaml": CHALLENGE_YAML,
        },
    )


def test_a_recheck_of_an_unchanged_programme_parses_nothing(
    programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = check(programme)
    assert (programme / CACHE / ".gitignore").read_text().splitlines()[-1] == "*"
    assert len(cache_files(programme)) == 1

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was analysed again")

    monkeypatch.setattr("pcplan.checker.analyse_file", no_parsing)
    assert check(programme) == cold


def test_a_file_changed_with_the_same_size_and_mtime_is_read_again(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    assert rules_fired(check(programme)) == set()
    before = path.stat()
    text = path.read_text()
    changed = text.replace("end: 2027-06-10", "end: 2027-06-08")  # same size
    assert len(changed) == len(text) and changed != text
    path.write_text(changed)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_size == before.st_size
    assert "fieldwork.dates" in rules_fired(check(programme))
    assert check(programme) == check(programme, "--no-cache")


def test_a_deleted_files_sightings_vanish(tmp_path: Path) -> None:
    root = two_of_a_kind(tmp_path)
    assert {"id.duplicate", "team.diary"} <= rules_fired(check(root))
    (root / "old" / "kent-2027-06.yaml").unlink()
    after = check(root)
    assert after["files_checked"] == 1
    assert rules_fired(after) == set()


def test_cross_file_rules_see_a_file_added_next_to_cached_ones(programme: Path) -> None:
    assert rules_fired(check(programme)) == set()
    build_tree(programme, {"old/kent-2027-06.yaml": CHALLENGE_YAML})
    assert {"id.duplicate", "team.diary"} <= rules_fired(check(programme))


def test_an_edit_is_reported_against_the_cached_rest_of_the_programme(programme: Path) -> None:
    other = CHALLENGE_YAML.replace("id: kent-2027-06", "id: hampshire-2027-06")
    other = other.replace("authority: kent", "authority: hampshire").replace(
        "dcs: Alex Morgan", "dcs: Sam Patel"
    )
    other = other[: other.index("visiting_team:")] + "visiting_team: []\nsteps: {}\n"
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    check(programme)  # the cache is warm
    added = run(
        "team",
        "hampshire-2027-06",
        "add",
        "Jo Rivers",
        "--authority",
        "surrey",
        "--role",
        "dcs",
        directory=programme,
    )
    assert added.exit_code == 0, added
    assert "team.diary" in added.stdout  # Jo Rivers is in Kent those days too
    assert check(programme) == check(programme, "--no-cache")
    assert "team.diary" in rules_fired(check(programme))


def test_a_cache_of_another_pcplan_version_is_ignored(programme: Path) -> None:
    truth = check(programme)
    (cache,) = cache_files(programme)

    def forge(texts: list[str]) -> None:
        texts[0] = json.dumps([[1, 1, "yaml", "error", "forged by another version"]])

    rewrite_cache(cache, forge)
    header, rest = cache.read_bytes().split(b"\n", 1)
    assert pcplan.cache.__version__.encode() in header
    other = header.replace(pcplan.cache.__version__.encode(), b"0.0.0-other")
    cache.write_bytes(other + b"\n" + rest)
    for verdict in (programme / CACHE).glob("verdict-*.json"):  # so that the cache is read
        verdict.unlink()
    assert check(programme) == truth


def test_another_version_writes_its_own_cache(
    programme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truth = check(programme)
    monkeypatch.setattr(pcplan.cache, "__version__", "99.0")
    assert check(programme) == truth
    assert len(cache_files(programme)) == 2


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],  # truncated
        lambda raw: b"\x00\xff" * 10,  # not text
        lambda raw: b"[]",  # not the shape
        lambda raw: raw.replace(b'"entries":', b'"entries":1', 1),  # another count
        lambda raw: raw.replace(b"\t", b"\t\t"),  # fields out of place
        lambda raw: raw.replace(b'"error"', b'"fatal"').replace(b'"warning"', b'"fatal"'),
        lambda raw: raw.replace(b"[[", b"[[[").replace(b"]]", b"]]]"),
    ],
    ids=["truncated", "binary", "shape", "count", "fields", "severity", "nesting"],
)
def test_a_corrupt_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: object) -> None:
    root = two_of_a_kind(tmp_path)
    truth = check(root, "--no-cache")
    assert check(root) == truth
    (cache,) = cache_files(root)
    assert callable(damage)
    cache.write_bytes(damage(cache.read_bytes()))
    for verdict in (root / CACHE).glob("verdict-*.json"):  # so that the cache is read
        verdict.unlink()
    assert check(root) == truth
    assert check(root) == truth
    assert len(read_cache(cache)[1]) == 2  # rebuilt whole


def test_no_cache_writes_nothing(programme: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check(programme, "--no-cache")
    assert not (programme / CACHE).exists()
    monkeypatch.setenv("PCPLAN_NO_CACHE", "1")
    check(programme)
    assert not (programme / CACHE).exists()


def test_the_cache_folder_is_never_read_as_challenges(programme: Path) -> None:
    truth = check(programme)
    (programme / CACHE / "broken.yaml").write_text("id: [unclosed\n")
    (programme / CACHE / "kent-2027-06.yaml").write_text(CHALLENGE_YAML)
    assert check(programme) == truth
    assert truth["files_checked"] == 1


def test_a_cache_folder_that_is_a_link_is_not_written_through(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "challenges",
        {"programme.yaml": PROGRAMME_YAML, "kent-2027-06.yaml": CHALLENGE_YAML},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / CACHE).symlink_to(elsewhere)
    assert check(root) == check(root, "--no-cache")
    assert list(elsewhere.iterdir()) == []


def test_a_change_to_programme_yaml_is_a_new_cache(programme: Path) -> None:
    assert rules_fired(check(programme)) == set()
    text = (programme / "programme.yaml").read_text()
    (programme / "programme.yaml").write_text(text.replace("  kent: Kent County Council\n", ""))
    assert ("authority.unknown", 5, 3) in findings(
        run("check", "--as-of", AS_OF, "--format", "json", directory=programme)
    )


def test_two_concurrent_cold_checks_both_give_the_right_answer(tmp_path: Path) -> None:
    files = {"programme.yaml": PROGRAMME_YAML}
    for number in range(30):
        files[f"round-{number % 3}/kent-2027-06-{number}.yaml"] = CHALLENGE_YAML.replace(
            "id: kent-2027-06", f"id: kent-2027-06-{number}"
        )
    root = build_tree(tmp_path / "challenges", files)
    command = [sys.executable, "-m", "pcplan", "--dir", str(root), "check", "--as-of", AS_OF]
    command += ["--format", "json"]
    environment = {k: v for k, v in os.environ.items() if k != "PCPLAN_NO_CACHE"}
    truth = subprocess.run(
        [*command, "--no-cache"], capture_output=True, env=environment, check=False
    )
    assert truth.returncode == 1 and b"team.diary" in truth.stdout  # everyone is in 30 places
    for _ in range(2):
        for leftover in (root / CACHE).glob("*.json"):  # caches and verdicts: all cold
            leftover.unlink()
        runs = [
            subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
            )
            for _ in range(2)
        ]
        for process in runs:
            out, err = process.communicate(timeout=120)
            assert err == b"", err
            assert process.returncode == 1
            assert out == truth.stdout
    (cache,) = cache_files(root)
    assert len(read_cache(cache)[1]) == 30
    warm = subprocess.run(command, capture_output=True, env=environment, check=False)
    assert warm.stdout == truth.stdout
    assert not [p for p in (root / CACHE).iterdir() if p.name.startswith(".tmp-")]


def test_a_change_to_the_private_file_is_a_new_cache(
    programme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private.yaml"
    private.write_text("people:\n  - name: Lee Chen\n    not_with: [Pat Quinn]\n", "utf-8")
    monkeypatch.setenv("PCPLAN_PRIVATE", str(private))
    assert "team.conflict" in rules_fired(check(programme))
    private.write_text("people:\n  - name: Lee Chen\n    not_with: [Ash Brown]\n", "utf-8")
    assert "team.conflict" in rules_fired(check(programme))  # Ash Brown is on the team too
    private.write_text("people:\n  - name: Lee Chen\n    not_with: [Someone Else]\n", "utf-8")
    assert "team.conflict" not in rules_fired(check(programme))
    monkeypatch.delenv("PCPLAN_PRIVATE")
    assert check(programme) == check(programme, "--no-cache")


EXAMPLE = Path(__file__).resolve().parent.parent / "challenges"
OVERVIEWS = [
    ("status", "--format", "json"),
    ("status", "--round", "10", "--format", "csv"),
    ("due", "--within", "8w", "--format", "json"),
    ("due", "--within", "3w"),
    ("timebank", "--format", "json"),
]


def overview(root: Path, *args: str) -> str:
    pcplan.cache._MEMO.clear()  # as a new process
    result = run(*args, "--as-of", "2026-12-02", directory=root)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("args", OVERVIEWS, ids=[" ".join(a) for a in OVERVIEWS])
def test_overviews_from_a_warm_cache_read_no_file_and_show_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """`status`, `due` and `timebank` show each file's glance, kept in the cache: after a
    `check`, they parse nothing and show exactly what they show without the cache."""
    import shutil

    root = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(CACHE))
    monkeypatch.setenv("PCPLAN_NO_CACHE", "1")
    truth = overview(root, *args)
    monkeypatch.delenv("PCPLAN_NO_CACHE")
    run("check", "--as-of", "2026-12-02", directory=root)

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was analysed again")

    monkeypatch.setattr("pcplan.checker.analyse_file", no_parsing)
    assert overview(root, *args) == truth
    assert len(truth.splitlines()) > 3


@pytest.mark.parametrize(
    "damage",
    [
        lambda glance: glance.__setitem__(5, "finished"),  # not a phase
        lambda glance: glance.__setitem__(8, [[["no_such_step", None, "open", None, 1], []]]),
        lambda glance: glance.__setitem__(10, glance[10] + 1),  # overdue: not the pending's
        lambda glance: glance.__setitem__(10, -1),
        lambda glance: glance.__setitem__(8, [[["scope"], []]]),  # too short
        lambda glance: glance.clear(),  # (written back truncated: not JSON)
    ],
    ids=["phase", "pending", "overdue", "negative", "short", "truncated"],
)
@pytest.mark.parametrize("command", ["status", "due", "timebank"])
def test_a_damaged_glance_in_the_cache_is_not_used(
    tmp_path: Path, damage: object, command: str
) -> None:
    import shutil

    root = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(CACHE))
    truth = overview(root, command, "--format", "json")
    (cache,) = cache_files(root)
    assert callable(damage)

    def damaged(texts: list[str]) -> None:
        if texts[4] != "null":  # (kept as JSON text, parsed when read)
            glance = json.loads(texts[4])
            damage(glance)
            texts[4] = json.dumps(glance) if glance else "[1,2"

    rewrite_cache(cache, damaged)
    assert overview(root, command, "--format", "json") == truth


@pytest.mark.parametrize("cached", [True, False], ids=["through the cache", "without it"])
def test_an_edits_before_is_what_analysing_the_old_file_gave(tmp_path: Path, cached: bool) -> None:
    """An edit works out its file's findings before the change in the analysis after it
    (Analysis.findings_before): they must be what a whole analysis then gave."""
    from datetime import date

    from pcplan.checker import analyse
    from pcplan.directory import open_programme_dir

    root = two_of_a_kind(tmp_path)
    directory = open_programme_dir(root)
    day = date.fromisoformat(AS_OF)
    path = root / "old" / "kent-2027-06.yaml"
    display = directory.display(path)
    versions = [
        path.read_bytes(),
        CHALLENGE_YAML.replace("id: kent-2027-06", "id: kent-2027-07").encode(),
        b"id: [unclosed\n",
    ]
    for old, new in zip(versions, versions[1:] + versions[:1], strict=True):
        path.write_bytes(old)
        then = analyse(directory, day).findings.get(display, [])
        path.write_bytes(new)
        now = analyse(directory, day, cache=cached, focus=[path] if cached else None)
        assert now.findings_before(path, display, old) == then
        assert now.findings_before(path, display, new) == now.findings.get(display, [])
    assert "id.duplicate" in {f.rule for f in analyse(directory, day).findings[display]}


def test_the_salt_names_the_libraries_that_shape_findings() -> None:
    """A new pydantic, ruamel.yaml or holidays may word or find things differently:
    their versions key the cache, read without importing them."""
    import holidays
    import pydantic
    import ruamel.yaml

    versions = dict(part.split("=") for part in pcplan.cache._library_versions().split(","))
    assert versions["pydantic"] == pydantic.VERSION
    assert versions["ruamel.yaml"] == ruamel.yaml.__version__
    assert versions["holidays"] == holidays.__version__
    assert versions["ruamel.yaml.clib"] != "-"


def _sharing_programme(tmp_path: Path) -> Path:
    """Files that share an id, people or nothing with each other, in several folders."""

    def variant(challenge_id: str, dcs: str, lead: str, start: str = "2027-06-09") -> str:
        end = f"{start[:-2]}{int(start[-2:]) + 1:02d}"
        return (
            CHALLENGE_YAML.replace("id: kent-2027-06", f"id: {challenge_id}")
            .replace("dcs: Alex Morgan", f"dcs: {dcs}")
            .replace("name: Jo Rivers", f"name: {lead}")
            .replace("start: 2027-06-09", f"start: {start}")
            .replace("end: 2027-06-10", f"end: {end}")
        )

    return build_tree(
        tmp_path / "challenges",
        {
            "programme.yaml": PROGRAMME_YAML,
            "a/kent-2027-06.yaml": variant("kent-2027-06", "Alex Morgan", "Jo Rivers"),
            "b/kent-2027-06.yaml": variant("kent-2027-06", "Sam Patel", "Kim Fraser"),
            "c/kent-2027-06.yaml": variant("kent-2027-06", "Ray Ng", "Bo Li"),
            "c/kent-2027-07.yaml": variant("kent-2027-07", "Alex Morgan", "Jo Rivers"),
            "d/kent-2027-08.yaml": variant("kent-2027-08", "Mo Khan", "Di Ward", "2027-07-14"),
            "e/kent-2027-09.yaml": b"id: [unclosed\n",
        },
    )


@pytest.mark.parametrize(
    "state",
    ["cold", "warm", "one changed", "one damaged", "a byte damaged", "index lines swapped"],
)
def test_an_edits_findings_are_what_a_whole_check_gives(tmp_path: Path, state: str) -> None:
    """An edit makes findings for its own file only, reading from the cache only the files
    that share a value with it (checker.Others): they must be, word for word and in the
    same order, what a whole analysis without the cache gives that file, before and after."""
    from datetime import date

    from pcplan.checker import analyse
    from pcplan.directory import open_programme_dir

    root = _sharing_programme(tmp_path)
    directory = open_programme_dir(root)
    day = date.fromisoformat(AS_OF)
    paths = sorted(path for path in root.rglob("*.yaml") if path.name != "programme.yaml")
    if state != "cold":
        analyse(directory, day, keep=False, cache=True)  # every file in the cache
    if state == "one changed":  # (read afresh by the edit, not from the cache)
        changed = root / "c" / "kent-2027-06.yaml"
        changed.write_text(changed.read_text().replace("Pat Quinn", "Pat Quinney"))
    if state == "one damaged":  # written whole, so found only when its sightings are read

        def damaged(texts: list[str]) -> None:
            texts[2] = texts[2].replace('"team.diary",[[', '"team.diary",{[', 1)

        (cache,) = cache_files(root)
        rewrite_cache(cache, damaged)
    if state == "a byte damaged":  # another name, still JSON: only the check finds it
        (cache,) = cache_files(root)
        raw = cache.read_bytes()
        assert b'"Jo Rivers"' in raw
        cache.write_bytes(raw.replace(b'"Jo Rivers"', b'"Jo Rivars"', 1))
    if state == "index lines swapped":  # each file's records found at another's place
        (cache,) = cache_files(root)
        lines = cache.read_bytes().split(b"\n")
        lines[1], lines[4] = lines[4], lines[1]
        cache.write_bytes(b"\n".join(lines))
    whole = analyse(directory, day).findings
    assert {"id.duplicate", "team.diary"} <= {f.rule for found in whole.values() for f in found}
    for path in paths:
        display = directory.display(path)
        edit = analyse(directory, day, cache=True, focus=[path])
        assert edit.findings.get(display, []) == whole.get(display, []), display
        assert [loaded.display for loaded in edit.files] == [display]
        assert edit.findings_before(path, display, path.read_bytes()) == whole.get(display, [])


_VALUES = st.one_of(
    st.text(max_size=8),
    st.integers(-3, 300),
    st.tuples(st.integers(0, 9), st.text(max_size=4)),
)


@settings(deadline=None)
@given(data=st.data(), pool=st.lists(_VALUES, min_size=1, max_size=4, unique_by=repr))
def test_mentioning_never_misses_a_file_with_the_value(
    data: st.DataObject, pool: list[object]
) -> None:
    """An edit reads only the files that pcplan.cache.mentioning finds for its values: a file
    with a sighting of one of them must always be among them, read back from disk or not."""
    from pcplan.cache import ENCODE, Entry, decode, encode, mentioning

    sighting = st.tuples(st.sampled_from(["id.duplicate", "team.diary"]), st.sampled_from(pool))
    files = data.draw(st.lists(st.lists(sighting, max_size=5), min_size=1, max_size=6))
    asked = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3))
    fresh = data.draw(st.sets(st.integers(0, 5)))

    def summary(sightings: list[tuple[str, object]]) -> tuple[str, str, str, str, str]:
        rows: dict[str, list[object]] = {}
        for number, (rule_id, value) in enumerate(sightings):
            rows.setdefault(rule_id, []).append([number + 1, 1, value, [value, "detail"]])
        return ("[]", "[]", ENCODE(list(rows.items())), "[]", "[]")

    made = {f"f{n}.yaml": Entry(None, "0" * 32, summary(seen)) for n, seen in enumerate(files)}
    read = decode(encode("salt", made), "salt")
    assert read is not None
    entries = [made[key] if n in fresh else read[key] for n, key in enumerate(made)]
    needles = [ENCODE(value).encode("ascii") for value in asked]
    found = mentioning(entries, needles)
    for needle, value in zip(needles, asked, strict=True):
        frozen = tuple(value) if isinstance(value, list) else value
        having = {n for n, seen in enumerate(files) if frozen in {v for _, v in seen}}
        assert having <= set(found[needle]), (value, found)


PARSED_KINDS = """\
name: Kinds \u00e9
numbers: [1, -2, 0o17, 0x1f, 1.5, -0.0, .inf, -.inf, .nan, 1e3]
truths: [true, False, null, ~, '', "text", 2027-06-09]
nested:
  - {a: 1, b: [x, {c: [[]]}]}
  - plain text with: colon
"""


@pytest.mark.parametrize("text", [PARSED_KINDS, PROGRAMME_YAML], ids=["kinds", "programme"])
def test_a_remembered_parse_is_what_parsing_gives(tmp_path: Path, text: str) -> None:
    """programme.yaml's parse is kept in the cache folder and read back instead of parsing
    the same bytes again (pcplan.cache.recall_document): it must be the same, to the type
    of every value and the position of every key."""
    from pcplan.cache import keep_document, recall_document
    from pcplan.yamlio import decode, parse

    raw = text.encode("utf-8")
    parsed = parse(decode(tmp_path / "programme.yaml", raw))
    assert recall_document(tmp_path, raw) is None
    keep_document(tmp_path, raw, parsed)
    kept = recall_document(tmp_path, raw)
    assert kept is not None
    assert repr(kept.data) == repr(parsed.data)  # (repr tells 1, 1.0 and True apart)
    assert kept.positions == parsed.positions
    assert recall_document(tmp_path, raw + b"# another version\n") is None
    (memo,) = (tmp_path / CACHE).glob("parsed-*.json")
    sound = memo.read_text()
    memo.write_text(sound.replace('"positions":[', '"positions":[[[1],2,3],', 1))
    assert recall_document(tmp_path, raw) is None  # damaged: parsed again
    memo.write_text(sound.replace('"positions":', '"places":', 1))
    assert recall_document(tmp_path, raw) is None


def test_an_edited_programme_yaml_is_parsed_again(programme: Path) -> None:
    assert rules_fired(check(programme)) == set()
    assert len(list((programme / CACHE).glob("parsed-*.json"))) == 1
    text = (programme / "programme.yaml").read_text()
    (programme / "programme.yaml").write_text(text.replace("  kent: Kent County Council\n", ""))
    assert "authority.unknown" in rules_fired(check(programme))
    assert len(list((programme / CACHE).glob("parsed-*.json"))) == 2
