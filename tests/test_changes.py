"""`pcplan set`, `team add/remove/lead` and `team` (show): the editing engine (SPEC §5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pcplan.changes import SETTABLE
from pcplan.models import Challenge
from pcplan.yamlio import decode, parse
from tests.conftest import AS_OF, CHALLENGE_YAML, PROGRAMME_YAML, Run, build_tree, run

ID = "kent-2027-06"
FILE = f"{ID}.yaml"

# The conftest challenge with every optional section, so each field has somewhere to go.
FULL_YAML = (
    CHALLENGE_YAML
    + """\
lead_consent:
  given_by: Alex Morgan
  date: 2026-12-01
feedback:
  format: oral presentation
escalation:
  host_contact: Alex Morgan
review:
  opted_in: false
"""
)

# field -> (a good value as typed, what the file then holds, a bad value)
VALUES: dict[str, tuple[str, Any, str]] = {
    "topic": ("Care leavers: housing", "Care leavers: housing", ""),
    "round": ("11", 11, "0"),
    "scope": ("How the front door works", "How the front door works", "bell\x07"),
    "host.dcs": ("Sam Okafor", "Sam Okafor", "esc\x1b[31m"),
    "host.project_manager": ("Sam Patel", "Sam Patel", "x" * 81),
    "fieldwork.start": ("2027-06-08", "2027-06-08", "2027-02-30"),
    "fieldwork.end": ("2027-06-11", "2027-06-11", "2027-06-01"),
    "briefing_needed": ("false", False, "maybe"),
    "feedback.audience": (
        "senior management team, lead member",
        ["senior management team", "lead member"],
        "ok, tab\there",
    ),
    "feedback.format": ("written report", "written report", "new\nline"),
    "feedback.agreed_on": ("2027-05-20", "2027-05-20", "20/05/2027"),
    "escalation.host_contact": ("Sam Okafor", "Sam Okafor", ""),
    "escalation.visiting_contact": ("Jo Rivers", "Jo Rivers", "bell\x07"),
    "lead_consent.given_by": ("Sam Okafor", "Sam Okafor", ""),
    "lead_consent.date": ("2026-12-02", "2026-12-02", "1800-01-01"),
    "lead_consent.reason": ("interim arrangements", "interim arrangements", "bell\x07"),
    "review.opted_in": ("true", True, "perhaps"),
    "review.contents": (
        "original_scope, peer_commentary",
        ["original_scope", "peer_commentary"],
        "original_scope, gossip",
    ),
    "review.visit.requested": ("true", True, "2"),
    "review.visit.hours": ("3.5", 3.5, "half a day"),
    "review.visit.one_to_one": ("true", True, "yes please"),
}


def test_every_settable_field_has_a_test_value() -> None:
    assert set(VALUES) == set(SETTABLE)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: FULL_YAML})


def value_at(path: Path, dotted: str) -> Any:
    node: Any = parse(decode(path, path.read_bytes())).data
    for part in dotted.split("."):
        node = node[part] if isinstance(node, dict) else None
    return node


def errors(root: Path) -> list[str]:
    report = run("check", "--format", "json", "--as-of", AS_OF, directory=root).json()
    return [p["rule"] for p in report["problems"] if p["severity"] == "error"]


def needs_model(field: str) -> None:
    if field.split(".")[0] not in Challenge.model_fields:
        pytest.skip(f"{field} is not in the model on this branch")


# The host DCS gives the lead consent (¶19, `team.lead`): the two change together.
ALONG_WITH = {
    "host.dcs": ("lead_consent.given_by", "Sam Okafor"),
    "lead_consent.given_by": ("host.dcs", "Sam Okafor"),
}


@pytest.mark.parametrize("field", sorted(SETTABLE))
def test_set_round_trips_and_checks_clean(root: Path, field: str) -> None:
    needs_model(field)
    typed, stored, _ = VALUES[field]
    result = run("set", ID, field, typed, *ALONG_WITH.get(field, ()), directory=root)
    assert result.exit_code == 0, result
    assert f"{field} set to" in result.stdout
    assert value_at(root / FILE, field) == stored
    assert errors(root) == []


@pytest.mark.parametrize("field", sorted(SETTABLE))
def test_set_refuses_a_bad_value_and_leaves_the_file_alone(root: Path, field: str) -> None:
    needs_model(field)
    before = (root / FILE).read_bytes()
    result = run("set", ID, field, VALUES[field][2], directory=root)
    assert_one_line_error(result, 2)
    assert field in result.stderr
    assert (root / FILE).read_bytes() == before


def assert_one_line_error(result: Run, code: int) -> None:
    assert result.exit_code == code, result
    assert "Traceback" not in result.stderr + result.stdout, result
    assert result.stderr.startswith("pcplan: "), result
    assert result.stderr.count("\n") == 1, result


def test_set_an_unknown_field_lists_the_settable_ones(root: Path) -> None:
    before = (root / FILE).read_bytes()
    result = run("set", ID, "host.authority", "surrey", directory=root)
    assert_one_line_error(result, 2)
    assert "review.visit.one_to_one" in result.stderr and "feedback.audience" in result.stderr
    assert (root / FILE).read_bytes() == before


def test_unset_removes_the_key_and_a_mapping_it_empties(root: Path) -> None:
    result = run("set", ID, "feedback.format", "--unset", directory=root)
    assert result.exit_code == 0, result
    text = (root / FILE).read_text(encoding="utf-8")
    assert "feedback:" not in text and "format:" not in text
    assert text == FULL_YAML.replace("feedback:\n  format: oral presentation\n", "")
    assert errors(root) == []


def test_unset_of_a_required_field_is_refused(root: Path) -> None:
    before = (root / FILE).read_bytes()
    result = run("set", ID, "topic", "--unset", directory=root)
    assert_one_line_error(result, 2)
    assert (root / FILE).read_bytes() == before


def test_fields_that_belong_together_are_set_together(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: CHALLENGE_YAML}
    )
    alone = run("set", ID, "lead_consent.given_by", "Alex Morgan", directory=root)
    assert_one_line_error(alone, 2)
    assert "together" in alone.stderr
    both = run(
        "set",
        ID,
        "lead_consent.given_by",
        "Alex Morgan",
        "lead_consent.date",
        "2026-12-01",
        directory=root,
    )
    assert both.exit_code == 0, both
    assert (root / FILE).read_text(encoding="utf-8") == CHALLENGE_YAML + (
        "lead_consent:\n  given_by: Alex Morgan\n  date: 2026-12-01\n"
    )
    gone = run("set", ID, "lead_consent.given_by", "lead_consent.date", "--unset", directory=root)
    assert gone.exit_code == 0, gone
    assert (root / FILE).read_text(encoding="utf-8") == CHALLENGE_YAML


# ----------------------------------------------------------------------------- team


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """Jo Rivers (lead) alone on the team; the rest of the registry not yet added."""
    text = CHALLENGE_YAML.split("  - name: Pat Quinn")[0] + "steps:\n  dates: 2026-11-02\n"
    return build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: text})


def member(root: Path, name: str) -> dict[str, Any]:
    team = parse(decode(root / FILE, (root / FILE).read_bytes())).data["visiting_team"]
    return next(m for m in team if m["name"] == name)


def test_team_add_takes_authority_and_role_from_the_registry(two: Path) -> None:
    result = run("team", ID, "add", "Ash Brown", directory=two)
    assert result.exit_code == 0, result
    assert "added Ash Brown (reading, practitioner) as nominated" in result.stdout
    assert member(two, "Ash Brown") == {
        "name": "Ash Brown",
        "authority": "reading",
        "role": "practitioner",
        "status": "nominated",
    }


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--authority", "kent"), "--authority reading"),
        (("--role", "dcs"), "practitioner"),
    ],
)
def test_team_add_refuses_what_the_registry_contradicts(
    two: Path, options: tuple[str, ...], named: str
) -> None:
    before = (two / FILE).read_bytes()
    result = run("team", ID, "add", "Ash Brown", *options, directory=two)
    assert_one_line_error(result, 2)
    assert named in result.stderr
    assert (two / FILE).read_bytes() == before


def test_team_add_of_an_unregistered_name_needs_authority_and_role(two: Path) -> None:
    before = (two / FILE).read_bytes()
    result = run("team", ID, "add", "Ash Browne", directory=two)
    assert_one_line_error(result, 2)
    assert "--authority" in result.stderr and "--role" in result.stderr
    assert "did you mean Ash Brown?" in result.stderr
    assert (two / FILE).read_bytes() == before
    given = run(
        "team",
        ID,
        "add",
        "Kim Hale",
        "--authority",
        "oxfordshire",
        "--role",
        "practitioner",
        directory=two,
    )
    assert given.exit_code == 0, given
    assert member(two, "Kim Hale")["authority"] == "oxfordshire"


def test_team_add_a_second_lead_is_refused_pointing_at_team_lead(two: Path) -> None:
    result = run("team", ID, "add", "Pat Quinn", "--lead", directory=two)
    assert_one_line_error(result, 2)
    assert f"pcplan team {ID} lead" in result.stderr


def test_team_remove_deletes_only_that_member(programme: Path) -> None:
    result = run("team", ID, "remove", "Lee Chen", directory=programme)
    assert result.exit_code == 0, result
    text = (programme / FILE).read_text(encoding="utf-8")
    assert text == CHALLENGE_YAML.replace(
        "  - name: Lee Chen\n    authority: slough\n    role: team_leader\n    status: nominated\n",
        "",
    )


def test_team_remove_the_only_member_leaves_an_empty_team(two: Path) -> None:
    assert run("team", ID, "remove", "Jo Rivers", directory=two).exit_code == 0
    text = (two / FILE).read_text(encoding="utf-8")
    assert "visiting_team:\nsteps:" in text
    assert errors(two) == []


def test_team_remove_from_a_flow_list(tmp_path: Path) -> None:
    text = CHALLENGE_YAML.split("visiting_team:")[0] + (
        "visiting_team: [{name: Jo Rivers, authority: surrey, role: dcs, lead: true},"
        " {name: Ash Brown, authority: reading, role: practitioner}]\n"
    )
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: text})
    assert run("team", ID, "remove", "Jo Rivers", directory=root).exit_code == 0
    assert (
        (root / FILE)
        .read_text(encoding="utf-8")
        .endswith("visiting_team: [{name: Ash Brown, authority: reading, role: practitioner}]\n")
    )


@pytest.mark.parametrize("action", ["remove", "lead", "confirm", "decline"])
def test_an_unknown_member_is_exit_2(programme: Path, action: str) -> None:
    before = (programme / FILE).read_bytes()
    result = run("team", ID, action, "Nobody Known", directory=programme)
    assert_one_line_error(result, 2)
    assert (programme / FILE).read_bytes() == before


def test_team_lead_moves_the_lead(programme: Path) -> None:
    result = run("team", ID, "lead", "Pat Quinn", directory=programme)
    assert result.exit_code == 0, result
    assert "Pat Quinn now leads the visiting team (instead of Jo Rivers)" in result.stdout
    assert member(programme, "Pat Quinn")["lead"] is True
    assert "lead" not in member(programme, "Jo Rivers")
    again = run("team", ID, "lead", "Pat Quinn", directory=programme)
    assert again.exit_code == 0 and "already leads" in again.stdout


def test_team_show_says_what_is_still_needed(tmp_path: Path) -> None:
    text = CHALLENGE_YAML.replace(
        "  - name: Pat Quinn\n    authority: medway\n    role: assistant_director\n"
        "    status: nominated\n",
        "",
    ).replace(
        "  - name: Lee Chen\n    authority: slough\n    role: team_leader\n    status: nominated\n",
        "",
    )
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: text})
    result = run("team", ID, "--as-of", AS_OF, directory=root)
    assert result.exit_code == 0, result
    assert (
        "still needed: an assistant director and one team leader/practitioner; "
        "step `team` is due Wed 31 Mar 2027"
    ) in result.stdout
    shown = run("team", ID, "--as-of", AS_OF, "--format", "json", directory=root).json()
    assert shown["still_needed"] == ["an assistant director", "one team leader/practitioner"]


def test_team_show_of_a_full_team_needs_nothing(programme: Path) -> None:
    result = run("team", ID, "--as-of", AS_OF, directory=programme)
    assert result.exit_code == 0, result
    assert "still needed" not in result.stdout


@pytest.fixture
def with_partners(tmp_path: Path) -> Path:
    text = CHALLENGE_YAML.split("  - name: Pat Quinn")[0] + "steps:\n  dates: 2026-11-02\n"
    programme = PROGRAMME_YAML  # (it lists the organisation barnardos)
    return build_tree(tmp_path / "challenges", {"programme.yaml": programme, FILE: text})


def test_team_add_a_partner_from_an_organisation(with_partners: Path) -> None:
    args = ("team", ID, "add", "Sam Okafor", "--organisation", "barnardos", "--role", "partner")
    result = run(*args, directory=with_partners)
    assert result.exit_code == 0, result
    assert member(with_partners, "Sam Okafor") == {
        "name": "Sam Okafor",
        "organisation": "barnardos",
        "role": "partner",
        "status": "nominated",
    }


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--organisation", "barnardo", "--role", "partner"), "did you mean `barnardos`?"),
        (("--organisation", "barnardos", "--role", "practitioner"), "partner"),
        (("--authority", "kent", "--organisation", "barnardos", "--role", "partner"), "not both"),
    ],
)
def test_team_add_refuses_a_wrong_organisation(
    with_partners: Path, options: tuple[str, ...], named: str
) -> None:
    before = (with_partners / FILE).read_bytes()
    result = run("team", ID, "add", "Sam Okafor", *options, directory=with_partners)
    assert_one_line_error(result, 2)
    assert named in result.stderr
    assert (with_partners / FILE).read_bytes() == before


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_set_scope_rewrites_a_block_of_text_in_place(tmp_path: Path, newline: str) -> None:
    block = "scope: |\n  The front door,\n  and early help.\n"
    text = CHALLENGE_YAML.replace("fieldwork:\n", block + "fieldwork:\n", 1)
    root = build_tree(
        tmp_path / "challenges",
        {"programme.yaml": PROGRAMME_YAML, FILE: text.replace("\n", newline).encode()},
    )
    result = run("set", ID, "scope", "Care leavers", directory=root)
    assert result.exit_code == 0, result
    expected = text.replace(block, "scope: |-\n  Care leavers\n").replace("\n", newline)
    assert (root / FILE).read_bytes() == expected.encode()
    assert value_at(root / FILE, "scope") == "Care leavers"


def test_a_team_built_one_name_at_a_time_keeps_check_green_until_step_team(
    tmp_path: Path,
) -> None:
    """Issue 11's acceptance: names only (authority and role from the registry); `check`
    exits 0 after every nomination; recording `team` with three fails with team.size and
    steps.data."""
    empty = CHALLENGE_YAML.split("visiting_team:\n")[0] + "steps:\n  dates: 2026-11-02\n"
    root = build_tree(tmp_path / "challenges", {"programme.yaml": PROGRAMME_YAML, FILE: empty})
    for name, lead in (("Jo Rivers", True), ("Pat Quinn", False), ("Lee Chen", False)):
        added = run("team", ID, "add", name, *(["--lead"] if lead else []), directory=root)
        assert added.exit_code == 0, added
        checked = run("check", "--format", "json", "--as-of", AS_OF, directory=root)
        assert checked.exit_code == 0, checked.stdout
        assert {p["severity"] for p in checked.json()["problems"]} <= {"warning", "info"}
    assert [m["authority"] for m in value_at(root / FILE, "visiting_team")] == [
        "surrey",
        "medway",
        "slough",
    ]
    assert run("done", ID, "team", "--on", "2026-11-20", directory=root).exit_code == 0
    checked = run("check", "--format", "json", "--as-of", AS_OF, directory=root)
    assert checked.exit_code == 1
    errors = {p["rule"] for p in checked.json()["problems"] if p["severity"] == "error"}
    assert {"team.size", "steps.data"} <= errors
