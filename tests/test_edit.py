"""`pcplan done` and `pcplan team add/confirm/decline` change only their own lines (SPEC §5, §6).

Golden files live in ``tests/data/edit/``: ``NAME.yaml`` is a challenge file before an
edit and ``NAME.EDIT.expected.yaml`` the exact bytes after it, written by hand (LF, with
a final newline). Each edit runs on several byte variants of the same file: CRLF line
endings, a UTF-8 BOM, no final newline. The expected bytes of a variant are the golden
file put through the same transformation, so every byte outside the edited lines must
survive, and the new lines must use the file's own line ending.
"""

from __future__ import annotations

import difflib
import errno
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import pcplan.edit
import pcplan.fileio
from pcplan.yamlio import decode, parse
from tests.conftest import CHALLENGE_YAML, PROGRAMME_YAML, Run, build_tree, run

DATA = Path(__file__).parent / "data" / "edit"
ID = "kent-2027-06"
FILE = f"{ID}.yaml"
BOM = b"\xef\xbb\xbf"

VARIANTS = ("lf", "crlf", "bom", "no-final-newline", "bom-crlf-no-final-newline")


def with_variant(data: bytes, variant: str) -> bytes:
    """The LF, newline-terminated ``data`` as ``variant`` would write it."""
    assert b"\r" not in data and data.endswith(b"\n")
    newline = b"\r\n" if "crlf" in variant else b"\n"
    data = data.replace(b"\n", newline)
    if "no-final-newline" in variant:
        data = data.removesuffix(newline)
    if "bom" in variant:
        data = BOM + data
    return data


def golden(name: str) -> bytes:
    return (DATA / f"{name}.yaml").read_bytes()


def programme_with(tmp_path: Path, challenge: bytes | str) -> Path:
    return build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: challenge})


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """The lines removed from ``before`` and added in ``after`` (line endings included)."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def change_blocks(before: bytes, after: bytes) -> int:
    """How many separate places differ between ``before`` and ``after``."""
    matcher = difflib.SequenceMatcher(
        a=before.splitlines(keepends=True), b=after.splitlines(keepends=True), autojunk=False
    )
    return sum(1 for opcode in matcher.get_opcodes() if opcode[0] != "equal")


def show_diff(expected: bytes, actual: bytes) -> str:
    lines = difflib.unified_diff(
        [repr(line) for line in expected.splitlines(keepends=True)],
        [repr(line) for line in actual.splitlines(keepends=True)],
        "expected",
        "actual",
        lineterm="",
    )
    return "\n".join(lines)


def data_of(raw: bytes) -> dict[str, Any]:
    return parse(decode(Path(FILE), raw)).data


def assert_one_line_error(result: Run, code: int) -> None:
    assert result.exit_code == code, result
    assert "Traceback" not in result.stderr + result.stdout, result
    assert result.stderr.startswith("pcplan: "), result
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n"), result


def entries(root: Path) -> list[str]:
    return sorted(os.listdir(root))


# ----------------------------------------------------------------------------- golden cases


@dataclass(frozen=True)
class Golden:
    """One edit of one golden file: the command and the only lines it may change."""

    name: str  # the expected file is NAME.expected.yaml; the source is NAME's first part
    args: tuple[str, ...]
    removed: tuple[str, ...]
    added: tuple[str, ...]
    says: str = ""  # a fragment of what the command prints
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.name.split(".")[0]


ASH = (
    "  - name: Ash Brown\n",
    "    authority: reading\n",
    "    role: practitioner\n",
    "    status: nominated\n",
)
JO_LEAD = (
    "  - name: Jo Rivers\n",
    "    authority: surrey\n",
    "    role: dcs\n",
    "    lead: true\n",
    "    status: nominated\n",
)

GOLDEN = (
    # done: a step present with an empty value
    Golden(
        "commented.done-empty-step",
        ("done", ID, "scope", "--on", "2027-01-05"),
        removed=("  scope:              # not yet\n",),
        added=("  scope: 2027-01-05   # not yet\n",),  # the comment keeps its column
        says=f"{FILE}: scope done 2027-01-05",
    ),
    # done: a step present with a date already (the date is corrected)
    Golden(
        "commented.done-dated-step",
        ("done", ID, "dates", "--on", "2026-11-03"),
        removed=("  dates: 2026-11-02   # agreed at the October meeting\n",),
        added=("  dates: 2026-11-03   # agreed at the October meeting\n",),
        says="dates done 2026-11-03 (was 2026-11-02)",
    ),
    # done: a step absent from a block `steps:` mapping
    Golden(
        "commented.done-absent-step",
        ("done", ID, "team", "--on", "2027-01-06"),
        removed=(),
        added=("  team: 2027-01-06\n",),
        says="team done 2027-01-06",
    ),
    # done: `steps:` with nothing after it, the last line of the file
    Golden(
        "empty-team-null-steps.done",
        ("done", ID, "dates", "--on", "2026-11-02"),
        removed=(),
        added=("  dates: 2026-11-02\n",),
        says="dates done 2026-11-02",
    ),
    # done: `steps: {}`
    Golden(
        "flow-empty.done",
        ("done", ID, "dates", "--on", "2026-11-02"),
        removed=("steps: {}   # nothing done yet\n",),
        added=("steps: {dates: 2026-11-02}   # nothing done yet\n",),
        says="dates done 2026-11-02",
    ),
    # done: no `steps:` at all; the file ends with a comment
    Golden(
        "no-steps.done",
        ("done", ID, "dates", "--on", "2026-11-02"),
        removed=(),
        added=("steps:\n", "  dates: 2026-11-02\n"),
        says="dates done 2026-11-02",
    ),
    # team add: to a block team
    Golden(
        "commented.add",
        ("team", ID, "add", "Ash Brown", "--authority", "reading", "--role", "practitioner"),
        removed=(),
        added=ASH,
        says="added Ash Brown (reading, practitioner) as nominated",
    ),
    # team add --lead: to `visiting_team:` with nothing after it
    Golden(
        "empty-team-null-steps.add-lead",
        ("team", ID, "add", "Jo Rivers", "--authority", "surrey", "--role", "dcs", "--lead"),
        removed=(),
        added=JO_LEAD,
        says="added Jo Rivers (surrey, dcs, lead) as nominated",
    ),
    # team add --lead: to `visiting_team: []`
    Golden(
        "flow-empty.add-lead",
        ("team", ID, "add", "Jo Rivers", "--authority", "surrey", "--role", "dcs", "--lead"),
        removed=("visiting_team: []   # none yet\n",),
        added=(
            "visiting_team: [{name: Jo Rivers, authority: surrey, role: dcs, lead: true, "
            "status: nominated}]   # none yet\n",
        ),
        says="added Jo Rivers",
    ),
    # team confirm / decline: a member with a `status:` key (quoted name, trailing comment)
    Golden(
        "commented.confirm-with-status",
        ("team", ID, "confirm", "Pat Quinn"),
        removed=("    status: nominated    # awaiting the host DCS\n",),
        added=("    status: confirmed    # awaiting the host DCS\n",),
        says="Pat Quinn is now confirmed",
    ),
    Golden(
        "commented.decline-with-status",
        ("team", ID, "decline", "Pat Quinn"),
        removed=("    status: nominated    # awaiting the host DCS\n",),
        added=("    status: declined    # awaiting the host DCS\n",),
        says="Pat Quinn is now declined",
    ),
    # team confirm / decline: a member with no `status:` key (nominated by default)
    Golden(
        "commented.confirm-without-status",
        ("team", ID, "confirm", "Lee Chen"),
        removed=(),
        added=("    status: confirmed\n",),
        says="Lee Chen is now confirmed",
    ),
    Golden(
        "commented.decline-without-status",
        ("team", ID, "decline", "lee chen"),
        removed=(),
        added=("    status: declined\n",),
        says="Lee Chen is now declined",
    ),
    # team remove: the first member (a comment inside it goes with it), a middle one (the
    # comment above it stays: it may be about what follows), the last one
    Golden(
        "commented.remove-first",
        ("team", ID, "remove", "Jo Rivers"),
        removed=(
            "  - name: Jo Rivers        # lead DCS\n",
            "    authority: surrey\n",
            "    role: dcs\n",
            "    lead: true\n",
            "    status: confirmed\n",
            "    # a comment inside the mapping, after its last key\n",
        ),
        added=(),
        says="removed Jo Rivers from the visiting team",
    ),
    Golden(
        "commented.remove-middle",
        ("team", ID, "remove", "pat quinn"),
        removed=(
            "  - name: 'Pat Quinn'\n",
            '    authority: "medway"\n',
            "    role: assistant_director   # the AD\n",
            "    status: nominated    # awaiting the host DCS\n",
        ),
        added=(),
        says="removed Pat Quinn",
    ),
    Golden(
        "commented.remove-last",
        ("team", ID, "remove", "Lee Chen"),
        removed=(
            '  - name: "Lee Chen"       # no status key yet\n',
            "    authority: slough\n",
            "    # a comment between two keys\n",
            "    role: team_leader\n",
        ),
        added=(),
        says="removed Lee Chen",
    ),
    # done --undo: the step's line goes, its neighbours' comments stay
    Golden(
        "commented.undo",
        ("done", ID, "dates", "--undo"),
        removed=("  dates: 2026-11-02   # agreed at the October meeting\n",),
        added=(),
        says="dates is no longer recorded as done (was 2026-11-02)",
    ),
    # set: a scalar, a flow list, a block list (written anew as a flow list), --unset,
    # and a field whose mapping is not there yet
    Golden(
        "commented.set-scalar",
        ("set", ID, "feedback.format", "written report"),
        removed=("  format: oral presentation\n",),
        added=("  format: written report\n",),
        says="feedback.format set to written report",
    ),
    Golden(
        "commented.set-flow-list",
        ("set", ID, "feedback.audience", "senior management team, lead member"),
        removed=(
            "  audience: [senior management team, 'lead member', \"chair\"]   # a flow sequence\n",
        ),
        added=("  audience: [senior management team, lead member]   # a flow sequence\n",),
        says="feedback.audience set to senior management team, lead member",
    ),
    Golden(
        "commented.set-block-list",
        ("set", ID, "review.contents", "original_scope, peer_commentary, impact_evidence"),
        removed=(
            "  contents:\n",
            "    - original_scope       # a block sequence\n",
            "    # a comment between sequence items\n",
            "    - peer_commentary\n",
        ),
        added=("  contents: [original_scope, peer_commentary, impact_evidence]\n",),
        says="review.contents set to",
    ),
    Golden(
        "commented.unset",
        ("set", ID, "escalation.visiting_contact", "--unset"),
        removed=("  visiting_contact: 'Jo Rivers'\n",),
        added=(),
        says="escalation.visiting_contact unset",
    ),
    Golden(
        "commented.set-nested",
        ("set", ID, "review.visit.hours", "4"),
        removed=(),
        added=("  visit:\n", "    hours: 4\n"),
        says="review.visit.hours set to 4",
    ),
)


@pytest.mark.parametrize("case", GOLDEN, ids=lambda case: case.name)
def test_golden_files_differ_only_in_the_intended_lines(case: Golden) -> None:
    """A guard on the golden files themselves: each differs from its source as declared."""
    before, after = golden(case.source), golden(f"{case.name}.expected")
    removed, added = changed_lines(before, after)
    assert [line.decode() for line in removed] == list(case.removed)
    assert [line.decode() for line in added] == list(case.added)
    assert change_blocks(before, after) == 1


def test_the_commented_golden_file_has_every_kind_of_line() -> None:
    text = golden("commented").decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=")
    assert "" in lines  # blank lines
    assert any(len(line) == 300 and line.startswith("scope: ") for line in lines)
    assert any(len(line) == 300 and line.startswith("#") for line in lines)
    assert any(
        "'" in line and line.lstrip().startswith(("authority: '", "- name: '")) for line in lines
    )
    assert any(line.lstrip().startswith(('dcs: "', '- name: "')) for line in lines)
    assert any(": {" in line for line in lines) and any(": [" in line for line in lines)
    assert any(line.lstrip().startswith("# a comment between sequence items") for line in lines)
    assert lines[-1].startswith("#")  # a trailing comment at the end of the file


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("case", GOLDEN, ids=lambda case: case.name)
def test_an_edit_changes_exactly_its_own_lines(tmp_path: Path, case: Golden, variant: str) -> None:
    before = with_variant(golden(case.source), variant)
    expected = with_variant(golden(f"{case.name}.expected"), variant)
    root = programme_with(tmp_path, before)

    result = run(*case.args, directory=root)

    assert result.exit_code == 0, result
    assert "Traceback" not in result.stderr, result
    assert case.says in result.stdout
    after = (root / FILE).read_bytes()
    assert after == expected, show_diff(expected, after)
    assert after.startswith(BOM) == ("bom" in variant)
    if "crlf" in variant:
        assert after.count(b"\n") == after.count(b"\r\n")
    assert after.endswith(b"\n") == ("no-final-newline" not in variant)
    assert entries(root) == [FILE, "programme.yaml"]  # no temporary file left behind


@pytest.mark.parametrize("variant", VARIANTS)
def test_two_edits_in_a_row_each_change_only_their_own_lines(tmp_path: Path, variant: str) -> None:
    before = with_variant(golden("commented"), variant)
    root = programme_with(tmp_path, before)
    assert run("done", ID, "team", "--on", "2027-01-06", directory=root).exit_code == 0
    assert run("team", ID, "confirm", "Pat Quinn", directory=root).exit_code == 0
    assert (
        run(
            "team",
            ID,
            "add",
            "Ash Brown",
            "--authority",
            "reading",
            "--role",
            "practitioner",
            directory=root,
        ).exit_code
        == 0
    )
    newline = b"\r\n" if "crlf" in variant else b"\n"
    removed, added = changed_lines(before, (root / FILE).read_bytes())
    assert removed == [b"    status: nominated    # awaiting the host DCS" + newline]
    assert added == [
        b"    status: confirmed    # awaiting the host DCS" + newline,
        *(line.encode().replace(b"\n", newline) for line in ASH),
        b"  team: 2027-01-06" + newline,
    ]


# ----------------------------------------------------------------------------- no-ops


def test_done_with_the_date_already_recorded_writes_nothing(programme: Path) -> None:
    path = programme / FILE
    before, inode = path.read_bytes(), path.stat().st_ino
    result = run("done", ID, "dates", "--on", "2026-11-02", directory=programme)
    assert result.exit_code == 0, result
    assert "already" in result.stdout
    assert path.read_bytes() == before
    assert path.stat().st_ino == inode  # not even rewritten with the same bytes


def test_confirming_someone_already_confirmed_writes_nothing(programme: Path) -> None:
    path = programme / FILE
    before, inode = path.read_bytes(), path.stat().st_ino
    result = run("team", ID, "confirm", "Jo Rivers", directory=programme)
    assert result.exit_code == 0, result
    assert "already confirmed" in result.stdout
    assert path.read_bytes() == before
    assert path.stat().st_ino == inode


# ----------------------------------------------------------------------------- failed writes

EDITS = {
    "done": ("done", ID, "scope", "--on", "2027-01-05"),
    "done-new-key": ("done", ID, "team", "--on", "2027-01-06"),
    "team-add": (
        "team",
        ID,
        "add",
        "Ash Brown",
        "--authority",
        "reading",
        "--role",
        "practitioner",
    ),
    "team-confirm": ("team", ID, "confirm", "Pat Quinn"),
    "team-decline": ("team", ID, "decline", "Lee Chen"),
}


def _fail(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize("broken", ["replace", "fsync"])
@pytest.mark.parametrize("edit", EDITS)
def test_a_write_that_fails_midway_leaves_the_old_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str, broken: str
) -> None:
    before = with_variant(golden("commented"), "crlf")
    root = programme_with(tmp_path, before)
    monkeypatch.setattr(pcplan.fileio.os, broken, _fail)

    result = run(*EDITS[edit], directory=root)

    assert_one_line_error(result, 1)
    assert FILE in result.stderr
    assert (root / FILE).read_bytes() == before
    assert entries(root) == [FILE, "programme.yaml"]


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = programme_with(tmp_path, golden("commented"))
    path = root / FILE
    theirs = golden("commented") + b"# someone else saved the file meanwhile\n"
    original = pcplan.edit.Editor.new_bytes

    def new_bytes_then_someone_saves(self: pcplan.edit.Editor) -> bytes:
        data = original(self)
        path.write_bytes(theirs)
        return data

    monkeypatch.setattr(pcplan.edit.Editor, "new_bytes", new_bytes_then_someone_saves)

    for args in EDITS.values():
        path.write_bytes(golden("commented"))
        result = run(*args, directory=root)
        assert_one_line_error(result, 1)
        assert "changed" in result.stderr
        assert path.read_bytes() == theirs
        assert entries(root) == [FILE, "programme.yaml"]


# ----------------------------------------------------------------------------- unknowns: exit 2

UNKNOWNS = {
    "step": ("done", ID, "reading-pack", "--on", "2027-01-05"),
    "step-case": ("done", ID, "Scope", "--on", "2027-01-05"),
    "member-confirm": ("team", ID, "confirm", "Sam Nobody"),
    "member-decline": ("team", ID, "decline", "Jo Rivera"),
    "id-done": ("done", "kent-2027-07", "scope", "--on", "2027-01-05"),
    "id-team-add": (
        "team",
        "surrey-2027-06",
        "add",
        "Ash Brown",
        "--authority",
        "reading",
        "--role",
        "dcs",
    ),
    "id-team-confirm": ("team", "kent-2027", "confirm", "Jo Rivers"),
    "path": ("done", "elsewhere/kent-2027-06.yaml", "scope", "--on", "2027-01-05"),
    "authority": (
        "team",
        ID,
        "add",
        "Ash Brown",
        "--authority",
        "narnia",
        "--role",
        "practitioner",
    ),
}


@pytest.mark.parametrize("what", UNKNOWNS)
def test_an_unknown_name_is_exit_2_and_the_file_is_untouched(tmp_path: Path, what: str) -> None:
    before = golden("commented")
    root = programme_with(tmp_path, before)
    result = run(*UNKNOWNS[what], directory=root)
    assert_one_line_error(result, 2)
    assert (root / FILE).read_bytes() == before
    assert entries(root) == [FILE, "programme.yaml"]


def test_unknown_member_message_names_who_is_on_the_team(tmp_path: Path) -> None:
    root = programme_with(tmp_path, golden("commented"))
    result = run("team", ID, "confirm", "Jo Rivera", directory=root)
    assert_one_line_error(result, 2)
    assert "Jo Rivers" in result.stderr  # the near miss is suggested


def test_adding_someone_already_on_the_team_is_refused(programme: Path) -> None:
    before = (programme / FILE).read_bytes()
    result = run(
        "team",
        ID,
        "add",
        "jo rivers",
        "--authority",
        "surrey",
        "--role",
        "dcs",
        directory=programme,
    )
    assert result.exit_code in (1, 2), result
    assert "Traceback" not in result.stderr
    assert (programme / FILE).read_bytes() == before


def test_a_bad_date_for_done_is_a_usage_error(programme: Path) -> None:
    before = (programme / FILE).read_bytes()
    for bad in ("2027-02-30", "05/01/2027", "2027-1-5"):
        result = run("done", ID, "scope", "--on", bad, directory=programme)
        assert result.exit_code == 2, result
        assert "Traceback" not in result.stderr + result.stdout
        assert (programme / FILE).read_bytes() == before


# ----------------------------------------------------------------------------- symlinks, mode


@pytest.mark.parametrize("by", ["id", "path"])
@pytest.mark.parametrize("edit", ["done", "team-add", "team-confirm"])
def test_a_symlinked_challenge_file_is_not_edited(tmp_path: Path, by: str, edit: str) -> None:
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML})
    target = tmp_path / "elsewhere" / FILE
    target.parent.mkdir()
    target.write_bytes(golden("commented"))
    link = root / FILE
    link.symlink_to(target)
    args = list(EDITS[edit])
    args[1] = ID if by == "id" else str(link)

    result = run(*args, directory=root)

    assert_one_line_error(result, 1)
    assert target.read_bytes() == golden("commented")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert entries(root) == [FILE, "programme.yaml"]
    assert entries(target.parent) == [FILE]


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664])
@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_keeps_the_file_mode(tmp_path: Path, mode: int, edit: str) -> None:
    root = programme_with(tmp_path, golden("commented"))
    path = root / FILE
    path.chmod(mode)
    result = run(*EDITS[edit], directory=root)
    assert result.exit_code == 0, result
    assert path.read_bytes() != golden("commented")
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_an_edit_by_path_outside_the_directory_changes_only_its_lines(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML})
    path = tmp_path / "drafts" / FILE
    path.parent.mkdir()
    path.write_bytes(with_variant(golden("commented"), "crlf"))
    result = run("done", str(path), "scope", "--on", "2027-01-05", directory=root)
    assert result.exit_code == 0, result
    expected = with_variant(golden("commented.done-empty-step.expected"), "crlf")
    assert path.read_bytes() == expected, show_diff(expected, path.read_bytes())


# ----------------------------------------------------------------------------- rules after an edit


def test_an_edit_that_breaks_a_rule_still_lands_and_says_so(programme: Path) -> None:
    path = programme / FILE
    before = path.read_bytes()
    result = run(
        "team",
        ID,
        "add",
        "Sam Extra",
        "--authority",
        "hampshire",
        "--role",
        "practitioner",
        directory=programme,
    )
    assert result.exit_code == 0, result
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == []
    assert added == [
        b"  - name: Sam Extra\n",
        b"    authority: hampshire\n",
        b"    role: practitioner\n",
        b"    status: nominated\n",
    ]
    assert "error team.size" in result.stdout
    assert f"{FILE}:" in result.stdout  # where: file:line:col
    check = run("check", "--format", "json", "--as-of", "2026-11-25", directory=programme)
    assert "team.size" in {problem["rule"] for problem in check.json()["problems"]}


IMPOSSIBLE_DONE = {
    "a planning step after fieldwork ended": ("scope", "2027-06-20", ""),
    "fieldwork before it starts": ("fieldwork", "2027-06-08", ""),
    "the response document before fieldwork ended": ("response_document", "2027-06-09", ""),
    "the impact review with no response document": ("impact_review", "2028-01-10", ""),
    "the impact visit before the impact review": (
        "impact_visit",
        "2028-01-01",
        "  response_document: 2027-07-01\n  impact_review: 2028-01-10\n",
    ),
}


@pytest.mark.parametrize("case", IMPOSSIBLE_DONE)
def test_done_refuses_a_date_steps_order_would_reject(tmp_path: Path, case: str) -> None:
    step, day, earlier = IMPOSSIBLE_DONE[case]
    root = programme_with(tmp_path, CHALLENGE_YAML + earlier)
    before = (root / FILE).read_bytes()
    result = run("done", ID, step, "--on", day, directory=root)
    assert_one_line_error(result, 2)
    assert "--on" in result.stderr or "pcplan done" in result.stderr
    assert (root / FILE).read_bytes() == before


def test_done_undo_removes_only_the_steps_line(programme: Path) -> None:
    path = programme / FILE
    assert run("done", ID, "scope", "--on", "2026-11-10", directory=programme).exit_code == 0
    result = run("done", ID, "scope", "--undo", directory=programme)
    assert result.exit_code == 0, result
    assert "was 2026-11-10" in result.stdout
    assert path.read_text(encoding="utf-8") == CHALLENGE_YAML
    again = run("done", ID, "scope", "--undo", directory=programme)
    assert again.exit_code == 0 and "nothing to undo" in again.stdout
    assert (
        run("done", ID, "scope", "--undo", "--on", "2026-11-10", directory=programme).exit_code == 2
    )


def test_an_edit_that_keeps_the_file_clean_prints_no_problem(programme: Path) -> None:
    result = run("done", ID, "scope", "--on", "2026-11-10", directory=programme)
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].endswith(f"{FILE}: scope done 2026-11-10"), result


# ----------------------------------------------------------------------------- names as written


TRICKY_NAMES = [
    "Smith, Jo",
    "O'Neil",
    "Jo [red] Rivers",
    "Jo #1 Rivers",
    "Jo: Rivers",
    "- Jo",
    "true",
    "Null",
    "2027-01-05",
    "0x10",
    '"Jo" Rivers',
    "Zoë Ångström",
]


@pytest.mark.parametrize("team", ["block", "flow"])
@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_team_add_stores_the_name_exactly_as_given(tmp_path: Path, name: str, team: str) -> None:
    """Whatever a name holds, it reads back as the same text, in a block or a `[]` team."""
    source = golden("commented" if team == "block" else "flow-empty")
    root = programme_with(tmp_path, source)
    options = ("--authority", "reading", "--role", "practitioner")
    result = run("team", ID, "add", *options, "--", name, directory=root)
    assert result.exit_code == 0, result
    after = (root / FILE).read_bytes()
    assert data_of(after)["visiting_team"][-1] == {
        "name": name,
        "authority": "reading",
        "role": "practitioner",
        "status": "nominated",
    }
    assert change_blocks(source, after) == 1
    removed, _ = changed_lines(source, after)
    assert len(removed) <= 1
    if "[red]" in name:
        assert name in result.stdout  # printed literally, not as markup


# ----------------------------------------------------------------------------- refuse or be exact


def _set_step(step: str, day: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        if not isinstance(data.get("steps"), dict):
            data["steps"] = {}
        data["steps"][step] = day

    return change


def _set_status(index: int, status: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["visiting_team"][index]["status"] = status

    return change


def _append_member(member: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        if not isinstance(data.get("visiting_team"), list):
            data["visiting_team"] = []
        data["visiting_team"].append(member)

    return change


HEAD = """\
id: kent-2027-06
round: 10
host:
  authority: kent
  dcs: Alex Morgan
topic: Early help
fieldwork:
  start: 2027-06-09
  end: 2027-06-10
"""
TEAM_OF_ONE = """\
visiting_team:
  - name: Jo Rivers
    authority: surrey
    role: dcs
    lead: true
"""
ADD_PAT = (
    "add",
    ("team", ID, "add", "Pat Quinn", "--authority", "medway", "--role", "assistant_director"),
    _append_member(
        {
            "name": "Pat Quinn",
            "authority": "medway",
            "role": "assistant_director",
            "status": "nominated",
        }
    ),
    4,
)
DONE_TEAM = (
    "done-team",
    ("done", ID, "team", "--on", "2027-01-06"),
    _set_step("team", "2027-01-06"),
    2,
)
DONE_SCOPE = (
    "done-scope",
    ("done", ID, "scope", "--on", "2027-01-05"),
    _set_step("scope", "2027-01-05"),
    1,
)
CONFIRM_JO = ("confirm", ("team", ID, "confirm", "Jo Rivers"), _set_status(0, "confirmed"), 1)
DECLINE_JO = ("decline", ("team", ID, "decline", "Jo Rivers"), _set_status(0, "declined"), 1)

AWKWARD_FILES: dict[str, str] = {
    "steps-flow-mapping-over-lines": HEAD
    + TEAM_OF_ONE
    + """\
steps: {
  dates: 2026-11-02,   # agreed in October
  # a comment inside the flow mapping
  scope: 2026-11-10    # sent round
}
review:
  opted_in: false
""",
    "steps-flow-mapping-trailing-comma": HEAD
    + TEAM_OF_ONE
    + "steps: {dates: 2026-11-02, scope: 2026-11-10, }   # two done\n",
    "steps-flow-on-next-line": HEAD + TEAM_OF_ONE + "steps:\n  {dates: 2026-11-02}\n",
    "steps-explicit-keys": HEAD
    + TEAM_OF_ONE
    + "steps:\n  ? dates\n  : 2026-11-02\n  ? scope\n  : 2026-11-10\n",
    "steps-explicit-null": HEAD + TEAM_OF_ONE + "steps: ~   # none yet\n",
    "document-end-marker": "---\n" + HEAD + TEAM_OF_ONE + "...\n",
    "document-indented": "".join("  " + line + "\n" for line in (HEAD + TEAM_OF_ONE).splitlines()),
    "team-items-flow-mappings": HEAD
    + """\
visiting_team:
  - {name: Jo Rivers, authority: surrey, role: dcs, lead: true}   # the lead
  # between items
  - {name: Lee Chen, authority: slough, role: team_leader, status: nominated}
steps:
  dates: 2026-11-02
""",
    "team-flow-sequence-over-lines": HEAD
    + """\
visiting_team: [
  {name: Jo Rivers, authority: surrey, role: dcs, lead: true},   # the lead
  # more to come
]
steps:
  dates: 2026-11-02
""",
    "team-dash-on-its-own-line": HEAD
    + """\
visiting_team:
  -
    name: Jo Rivers
    authority: surrey
    role: dcs
    lead: true
steps:
  dates: 2026-11-02
""",
    "team-items-at-column-0": HEAD
    + """\
visiting_team:
- name: Jo Rivers   # lead
  authority: surrey
  role: dcs
  lead: true
steps:
  dates: 2026-11-02
""",
    "team-status-on-next-line": HEAD
    + """\
visiting_team:
  - name: Jo Rivers
    authority: surrey
    role: dcs
    lead: true
    status:
      nominated
steps:
  dates: 2026-11-02
""",
    "team-explicit-null": HEAD + "visiting_team: null\nsteps:\n  dates: 2026-11-02\n",
    "team-four-space-indent": HEAD
    + """\
visiting_team:
    -   name: Jo Rivers
        authority: surrey
        role: dcs
        lead: true
steps:
    dates: 2026-11-02
""",
}

AWKWARD_EDITS = {
    "steps-flow-mapping-over-lines": [DONE_TEAM, DONE_SCOPE],
    "steps-flow-mapping-trailing-comma": [DONE_TEAM, DONE_SCOPE],
    "steps-flow-on-next-line": [DONE_TEAM],
    "steps-explicit-keys": [DONE_TEAM, DONE_SCOPE],
    "steps-explicit-null": [DONE_TEAM],
    "document-end-marker": [DONE_TEAM, ADD_PAT, CONFIRM_JO],
    "document-indented": [DONE_TEAM, ADD_PAT, CONFIRM_JO],
    "team-items-flow-mappings": [ADD_PAT, CONFIRM_JO, DECLINE_JO],
    "team-flow-sequence-over-lines": [ADD_PAT, CONFIRM_JO],
    "team-dash-on-its-own-line": [ADD_PAT, CONFIRM_JO],
    "team-items-at-column-0": [ADD_PAT, CONFIRM_JO],
    "team-status-on-next-line": [CONFIRM_JO, ADD_PAT],
    "team-explicit-null": [ADD_PAT],
    "team-four-space-indent": [ADD_PAT, CONFIRM_JO, DONE_TEAM],
}

AWKWARD = [
    pytest.param(name, edit[1:], id=f"{name}-{edit[0]}")
    for name, edits in AWKWARD_EDITS.items()
    for edit in edits
]


@pytest.mark.parametrize("variant", ["lf", "crlf"])
@pytest.mark.parametrize(("name", "edit"), AWKWARD)
def test_an_awkward_file_is_edited_exactly_or_refused(
    tmp_path: Path, name: str, edit: tuple[tuple[str, ...], Any, int], variant: str
) -> None:
    """Either only the edited lines change and the file means what was intended, or
    pcplan refuses (exit 1, one line) and leaves the file byte-identical. Never a
    reformatted file."""
    args, change, most_added = edit
    before = with_variant(AWKWARD_FILES[name].encode("utf-8"), variant)
    root = programme_with(tmp_path, before)
    intended = data_of(before)
    change(intended)

    result = run(*args, directory=root)

    after = (root / FILE).read_bytes()
    assert entries(root) == [FILE, "programme.yaml"]
    if result.exit_code == 1:
        assert_one_line_error(result, 1)
        assert after == before
        return
    assert result.exit_code == 0, result
    assert data_of(after) == intended
    assert change_blocks(before, after) == 1, show_diff(before, after)
    removed, added = changed_lines(before, after)
    assert len(removed) <= 1, show_diff(before, after)
    assert len(added) <= most_added + len(removed), show_diff(before, after)
    if "crlf" in variant:
        assert after.count(b"\n") == after.count(b"\r\n")


def test_a_new_block_takes_the_files_block_indentation(tmp_path: Path) -> None:
    """`steps:` created in a file that indents its block mappings by 4 gets 4 spaces,
    not the column of a key inside a flow mapping."""
    source = (
        "id: kent-2027-06\n"
        "round: 10\n"
        "host: {authority: kent, dcs: Alex Morgan}\n"
        "topic: Early help\n"
        "fieldwork: {start: 2027-06-09, end: 2027-06-10}\n"
        "review:\n"
        "    opted_in: false\n"
    )
    root = programme_with(tmp_path, source)
    result = run("done", ID, "dates", "--on", "2026-11-02", directory=root)
    assert result.exit_code == 0, result
    assert (root / FILE).read_text(encoding="utf-8") == source + "steps:\n    dates: 2026-11-02\n"


def test_a_file_that_does_not_parse_is_refused_untouched(tmp_path: Path) -> None:
    source = golden("commented").replace(b"round: 10", b"round: [10", 1)
    root = programme_with(tmp_path, source)
    for args in EDITS.values():
        result = run(*args, directory=root)
        assert result.exit_code in (1, 2), result
        assert "Traceback" not in result.stderr + result.stdout
        assert result.stderr.count("\n") == 1, result
        assert (root / FILE).read_bytes() == source


def test_a_comment_inside_the_last_member_stays_with_that_member(tmp_path: Path) -> None:
    """A comment indented like the last member's keys belongs to that member: a new
    member goes after it, not between the member and its comment (which would make
    the comment read as if it were about the newcomer)."""
    source = (
        HEAD
        + TEAM_OF_ONE
        + "    # Jo leads: agreed at the October meeting\n"
        + "steps:\n"
        + "  dates: 2026-11-02\n"
    )
    root = programme_with(tmp_path, source)
    result = run(*ADD_PAT[1], directory=root)
    assert result.exit_code == 0, result
    expected = source.replace(
        "    # Jo leads: agreed at the October meeting\n",
        "    # Jo leads: agreed at the October meeting\n"
        "  - name: Pat Quinn\n"
        "    authority: medway\n"
        "    role: assistant_director\n"
        "    status: nominated\n",
    )
    assert (root / FILE).read_text(encoding="utf-8") == expected
