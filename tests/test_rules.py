"""Every rule of SPEC §4, through the real `pcplan check`: where it fires, where it does not.

Each test starts from ``conftest.CHALLENGE_YAML`` (a valid challenge with no findings as of
``AS_OF``) and changes one thing, shown inline. Its lines, for reading the expected positions:

     1  # yaml-language-server: $schema=../schemas/challenge.schema.json
     2  id: kent-2027-06
     3  round: 10
     4  host:
     5    authority: kent
     6    dcs: Alex Morgan
     7  topic: Early help and the front door
     8  fieldwork:
     9    start: 2027-06-09          # F, a Wednesday
    10    end: 2027-06-10
    11  visiting_team:
    12    - name: Jo Rivers          # surrey, dcs, lead, confirmed
    13      authority: surrey
    14      role: dcs
    15      lead: true
    16      status: confirmed
    17    - name: Pat Quinn          # medway, assistant_director, nominated
    18      authority: medway
    19      role: assistant_director
    20      status: nominated
    21    - name: Lee Chen           # slough, team_leader, nominated
    22      authority: slough
    23      role: team_leader
    24      status: nominated
    25    - name: Ash Brown          # reading, practitioner, nominated
    26      authority: reading
    27      role: practitioner
    28      status: nominated
    29  steps:
    30    dates: 2026-11-02

Useful dates for F = 2027-06-09: F−14w = 2027-03-03 (`dates`, `scope` due), F−10w =
2027-03-31 (`team` due), F−2w = 2027-05-26, fieldwork end + 6 months = 2027-12-10.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    AS_OF,
    CHALLENGE_YAML,
    PROGRAMME_YAML,
    STEP_KEYS,
    Run,
    build_tree,
    run,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "challenges"

# SPEC §4, in the table's order: rule id -> severity.
SPEC_SEVERITY = {
    "yaml": "error",
    "schema": "error",
    "id.filename": "error",
    "id.duplicate": "error",
    "authority.unknown": "error",
    "fieldwork.dates": "error",
    "fieldwork.length": "warning",
    "fieldwork.working_days": "warning",
    "team.lead": "error",
    "team.size": "error",
    "team.authorities": "error",
    "team.host": "error",
    "team.assistant_director": "error",
    "team.practitioners": "error",
    "team.registry": "warning",
    "team.unavailable": "warning",
    "team.diary": "error",
    "team.conflict": "warning",
    "team.unconfirmed": "warning",
    "team.missing": "warning",
    "steps.unknown": "error",
    "steps.order": "error",
    "steps.data": "error",
    "steps.unrecorded": "info",
    "steps.overdue": "warning",
    "review.too_early": "error",
    "review.contents": "warning",
    "review.visit": "error",
    "review.one_to_one": "warning",
    "feedback.unplanned": "warning",
    "escalation.missing": "warning",
    "visit.times": "error",
    "visit.clash": "error",
    "visit.feedback": "warning",
    "visit.dcs_to_dcs": "warning",
    "visit.overprogrammed": "warning",
    "visit.evidence": "warning",
    "visit.consent": "error",
    "visit.unplanned": "warning",
    "reading.self_assessment": "warning",
    "reading.slim": "warning",
    "reading.request": "warning",
    "waiver.unused": "warning",
    "waiver.invalid": "error",
}

COMPOSITION = (
    "team.lead",
    "team.size",
    "team.authorities",
    "team.host",
    "team.assistant_director",
    "team.practitioners",
)

# A second valid challenge whose fieldwork (Thu 10 – Fri 11 June) shares one day with
# kent-2027-06's (Wed 9 – Thu 10 June), with nobody in common. Same line numbers as above.
OTHER_YAML = """\
# yaml-language-server: $schema=../schemas/challenge.schema.json
id: hampshire-2027-06
round: 10
host:
  authority: hampshire
  dcs: Dana Holt
topic: Children in care
fieldwork:
  start: 2027-06-10
  end: 2027-06-11
visiting_team:
  - name: Kim Ode
    authority: oxfordshire
    role: dcs
    lead: true
    status: confirmed
  - name: Ray Lutz
    authority: kent
    role: assistant_director
    status: confirmed
  - name: Sam Vale
    authority: medway
    role: team_leader
    status: confirmed
  - name: Tess Ward
    authority: reading
    role: practitioner
    status: confirmed
steps:
  dates: 2026-11-02
"""

THE_TEAM = """\
visiting_team:
  - name: Jo Rivers
    authority: surrey
    role: dcs
    lead: true
    status: confirmed
  - name: Pat Quinn
    authority: medway
    role: assistant_director
    status: nominated
  - name: Lee Chen
    authority: slough
    role: team_leader
    status: nominated
  - name: Ash Brown
    authority: reading
    role: practitioner
    status: nominated
"""


# ----------------------------------------------------------------- helpers


def edited(old: str, new: str, text: str = CHALLENGE_YAML) -> str:
    """``text`` with the one occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def with_member(member: str, text: str = CHALLENGE_YAML) -> str:
    """``text`` with one more visiting team member (after the fourth, before `steps:`)."""
    return edited("steps:\n", member + "steps:\n", text)


def check(directory: Path, *args: str, as_of: str = AS_OF) -> Run:
    result = run("check", "--format", "json", "--as-of", as_of, *args, directory=directory)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def check_one(programme: Path, text: str, *args: str, as_of: str = AS_OF) -> Run:
    """Replace the programme's one challenge with ``text`` and check it."""
    (programme / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    return check(programme, *args, as_of=as_of)


def hits(result: Run, rule: str) -> list[tuple[int, int, str]]:
    """(line, column, severity) of each finding of ``rule``."""
    return [
        (p["line"], p["column"], p["severity"])
        for p in result.json()["problems"]
        if p["rule"] == rule
    ]


def hits_by_file(result: Run, rule: str) -> set[tuple[str, int, int, str]]:
    return {
        (Path(p["file"]).name, p["line"], p["column"], p["severity"])
        for p in result.json()["problems"]
        if p["rule"] == rule
    }


# No assistant director: Pat Quinn's place taken by Mo Reid, a DCS from medway in the registry.
NO_AD = edited(
    "  - name: Pat Quinn\n    authority: medway\n    role: assistant_director\n",
    "  - name: Mo Reid\n    authority: medway\n    role: dcs\n",
)
# Two from medway: Lee Chen's place taken by Sam Vale, a medway team leader in the registry.
SAM_VALE_FOR_LEE_CHEN = edited(
    "  - name: Lee Chen\n    authority: slough\n", "  - name: Sam Vale\n    authority: medway\n"
)


def rules(result: Run) -> set[str]:
    return {p["rule"] for p in result.json()["problems"]}


def error_rules(result: Run) -> set[str]:
    return {p["rule"] for p in result.json()["problems"] if p["severity"] == "error"}


def messages(result: Run, rule: str) -> list[str]:
    return [p["message"] for p in result.json()["problems"] if p["rule"] == rule]


# ----------------------------------------------------------------- the starting point


def test_the_starting_challenge_has_no_findings(programme: Path) -> None:
    result = check(programme)
    assert result.json()["problems"] == []
    assert result.exit_code == 0


def test_two_overlapping_challenges_with_nobody_in_common_have_no_findings(
    programme: Path,
) -> None:
    build_tree(programme, {"hampshire-2027-06.yaml": OTHER_YAML})
    result = check(programme)
    assert result.json()["problems"] == []
    assert result.json()["files_checked"] == 2


# ----------------------------------------------------------------- yaml, schema


def test_yaml_fires_on_a_duplicate_key(programme: Path) -> None:
    result = check_one(programme, edited("round: 10\n", "round: 10\nround: 11\n"))
    assert hits(result, "yaml") == [(4, 1, "error")]
    assert result.exit_code == 1


def test_yaml_fires_on_an_empty_file(programme: Path) -> None:
    result = check_one(programme, "")
    assert hits(result, "yaml") == [(1, 1, "error")]


def test_yaml_fires_on_an_anchor_and_alias(programme: Path) -> None:
    text = edited("  dcs: Alex Morgan\n", "  dcs: &boss Alex Morgan\n")
    result = check_one(programme, text + "escalation:\n  host_contact: *boss\n")
    assert rules(result) == {"yaml"}
    assert hits(result, "yaml") == [(6, 8, "error")]


def test_yaml_does_not_fire_on_a_quoted_date_or_a_bom(programme: Path) -> None:
    text = edited("  dates: 2026-11-02\n", '  dates: "2026-11-02"\n')
    (programme / "kent-2027-06.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = check(programme)
    assert result.json()["problems"] == []


def test_schema_fires_on_an_unknown_key_at_the_key(programme: Path) -> None:
    result = check_one(programme, edited("round: 10\n", "round: 10\ncolour: red\n"))
    assert hits(result, "schema") == [(4, 1, "error")]
    assert result.exit_code == 1


@pytest.mark.parametrize("top_level", [30, 80], ids=["100-unknown-keys", "150-unknown-keys"])
def test_schema_lists_the_first_100_unknown_keys_and_counts_the_rest(
    programme: Path, top_level: int
) -> None:
    """Unknown keys anywhere (under `host`, in a member, at the top) count in file order."""
    text = edited(
        "  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n" + "".join(f"  h{i}: x\n" for i in range(30))
    )
    text = edited(
        "    role: assistant_director\n",
        "    role: assistant_director\n" + "".join(f"    m{i}: x\n" for i in range(40)),
        text,
    )
    text = edited("    status: nominated\n  - name: Ash", "    status: maybe\n  - name: Ash", text)
    text += "".join(f"t{i}: x\n" for i in range(top_level))
    lines = text.splitlines()
    unknown = [f"  h{i}: x" for i in range(30)] + [f"    m{i}: x" for i in range(40)]
    unknown += [f"t{i}: x" for i in range(top_level)]
    at = [(lines.index(key) + 1, len(key) - len(key.lstrip()) + 1, "error") for key in unknown]
    status = (lines.index("    status: maybe") + 1, 5, "error")
    result = check_one(programme, text)
    assert sorted(hits(result, "schema")) == sorted([*at[:101], status])
    shown = messages(result, "schema")
    assert sum(message.startswith("unknown key `") for message in shown) == 100
    more = [message for message in shown if "more unknown keys" in message]
    assert len(more) == (0 if top_level == 30 else 1), shown
    if more:
        assert more[0].startswith("50 more unknown keys from here on"), more


def test_schema_fires_on_a_missing_key_at_its_parent(programme: Path) -> None:
    result = check_one(programme, edited("  dcs: Alex Morgan\n", ""))
    assert hits(result, "schema") == [(4, 1, "error")]


def test_schema_fires_on_a_missing_top_level_key_at_the_top_mapping(programme: Path) -> None:
    result = check_one(programme, edited("topic: Early help and the front door\n", ""))
    assert hits(result, "schema") == [(2, 1, "error")]


def test_schema_fires_on_a_bad_status(programme: Path) -> None:
    text = edited(
        "    role: team_leader\n    status: nominated\n",
        "    role: team_leader\n    status: maybe\n",
    )
    result = check_one(programme, text)
    assert hits(result, "schema") == [(24, 5, "error")]


def test_schema_fires_on_an_impossible_date(programme: Path) -> None:
    result = check_one(programme, edited("  start: 2027-06-09\n", "  start: 2027-02-30\n"))
    assert hits(result, "schema") == [(9, 3, "error")]


def test_schema_fires_on_a_date_time(programme: Path) -> None:
    result = check_one(programme, edited("  dates: 2026-11-02\n", "  dates: 2026-11-02T10:00\n"))
    assert hits(result, "schema") == [(30, 3, "error")]


def test_schema_does_not_fire_on_optional_keys_left_out(programme: Path) -> None:
    minimal = (
        "id: kent-2027-06\nround: 10\nhost:\n  authority: kent\n  dcs: Alex Morgan\n"
        "topic: Early help\nfieldwork:\n  start: 2027-06-09\n  end: 2027-06-10\n"
    )
    result = check_one(programme, minimal)
    assert "schema" not in rules(result)
    assert result.json()["problems"] == []


# ----------------------------------------------------------------- id.filename, id.duplicate


def test_id_filename_fires_when_the_id_differs_from_the_stem(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").unlink()
    build_tree(programme, {"kent-2027-07.yaml": CHALLENGE_YAML})
    result = check(programme)
    assert hits(result, "id.filename") == [(2, 1, "error")]
    assert result.exit_code == 1


def test_id_filename_does_not_fire_for_a_yml_file_of_the_same_stem(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").unlink()
    build_tree(programme, {"round-10/kent-2027-06.yml": CHALLENGE_YAML})
    result = check(programme)
    assert result.json()["problems"] == []
    assert result.json()["files_checked"] == 1


def test_id_duplicate_fires_in_both_files_across_folders(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").unlink()
    second = edited("id: hampshire-2027-06\n", "id: kent-2027-06\n", OTHER_YAML)
    build_tree(
        programme,
        {"round-a/kent-2027-06.yaml": CHALLENGE_YAML, "round-b/kent-2027-06.yaml": second},
    )
    result = check(programme)
    files = {p["file"] for p in result.json()["problems"]}
    assert hits(result, "id.duplicate") == [(2, 1, "error"), (2, 1, "error")]
    assert {Path(f).parent.name for f in files} == {"round-a", "round-b"}
    assert rules(result) == {"id.duplicate"}
    assert result.exit_code == 1


def test_id_duplicate_does_not_fire_for_different_ids(programme: Path) -> None:
    build_tree(programme, {"hampshire-2027-06.yaml": OTHER_YAML})
    assert "id.duplicate" not in rules(check(programme))


# ----------------------------------------------------------------- authority.unknown


def test_authority_unknown_fires_for_the_host(programme: Path) -> None:
    result = check_one(programme, edited("  authority: kent\n", "  authority: kentt\n"))
    assert hits(result, "authority.unknown") == [(5, 3, "error")]
    assert "kent" in messages(result, "authority.unknown")[0]


def test_authority_unknown_fires_for_a_visiting_member(programme: Path) -> None:
    result = check_one(programme, edited("    authority: surrey\n", "    authority: essex\n"))
    assert hits(result, "authority.unknown") == [(13, 5, "error")]


def test_authority_unknown_fires_in_programme_yaml(programme: Path) -> None:
    registry = edited(
        "previous_authorities: [hampshire]", "previous_authorities: [essex]", PROGRAMME_YAML
    )
    build_tree(programme, {"programme.yaml": registry})
    result = check(programme)
    assert hits_by_file(result, "authority.unknown") == {("programme.yaml", 23, 28, "error")}
    assert result.json()["files_checked"] == 1
    assert result.exit_code == 1


def test_authority_unknown_does_not_fire_for_listed_slugs(programme: Path) -> None:
    assert "authority.unknown" not in rules(check(programme))


# ----------------------------------------------------------------- fieldwork


def fieldwork(start: str, end: str) -> str:
    return edited("  start: 2027-06-09\n  end: 2027-06-10\n", f"  start: {start}\n  end: {end}\n")


def test_fieldwork_dates_fires_when_end_is_before_start(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-06-09", "2027-06-08"))
    assert hits(result, "fieldwork.dates") == [(10, 3, "error")]
    assert result.exit_code == 1


def test_fieldwork_dates_does_not_fire_on_the_same_day(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-06-09", "2027-06-09"))
    assert "fieldwork.dates" not in rules(result)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-06-09", "2027-06-11"),  # Wed–Fri: three days
        ("2027-06-09", "2027-06-09"),  # one day
        ("2027-06-11", "2027-06-15"),  # Fri–Tue: Monday skipped
        ("2027-06-11", "2027-06-14"),  # Fri–Mon: over a weekend (¶11: 48 hours)
        ("2027-05-28", "2027-06-01"),  # Fri–Tue over the weekend and the spring bank holiday
        ("2027-12-24", "2027-12-29"),  # across Christmas
    ],
)
def test_fieldwork_length_fires_unless_fieldwork_is_two_consecutive_days(
    programme: Path, start: str, end: str
) -> None:
    result = check_one(programme, fieldwork(start, end))
    assert hits(result, "fieldwork.length") == [(10, 3, "warning")]
    assert result.exit_code == 0
    assert run("check", "--as-of", AS_OF, "--strict", directory=programme).exit_code == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2027-06-10", "2027-06-11"),  # Thu–Fri
        ("2027-06-14", "2027-06-15"),  # Mon–Tue
    ],
)
def test_fieldwork_length_does_not_fire_for_two_consecutive_days(
    programme: Path, start: str, end: str
) -> None:
    result = check_one(programme, fieldwork(start, end))
    assert result.json()["problems"] == []


def test_fieldwork_working_days_fires_on_a_saturday_start(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-06-12", "2027-06-14"))  # Sat–Mon
    assert hits(result, "fieldwork.working_days") == [(9, 3, "warning")]
    assert rules(result) == {"fieldwork.working_days", "fieldwork.length"}
    assert result.exit_code == 0


def test_fieldwork_working_days_fires_on_a_bank_holiday_start(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-05-31", "2027-06-01"))  # spring bank holiday
    assert hits(result, "fieldwork.working_days") == [(9, 3, "warning")]
    assert rules(result) == {"fieldwork.working_days"}


def test_fieldwork_working_days_fires_on_a_saturday_end(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-06-11", "2027-06-12"))  # Fri–Sat
    assert hits(result, "fieldwork.working_days") == [(10, 3, "warning")]


def test_fieldwork_working_days_does_not_fire_on_weekdays(programme: Path) -> None:
    result = check_one(programme, fieldwork("2027-06-11", "2027-06-14"))  # Fri–Mon
    assert "fieldwork.working_days" not in rules(result)


# ----------------------------------------------------------------- team.lead


TEAM_RECORDED = "  team: 2027-03-20\n"  # appended under `steps:` (line 31)


def test_team_lead_warns_with_no_lead_while_the_team_is_being_built(programme: Path) -> None:
    result = check_one(programme, edited("    lead: true\n", "    lead: false\n"))
    assert hits(result, "team.lead") == [(11, 1, "warning")]
    assert "still needed: a lead DCS" in messages(result, "team.lead")[0]
    assert rules(result) == {"team.lead"}
    assert result.exit_code == 0


def test_team_lead_fires_with_no_lead_once_step_team_is_recorded(programme: Path) -> None:
    text = edited("    lead: true\n", "    lead: false\n") + TEAM_RECORDED
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(11, 1, "error")]
    assert hits(result, "steps.data") == [(31, 3, "error")]
    assert result.exit_code == 1


def test_team_lead_stays_missing_whatever_the_as_of_date_until_team_is_recorded(
    programme: Path,
) -> None:
    text = edited("    lead: true\n", "    lead: false\n")
    result = check_one(programme, text, as_of="2027-12-01")  # long after fieldwork
    assert hits(result, "team.lead") == [(11, 1, "warning")]
    result = check_one(programme, text + "  team: 2026-11-20\n", as_of="2026-11-01")
    assert hits(result, "team.lead") == [(11, 1, "error")]  # recorded, if in the future


def test_team_lead_fires_at_a_second_lead(programme: Path) -> None:
    text = edited(
        "    role: assistant_director\n",
        "    role: assistant_director\n    lead: true\n",
    )  # Pat Quinn's `lead` is line 20
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(20, 5, "error")]


def test_team_lead_fires_when_the_only_lead_declined(programme: Path) -> None:
    text = edited(
        "    lead: true\n    status: confirmed\n", "    lead: true\n    status: declined\n"
    )
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(11, 1, "warning")]
    result = check_one(programme, text + TEAM_RECORDED)
    assert hits(result, "team.lead") == [(11, 1, "error")]


def test_team_lead_does_not_count_a_declined_second_lead(programme: Path) -> None:
    text = with_member(
        "  - name: Dana Holt\n    authority: hampshire\n    role: dcs\n    lead: true\n"
        "    status: declined\n"
    )
    result = check_one(programme, text)
    assert result.json()["problems"] == []


@pytest.mark.parametrize("role", ["practitioner", "team_leader", "partner"])
def test_team_lead_fires_at_the_role_of_a_lead_who_is_not_a_director(
    programme: Path, role: str
) -> None:
    result = check_one(programme, edited("    role: dcs\n", f"    role: {role}\n"))
    assert hits(result, "team.lead") == [(14, 5, "error")]


def test_team_lead_fires_for_an_assistant_director_lead_without_consent(programme: Path) -> None:
    text = edited("    role: dcs\n", "    role: assistant_director\n")
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(14, 5, "error")]
    assert error_rules(result) == {"team.lead"}


def test_team_lead_does_not_fire_for_an_assistant_director_lead_with_consent(
    programme: Path,
) -> None:
    text = edited("    role: dcs\n", "    role: assistant_director\n") + (
        "lead_consent:\n  given_by: Alex Morgan\n  date: 2026-11-01\n"
        "  reason: interim arrangements\n"
    )
    result = check_one(programme, text)
    assert error_rules(result) == set()
    assert hits(result, "team.registry") == [(14, 5, "warning")]  # Jo Rivers is a DCS


CONSENT = "lead_consent:\n  given_by: Alex Morgan\n  date: 2026-11-01\n"


@pytest.mark.parametrize(
    ("consent", "position"),
    [
        (edited("Alex Morgan", "Sam Patel", CONSENT), (32, 3)),  # not the host DCS
        (edited("2026-11-01", "2027-06-10", CONSENT), (33, 3)),  # after fieldwork starts
    ],
    ids=["given-by-another", "dated-after-fieldwork-starts"],
)
def test_team_lead_fires_for_consent_not_given_by_the_host_dcs_before_fieldwork(
    programme: Path, consent: str, position: tuple[int, int]
) -> None:
    text = edited("    role: dcs\n", "    role: assistant_director\n") + consent
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(*position, "error")]
    assert result.exit_code == 1


def test_team_lead_accepts_consent_on_the_first_day_of_fieldwork(programme: Path) -> None:
    text = edited("    role: dcs\n", "    role: assistant_director\n")
    text += edited("2026-11-01", "2027-06-09", CONSENT)
    assert "team.lead" not in rules(check_one(programme, text))


def test_team_lead_fires_for_a_dcs_lead_the_registry_knows_as_an_assistant_director(
    programme: Path,
) -> None:
    # Pat Quinn (an assistant director in programme.yaml) leads, entered as a DCS.
    text = edited("    lead: true\n", "")
    text = edited("    role: assistant_director\n", "    role: dcs\n    lead: true\n", text)
    result = check_one(programme, text)
    assert hits(result, "team.lead") == [(18, 5, "error")]
    assert "team.registry" not in rules(result)  # team.lead says it, not just a warning
    after = check_one(programme, text, as_of="2027-06-11")  # the registry is today's
    assert "team.lead" not in rules(after)


def test_team_lead_does_not_fire_for_a_dcs_lead_without_consent(programme: Path) -> None:
    assert "team.lead" not in rules(check(programme))


# ----------------------------------------------------------------- team.size


THREE = edited(
    "  - name: Ash Brown\n    authority: reading\n    role: practitioner\n    status: nominated\n",
    "",
)  # `steps:` is line 25, so a recorded `team` is line 27


def test_team_size_warns_with_three_members_while_the_team_is_being_built(
    programme: Path,
) -> None:
    result = check_one(programme, THREE)
    assert hits(result, "team.size") == [(11, 1, "warning")]
    assert hits(result, "team.practitioners") == [(11, 1, "warning")]
    assert "still needed: one team leader/practitioner" in messages(result, "team.size")[0]
    assert result.json()["errors"] == 0
    assert result.exit_code == 0


def test_team_size_fires_with_three_members_once_step_team_is_recorded(programme: Path) -> None:
    result = check_one(programme, THREE + "  team: 2027-03-20\n")
    assert hits(result, "team.size") == [(11, 1, "error")]
    assert hits(result, "steps.data") == [(27, 3, "error")]
    assert error_rules(result) == {"team.size", "team.practitioners", "steps.data"}
    assert result.exit_code == 1


def test_team_size_fires_with_five_core_members(programme: Path) -> None:
    text = with_member(
        "  - name: Dana Holt\n    authority: hampshire\n    role: team_leader\n"
        "    status: nominated\n"
    )
    result = check_one(programme, text)
    assert hits(result, "team.size") == [(11, 1, "error")]


def test_team_size_does_not_count_a_declined_member(programme: Path) -> None:
    text = edited(
        "    role: practitioner\n    status: nominated\n",
        "    role: practitioner\n    status: declined\n",
    )
    result = check_one(programme, text)
    assert hits(result, "team.size") == [(11, 1, "warning")]


def test_team_size_does_not_count_a_partner(programme: Path) -> None:
    result = check_one(programme, edited("    role: practitioner\n", "    role: partner\n"))
    assert hits(result, "team.size") == [(11, 1, "warning")]


def test_declined_and_partner_members_do_not_count_for_composition(programme: Path) -> None:
    # A declined team leader from medway (Pat Quinn's authority) and a partner from surrey
    # (Jo Rivers's) on top of the core four: no composition rule fires.
    text = with_member(
        "  - name: Dana Holt\n    authority: medway\n    role: team_leader\n"
        "    status: declined\n"
        "  - name: Kit Fenn\n    organisation: barnardos\n    role: partner\n"
        "    status: confirmed\n"
    )
    result = check_one(programme, text)
    assert result.json()["problems"] == []


@pytest.mark.parametrize("team", ["visiting_team: []\n", "visiting_team:\n", ""])
def test_composition_rules_do_not_apply_to_an_empty_team(programme: Path, team: str) -> None:
    result = check_one(programme, edited(THE_TEAM, team))
    assert result.json()["problems"] == []


# ----------------------------------------------------------------- team.authorities, team.host


def test_team_authorities_fires_at_the_second_member_of_an_authority(programme: Path) -> None:
    result = check_one(programme, SAM_VALE_FOR_LEE_CHEN)
    assert hits(result, "team.authorities") == [(22, 5, "error")]
    assert rules(result) == {"team.authorities"}
    assert result.exit_code == 1


def test_team_authorities_does_not_fire_for_four_authorities(programme: Path) -> None:
    assert "team.authorities" not in rules(check(programme))


def test_team_host_fires_for_a_member_from_the_host_authority(programme: Path) -> None:
    result = check_one(programme, edited("    authority: reading\n", "    authority: kent\n"))
    assert hits(result, "team.host") == [(26, 5, "error")]
    assert error_rules(result) == {"team.host"}
    assert hits(result, "team.registry") == [(26, 5, "warning")]  # Ash Brown is at reading
    assert result.exit_code == 1


def test_team_host_does_not_fire_for_a_declined_member_from_the_host(programme: Path) -> None:
    text = with_member(
        "  - name: Dana Holt\n    authority: kent\n    role: team_leader\n    status: declined\n"
    )
    result = check_one(programme, text)
    assert result.json()["problems"] == []


def test_team_host_does_not_fire_for_other_authorities(programme: Path) -> None:
    assert "team.host" not in rules(check(programme))


# ------------------------------------------------- team.assistant_director, team.practitioners


def test_team_assistant_director_warns_with_none_while_the_team_is_being_built(
    programme: Path,
) -> None:
    result = check_one(programme, NO_AD)
    assert hits(result, "team.assistant_director") == [(11, 1, "warning")]
    assert rules(result) == {"team.assistant_director"}
    assert result.exit_code == 0


def test_team_assistant_director_fires_with_none_once_step_team_is_recorded(
    programme: Path,
) -> None:
    result = check_one(programme, NO_AD + TEAM_RECORDED)
    assert hits(result, "team.assistant_director") == [(11, 1, "error")]
    assert rules(result) == {"team.assistant_director"}  # a team of four: no steps.data
    assert result.exit_code == 1


def test_team_assistant_director_fires_with_two(programme: Path) -> None:
    result = check_one(
        programme, edited("    role: team_leader\n", "    role: assistant_director\n")
    )
    assert hits(result, "team.assistant_director") == [(11, 1, "error")]  # wrong at once
    assert hits(result, "team.practitioners") == [(11, 1, "warning")]  # one still missing


def test_team_assistant_director_does_not_count_the_lead(programme: Path) -> None:
    # The lead is the only assistant director (with consent); Pat Quinn becomes a DCS.
    text = edited("    role: dcs\n", "    role: assistant_director\n")
    text = edited(
        "  - name: Pat Quinn\n    authority: medway\n    role: assistant_director\n",
        "  - name: Pat Quinn\n    authority: medway\n    role: dcs\n",
        text,
    )
    text += "lead_consent:\n  given_by: Alex Morgan\n  date: 2026-11-01\n"
    result = check_one(programme, text)
    assert hits(result, "team.assistant_director") == [(11, 1, "warning")]
    assert error_rules(result) == set()


def test_team_assistant_director_does_not_count_a_declined_one(programme: Path) -> None:
    text = edited(
        "    role: assistant_director\n    status: nominated\n",
        "    role: assistant_director\n    status: declined\n",
    )
    result = check_one(programme, text)
    assert hits(result, "team.assistant_director") == [(11, 1, "warning")]


def test_team_assistant_director_does_not_fire_with_one(programme: Path) -> None:
    assert "team.assistant_director" not in rules(check(programme))


def test_team_practitioners_warns_with_one_while_the_team_is_being_built(
    programme: Path,
) -> None:
    text = edited("    role: practitioner\n", "    role: dcs\n")
    result = check_one(programme, text)
    assert hits(result, "team.practitioners") == [(11, 1, "warning")]
    assert error_rules(result) == set()
    assert result.exit_code == 0
    result = check_one(programme, text + TEAM_RECORDED)
    assert hits(result, "team.practitioners") == [(11, 1, "error")]
    assert result.exit_code == 1


def test_team_practitioners_fires_with_three(programme: Path) -> None:
    text = with_member(
        "  - name: Dana Holt\n    authority: hampshire\n    role: practitioner\n"
        "    status: nominated\n"
    )
    result = check_one(programme, text)
    assert hits(result, "team.practitioners") == [(11, 1, "error")]
    assert hits(result, "team.size") == [(11, 1, "error")]


def test_team_practitioners_does_not_count_a_partner(programme: Path) -> None:
    result = check_one(programme, edited("    role: practitioner\n", "    role: partner\n"))
    assert hits(result, "team.practitioners") == [(11, 1, "warning")]


def test_team_practitioners_counts_team_leaders_and_practitioners_alike(programme: Path) -> None:
    result = check_one(programme, edited("    role: practitioner\n", "    role: team_leader\n"))
    assert not rules(result) & set(COMPOSITION)


# ----------------------------------------------------------------- team.diary (cross-file)


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("Kim Ode\n    authority: oxfordshire", "Jo Rivers\n    authority: surrey", 12),
        ("Tess Ward\n", "Ash Brown\n", 25),
    ],  # a confirmed and a nominated member of kent-2027-06
    ids=["confirmed", "nominated"],
)
def test_team_diary_fires_for_a_visiting_member_in_both(
    programme: Path, old: str, new: str, line: int
) -> None:
    other = edited(f"  - name: {old}", f"  - name: {new}", OTHER_YAML)
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme)
    assert hits_by_file(result, "team.diary") == {
        ("kent-2027-06.yaml", line, 5, "error"),
        ("hampshire-2027-06.yaml", line, 5, "error"),
    }
    assert rules(result) == {"team.diary"}
    assert result.exit_code == 1


def test_team_diary_fires_for_the_host_dcs_visiting_elsewhere(programme: Path) -> None:
    other = edited("  - name: Ray Lutz\n", "  - name: Alex Morgan\n", OTHER_YAML)
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme)
    assert hits_by_file(result, "team.diary") == {
        ("kent-2027-06.yaml", 6, 3, "error"),
        ("hampshire-2027-06.yaml", 17, 5, "error"),
    }


def test_team_diary_fires_for_the_host_project_manager(programme: Path) -> None:
    text = edited("  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n  project_manager: Sam Vale\n")
    build_tree(programme, {"kent-2027-06.yaml": text, "hampshire-2027-06.yaml": OTHER_YAML})
    result = check(programme)
    assert hits_by_file(result, "team.diary") == {
        ("kent-2027-06.yaml", 7, 3, "error"),
        ("hampshire-2027-06.yaml", 21, 5, "error"),
    }


def test_team_diary_fires_for_two_host_dcs_roles(programme: Path) -> None:
    other = edited("  dcs: Dana Holt\n", "  dcs: Alex Morgan\n", OTHER_YAML)
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme)
    assert hits_by_file(result, "team.diary") == {
        ("kent-2027-06.yaml", 6, 3, "error"),
        ("hampshire-2027-06.yaml", 6, 3, "error"),
    }


def test_team_diary_does_not_count_a_declined_member(programme: Path) -> None:
    other = with_member(
        "  - name: Jo Rivers\n    authority: surrey\n    role: dcs\n    status: declined\n",
        OTHER_YAML,
    )
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme)
    assert result.json()["problems"] == []


def test_team_diary_does_not_fire_when_fieldwork_does_not_overlap(programme: Path) -> None:
    # Mon 14 – Tue 15 June: after kent-2027-06 ends.
    other = edited(
        "  - name: Kim Ode\n    authority: oxfordshire\n",
        "  - name: Jo Rivers\n    authority: surrey\n",
        OTHER_YAML,
    )
    other = edited(
        "  start: 2027-06-10\n  end: 2027-06-11\n",
        "  start: 2027-06-14\n  end: 2027-06-15\n",
        other,
    )
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme)
    assert result.json()["problems"] == []


def test_team_diary_does_not_fire_for_one_person_twice_in_one_challenge(programme: Path) -> None:
    text = edited("  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n  project_manager: Jo Rivers\n")
    result = check_one(programme, text)
    assert "team.diary" not in rules(result)


def test_a_waiver_of_team_diary_is_invalid_and_relaxes_nothing(programme: Path) -> None:
    other = edited("  - name: Kim Ode\n", "  - name: Jo Rivers\n", OTHER_YAML)
    waiver = (
        "waivers:\n  - rule: team.diary\n    reason: Jo joins kent on day two only\n"
        "    agreed_by: Morgan Ellis\n"
    )
    build_tree(
        programme, {"kent-2027-06.yaml": CHALLENGE_YAML + waiver, "hampshire-2027-06.yaml": other}
    )
    result = check(programme)
    assert hits_by_file(result, "team.diary") == {
        ("kent-2027-06.yaml", 12, 5, "error"),
        ("hampshire-2027-06.yaml", 12, 5, "error"),
    }
    assert hits(result, "waiver.invalid") == [(32, 5, "error")]
    assert "waiver.unused" not in rules(result)


def test_team_diary_is_seen_when_checking_one_path(programme: Path) -> None:
    other = edited("  - name: Kim Ode\n", "  - name: Jo Rivers\n", OTHER_YAML)
    build_tree(programme, {"hampshire-2027-06.yaml": other})
    result = check(programme, str(programme / "kent-2027-06.yaml"))
    assert hits_by_file(result, "team.diary") == {("kent-2027-06.yaml", 12, 5, "error")}
    assert {Path(p["file"]).name for p in result.json()["problems"]} == {"kent-2027-06.yaml"}
    assert result.json()["files_checked"] == 1
    assert result.exit_code == 1


# ----------------------------------------------------------------- team.conflict


def test_team_conflict_fires_for_a_previous_employer_of_the_member(programme: Path) -> None:
    # programme.yaml: Lee Chen's previous_authorities are [hampshire].
    other = edited(
        "  - name: Sam Vale\n    authority: medway\n",
        "  - name: Lee Chen\n    authority: slough\n",
        OTHER_YAML,
    )
    other = edited(
        "  start: 2027-06-10\n  end: 2027-06-11\n",
        "  start: 2027-07-07\n  end: 2027-07-08\n",
        other,
    )
    build_tree(
        programme,
        {
            "hampshire-2027-07.yaml": edited(
                "id: hampshire-2027-06\n", "id: hampshire-2027-07\n", other
            )
        },
    )
    result = check(programme)
    # Lee Chen is confirmed in hampshire-2027-07: the host DCS has answered, so `info`.
    assert hits_by_file(result, "team.conflict") == {("hampshire-2027-07.yaml", 21, 5, "info")}
    assert rules(result) == {"team.conflict"}
    assert result.exit_code == 0


def test_team_conflict_reads_previous_authorities_in_programme_yaml(programme: Path) -> None:
    registry = edited(
        "previous_authorities: [hampshire]", "previous_authorities: [kent]", PROGRAMME_YAML
    )
    build_tree(programme, {"programme.yaml": registry})
    result = check(programme)
    assert hits(result, "team.conflict") == [(21, 5, "warning")]
    assert result.exit_code == 0


def test_team_conflict_does_not_fire_for_other_previous_employers(programme: Path) -> None:
    assert "team.conflict" not in rules(check(programme))


# ----------------------------------------------------------------- team.registry


def test_team_registry_fires_for_a_member_at_another_authority(programme: Path) -> None:
    result = check_one(
        programme, edited("    authority: reading\n", "    authority: oxfordshire\n")
    )
    assert hits(result, "team.registry") == [(26, 5, "warning")]
    assert "Ash Brown at `reading`" in messages(result, "team.registry")[0]
    assert rules(result) == {"team.registry"}
    assert result.exit_code == 0


def test_team_registry_fires_for_a_member_with_another_role(programme: Path) -> None:
    result = check_one(programme, edited("    role: practitioner\n", "    role: team_leader\n"))
    assert hits(result, "team.registry") == [(27, 5, "warning")]


@pytest.mark.parametrize(
    ("name", "suggested"),
    [("Ash Browne", "Ash Brown"), ("ash  brown", "Ash Brown")],
    ids=["misspelt", "case-and-spacing"],
)
def test_team_registry_fires_for_a_member_not_in_people_with_a_near_match(
    programme: Path, name: str, suggested: str
) -> None:
    result = check_one(programme, edited("  - name: Ash Brown\n", f"  - name: {name}\n"))
    assert hits(result, "team.registry") == [(25, 5, "warning")]
    assert f"did you mean {suggested}?" in messages(result, "team.registry")[0]


def test_team_registry_fires_for_a_host_dcs_of_another_authority(programme: Path) -> None:
    result = check_one(programme, edited("  dcs: Alex Morgan\n", "  dcs: Dana Holt\n"))
    assert hits(result, "team.registry") == [(6, 3, "warning")]


def test_team_registry_fires_for_one_person_twice_on_the_team(programme: Path) -> None:
    text = with_member(
        "  - name: jo rivers\n    authority: surrey\n    role: dcs\n    status: nominated\n"
    )
    result = check_one(programme, text)
    assert hits(result, "team.registry") == [(29, 5, "warning")]
    assert "Jo Rivers and as jo rivers" in messages(result, "team.registry")[0]


def test_team_registry_does_not_fire_once_fieldwork_has_ended(programme: Path) -> None:
    text = edited("    authority: reading\n", "    authority: oxfordshire\n")
    result = check_one(programme, text, as_of="2027-06-11")
    assert "team.registry" not in rules(result)
    assert hits(check_one(programme, text, as_of="2027-06-10"), "team.registry")


def test_team_registry_does_not_fire_without_people(programme: Path) -> None:
    registry = PROGRAMME_YAML[: PROGRAMME_YAML.index("people:")] + "settings:\n"
    build_tree(programme, {"programme.yaml": registry})
    result = check_one(programme, edited("  - name: Ash Brown\n", "  - name: Ash Browne\n"))
    assert result.json()["problems"] == []


def test_team_registry_does_not_fire_for_registered_members(programme: Path) -> None:
    assert "team.registry" not in rules(check(programme))


def test_two_spellings_of_one_name_in_people_are_a_schema_error(programme: Path) -> None:
    line = PROGRAMME_YAML.splitlines().index("settings:") + 1
    registry = edited(
        "settings:\n",
        "  - name: jo  Rivers\n    authority: surrey\n    role: dcs\nsettings:\n",
        PROGRAMME_YAML,
    )
    build_tree(programme, {"programme.yaml": registry})
    result = check(programme)
    assert hits_by_file(result, "schema") == {("programme.yaml", line, 5, "error")}
    assert result.exit_code == 1


# ----------------------------------------------------------------- team.unavailable

ASH_BROWN = "  - name: Ash Brown\n    authority: reading\n    role: practitioner\n"


def unavailable(period: str) -> str:
    return edited(ASH_BROWN, ASH_BROWN + f"    unavailable:\n      - {period}\n", PROGRAMME_YAML)


def test_team_unavailable_fires_when_a_period_overlaps_fieldwork(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": unavailable("{from: 2027-06-10, to: 2027-06-20}")})
    result = check(programme)
    assert hits(result, "team.unavailable") == [(25, 5, "warning")]
    assert rules(result) == {"team.unavailable"}
    assert result.exit_code == 0


def test_team_unavailable_does_not_fire_for_a_period_after_fieldwork(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": unavailable("{from: 2027-06-11, to: 2027-06-20}")})
    assert "team.unavailable" not in rules(check(programme))


def test_team_unavailable_does_not_fire_for_a_declined_member(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": unavailable("{from: 2027-06-01, to: 2027-06-20}")})
    text = edited(
        "    role: practitioner\n    status: nominated\n",
        "    role: practitioner\n    status: declined\n",
    )
    assert "team.unavailable" not in rules(check_one(programme, text))


# ----------------------------------------------------------------- team.conflict: not_with


def not_with(block: str, others: str) -> str:
    return edited(block, block + f"    not_with: [{others}]\n", PROGRAMME_YAML)


PAT_QUINN = "  - name: Pat Quinn\n    authority: medway\n    role: assistant_director\n"
LEE_CHEN = "  - name: Lee Chen\n    authority: slough\n    role: team_leader\n"


@pytest.mark.parametrize(
    "registry",
    [not_with(PAT_QUINN, "Lee Chen"), not_with(LEE_CHEN, "Pat Quinn")],
    ids=["named-by-the-first", "named-by-the-second"],
)
def test_team_conflict_fires_for_two_members_not_with_each_other(
    programme: Path, registry: str
) -> None:
    build_tree(programme, {"programme.yaml": registry})
    result = check(programme)
    assert hits(result, "team.conflict") == [(21, 5, "warning")]
    assert "Pat Quinn and Lee Chen" in messages(result, "team.conflict")[0]
    assert result.exit_code == 0


def test_team_conflict_fires_for_a_member_not_with_the_host_dcs(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": not_with(ASH_BROWN, "Alex Morgan")})
    result = check(programme)
    assert hits(result, "team.conflict") == [(25, 5, "warning")]
    assert "Alex Morgan, the host DCS" in messages(result, "team.conflict")[0]


def test_team_conflict_is_info_once_the_host_dcs_confirmed_both(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": not_with(PAT_QUINN, "Lee Chen")})
    text = CHALLENGE_YAML.replace("status: nominated", "status: confirmed", 2)  # Pat, Lee
    result = check_one(programme, text)
    assert hits(result, "team.conflict") == [(21, 5, "info")]
    assert result.json()["warnings"] == 0


def test_team_conflict_does_not_fire_for_a_declined_member(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": not_with(PAT_QUINN, "Lee Chen")})
    text = edited(
        "    role: team_leader\n    status: nominated\n",
        "    role: team_leader\n    status: declined\n",
    )
    assert "team.conflict" not in rules(check_one(programme, text))


def test_team_conflict_from_the_private_file_names_no_one_else(
    programme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private.yaml"
    private.write_text("people:\n  - name: Lee Chen\n    not_with: [Pat Quinn]\n", "utf-8")
    monkeypatch.setenv("PCPLAN_PRIVATE", str(private))
    result = check(programme)
    assert hits(result, "team.conflict") == [(21, 5, "warning")]
    message = messages(result, "team.conflict")[0]
    assert "a private constraint (¶22)" in message
    assert "Pat Quinn" not in message
    assert result.json()["files_checked"] == 1
    assert result.exit_code == 0


def test_a_broken_private_file_is_a_finding_on_that_file(
    programme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "private.yaml"
    private.write_text("people:\n  - name: Lee Chen\n    not_wiht: [Pat Quinn]\n", "utf-8")
    monkeypatch.setenv("PCPLAN_PRIVATE", str(private))
    result = check(programme)
    assert hits_by_file(result, "schema") == {("private.yaml", 3, 5, "error")}
    assert "team.conflict" not in rules(result)
    assert result.exit_code == 1
    monkeypatch.setenv("PCPLAN_PRIVATE", str(tmp_path / "missing.yaml"))
    assert hits_by_file(check(programme), "yaml") == {("missing.yaml", 1, 1, "error")}


# ----------------------------------------------------------------- team.unconfirmed


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [
        ("2027-05-25", False),  # F − 2w − 1 day
        ("2027-05-26", True),  # F − 2w
        ("2027-06-09", True),  # F
        ("2027-06-10", True),  # fieldwork end
        ("2027-06-11", False),  # the day after
    ],
)
def test_team_unconfirmed_fires_from_two_weeks_before_until_fieldwork_ends(
    programme: Path, as_of: str, fires: bool
) -> None:
    result = check(programme, as_of=as_of)
    expected = [(20, 5, "warning"), (24, 5, "warning"), (28, 5, "warning")] if fires else []
    assert hits(result, "team.unconfirmed") == expected
    assert result.json()["errors"] == 0
    assert result.exit_code == 0


def test_team_unconfirmed_does_not_fire_for_confirmed_or_declined_members(
    programme: Path,
) -> None:
    text = CHALLENGE_YAML.replace("status: nominated", "status: confirmed", 2)
    text = edited("    status: nominated\n", "    status: declined\n", text)  # Ash Brown
    result = check_one(programme, text, as_of="2027-05-26")
    assert "team.unconfirmed" not in rules(result)


# ----------------------------------------------------------------- team.missing


def test_team_missing_fires_once_step_team_is_overdue(programme: Path) -> None:
    text = edited(THE_TEAM, "visiting_team: []\n")
    result = check_one(programme, text, as_of="2027-04-01")  # `team` was due 2027-03-31
    assert hits(result, "team.missing") == [(11, 1, "warning")]
    assert result.exit_code == 0


def test_team_missing_fires_at_the_top_mapping_when_the_key_is_absent(programme: Path) -> None:
    result = check_one(programme, edited(THE_TEAM, ""), as_of="2027-04-01")
    assert hits(result, "team.missing") == [(2, 1, "warning")]


def test_team_missing_does_not_fire_on_the_due_date(programme: Path) -> None:
    result = check_one(programme, edited(THE_TEAM, "visiting_team: []\n"), as_of="2027-03-31")
    assert "team.missing" not in rules(result)


def test_team_missing_does_not_fire_when_the_team_is_there(programme: Path) -> None:
    result = check(programme, as_of="2027-04-01")
    assert "team.missing" not in rules(result)
    assert "`team`" in " ".join(messages(result, "steps.overdue"))  # the step is overdue


def test_team_missing_does_not_fire_when_step_team_is_recorded_done(programme: Path) -> None:
    text = edited(THE_TEAM, "visiting_team: []\n") + "  team: 2027-03-20\n"
    result = check_one(programme, text, as_of="2027-04-01")
    assert "team.missing" not in rules(result)


# ----------------------------------------------------------------- steps.unknown


def test_steps_unknown_fires_for_a_key_that_is_not_a_step(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  sope: 2026-11-10\n")
    assert hits(result, "steps.unknown") == [(31, 3, "error")]
    assert rules(result) == {"steps.unknown"}  # not `schema`
    assert result.exit_code == 1


def test_steps_unknown_does_not_fire_for_every_step_key(programme: Path) -> None:
    keys = STEP_KEYS
    text = edited("  dates: 2026-11-02\n", "".join(f"  {key}:\n" for key in keys))
    result = check_one(programme, text)
    assert "steps.unknown" not in rules(result)
    assert "schema" not in rules(result)


# ----------------------------------------------------------------- steps.order


@pytest.mark.parametrize("step", ["scope", "team", "pre_meeting", "supplementary_reading"])
def test_steps_order_fires_for_a_pre_fieldwork_step_done_after_fieldwork(
    programme: Path, step: str
) -> None:
    result = check_one(programme, CHALLENGE_YAML + f"  {step}: 2027-06-11\n")
    assert hits(result, "steps.order") == [(31, 3, "error")]
    assert result.exit_code == 1


def test_steps_order_does_not_fire_for_a_pre_fieldwork_step_done_on_the_last_day(
    programme: Path,
) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  supplementary_reading: 2027-06-10\n")
    assert "steps.order" not in rules(result)


def test_steps_order_fires_for_a_response_document_before_fieldwork_ends(
    programme: Path,
) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  response_document: 2027-06-09\n")
    assert hits(result, "steps.order") == [(31, 3, "error")]


def test_steps_order_does_not_fire_for_a_response_document_on_the_last_day(
    programme: Path,
) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  response_document: 2027-06-10\n")
    assert "steps.order" not in rules(result)


RESPONDED = CHALLENGE_YAML + "  response_document: 2027-07-20\n"  # line 31


def test_steps_order_fires_for_an_impact_visit_before_the_impact_review(
    programme: Path,
) -> None:
    text = RESPONDED + "  impact_review: 2027-12-20\n  impact_visit: 2027-12-15\n"
    result = check_one(programme, text)
    assert hits(result, "steps.order") == [(33, 3, "error")]


def test_steps_order_does_not_fire_for_an_impact_visit_on_the_review_day(
    programme: Path,
) -> None:
    text = RESPONDED + "  impact_review: 2027-12-20\n  impact_visit: 2027-12-20\n"
    result = check_one(programme, text)
    assert "steps.order" not in rules(result)


def test_steps_order_fires_for_an_impact_review_without_a_response_document(
    programme: Path,
) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  impact_review: 2027-12-20\n")
    assert hits(result, "steps.order") == [(31, 3, "error")]
    assert "response_document" in messages(result, "steps.order")[0]
    assert result.exit_code == 1


@pytest.mark.parametrize("done", ["2027-06-08", "2027-05-01"])
def test_steps_order_fires_for_fieldwork_done_before_it_starts(programme: Path, done: str) -> None:
    result = check_one(programme, CHALLENGE_YAML + f"  fieldwork: {done}\n")
    assert hits(result, "steps.order") == [(31, 3, "error")]


@pytest.mark.parametrize("done", ["2027-06-09", "2027-06-10", "2027-06-11"])
def test_steps_order_does_not_fire_for_fieldwork_done_once_it_starts(
    programme: Path, done: str
) -> None:
    result = check_one(programme, CHALLENGE_YAML + f"  fieldwork: {done}\n")
    assert "steps.order" not in rules(result)


# ----------------------------------------------------------------- steps.data


def test_steps_data_fires_for_project_manager_done_with_no_name(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  project_manager: 2026-11-20\n")
    assert hits(result, "steps.data") == [(31, 3, "error")]
    assert rules(result) == {"steps.data"}
    assert result.exit_code == 1


def test_steps_data_does_not_fire_for_project_manager_done_with_a_name(programme: Path) -> None:
    text = edited("  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n  project_manager: Sam Patel\n")
    result = check_one(programme, text + "  project_manager: 2026-11-20\n")
    assert "steps.data" not in rules(result)


def test_steps_data_fires_for_team_done_with_no_team(programme: Path) -> None:
    result = check_one(programme, edited(THE_TEAM, "visiting_team: []\n") + TEAM_RECORDED)
    assert hits(result, "steps.data") == [(14, 3, "error")]
    assert "no lead" in messages(result, "steps.data")[0]


def test_steps_data_does_not_fire_for_a_smaller_team_with_team_size_waived(
    programme: Path,
) -> None:
    waiver = edited("team.assistant_director", "team.size", WAIVER)
    result = check_one(programme, THREE + "  team: 2027-03-20\n" + waiver)
    assert "steps.data" not in rules(result)
    assert hits(result, "team.size") == [(11, 1, "info")]


def test_steps_data_does_not_fire_for_a_complete_team(programme: Path) -> None:
    assert check_one(programme, CHALLENGE_YAML + TEAM_RECORDED).json()["problems"] == []


def test_a_team_built_one_member_at_a_time_passes_until_step_team_is_recorded(
    programme: Path,
) -> None:
    """Issue 11's acceptance: CI stays green while the team is assembled (F−14w to F−10w)."""
    check_one(programme, edited(THE_TEAM, "visiting_team:\n"))
    members = [
        ("Jo Rivers", "surrey", "dcs", True),
        ("Pat Quinn", "medway", "assistant_director", False),
        ("Lee Chen", "slough", "team_leader", False),
    ]
    for name, authority, role, lead in members:
        added = run(
            "team",
            "kent-2027-06",
            "add",
            name,
            "--authority",
            authority,
            "--role",
            role,
            *(["--lead"] if lead else []),
            directory=programme,
        )
        assert added.exit_code == 0, added
        result = check(programme)
        assert result.json()["errors"] == 0, result.stdout
        assert result.exit_code == 0
    assert messages(result, "team.size")[0].count("still needed: one team leader/practitioner")
    done = run("done", "kent-2027-06", "team", "--on", "2027-03-20", directory=programme)
    assert done.exit_code == 0, done
    result = check(programme)
    assert error_rules(result) == {"team.size", "team.practitioners", "steps.data"}
    assert result.exit_code == 1


# ----------------------------------------------------------------- steps.unrecorded


def test_steps_unrecorded_fires_once_per_file_after_fieldwork(programme: Path) -> None:
    result = check(programme, as_of="2027-06-11")
    assert hits(result, "steps.unrecorded") == [(29, 1, "info")]
    message = messages(result, "steps.unrecorded")[0]
    assert "2 `scope`" in message and "11 `supplementary_reading`" in message
    assert "1 `dates`" not in message  # recorded
    assert "steps.overdue" not in rules(result)  # no longer chased
    assert result.json()["warnings"] == 0
    assert result.exit_code == 0


def test_steps_unrecorded_does_not_fire_on_the_last_day_of_fieldwork(programme: Path) -> None:
    result = check(programme, as_of="2027-06-10")
    assert "steps.unrecorded" not in rules(result)
    assert "steps.overdue" in rules(result)


def test_steps_unrecorded_does_not_fire_when_every_step_is_recorded(programme: Path) -> None:
    keys = STEP_KEYS[1:11]  # scope to supplementary_reading
    text = edited("  dcs: Alex Morgan\n", "  dcs: Alex Morgan\n  project_manager: Sam Patel\n")
    text += "".join(f"  {key}: 2027-05-20\n" for key in keys)
    result = check_one(programme, text, as_of="2027-06-11")
    assert "steps.unrecorded" not in rules(result)


# ----------------------------------------------------------------- steps.overdue


def test_steps_overdue_fires_at_steps_for_an_unrecorded_step(programme: Path) -> None:
    result = check(programme, as_of="2027-03-04")  # `scope` was due 2027-03-03
    assert hits(result, "steps.overdue") == [(29, 1, "warning")]
    assert "scope" in messages(result, "steps.overdue")[0]
    assert result.exit_code == 0
    strict = run("check", "--as-of", "2027-03-04", "--strict", directory=programme)
    assert strict.exit_code == 1


def test_steps_overdue_fires_at_an_empty_step_key(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  scope:\n", as_of="2027-03-04")
    assert hits(result, "steps.overdue") == [(31, 3, "warning")]


def test_steps_overdue_does_not_fire_on_the_due_date(programme: Path) -> None:
    result = check(programme, as_of="2027-03-03")
    assert "steps.overdue" not in rules(result)


def test_steps_overdue_does_not_fire_for_a_done_step(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  scope: 2027-02-10\n", as_of="2027-03-04")
    assert "steps.overdue" not in rules(result)


# ----------------------------------------------------------------- review.*


def test_review_too_early_fires_the_day_before_six_months(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  impact_review: 2027-12-09\n")
    assert hits(result, "review.too_early") == [(31, 3, "error")]
    assert result.exit_code == 1


def test_review_too_early_does_not_fire_on_the_six_month_day(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  impact_review: 2027-12-10\n")
    assert "review.too_early" not in rules(result)


@pytest.mark.parametrize(("review", "fires"), [("2028-02-28", True), ("2028-02-29", False)])
def test_review_too_early_uses_calendar_months_from_31_august(
    programme: Path, review: str, fires: bool
) -> None:
    # Fieldwork Fri 27 – Tue 31 August 2027 (Monday 30 is a bank holiday): 31 Aug + 6 months
    # is 29 Feb 2028.
    text = fieldwork("2027-08-27", "2027-08-31") + f"  impact_review: {review}\n"
    result = check_one(programme, text)
    assert hits(result, "review.too_early") == ([(31, 3, "error")] if fires else [])


ALL_SIX = (
    "[original_scope, self_assessment_findings, peer_commentary, response_document, "
    "progress_review, impact_evidence]"
)
FIVE = (
    "[original_scope, self_assessment_findings, peer_commentary, response_document, "
    "progress_review]"
)


def test_review_contents_fires_when_an_item_is_missing(programme: Path) -> None:
    text = RESPONDED + (
        f"  impact_review: 2027-12-10\nreview:\n  opted_in: true\n  contents: {FIVE}\n"
    )
    result = check_one(programme, text)
    assert hits(result, "review.contents") == [(35, 3, "warning")]
    assert "impact_evidence" in messages(result, "review.contents")[0]
    assert result.exit_code == 0


def test_review_contents_fires_at_the_top_mapping_with_no_review_section(
    programme: Path,
) -> None:
    result = check_one(programme, CHALLENGE_YAML + "  impact_review: 2027-12-10\n")
    assert hits(result, "review.contents") == [(2, 1, "warning")]


def test_review_contents_does_not_fire_with_all_six(programme: Path) -> None:
    text = RESPONDED + (
        f"  impact_review: 2027-12-10\nreview:\n  opted_in: true\n  contents: {ALL_SIX}\n"
    )
    result = check_one(programme, text)
    assert result.json()["problems"] == []


def test_review_contents_does_not_fire_before_the_review_is_recorded(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + "review:\n  opted_in: true\n  contents: []\n")
    assert result.json()["problems"] == []


def review_section(hours: str) -> str:
    return (
        f"review:\n  opted_in: true\n  contents: {ALL_SIX}\n"
        f"  visit:\n    requested: true\n    hours: {hours}\n"
    )


def test_review_visit_fires_for_a_visit_before_the_review(programme: Path) -> None:
    text = CHALLENGE_YAML + "  impact_review: 2027-12-20\n  impact_visit: 2027-12-15\n"
    result = check_one(programme, text + review_section("4"))
    assert hits(result, "review.visit") == [(32, 3, "error")]
    assert error_rules(result) == {"review.visit", "steps.order"}


def test_review_visit_fires_for_a_visit_with_no_review(programme: Path) -> None:
    text = CHALLENGE_YAML + "  impact_visit: 2027-12-15\n"
    result = check_one(programme, text + review_section("4"))
    assert hits(result, "review.visit") == [(31, 3, "error")]
    assert error_rules(result) == {"review.visit"}


def test_review_visit_fires_for_a_visit_before_six_months(programme: Path) -> None:
    text = CHALLENGE_YAML + "  impact_review: 2027-12-01\n  impact_visit: 2027-12-09\n"
    result = check_one(programme, text + review_section("4"))
    assert hits(result, "review.visit") == [(32, 3, "error")]
    assert hits(result, "review.too_early") == [(31, 3, "error")]


def test_review_visit_does_not_fire_for_a_visit_on_the_six_month_day(programme: Path) -> None:
    text = CHALLENGE_YAML + "  impact_review: 2027-12-01\n  impact_visit: 2027-12-10\n"
    result = check_one(programme, text + review_section("4"))
    assert "review.visit" not in rules(result)


def test_review_visit_does_not_fire_for_a_visit_after_the_review(programme: Path) -> None:
    text = RESPONDED + "  impact_review: 2027-12-10\n  impact_visit: 2027-12-10\n"
    result = check_one(programme, text + review_section("3.5") + "    one_to_one: true\n")
    assert result.json()["problems"] == []


def test_review_visit_fires_for_three_hours(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + review_section("3"))
    assert hits(result, "review.visit") == [(36, 5, "error")]
    assert result.exit_code == 1


def test_review_visit_fires_at_hours_in_a_flow_mapping(programme: Path) -> None:
    text = CHALLENGE_YAML + "review:\n  visit: {requested: true, hours: 3}\n"
    result = check_one(programme, text)
    assert hits(result, "review.visit") == [(32, 28, "error")]


@pytest.mark.parametrize("hours", ["3.5", "4", "7"])
def test_review_visit_does_not_fire_for_half_a_day_or_more(programme: Path, hours: str) -> None:
    result = check_one(programme, CHALLENGE_YAML + review_section(hours))
    assert "review.visit" not in rules(result)


def test_review_one_to_one_fires_when_the_return_visit_plans_none(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + review_section("4"))
    assert hits(result, "review.one_to_one") == [(34, 3, "warning")]
    result = check_one(programme, CHALLENGE_YAML + review_section("4") + "    one_to_one: false\n")
    assert hits(result, "review.one_to_one") == [(37, 5, "warning")]
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "visit", ["    one_to_one: true\n", ""], ids=["one-to-one planned", "no visit requested"]
)
def test_review_one_to_one_is_silent_with_a_one_to_one_or_no_visit(
    programme: Path, visit: str
) -> None:
    section = review_section("4") + visit
    if not visit:
        section = section.replace("requested: true", "requested: false")
    result = check_one(programme, CHALLENGE_YAML + section)
    assert "review.one_to_one" not in rules(result)


# ----------------------------------------------------------------- feedback, escalation

FEEDBACK = "feedback:\n  audience: [senior management team]\n  agreed_on: 2027-05-01\n"
ESCALATION = "escalation:\n  host_contact: Alex Morgan\n  visiting_contact: Jo Rivers\n"


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [
        ("2027-05-25", False),  # F − D = 15 days
        ("2027-05-26", True),  # 14 days
        ("2027-06-09", True),  # 0 days
        ("2027-06-10", False),  # −1 day
    ],
)
def test_feedback_unplanned_fires_in_the_last_two_weeks(
    programme: Path, as_of: str, fires: bool
) -> None:
    result = check_one(programme, CHALLENGE_YAML + ESCALATION, as_of=as_of)
    assert hits(result, "feedback.unplanned") == ([(2, 1, "warning")] if fires else [])
    assert result.json()["errors"] == 0
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "feedback",
    [
        "feedback:\n  audience: [senior management team]\n",
        "feedback:\n  agreed_on: 2027-05-01\n",
        "feedback:\n  audience: []\n  agreed_on: 2027-05-01\n",
    ],
    ids=["no-agreed_on", "no-audience", "empty-audience"],
)
def test_feedback_unplanned_fires_at_feedback_when_half_planned(
    programme: Path, feedback: str
) -> None:
    result = check_one(programme, CHALLENGE_YAML + ESCALATION + feedback, as_of="2027-06-01")
    assert hits(result, "feedback.unplanned") == [(34, 1, "warning")]


def test_feedback_unplanned_does_not_fire_when_planned(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + FEEDBACK + ESCALATION, as_of="2027-06-01")
    assert "feedback.unplanned" not in rules(result)
    assert "escalation.missing" not in rules(result)


@pytest.mark.parametrize(
    ("as_of", "fires"),
    [("2027-05-25", False), ("2027-05-26", True), ("2027-06-09", True), ("2027-06-10", False)],
)
def test_escalation_missing_fires_in_the_last_two_weeks(
    programme: Path, as_of: str, fires: bool
) -> None:
    result = check_one(programme, CHALLENGE_YAML + FEEDBACK, as_of=as_of)
    assert hits(result, "escalation.missing") == ([(2, 1, "warning")] if fires else [])
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "escalation",
    ["escalation:\n  host_contact: Alex Morgan\n", "escalation:\n  visiting_contact: Jo Rivers\n"],
    ids=["no-visiting_contact", "no-host_contact"],
)
def test_escalation_missing_fires_at_escalation_for_either_contact(
    programme: Path, escalation: str
) -> None:
    result = check_one(programme, CHALLENGE_YAML + FEEDBACK + escalation, as_of="2027-06-01")
    assert hits(result, "escalation.missing") == [(34, 1, "warning")]


# ----------------------------------------------------------------- as-of rules are warnings


def test_the_as_of_rules_are_warnings_and_fail_only_with_strict(programme: Path) -> None:
    # No feedback, no escalation, three members nominated, steps overdue: five days before F.
    result = check(programme, as_of="2027-06-04")
    assert {
        "steps.overdue",
        "team.unconfirmed",
        "feedback.unplanned",
        "escalation.missing",
    } <= rules(result)
    assert {p["severity"] for p in result.json()["problems"]} == {"warning"}
    assert result.json()["errors"] == 0
    assert result.exit_code == 0
    assert run("check", "--as-of", "2027-06-04", "--strict", directory=programme).exit_code == 1


# ----------------------------------------------------------------- waivers

WAIVER = (
    "waivers:\n"
    "  - rule: team.assistant_director\n"
    "    reason: no assistant director free this round; a second DCS instead\n"
    "    agreed_by: Morgan Ellis\n"
)


def test_a_waiver_turns_its_rule_into_info(programme: Path) -> None:
    result = check_one(programme, NO_AD + WAIVER)
    problems = result.json()["problems"]
    assert [(p["rule"], p["line"], p["column"], p["severity"]) for p in problems] == [
        ("team.assistant_director", 11, 1, "info")
    ]
    assert problems[0]["message"].startswith(
        "waived: no assistant director free this round; a second DCS instead"
    )
    assert result.json()["errors"] == 0
    assert result.json()["warnings"] == 0
    assert result.exit_code == 0
    assert run("check", "--as-of", AS_OF, "--strict", directory=programme).exit_code == 0


def test_a_waiver_turns_a_warning_into_info(programme: Path) -> None:
    text = fieldwork("2027-06-09", "2027-06-11") + (
        "waivers:\n  - rule: fieldwork.length\n    reason: a third day for the partners\n"
        "    agreed_by: Morgan Ellis\n"
    )
    result = check_one(programme, text)
    assert hits(result, "fieldwork.length") == [(10, 3, "info")]
    assert messages(result, "fieldwork.length")[0].startswith(
        "waived: a third day for the partners"
    )
    assert result.json()["warnings"] == 0


# hampshire-2027-06 with no assistant director, and step `team` recorded: an error.
NO_AD_OTHER = (
    edited("    role: assistant_director\n", "    role: dcs\n", OTHER_YAML) + TEAM_RECORDED
)


def test_a_waiver_applies_only_in_its_own_file(programme: Path) -> None:
    other = NO_AD_OTHER
    build_tree(programme, {"kent-2027-06.yaml": NO_AD + WAIVER, "hampshire-2027-06.yaml": other})
    result = check(programme)
    assert hits_by_file(result, "team.assistant_director") == {
        ("kent-2027-06.yaml", 11, 1, "info"),
        ("hampshire-2027-06.yaml", 11, 1, "error"),
    }
    assert result.exit_code == 1


def test_waiver_unused_fires_for_a_waiver_in_a_file_where_its_rule_does_not_fire(
    programme: Path,
) -> None:
    # The rule fires in hampshire-2027-06 but the waiver is in kent-2027-06.
    other = NO_AD_OTHER
    build_tree(
        programme, {"kent-2027-06.yaml": CHALLENGE_YAML + WAIVER, "hampshire-2027-06.yaml": other}
    )
    result = check(programme)
    assert hits_by_file(result, "waiver.unused") == {("kent-2027-06.yaml", 32, 5, "warning")}
    assert hits_by_file(result, "team.assistant_director") == {
        ("hampshire-2027-06.yaml", 11, 1, "error")
    }


def test_waiver_unused_fires_for_a_rule_that_does_not_fire(programme: Path) -> None:
    result = check_one(programme, CHALLENGE_YAML + WAIVER)
    assert hits(result, "waiver.unused") == [(32, 5, "warning")]
    assert result.exit_code == 0
    assert run("check", "--as-of", AS_OF, "--strict", directory=programme).exit_code == 1


def test_waiver_invalid_fires_for_an_unknown_rule(programme: Path) -> None:
    text = NO_AD + edited("rule: team.assistant_director", "rule: team.asistant_director", WAIVER)
    result = check_one(programme, text)
    assert hits(result, "waiver.invalid") == [(32, 5, "error")]
    assert "did you mean `team.assistant_director`?" in messages(result, "waiver.invalid")[0]
    assert hits(result, "team.assistant_director") == [(11, 1, "warning")]  # not waived
    assert "waiver.unused" not in rules(result)
    assert result.exit_code == 1


def test_waiver_invalid_fires_for_a_waiver_naming_no_rule(programme: Path) -> None:
    text = CHALLENGE_YAML + (
        "waivers:\n  - reason: a smaller team this round\n    agreed_by: Morgan Ellis\n"
    )
    result = check_one(programme, text)
    assert hits(result, "waiver.invalid") == [(32, 5, "error")]


@pytest.mark.parametrize("rule", ["team.host", "team.diary", "schema", "steps.data"])
def test_waiver_invalid_fires_for_a_rule_that_cannot_be_waived(programme: Path, rule: str) -> None:
    text = edited("    authority: reading\n", "    authority: kent\n")  # team.host fires
    result = check_one(programme, text + edited("team.assistant_director", rule, WAIVER))
    assert hits(result, "waiver.invalid") == [(32, 5, "error")]
    assert hits(result, "team.host") == [(26, 5, "error")]  # not relaxed


def test_waiver_invalid_does_not_fire_for_a_waivable_rule(programme: Path) -> None:
    result = check_one(programme, NO_AD + WAIVER)
    assert "waiver.invalid" not in rules(result)


def test_a_waiver_without_agreed_by_is_a_schema_error(programme: Path) -> None:
    text = NO_AD + edited("    agreed_by: Morgan Ellis\n", "", WAIVER)
    result = check_one(programme, text)
    assert hits(result, "schema") == [(32, 5, "error")]
    assert "agreed_by" in messages(result, "schema")[0]
    assert result.exit_code == 1


def test_waiver_unused_does_not_fire_for_a_waiver_that_relaxes_something(
    programme: Path,
) -> None:
    assert "waiver.unused" not in rules(check_one(programme, NO_AD + WAIVER))


# ----------------------------------------------------------------- output formats


def two_files_with_two_errors_and_two_warnings(programme: Path) -> Path:
    kent = SAM_VALE_FOR_LEE_CHEN  # team.authorities
    kent = edited("  end: 2027-06-10\n", "  end: 2027-06-11\n", kent)  # fieldwork.length
    other = edited(  # a hampshire practitioner: team.host
        "  - name: Tess Ward\n    authority: reading\n",
        "  - name: Uma Hale\n    authority: hampshire\n",
        OTHER_YAML,
    )
    other = edited(
        "  start: 2027-06-10\n  end: 2027-06-11\n",
        "  start: 2027-08-30\n  end: 2027-08-31\n",
        other,
    )  # the summer bank holiday: fieldwork.working_days
    return build_tree(programme, {"kent-2027-06.yaml": kent, "hampshire-2027-06.yaml": other})


def test_json_has_exactly_the_keys_of_the_spec(programme: Path) -> None:
    result = check(two_files_with_two_errors_and_two_warnings(programme))
    data = result.json()
    assert set(data) == {"files_checked", "errors", "warnings", "problems"}
    assert data["problems"]
    for problem in data["problems"]:
        assert set(problem) == {"file", "line", "column", "rule", "severity", "message"}
        assert problem["severity"] == SPEC_SEVERITY[problem["rule"]]
    assert data["files_checked"] == 2
    assert data["errors"] == 2
    assert data["warnings"] == 2
    assert {(Path(p["file"]).name, p["rule"]) for p in data["problems"]} == {
        ("kent-2027-06.yaml", "team.authorities"),
        ("kent-2027-06.yaml", "fieldwork.length"),
        ("hampshire-2027-06.yaml", "team.host"),
        ("hampshire-2027-06.yaml", "fieldwork.working_days"),
    }


TEXT_LINE = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning|info) "
    r"(?P<rule>[a-z_.]+): (?P<message>.+)$"
)


def test_text_format_lines_and_summary(programme: Path) -> None:
    directory = two_files_with_two_errors_and_two_warnings(programme)
    expected = check(directory).json()["problems"]
    result = run("check", "--format", "text", "--as-of", AS_OF, directory=directory)
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 files checked: 2 errors, 2 warnings"
    parsed = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(parsed), lines
    assert [
        {**m.groupdict(), "line": int(m["line"]), "column": int(m["column"])}
        for m in parsed
        if m is not None
    ] == expected
    assert result.exit_code == 1


def test_text_format_summary_with_one_of_each(programme: Path) -> None:
    """SPEC §5: the summary line is `N files checked: E errors, W warnings`."""
    text = edited("  end: 2027-06-10\n", "  end: 2027-06-11\n", SAM_VALE_FOR_LEE_CHEN)
    (programme / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    result = run("check", "--format", "text", "--as-of", AS_OF, directory=programme)
    assert result.stdout.splitlines()[-1] == "1 files checked: 1 errors, 1 warnings"


def test_text_format_with_no_findings_is_the_summary_alone(programme: Path) -> None:
    build_tree(programme, {"hampshire-2027-06.yaml": OTHER_YAML})
    result = run("check", "--format", "text", "--as-of", AS_OF, directory=programme)
    assert result.stdout.splitlines() == ["2 files checked: 0 errors, 0 warnings"]
    assert result.exit_code == 0


GITHUB_LINE = re.compile(
    r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),"
    r"col=(?P<column>\d+),title=(?P<rule>[a-z_.]+)::(?P<message>.+)$"
)


def test_github_format_lines(programme: Path) -> None:
    directory = two_files_with_two_errors_and_two_warnings(programme)
    expected = check(directory).json()["problems"]
    result = run("check", "--format", "github", "--as-of", AS_OF, directory=directory)
    lines = [line for line in result.stdout.splitlines() if line.startswith("::")]
    parsed = [GITHUB_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [
        (m["level"], m["file"], int(m["line"]), int(m["column"]), m["rule"], m["message"])
        for m in parsed
        if m is not None
    ] == [
        (p["severity"], p["file"], p["line"], p["column"], p["rule"], p["message"])
        for p in expected
    ]
    assert result.exit_code == 1


def test_files_checked_counts_challenge_files_at_any_depth(programme: Path) -> None:
    other = edited(
        "  start: 2027-06-10\n  end: 2027-06-11\n",
        "  start: 2027-07-07\n  end: 2027-07-08\n",
        edited("id: hampshire-2027-06\n", "id: hampshire-2027-07\n", OTHER_YAML),
    )
    build_tree(
        programme,
        {
            "round-10/deeper/hampshire-2027-06.yml": OTHER_YAML,
            "round-11/hampshire-2027-07.yaml": other,
            "README.md": "not a challenge\n",
        },
    )
    result = check(programme)
    assert result.json()["files_checked"] == 3
    assert result.json()["problems"] == []


def test_check_path_reports_only_that_file(programme: Path) -> None:
    directory = two_files_with_two_errors_and_two_warnings(programme)
    result = check(directory, str(directory / "hampshire-2027-06.yaml"))
    assert {(Path(p["file"]).name, p["rule"]) for p in result.json()["problems"]} == {
        ("hampshire-2027-06.yaml", "team.host"),
        ("hampshire-2027-06.yaml", "fieldwork.working_days"),
    }
    assert result.json()["files_checked"] == 1
    assert result.json()["errors"] == 1


def test_one_broken_file_does_not_hide_the_others_findings(programme: Path) -> None:
    kent = SAM_VALE_FOR_LEE_CHEN
    build_tree(
        programme,
        {"kent-2027-06.yaml": kent, "broken.yaml": "id: broken\nround: [1\n"},
    )
    result = check(programme)
    assert {(Path(p["file"]).name, p["rule"]) for p in result.json()["problems"]} == {
        ("broken.yaml", "yaml"),
        ("kent-2027-06.yaml", "team.authorities"),
    }
    assert result.json()["files_checked"] == 2
    assert result.exit_code == 1


def test_a_schema_error_does_not_hide_cross_file_findings_of_the_others(programme: Path) -> None:
    other = edited(
        "  - name: Kim Ode\n    authority: oxfordshire\n",
        "  - name: Jo Rivers\n    authority: surrey\n",
        OTHER_YAML,
    )
    third = edited("round: 10\n", "round: ten\n", OTHER_YAML)
    build_tree(programme, {"hampshire-2027-06.yaml": other, "third/bad.yaml": third})
    result = check(programme)
    assert {(Path(p["file"]).name, p["rule"]) for p in result.json()["problems"]} == {
        ("bad.yaml", "schema"),
        ("kent-2027-06.yaml", "team.diary"),
        ("hampshire-2027-06.yaml", "team.diary"),
    }


def test_a_broken_programme_yaml_is_a_yaml_finding_and_not_counted(programme: Path) -> None:
    build_tree(programme, {"programme.yaml": "name: [Test programme\n"})
    result = check(programme)
    assert {
        (Path(p["file"]).name, p["rule"], p["severity"])
        for p in result.json()["problems"]
        if p["rule"] == "yaml"
    } == {("programme.yaml", "yaml", "error")}
    assert result.json()["files_checked"] == 1
    assert result.exit_code == 1


def test_a_large_programme_gives_the_same_findings(programme: Path) -> None:
    """Enough files that `check` may spread the work over processes: same results."""
    filler = {}
    for n in range(1, 451):
        text = edited("id: hampshire-2027-06\n", f"id: oxfordshire-{n:04d}\n", OTHER_YAML)
        text = edited(
            "  authority: hampshire\n  dcs: Dana Holt\n",
            f"  authority: hampshire\n  dcs: Host {n}\n",
            text,
        )
        for name in ("Kim Ode", "Ray Lutz", "Sam Vale", "Tess Ward"):
            text = edited(f"  - name: {name}\n", f"  - name: {name} {n}\n", text)
        filler[f"round-{n % 7}/oxfordshire-{n:04d}.yaml"] = text
    other = edited("  - name: Kim Ode\n", "  - name: Jo Rivers\n", OTHER_YAML)
    waived = edited(
        "    role: assistant_director\n",
        "    role: dcs\n",
        edited("id: hampshire-2027-06\n", "id: hampshire-2027-09\n", OTHER_YAML),
    )
    waived = edited("  dcs: Dana Holt\n", "  dcs: Dana Holt X\n", waived)
    for name in ("Kim Ode", "Ray Lutz", "Sam Vale", "Tess Ward"):
        waived = edited(f"  - name: {name}\n", f"  - name: {name} X\n", waived)
    build_tree(
        programme,
        {
            **filler,
            "hampshire-2027-06.yaml": other,
            "zz/broken.yaml": "id: broken\nround: [1\n",
            "hampshire-2027-09.yaml": waived + WAIVER,
        },
    )
    result = check(programme)
    assert {
        (Path(p["file"]).name, p["rule"], p["line"], p["column"], p["severity"])
        for p in result.json()["problems"]
        if p["rule"] != "team.registry"  # the filler's people are not in programme.yaml
    } == {
        ("kent-2027-06.yaml", "team.diary", 12, 5, "error"),
        ("hampshire-2027-06.yaml", "team.diary", 12, 5, "error"),
        ("broken.yaml", "yaml", 2, 8, "error"),  # the unclosed `[`
        ("hampshire-2027-09.yaml", "team.assistant_director", 11, 1, "info"),
    }
    assert result.json()["files_checked"] == 454
    assert result.json()["errors"] == 3


# ----------------------------------------------------------------- the example programme


def example_files() -> list[Path]:
    return [
        path
        for path in EXAMPLE.rglob("*")
        if path.suffix in (".yaml", ".yml") and path.name != "programme.yaml"
    ]


@pytest.mark.parametrize("as_of", [AS_OF, None], ids=["as-of", "today"])
def test_the_example_programme_checks_with_no_errors(as_of: str | None) -> None:
    args = ["check", "--format", "json"] + (["--as-of", as_of] if as_of else [])
    result = run(*args, directory=EXAMPLE)
    assert result.exit_code == 0, result.stdout
    assert result.json()["errors"] == 0
    assert result.json()["files_checked"] == len(example_files())


BREAKS = [
    pytest.param(
        "round-09/east-sussex-2026-12.yaml",
        "    lead: true\n",
        "",
        {("east-sussex-2026-12.yaml", "team.lead"), ("east-sussex-2026-12.yaml", "steps.data")},
        id="lead-flag-removed",
    ),
    pytest.param(
        "round-09/east-sussex-2026-12.yaml",
        "    authority: slough\n",
        "    authority: east-sussex\n",
        {("east-sussex-2026-12.yaml", "team.host")},
        id="member-from-the-host",
    ),
    pytest.param(
        "round-09/east-sussex-2026-12.yaml",
        "    authority: slough\n",
        "    authority: surry\n",
        {("east-sussex-2026-12.yaml", "authority.unknown")},
        id="authority-typo",
    ),
    pytest.param(
        "round-09/east-sussex-2026-12.yaml",
        "  end: 2026-12-09\n",
        "  end: 2026-12-07\n",
        {("east-sussex-2026-12.yaml", "fieldwork.dates")},
        id="end-before-start",
    ),
    pytest.param(
        "round-10/wokingham-2027-04.yaml",
        "  start: 2027-04-21\n  end: 2027-04-22\n",
        "  start: 2027-04-24\n  end: 2027-04-26\n",
        set(),
        id="fieldwork-on-a-saturday",
    ),
    pytest.param(
        "round-07/kent-2026-03.yaml",
        "  impact_review: 2026-10-16\n",
        "  impact_review: 2026-06-05\n",
        {("kent-2026-03.yaml", "review.too_early")},
        id="impact-review-three-months-after",
    ),
    pytest.param(
        "round-07/kent-2026-03.yaml",
        "  # impact_visit: Gideon returns on 2026-12-03; record it with `pcplan done`\n",
        "  impact_visit: 2026-10-01\n",
        {("kent-2026-03.yaml", "steps.order"), ("kent-2026-03.yaml", "review.visit")},
        id="impact-visit-before-review",
    ),
    pytest.param(
        "round-07/kent-2026-03.yaml",
        "hours: 3.5",
        "hours: 3",
        {("kent-2026-03.yaml", "review.visit")},
        id="impact-visit-three-hours",
    ),
    pytest.param(
        "round-07/kent-2026-03.yaml",
        "  reading_pack: 2026-02-13\n",
        "  reading_pak: 2026-02-13\n",
        {("kent-2026-03.yaml", "steps.unknown")},
        id="step-typo",
    ),
    pytest.param(
        "round-10/wokingham-2027-04.yaml",
        "id: wokingham-2027-04\n",
        "id: kent-2026-03\n",
        {
            ("wokingham-2027-04.yaml", "id.filename"),
            ("wokingham-2027-04.yaml", "id.duplicate"),
            ("kent-2026-03.yaml", "id.duplicate"),
        },
        id="duplicate-id",
    ),
    pytest.param(
        "round-10/buckinghamshire-2027-03.yaml",
        "  start: 2027-03-16\n  end: 2027-03-17\n",
        "  start: 2027-01-20\n  end: 2027-01-21\n",
        {
            ("buckinghamshire-2027-03.yaml", "team.diary"),
            ("oxfordshire-2027-01.yaml", "team.diary"),
        },
        id="host-dcs-leads-an-overlapping-challenge",
    ),
    pytest.param(
        "round-09/portsmouth-2026-11.yaml",
        "  - rule: team.assistant_director\n",
        "  - rule: team.size\n",
        {("portsmouth-2026-11.yaml", "team.assistant_director")},
        id="waiver-names-the-wrong-rule",
    ),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), BREAKS)
def test_one_break_in_the_example_programme_gives_exactly_its_errors(
    tmp_path: Path, relative: str, old: str, new: str, expected: set[tuple[str, str]]
) -> None:
    directory = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, directory)
    path = directory / relative
    path.write_text(edited(old, new, path.read_text(encoding="utf-8")), encoding="utf-8")
    result = check(directory)
    errors = {
        (Path(p["file"]).name, p["rule"])
        for p in result.json()["problems"]
        if p["severity"] == "error"
    }
    assert errors == expected
    assert result.exit_code == (1 if expected else 0)


def test_example_lead_consent_removed_gives_team_lead(tmp_path: Path) -> None:
    directory = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, directory)
    path = directory / "round-08" / "milton-keynes-2026-07.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("lead_consent:")
    end = text.index("steps:", start)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = check(directory)
    assert error_rules(result) == {"team.lead"}
    assert hits_by_file(result, "team.lead") == {("milton-keynes-2026-07.yaml", 21, 5, "error")}


def test_example_saturday_fieldwork_warns(tmp_path: Path) -> None:
    directory = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, directory)
    path = directory / "round-10" / "wokingham-2027-04.yaml"
    path.write_text(
        edited(
            "  start: 2027-04-21\n  end: 2027-04-22\n",
            "  start: 2027-04-24\n  end: 2027-04-26\n",
            path.read_text(encoding="utf-8"),
        ),
        encoding="utf-8",
    )
    result = check(directory)
    assert hits_by_file(result, "fieldwork.working_days") == {
        ("wokingham-2027-04.yaml", 16, 3, "warning")
    }
    assert hits_by_file(result, "fieldwork.length") == {
        ("wokingham-2027-04.yaml", 17, 3, "warning")  # Saturday to Monday: not 48 hours
    }


def test_example_waiver_removed_gives_both_composition_errors(tmp_path: Path) -> None:
    directory = tmp_path / "challenges"
    shutil.copytree(EXAMPLE, directory)
    path = directory / "round-09" / "portsmouth-2026-11.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("waivers:")] + text[text.index("steps:") :], "utf-8")
    result = check(directory)
    assert error_rules(result) == {"team.assistant_director", "team.practitioners"}


# ----------------------------------------------------------------- docs/rules.md


def test_docs_rules_lists_every_rule_with_its_spec_severity() -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (error|warning|info) \|", docs, re.MULTILINE))
    assert rows == SPEC_SEVERITY


def test_docs_rules_lists_the_rules_in_the_order_of_spec_section_4() -> None:
    """rules/__init__.py promises RULES (hence the catalogue) in the spec table's order."""
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `([a-z_.]+)` \|", docs, re.MULTILINE) == list(SPEC_SEVERITY)


def test_docs_rules_is_the_catalogue_output() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "pcplan.catalogue"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert docs == generated, "docs/rules.md is stale: run `python -m pcplan.catalogue`"
