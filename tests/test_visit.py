"""The visit and its reading (SPEC §9): the rules through `check --format json`, and `pcplan visit`.

Each rule test starts from ``VISITED`` (``conftest.CHALLENGE_YAML``, fieldwork Wed 9 – Thu
10 June 2027, with a clean two-day timetable, pack and request) and changes one thing.
Positions are looked up by the marker comments (``# s0`` …) so the expected line and
column are those of the key or item the finding names.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pcplan.rules import RULES
from tests.conftest import AS_OF, CHALLENGE_YAML, Run, run

VISIT_YAML = """\
visit:
  base: Room 1.01, County Hall
  sessions:
    - day: 1   # s0
      start: "09:00"
      end: "09:45"
      kind: briefing
      title: Welcome from the host DCS
      with: [Alex Morgan]
    - day: 1   # s1
      start: "10:00"
      end: "11:30"
      kind: interview
      title: Lead member
      visitors: [Jo Rivers, Ash Brown]
    - day: 1   # s2
      start: "10:00"
      end: "11:30"
      kind: work_seen
      title: Case file audit
      visitors: [Pat Quinn, Lee Chen]
      consent: {needed: true, obtained: 2027-06-01}
    - day: 1   # s3
      start: "11:30"
      end: "12:30"
      kind: team_time
      title: Comparing notes
    - day: 1   # s4
      start: "12:30"
      end: "14:00"
      kind: focus_group
      title: Social workers
    - day: 1   # s5
      start: "14:00"
      end: "14:30"
      kind: dcs_to_dcs
      title: Check-in
      visitors: [Jo Rivers]
    - day: 2   # s6
      start: "09:00"
      end: "10:00"
      kind: team_time
      title: Day 1 reviewed
    - day: 2   # s7
      start: "10:00"
      end: "11:00"
      kind: feedback
      title: Feedback
reading:
  pack:
    - {title: Self-assessment summary, kind: self_assessment, pages: 60}
    - {title: Scorecard, kind: evidence, pages: 40}
  requests:
    - {what: Front-door audit, by: Jo Rivers, asked: 2027-06-01, sent: 2027-06-02}
"""
VISITED = CHALLENGE_YAML + VISIT_YAML
NEAR = "2027-06-04"  # five days before fieldwork: the consent case applies
OURS = ("visit.", "reading.")


def at(text: str, needle: str, column_of: str | None = None) -> tuple[int, int]:
    """1-based line of the line holding ``needle``, and the column of ``column_of`` in it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number, line.index(column_of or needle) + 1
    raise AssertionError(needle)


def changed(old: str, new: str, text: str = VISITED) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def check_text(programme: Path, text: str, as_of: str = AS_OF) -> Run:
    (programme / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    result = run("check", "--format", "json", "--as-of", as_of, directory=programme)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def ours(result: Run) -> list[tuple[str, int, int, str]]:
    """(rule, line, column, severity) of the visit.* and reading.* findings."""
    return [
        (p["rule"], p["line"], p["column"], p["severity"])
        for p in result.json()["problems"]
        if p["rule"].startswith(OURS)
    ]


def test_a_full_timetable_checks_clean(programme: Path) -> None:
    text = changed("  dates: 2026-11-02\n", "  dates: 2026-11-02\n  reading_pack: 2027-05-20\n")
    for as_of in (AS_OF, NEAR, "2027-06-09"):
        assert ours(check_text(programme, text, as_of)) == []


# ----------------------------------------------------------------------------- visit.times


def test_times_not_hh_mm_end_before_start_and_day_beyond_fieldwork(programme: Path) -> None:
    text = changed(
        'start: "10:00"\n      end: "11:30"\n      kind: interview',
        'start: 9.30\n      end: "11:30"\n      kind: interview',
    )
    text = changed(
        '    - day: 1   # s4\n      start: "12:30"',
        '    - day: 1   # s4\n      start: "14:30"',
        text,
    )
    text = changed("    - day: 2   # s7", "    - day: 3   # s7", text)
    result = check_text(programme, text)
    s1_start = at(text, "start: 9.30", "start")
    s4_end = (at(text, "# s4")[0] + 2, 7)
    s7_day = at(text, "day: 3", "day")
    assert [f for f in ours(result) if f[0] == "visit.times"] == [
        ("visit.times", *s1_start, "error"),
        ("visit.times", *s4_end, "error"),
        ("visit.times", *s7_day, "error"),
    ]
    assert result.exit_code == 1
    messages = [p["message"] for p in result.json()["problems"] if p["rule"] == "visit.times"]
    assert "quote it" in messages[0] and "HH:MM" in messages[0]
    assert "use day 1 to 2" in messages[2]


def test_times_an_unquoted_number_is_not_a_schema_finding(programme: Path) -> None:
    text = changed('start: "09:00"\n      end: "09:45"', "start: 900\n      end: 09:45")
    result = check_text(programme, text)
    rules = [p["rule"] for p in result.json()["problems"]]
    assert "schema" not in rules
    assert rules.count("visit.times") == 1  # 09:45 unquoted is text in YAML 1.2


# ----------------------------------------------------------------------------- visit.clash


def test_clash_a_visitor_in_two_sessions_at_once(programme: Path) -> None:
    text = changed("visitors: [Pat Quinn, Lee Chen]", "visitors: [Pat Quinn, Lee Chen, Ash Brown]")
    result = check_text(programme, text)
    assert ours(result) == [("visit.clash", *at(text, "# s2", "day"), "error")]
    message = result.json()["problems"][0]["message"]
    assert "Ash Brown" in message and "session #2" in message


def test_clash_a_visitor_not_in_the_team_or_declined(programme: Path) -> None:
    text = changed("visitors: [Jo Rivers]", "visitors: [Jo Rivers, Kim Doe]")
    text = changed("    status: nominated\n", "    status: declined\n", text)  # Pat Quinn
    result = check_text(programme, text)
    clashes = [f for f in ours(result) if f[0] == "visit.clash"]
    pat = at(text, "visitors: [Pat Quinn", "Pat Quinn")
    kim = at(text, "Kim Doe")
    assert clashes == [("visit.clash", *pat, "error"), ("visit.clash", *kim, "error")]


def test_clash_silent_for_back_to_back_sessions(programme: Path) -> None:
    text = changed(
        '    - day: 1   # s4\n      start: "12:30"', '    - day: 1   # s4\n      start: "12:30"'
    )
    assert ours(check_text(programme, text)) == []


# ----------------------------------------------------------------------------- warnings


def test_feedback_and_dcs_to_dcs_missing(programme: Path) -> None:
    text = changed("kind: feedback", "kind: other")
    text = changed("kind: dcs_to_dcs", "kind: other", text)
    sessions = at(text, "  sessions:", "sessions")
    assert ours(check_text(programme, text)) == [
        ("visit.feedback", *sessions, "warning"),
        ("visit.dcs_to_dcs", *sessions, "warning"),
    ]


def test_feedback_on_day_one_is_not_on_the_last_day(programme: Path) -> None:
    text = changed("    - day: 2   # s7", "    - day: 1   # s7")
    text = changed(
        '      start: "10:00"\n      end: "11:00"', '      start: "15:00"\n      end: "16:00"', text
    )
    assert [f[0] for f in ours(check_text(programme, text))] == ["visit.feedback"]


def test_overprogrammed_no_pause_and_no_team_time(programme: Path) -> None:
    text = changed(
        "kind: team_time\n      title: Comparing notes", "kind: other\n      title: More"
    )
    result = check_text(programme, text)
    found = ours(result)
    assert found == [
        ("visit.overprogrammed", *at(text, "# s0", "day"), "warning"),  # under 60 min, day 1
        ("visit.overprogrammed", *at(text, "# s4", "day"), "warning"),  # 10:00-14:00 unbroken
    ]
    messages = [p["message"] for p in result.json()["problems"] if p["rule"] == found[0][0]]
    assert any("over 3 hours" in m and "Jo Rivers" in m for m in messages)
    assert any("under 60 minutes of `team_time` on day 1" in m for m in messages)


def test_overprogrammed_a_fifteen_minute_gap_is_a_pause(programme: Path) -> None:
    # Day 1 for Jo Rivers: 08:45-09:45 team time, then 10:00-11:30, "more" from 11:45
    # (or 11:40), 12:30-14:00 and 14:00-14:30 with no break or team time between.
    text = changed(
        'start: "09:00"\n      end: "09:45"\n      kind: briefing',
        'start: "08:45"\n      end: "09:45"\n      kind: team_time',
    )
    gap = changed(
        'start: "11:30"\n      end: "12:30"\n      kind: team_time',
        'start: "11:45"\n      end: "12:30"\n      kind: other',
        text,
    )
    assert ours(check_text(programme, gap)) == []
    no_gap = changed('start: "11:45"', 'start: "11:40"', gap)
    assert ours(check_text(programme, no_gap)) == [
        ("visit.overprogrammed", *at(no_gap, "# s4", "day"), "warning")
    ]


def test_evidence_fewer_than_three_kinds(programme: Path) -> None:
    text = changed("kind: focus_group", "kind: other")
    assert ours(check_text(programme, text)) == [
        ("visit.evidence", *at(text, "  sessions:", "sessions"), "warning")
    ]


def test_consent_missing_is_a_warning_from_seven_days_before(programme: Path) -> None:
    text = changed("consent: {needed: true, obtained: 2027-06-01}", "consent: {needed: true}")
    where = at(text, "consent: {needed: true}", "consent")
    assert ours(check_text(programme, text, NEAR)) == [("visit.consent", *where, "warning")]
    assert ours(check_text(programme, text, "2027-06-01")) == []  # eight days before
    free = changed("consent: {needed: true}", "consent: {needed: false}", text)
    assert ours(check_text(programme, free, NEAR)) == []


def test_consent_obtained_after_the_session_is_an_error(programme: Path) -> None:
    text = changed("obtained: 2027-06-01", "obtained: 2027-06-10")
    result = check_text(programme, text)
    assert ours(result) == [
        ("visit.consent", *at(text, "obtained: 2027-06-10", "obtained"), "error")
    ]
    assert result.exit_code == 1


def test_unplanned_logistics_done_and_no_sessions(programme: Path) -> None:
    text = CHALLENGE_YAML + "  logistics: 2027-05-01\n"
    where = at(text, "logistics:", "logistics")
    assert ours(check_text(programme, text, "2027-05-02")) == [
        ("visit.unplanned", *where, "warning")
    ]
    assert ours(check_text(programme, text, "2027-06-11")) == []  # fieldwork is over
    planned = changed("  dates: 2026-11-02\n", "  dates: 2026-11-02\n  logistics: 2027-05-01\n")
    assert ours(check_text(programme, planned, "2027-05-02")) == []


def test_reading_self_assessment_and_slim(programme: Path) -> None:
    text = changed("kind: self_assessment, pages: 60", "kind: background, pages: 61")
    text = changed(
        "  dates: 2026-11-02\n", "  dates: 2026-11-02\n  reading_pack: 2027-05-20\n", text
    )
    pack = at(text, "  pack:", "pack")
    assert ours(check_text(programme, text)) == [
        ("reading.self_assessment", *pack, "warning"),
        ("reading.slim", *pack, "warning"),
    ]


def test_reading_request_late(programme: Path) -> None:
    text = changed(", sent: 2027-06-02}", "}")  # asked Tue 1 June: due Thu 3 June
    where = at(text, "{what: Front-door audit", "{")
    assert ours(check_text(programme, text, "2027-06-03")) == []
    assert ours(check_text(programme, text, NEAR)) == [("reading.request", *where, "warning")]


def test_waivable_as_spec_section_4_says() -> None:
    waivable = {rule for rule in RULES if rule.startswith(OURS) and RULES[rule].waivable}
    assert waivable == {
        "visit.feedback",
        "visit.dcs_to_dcs",
        "visit.overprogrammed",
        "visit.evidence",
        "visit.unplanned",
        "reading.slim",
    }


def test_schema_bad_kind_visitors_and_day(programme: Path) -> None:
    text = changed("kind: briefing", "kind: lunch")
    text = changed("    - day: 2   # s6", "    - day: 0   # s6", text)
    text = changed("visitors: [Jo Rivers]", "visitors: Jo Rivers", text)
    result = check_text(programme, text)
    assert [(p["rule"], p["line"], p["column"]) for p in result.json()["problems"]] == [
        ("schema", *at(text, "kind: lunch", "kind")),
        ("schema", *at(text, "visitors: Jo Rivers", "visitors")),
        ("schema", *at(text, "day: 0", "day")),
    ]
    assert "write `all`, or a list of names" in result.json()["problems"][1]["message"]


# ----------------------------------------------------------------------------- pcplan visit


def test_visit_table_fits_80_columns_with_the_pairs_side_by_side(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").write_text(VISITED, encoding="utf-8")
    result = run("visit", "kent-2027-06", directory=programme)
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    side = [line for line in lines if "Lead member" in line]
    assert len(side) == 1 and "│" in side[0] and "Case file audit" in side[0]
    assert side[0].startswith("10:00–11:30")
    assert "Day 2: Thu 10 Jun 2027" in result.stdout


def test_visit_person_shows_one_visitors_days(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").write_text(VISITED, encoding="utf-8")
    result = run("visit", "kent-2027-06", "--person", "Lee Chen", directory=programme)
    assert "Case file audit" in result.stdout and "Lead member" not in result.stdout
    assert "Check-in" not in result.stdout and "Feedback" in result.stdout
    unknown = run("visit", "kent-2027-06", "--person", "Lee Chan", directory=programme)
    assert unknown.exit_code == 2 and "Lee Chen" in unknown.stderr


def test_visit_json_shape(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").write_text(VISITED, encoding="utf-8")
    data = run("visit", "kent-2027-06", "--format", "json", directory=programme).json()
    assert list(data) == ["id", "days"]
    assert [(d["day"], d["date"], len(d["sessions"])) for d in data["days"]] == [
        (1, "2027-06-09", 6),
        (2, "2027-06-10", 2),
    ]
    audit = data["days"][0]["sessions"][2]
    assert audit == {
        "start": "10:00",
        "end": "11:30",
        "kind": "work_seen",
        "title": "Case file audit",
        "visitors": ["Pat Quinn", "Lee Chen"],
        "with": [],
        "where": None,
        "consent": {"needed": True, "obtained": "2027-06-01"},
    }
    assert data["days"][0]["sessions"][0]["visitors"] == "all"


def test_visit_markdown_is_a_table_per_day(programme: Path) -> None:
    (programme / "kent-2027-06.yaml").write_text(VISITED, encoding="utf-8")
    text = run("visit", "kent-2027-06", "--format", "markdown", directory=programme).stdout
    assert text.count("| time | session | visitors | meeting | where |") == 2
    assert "| 10:00–11:30 (in parallel) | **Case file audit** (work seen) |" in text


@pytest.mark.parametrize(
    ("start", "utc_hour"),
    [
        ("2027-03-23", 9),  # GMT: the clocks go forward on Sun 28 March 2027
        ("2027-03-30", 8),  # BST
        ("2026-10-20", 8),  # BST: the clocks go back on Sun 25 October 2026
        ("2026-10-27", 9),  # GMT
    ],
)
def test_visit_ics_local_times_on_both_sides_of_the_clock_change(
    programme: Path, start: str, utc_hour: int
) -> None:
    from icalendar import Calendar

    first = datetime.fromisoformat(start)
    end = (first + timedelta(days=1)).date().isoformat()
    text = changed("  start: 2027-06-09\n  end: 2027-06-10", f"  start: {start}\n  end: {end}")
    (programme / "kent-2027-06.yaml").write_text(text, encoding="utf-8")
    result = run("visit", "kent-2027-06", "--format", "ics", directory=programme)
    assert result.exit_code == 0, result
    calendar = Calendar.from_ical(result.stdout)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = calendar.walk("VEVENT")
    assert len(events) == 8
    welcome = next(e for e in events if "Welcome" in str(e["SUMMARY"]))
    local = welcome.decoded("DTSTART")
    assert (local.hour, local.minute, str(local.tzinfo)) == (9, 0, "Europe/London")
    assert local.astimezone(UTC).hour == utc_hour
    assert str(welcome["UID"]) == "kent-2027-06/visit/1-09:00-1@pcplan"
    assert {str(e["TRANSP"]) for e in events} == {"OPAQUE"}
    assert "DTSTART;TZID=Europe/London:" + start.replace("-", "") + "T090000" in result.stdout


# ----------------------------------------------------------------------------- edits


ADD = ["--day", "2", "--start", "11:15", "--end", "12:00", "--kind", "interview"]


def test_add_a_session_changes_only_the_end_of_the_list(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    path.write_text(VISITED, encoding="utf-8")
    result = run(
        "visit", "kent-2027-06", "add", *ADD, "--title", "Chief executive",
        "--visitors", "Jo Rivers, Ash Brown", "--with", "chief executive", "--where", "Room 3",
        directory=programme,
    )  # fmt: skip
    assert result.exit_code == 0, result
    new = path.read_text(encoding="utf-8")
    assert new.startswith(VISITED[: VISITED.index("reading:")])
    assert (
        '    - day: 2\n      start: "11:15"\n      end: "12:00"\n      kind: interview\n'
        "      title: Chief executive\n      visitors: [Jo Rivers, Ash Brown]\n"
        "      with: [chief executive]\n      where: Room 3\nreading:\n"
    ) in new
    data = run("visit", "kent-2027-06", "--format", "json", directory=programme).json()
    assert [s["title"] for s in data["days"][1]["sessions"]][-1] == "Chief executive"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--title", "Clash", "--visitors", "Jo Rivers"], "cannot be in"),
        (["--title", "Stranger", "--visitors", "Kim Doe"], "not in the visiting team"),
        (["--title", "Late", "--day", "3"], "beyond the fieldwork"),
        (["--title", "Backwards", "--end", "11:00"], "before or when it starts"),
        (["--title", "Dotted", "--start", "9.30"], "HH:MM"),
        (["--title", "Lunch", "--kind", "lunch"], "--kind lunch"),
    ],
)
def test_add_refuses_a_bad_session_and_writes_nothing(
    programme: Path, extra: list[str], says: str
) -> None:
    path = programme / "kent-2027-06.yaml"
    path.write_text(VISITED, encoding="utf-8")
    before = path.read_bytes()
    args = [*ADD, *extra]
    if "Clash" in extra:
        args = ["--day", "1", "--start", "10:30", "--end", "11:00", "--kind", "interview", *extra]
    result = run("visit", "kent-2027-06", "add", *args, directory=programme)
    assert result.exit_code == 2, result
    assert says in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_add_to_a_file_without_a_visit_section_creates_it(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    result = run(
        "visit", "kent-2027-06", "add", *ADD, "--title", "Work seen", "--consent-needed",
        directory=programme,
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == CHALLENGE_YAML + (
        'visit:\n  sessions:\n    - day: 2\n      start: "11:15"\n      end: "12:00"\n'
        "      kind: interview\n      title: Work seen\n      visitors: all\n"
        "      consent: {needed: true}\n"
    )


def test_request_then_sent(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    path.write_text(VISITED, encoding="utf-8")
    asked = run(
        "visit", "kent-2027-06", "request", "MASH data", "--by", "Pat Quinn",
        "--asked", "2027-06-02", directory=programme,
    )  # fmt: skip
    assert asked.exit_code == 0, asked
    assert path.read_text(encoding="utf-8") == VISITED + (
        "    - {what: MASH data, by: Pat Quinn, asked: 2027-06-02}\n"
    )
    due = run("due", "--as-of", "2027-06-03", "--format", "json", directory=programme).json()
    assert {
        "id": "kent-2027-06",
        "step": "supplementary_reading",
        "title": "Supplementary reading: MASH data (asked by Pat Quinn)",
        "due": "2027-06-04",
        "status": "due_soon",
    } in due
    before = path.read_bytes()
    for bad in (["3"], ["Nothing like it"], ["2", "--on", "2027-06-01"]):
        refused = run("visit", "kent-2027-06", "sent", *bad, directory=programme)
        assert refused.exit_code == 2, refused
        assert path.read_bytes() == before
    sent = run(
        "visit", "kent-2027-06", "sent", "mash data", "--on", "2027-06-03", directory=programme
    )
    assert sent.exit_code == 0, sent
    assert path.read_text(encoding="utf-8").endswith(
        "    - {what: MASH data, by: Pat Quinn, asked: 2027-06-02, sent: 2027-06-03}\n"
    )


def test_open_requests_in_due_and_status(programme: Path) -> None:
    text = changed(", sent: 2027-06-02}", "}")
    (programme / "kent-2027-06.yaml").write_text(text, encoding="utf-8")

    def requests(as_of: str) -> list[str]:
        due = run("due", "--as-of", as_of, "--format", "json", directory=programme).json()
        return [i["status"] for i in due if i["title"].startswith("Supplementary reading:")]

    assert requests("2027-06-02") == ["due_soon"]
    assert requests(NEAR) == ["overdue"]
    assert requests("2027-06-11") == []  # fieldwork is over
    late = run("status", "--as-of", NEAR, "--format", "json", directory=programme).json()
    on_time = run("status", "--as-of", "2027-06-03", "--format", "json", directory=programme)
    assert late[0]["overdue"] == on_time.json()[0]["overdue"] + 1
    table = run("due", "--as-of", NEAR, directory=programme).stdout
    assert re.search(r"Supplementary reading: Front-door audit \(asked by Jo Rivers\)", table)


def test_calendar_person_includes_their_sessions(programme: Path) -> None:
    from icalendar import Calendar

    (programme / "kent-2027-06.yaml").write_text(VISITED, encoding="utf-8")
    result = run("calendar", "--person", "Lee Chen", directory=programme)
    events = Calendar.from_ical(result.stdout).walk("VEVENT")
    sessions = [e for e in events if "/visit/" in str(e["UID"])]
    assert [str(e["SUMMARY"]) for e in sessions] == [
        "kent-2027-06: Welcome from the host DCS",
        "kent-2027-06: Case file audit",
        "kent-2027-06: Comparing notes",
        "kent-2027-06: Social workers",
        "kent-2027-06: Day 1 reviewed",
        "kent-2027-06: Feedback",
    ]
    assert {str(e["TRANSP"]) for e in sessions} == {"OPAQUE"}


def test_request_into_a_reading_section_without_requests(programme: Path) -> None:
    path = programme / "kent-2027-06.yaml"
    text = CHALLENGE_YAML + "reading:\n  pack:\n    - {title: Summary, kind: self_assessment}\n"
    path.write_text(text, encoding="utf-8")
    result = run(
        "visit", "kent-2027-06", "request", "Audit", "--by", "Jo Rivers",
        "--asked", "2027-06-01", directory=programme,
    )  # fmt: skip
    assert result.exit_code == 0, result
    assert path.read_text(encoding="utf-8") == text + (
        "  requests:\n    - what: Audit\n      by: Jo Rivers\n      asked: 2027-06-01\n"
    )


def test_options_that_do_not_belong_are_refused(programme: Path) -> None:
    result = run("visit", "kent-2027-06", "--day", "1", directory=programme)
    assert result.exit_code == 2 and "--day" in result.stderr
    result = run("visit", "kent-2027-06", "sent", "1", "--by", "Jo", directory=programme)
    assert result.exit_code == 2 and "--by" in result.stderr
