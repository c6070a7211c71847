"""`pcplan schedule` (SPEC §3, §5): statuses either side of every boundary, the closed
windows note, week by week, and every output format, on inline data and on every
challenge of the example programme.

Unless a test says otherwise, the challenge has fieldwork Wednesday 9 – Thursday 10 June
2027, so (no due date here lands on a weekend or bank holiday):

    dates, scope          opens Wed 03 Feb 2027  due Wed 03 Mar 2027
    team, planning_discussion, project_manager
                          opens Wed 03 Mar 2027  due Wed 31 Mar 2027
    self_assessment       opens Wed 03 Mar 2027  due Wed 12 May 2027
    fieldwork             opens Wed 09 Jun 2027  due Thu 10 Jun 2027
    response_document     opens Thu 10 Jun 2027  due Thu 05 Aug 2027 (8 weeks, programme.yaml)
    impact_review/visit   open  Fri 10 Dec 2027
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar

from pcplan.cli import app
from tests.conftest import PROGRAMME_YAML, STEP_KEYS, Run, build_tree, run

EXAMPLES = Path(__file__).resolve().parents[1] / "challenges"
EXAMPLE_IDS = sorted(
    path.stem
    for path in EXAMPLES.rglob("*.y*ml")
    if path.name != "programme.yaml" and path.suffix in (".yaml", ".yml")
)
ANSI = re.compile(r"\x1b\[")


def challenge(start: str = "2027-06-09", end: str = "2027-06-10", more: str = "") -> str:
    """A minimal valid challenge file, kent-2027-07, with ``more`` YAML appended."""
    return (
        "id: kent-2027-07\n"
        "round: 10\n"
        "host:\n"
        "  authority: kent\n"
        "  dcs: Alex Morgan\n"
        "topic: Early help and the front door\n"
        "fieldwork:\n"
        f"  start: {start}\n"
        f"  end: {end}\n" + more
    )


def programme_with(
    tmp_path: Path, challenge_text: str, programme_yaml: str = PROGRAMME_YAML
) -> Path:
    return build_tree(
        tmp_path / "challenges",
        {"programme.yaml": programme_yaml, "kent-2027-07.yaml": challenge_text},
    )


def schedule(directory: Path, as_of: str, *options: str, challenge_id: str = "kent-2027-07") -> Run:
    """``pcplan --dir DIRECTORY schedule CHALLENGE_ID --as-of AS_OF OPTIONS…``"""
    return run("schedule", challenge_id, "--as-of", as_of, *options, directory=directory)


def schedule_json(directory: Path, as_of: str, *extra: str) -> dict:
    result = schedule(directory, as_of, "--format", "json", *extra)
    assert result.exit_code == 0, result
    assert result.stderr == ""
    return result.json()


def statuses(directory: Path, as_of: str) -> dict[str, str]:
    return {step["step"]: step["status"] for step in schedule_json(directory, as_of)["steps"]}


def step(directory: Path, as_of: str, key: str) -> dict:
    return next(s for s in schedule_json(directory, as_of)["steps"] if s["step"] == key)


# ------------------------------------------------------------------------------ statuses


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2027-02-02", "upcoming"),  # the day before it opens
        ("2027-02-03", "open"),  # the day it opens (F−18w)
        ("2027-02-24", "open"),  # 7 days before due: due − D = 7, not < 7
        ("2027-02-25", "due_soon"),  # 6 days before due
        ("2027-03-03", "due_soon"),  # the due day itself (F−14w)
        ("2027-03-04", "overdue"),  # the day after
        ("2027-06-10", "overdue"),  # still overdue on the last day of fieldwork
        ("2027-06-11", "unrecorded"),  # fieldwork is over: no longer chased
        ("2027-06-20", "unrecorded"),
    ],
)
def test_status_either_side_of_each_boundary(tmp_path: Path, as_of: str, expected: str) -> None:
    directory = programme_with(tmp_path, challenge())

    assert statuses(directory, as_of)["scope"] == expected


@pytest.mark.parametrize(
    ("flag", "expected"), [("", "open"), ("briefing_needed: false\n", "not_applicable")]
)
def test_briefing_applies_only_when_someone_is_new(
    tmp_path: Path, flag: str, expected: str
) -> None:
    """SPEC §3: step 7 is not_applicable when `briefing_needed: false`."""
    directory = programme_with(tmp_path, challenge(more=flag))
    assert statuses(directory, "2027-05-01")["briefing"] == expected


def test_after_fieldwork_unrecorded_steps_are_not_chased(tmp_path: Path) -> None:
    """SPEC §3: `status`'s next step and overdue count, and `due`, skip unrecorded steps."""
    directory = programme_with(tmp_path, challenge())
    steps = statuses(directory, "2027-06-20")
    assert {key for key, status in steps.items() if status == "unrecorded"} == set(
        STEP_KEYS[:11]  # steps 1-11
    )
    assert steps["fieldwork"] == "done"
    rows = run("status", "--as-of", "2027-06-20", "--format", "json", directory=directory)
    assert [(r["next_step"], r["overdue"]) for r in rows.json()] == [("response_document", 0)]
    due = run("due", "--as-of", "2027-06-20", "--format", "json", directory=directory).json()
    assert [item["step"] for item in due] == []


def test_due_soon_days_comes_from_programme_yaml(tmp_path: Path) -> None:
    assert PROGRAMME_YAML.endswith("settings:\n  response_document_weeks: 8\n")
    directory = programme_with(
        tmp_path, challenge(), programme_yaml=PROGRAMME_YAML + "  due_soon_days: 3\n"
    )

    assert statuses(directory, "2027-02-28")["scope"] == "open"  # 3 days before due
    assert statuses(directory, "2027-03-01")["scope"] == "due_soon"  # 2 days before due


def test_done_once_the_recorded_date_has_come(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="steps:\n  scope: 2027-02-10\n"))

    # A date recorded in the future counts as not done yet.
    assert statuses(directory, "2027-02-09")["scope"] == "open"
    assert statuses(directory, "2027-02-10")["scope"] == "done"
    assert statuses(directory, "2027-03-20")["scope"] == "done"
    assert step(directory, "2027-03-20", "scope")["done"] == "2027-02-10"


def test_done_late_is_overdue_until_the_day_it_was_done(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="steps:\n  scope: 2027-03-10\n"))

    assert statuses(directory, "2027-03-09")["scope"] == "overdue"
    assert statuses(directory, "2027-03-10")["scope"] == "done"


def test_done_before_the_window_opens_is_done(tmp_path: Path) -> None:
    # "earlier is fine, never flagged" (scope), and the same for dates.
    directory = programme_with(
        tmp_path, challenge(more="steps:\n  dates: 2026-11-02\n  scope: 2026-11-10\n")
    )

    assert statuses(directory, "2026-11-01")["dates"] == "upcoming"
    got = statuses(directory, "2026-11-10")
    assert (got["dates"], got["scope"]) == ("done", "done")


def test_fieldwork_is_done_once_the_day_after_its_end_comes(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    assert statuses(directory, "2027-06-08")["fieldwork"] == "upcoming"
    # On the fieldwork days the rule "opens ≤ D ≤ due and due − D < 7" gives due_soon.
    assert statuses(directory, "2027-06-09")["fieldwork"] == "due_soon"
    assert statuses(directory, "2027-06-10")["fieldwork"] == "due_soon"
    assert statuses(directory, "2027-06-11")["fieldwork"] == "done"


@pytest.mark.parametrize(
    ("review", "impact_review", "impact_visit"),
    [
        ("", "not_applicable", "not_applicable"),
        ("review:\n  opted_in: false\n", "not_applicable", "not_applicable"),
        (
            "review:\n  opted_in: false\n  visit: {requested: true}\n",
            "not_applicable",
            "not_applicable",
        ),
        ("review:\n  opted_in: true\n", "open", "not_applicable"),
        ("review:\n  opted_in: true\n  visit: {requested: false}\n", "open", "not_applicable"),
        ("review:\n  opted_in: true\n  visit: {requested: true}\n", "open", "open"),
    ],
)
def test_review_steps_apply_only_when_opted_in(
    tmp_path: Path, review: str, impact_review: str, impact_visit: str
) -> None:
    directory = programme_with(tmp_path, challenge(more=review))

    got = statuses(directory, "2027-12-10")
    assert (got["impact_review"], got["impact_visit"]) == (impact_review, impact_visit)
    assert got["response_document"] == "overdue"  # the rest is unaffected


def test_a_recorded_review_date_does_not_make_the_step_apply(tmp_path: Path) -> None:
    directory = programme_with(
        tmp_path,
        challenge(more="steps:\n  impact_review: 2027-12-15\n  impact_visit: 2028-01-20\n"),
    )

    got = statuses(directory, "2028-02-01")
    assert (got["impact_review"], got["impact_visit"]) == ("not_applicable", "not_applicable")


def test_impact_review_opens_six_months_after_fieldwork_end(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="review:\n  opted_in: true\n"))

    assert statuses(directory, "2027-12-09")["impact_review"] == "upcoming"
    assert statuses(directory, "2027-12-10")["impact_review"] == "open"
    assert statuses(directory, "2029-01-01")["impact_review"] == "open"  # no due date, ever
    entry = step(directory, "2027-12-10", "impact_review")
    assert (entry["opens"], entry["due"]) == ("2027-12-10", None)


def test_impact_visit_opens_six_months_after_end_while_the_review_is_not_done(
    tmp_path: Path,
) -> None:
    directory = programme_with(
        tmp_path, challenge(more="review:\n  opted_in: true\n  visit: {requested: true}\n")
    )

    assert step(directory, "2027-12-09", "impact_visit")["opens"] == "2027-12-10"
    assert statuses(directory, "2027-12-09")["impact_visit"] == "upcoming"
    assert statuses(directory, "2027-12-10")["impact_visit"] == "open"


def test_impact_visit_opens_on_the_review_done_date_when_that_is_later(tmp_path: Path) -> None:
    directory = programme_with(
        tmp_path,
        challenge(
            more=(
                "steps:\n  impact_review: 2028-01-15\n"
                "review:\n  opted_in: true\n  visit: {requested: true}\n"
            )
        ),
    )

    entry = step(directory, "2028-01-20", "impact_visit")
    assert (entry["opens"], entry["due"], entry["status"]) == ("2028-01-15", None, "open")
    assert statuses(directory, "2028-01-20")["impact_review"] == "done"


def test_impact_visit_opens_six_months_after_end_when_the_review_was_done_that_day(
    tmp_path: Path,
) -> None:
    directory = programme_with(
        tmp_path,
        challenge(
            more=(
                "steps:\n  impact_review: 2027-12-10\n"
                "review:\n  opted_in: true\n  visit: {requested: true}\n"
            )
        ),
    )

    entry = step(directory, "2027-12-10", "impact_visit")
    assert (entry["opens"], entry["status"]) == ("2027-12-10", "open")


def test_impact_visit_done(tmp_path: Path) -> None:
    directory = programme_with(
        tmp_path,
        challenge(
            more=(
                "steps:\n  impact_review: 2028-01-15\n  impact_visit: 2028-02-10\n"
                "review:\n  opted_in: true\n  visit: {requested: true, hours: 4}\n"
            )
        ),
    )

    assert statuses(directory, "2028-02-09")["impact_visit"] == "open"
    assert statuses(directory, "2028-02-10")["impact_visit"] == "done"


def test_response_document_due_after_the_weeks_set_in_programme_yaml(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())  # response_document_weeks: 8

    entry = step(directory, "2027-06-10", "response_document")
    assert (entry["opens"], entry["due"], entry["status"]) == ("2027-06-10", "2027-08-05", "open")
    assert statuses(directory, "2027-06-09")["response_document"] == "upcoming"
    assert statuses(directory, "2027-07-29")["response_document"] == "open"  # 7 days before
    assert statuses(directory, "2027-07-30")["response_document"] == "due_soon"
    assert statuses(directory, "2027-08-05")["response_document"] == "due_soon"
    assert statuses(directory, "2027-08-06")["response_document"] == "overdue"


def test_response_document_has_no_due_date_without_the_setting(tmp_path: Path) -> None:
    without = PROGRAMME_YAML.replace("  response_document_weeks: 8\n", "")
    assert "response_document_weeks" not in without
    directory = programme_with(tmp_path, challenge(), programme_yaml=without)

    entry = step(directory, "2027-06-10", "response_document")
    assert (entry["opens"], entry["due"], entry["status"]) == ("2027-06-10", None, "open")
    assert statuses(directory, "2027-06-09")["response_document"] == "upcoming"
    assert statuses(directory, "2030-01-01")["response_document"] == "open"  # never overdue


# ------------------------------------------------------------------------ closed windows


def test_fieldwork_nine_weeks_away_says_steps_1_to_5_had_closed(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    # Wed 7 April 2027 is 9 weeks before fieldwork on Wed 9 June 2027.
    for fmt in ("table", "markdown"):
        result = schedule(directory, "2027-04-07", "--format", fmt)
        assert result.exit_code == 0, result
        text = " ".join(result.stdout.split())
        assert "closed" in text, fmt
        assert "steps 1–5" in text, fmt
        for key in ("dates", "scope", "team", "planning_discussion", "project_manager"):
            assert key in text, (fmt, key)
        closing = text[text.index("steps 1–5") :]
        assert "self_assessment" not in closing.split(".")[0], "step 6 is still open"


def test_on_the_day_steps_3_to_5_are_due_only_steps_1_and_2_had_closed(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    # Wed 31 March 2027 is F−10w, the due day of steps 3–5: their windows are still open.
    result = schedule(directory, "2027-03-31")

    assert result.exit_code == 0, result
    text = " ".join(result.stdout.split())
    assert "closed" in text
    assert "steps 1–2" in text or "steps 1, 2" in text
    assert "steps 1–5" not in text


def test_no_closed_windows_note_when_there_is_time(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    result = schedule(directory, "2027-01-15")

    assert result.exit_code == 0, result
    assert "closed" not in result.stdout


# ---------------------------------------------------------------------------- JSON


def test_json_has_exactly_the_keys_of_the_spec(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="steps:\n  dates: 2027-02-05\n"))

    payload = schedule_json(directory, "2027-03-01")

    assert set(payload) == {"id", "fieldwork", "as_of", "steps"}
    assert payload["id"] == "kent-2027-07"
    assert payload["fieldwork"] == {"start": "2027-06-09", "end": "2027-06-10"}
    assert payload["as_of"] == "2027-03-01"
    assert [s["step"] for s in payload["steps"]] == list(STEP_KEYS)
    for entry in payload["steps"]:
        assert set(entry) == {"step", "title", "who", "where", "opens", "due", "done", "status"}
    first = payload["steps"][0]
    assert first["where"] in ("", None)  # SPEC §3 leaves it blank
    assert {key: value for key, value in first.items() if key != "where"} == {
        "step": "dates",
        "title": "Choice of dates",
        "who": "Host and visiting DCS",
        "opens": "2027-02-03",
        "due": "2027-03-03",
        "done": "2027-02-05",
        "status": "done",
    }
    assert payload["steps"][1]["done"] is None
    assert payload["steps"][2]["where"] == "email and phone"


# SPEC §3's table: step, title, who, where.
SPEC_STEPS = [
    ("dates", "Choice of dates", "Host and visiting DCS", ""),
    ("scope", "Choice of self-assessment scope", "Host DCS", ""),
    (
        "team",
        "Visiting team of 3 identified, matched to scope",
        "Programme manager and other DCSs",
        "email and phone",
    ),
    (
        "planning_discussion",
        "Planning discussion(s)",
        "Host and visiting DCS",
        "phone, or the margin of another meeting",
    ),
    ("project_manager", "Host project manager identified", "Host DCS", ""),
    ("self_assessment", "Self-assessment conducted", "Host DCS and team", ""),
    (
        "briefing",
        "Briefing/training for those new to peer challenge",
        "Programme manager",
        "by arrangement",
    ),
    ("logistics", "Detailed timings, overnight accommodation etc.", "Host project manager", ""),
    ("reading_pack", "High-level reading pack sent", "Host DCS and project manager", "email"),
    (
        "pre_meeting",
        "Visiting team pre-meeting",
        "Visiting DCS and team",
        "venue or phone, chosen by visiting DCS",
    ),
    (
        "supplementary_reading",
        "Supplementary reading as requested",
        "Host project manager",
        "email",
    ),
    ("fieldwork", "Fieldwork (48 hours)", "All", "host council"),
    ("response_document", "Response document", "Host DCS", ""),
    ("impact_review", "Review-of-impact document submitted", "Host DCS", ""),
    ("impact_visit", "Review of impact visit, if requested", "Visiting DCS", "host council"),
]
TITLES = {key: title for key, title, _, _ in SPEC_STEPS}


def test_json_titles_owners_and_places_are_those_of_the_spec(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    payload = schedule_json(directory, "2027-03-01")

    got = [(s["step"], s["title"], s["who"], s["where"] or "") for s in payload["steps"]]
    assert got == SPEC_STEPS


def test_json_weeks_run_monday_by_monday_from_f_minus_18w_to_the_last_due_date(
    tmp_path: Path,
) -> None:
    directory = programme_with(
        tmp_path, challenge(more="steps:\n  dates: 2027-02-05\n  scope: 2027-03-02\n")
    )

    payload = schedule_json(directory, "2027-03-01", "--weeks")

    assert set(payload) == {"id", "fieldwork", "as_of", "steps", "weeks"}
    weeks = payload["weeks"]
    for week in weeks:
        assert set(week) == {"week_commencing", "label", "opens", "due", "done"}
    mondays = [date.fromisoformat(week["week_commencing"]) for week in weeks]
    assert all(monday.weekday() == 0 for monday in mondays)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(mondays))
    # F−18w is Wed 3 Feb 2027; the last due date is the response document's, Thu 5 Aug 2027.
    assert (weeks[0]["week_commencing"], weeks[-1]["week_commencing"]) == (
        "2027-02-01",
        "2027-08-02",
    )
    assert len(weeks) == 27
    assert len({week["label"] for week in weeks}) == 27

    by_monday = {week["week_commencing"]: week for week in weeks}
    first = by_monday["2027-02-01"]
    assert first["label"] == "T\u221218w"
    assert (set(first["opens"]), first["due"], first["done"]) == ({"dates", "scope"}, [], ["dates"])
    f14 = by_monday["2027-03-01"]
    assert f14["label"] == "T\u221214w"
    assert set(f14["opens"]) == {
        "team",
        "planning_discussion",
        "project_manager",
        "self_assessment",
    }
    assert set(f14["due"]) == {"dates", "scope"}
    assert f14["done"] == ["scope"]
    assert set(by_monday["2027-03-29"]["due"]) == {"team", "planning_discussion", "project_manager"}
    assert set(by_monday["2027-05-10"]["due"]) == {"self_assessment", "logistics"}
    fieldwork_week = by_monday["2027-06-07"]
    assert set(fieldwork_week["opens"]) == {"fieldwork", "response_document"}
    assert set(fieldwork_week["due"]) == {"pre_meeting", "supplementary_reading", "fieldwork"}
    assert by_monday["2027-08-02"]["due"] == ["response_document"]
    # Every step's due date falls in exactly one week.
    all_due = [key for week in weeks for key in week["due"]]
    assert sorted(all_due) == sorted(STEP_KEYS[:13])


def test_weeks_end_with_fieldwork_when_nothing_is_due_after_it(tmp_path: Path) -> None:
    without = PROGRAMME_YAML.replace("  response_document_weeks: 8\n", "")
    directory = programme_with(tmp_path, challenge(), programme_yaml=without)

    weeks = schedule_json(directory, "2027-03-01", "--weeks")["weeks"]

    assert (weeks[0]["week_commencing"], weeks[-1]["week_commencing"]) == (
        "2027-02-01",
        "2027-06-07",
    )


def test_weeks_show_a_moved_due_date_in_the_week_it_moved_to(tmp_path: Path) -> None:
    # Fieldwork Mon 5 July 2027: F−14w is Easter Monday 29 March → due Thu 25 March.
    directory = programme_with(tmp_path, challenge("2027-07-05", "2027-07-06"))

    weeks = schedule_json(directory, "2027-03-01", "--weeks")["weeks"]

    by_monday = {week["week_commencing"]: week for week in weeks}
    assert weeks[0]["week_commencing"] == "2027-03-01"  # F−18w is itself a Monday
    assert weeks[0]["label"] == "T\u221218w"
    assert set(by_monday["2027-03-22"]["due"]) == {"dates", "scope"}
    assert {"dates", "scope"}.isdisjoint(by_monday["2027-03-29"]["due"])


# ---------------------------------------------------------------------------- ICS


def events_of(ics: str) -> dict[str, dict]:
    calendar = Calendar.from_ical(ics)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
        }
        for event in calendar.walk("VEVENT")
    }


def test_ics_has_fieldwork_and_every_step_with_a_date(tmp_path: Path) -> None:
    directory = programme_with(
        tmp_path,
        challenge(more="review:\n  opted_in: true\n  visit: {requested: true}\n"),
    )

    result = schedule(directory, "2027-03-01", "--format", "ics")

    assert result.exit_code == 0, result
    events = events_of(result.stdout)
    assert set(events) == {f"kent-2027-07/{key}@pcplan" for key in STEP_KEYS}
    fieldwork = events["kent-2027-07/fieldwork@pcplan"]
    assert fieldwork == {
        "summary": "kent-2027-07: Fieldwork (48 hours)",
        "start": date(2027, 6, 9),
        "end": date(2027, 6, 11),  # DTEND is exclusive: the event covers 9 and 10 June
    }
    assert events["kent-2027-07/dates@pcplan"] == {
        "summary": "kent-2027-07: Choice of dates",
        "start": date(2027, 3, 3),
        "end": date(2027, 3, 4),
    }
    assert events["kent-2027-07/response_document@pcplan"]["start"] == date(2027, 8, 5)
    assert events["kent-2027-07/impact_review@pcplan"]["start"] == date(2027, 12, 10)
    for uid, event in events.items():
        # All-day events: dates, not date-times.
        assert not isinstance(event["start"], datetime), uid
        assert not isinstance(event["end"], datetime), uid
        assert event["end"] > event["start"], uid
        step_key = uid.split("/")[1].split("@")[0]
        assert event["summary"] == f"kent-2027-07: {TITLES[step_key]}"


def test_ics_leaves_out_steps_that_do_not_apply(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())  # no review

    result = schedule(directory, "2027-03-01", "--format", "ics")

    uids = set(events_of(result.stdout))
    assert "kent-2027-07/fieldwork@pcplan" in uids
    assert "kent-2027-07/impact_review@pcplan" not in uids
    assert "kent-2027-07/impact_visit@pcplan" not in uids


def test_ics_uses_the_moved_due_date(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge("2027-07-05", "2027-07-06"))

    result = schedule(directory, "2027-03-01", "--format", "ics")

    events = events_of(result.stdout)
    assert events["kent-2027-07/dates@pcplan"]["start"] == date(2027, 3, 25)
    assert events["kent-2027-07/fieldwork@pcplan"]["start"] == date(2027, 7, 5)


def test_ics_is_the_same_twice_apart_from_dtstamp(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="review:\n  opted_in: true\n"))

    def ics() -> str:
        result = schedule(directory, "2027-03-01", "--format", "ics")
        assert result.exit_code == 0, result
        return result.stdout

    first, second = ics(), ics()
    assert [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")] == [
        str(e["UID"]) for e in Calendar.from_ical(second).walk("VEVENT")
    ]

    def without_stamp(text: str) -> str:
        return re.sub(r"^DTSTAMP:[^\r\n]*\r?\n", "", text, flags=re.MULTILINE)

    assert "DTSTAMP" in first
    assert without_stamp(first) == without_stamp(second)


# ------------------------------------------------------------------- CSV and Markdown


def test_csv_has_one_header_row_and_one_row_per_step(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge(more="steps:\n  dates: 2027-02-05\n"))

    result = schedule(directory, "2027-03-01", "--format", "csv")

    assert result.exit_code == 0, result
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) == 16
    header, *body = rows
    assert {"step", "opens", "due", "done", "status"} <= set(header)
    records = [dict(zip(header, row, strict=True)) for row in body]
    assert [record["step"] for record in records] == list(STEP_KEYS)
    dates = records[0]
    assert (dates["opens"], dates["due"], dates["done"], dates["status"]) == (
        "2027-02-03",
        "2027-03-03",
        "2027-02-05",
        "done",
    )
    # A title with a comma survives the round trip.
    logistics = records[7]
    assert "Detailed timings, overnight accommodation etc." in logistics.values()


def test_markdown_is_a_table_with_a_row_per_step(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    result = schedule(directory, "2027-03-01", "--format", "markdown")

    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    table = [line for line in lines if line.startswith("|")]
    assert re.fullmatch(r"\|( ?:?-{3,}:? ?\|)+", table[1]), table[1]
    header_cells = table[0].count("|")
    assert all(line.count("|") == header_cells for line in table)
    assert len(table) == 2 + 15
    for key, line in zip(STEP_KEYS, table[2:], strict=True):
        assert key in line
    assert not ANSI.search(result.stdout)


# ----------------------------------------------------------------------- the table


def test_table_lists_all_steps_with_readable_dates(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    result = schedule(directory, "2027-02-26")

    assert result.exit_code == 0, result
    assert result.stderr == ""
    for key in STEP_KEYS:
        assert key in result.stdout
    scope_row = row_of(result.stdout, "scope")
    assert "03 Feb 2027" in scope_row or "3 Feb 2027" in scope_row
    assert "03 Mar 2027" in scope_row or "3 Mar 2027" in scope_row
    assert "due soon" in scope_row or "due_soon" in scope_row
    assert "09 Jun 2027" in result.stdout or "9 Jun 2027" in result.stdout
    assert not ANSI.search(result.stdout)


def test_table_is_plain_with_no_color_even_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = programme_with(tmp_path, challenge())
    monkeypatch.setenv("NO_COLOR", "1")

    output = run_on_a_terminal(
        monkeypatch, "--dir", directory, "schedule", "kent-2027-07", "--as-of", "2027-03-26"
    )

    assert "OVERDUE" in output or "overdue" in output
    assert not ANSI.search(output), "NO_COLOR: plain text, no escape codes (not even bold)"


def test_table_has_no_colour_codes_with_no_color_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = programme_with(tmp_path, challenge())
    monkeypatch.setenv("NO_COLOR", "1")

    output = run_on_a_terminal(
        monkeypatch, "--dir", directory, "schedule", "kent-2027-07", "--as-of", "2027-03-26"
    )

    for line in output.splitlines():
        for colour in ("31", "33", "91", "93", "38"):  # red, yellow, bright, 256/true colour
            assert not has_sgr(line, colour), line


def test_table_colours_overdue_red_and_due_soon_yellow_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = programme_with(tmp_path, challenge())

    # 26 March 2027: dates and scope (due 3 March) are overdue; team, planning_discussion
    # and project_manager (due 31 March) are due soon; self_assessment is open.
    output = run_on_a_terminal(
        monkeypatch, "--dir", directory, "schedule", "kent-2027-07", "--as-of", "2027-03-26"
    )

    rows = {key: row_of(output, key) for key in ("dates", "team", "self_assessment")}
    assert has_sgr(rows["dates"], "31"), rows["dates"]  # red
    assert has_sgr(rows["team"], "33"), rows["team"]  # yellow
    assert not has_sgr(rows["self_assessment"], "31")
    assert not has_sgr(rows["self_assessment"], "33")


def test_table_on_an_80_column_terminal_still_shows_every_date_and_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = programme_with(tmp_path, challenge())

    output = run_on_a_terminal(
        monkeypatch,
        "--dir",
        directory,
        "schedule",
        "kent-2027-07",
        "--as-of",
        "2027-03-26",
        columns=80,
    )

    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    assert all(len(line) <= 80 for line in plain.splitlines()), plain
    text = " ".join(plain.split())
    for day in ("03 Feb 2027", "03 Mar 2027", "31 Mar 2027", "12 May 2027", "26 May 2027"):
        assert day in text or day.lstrip("0") in text, day  # opens and due dates
    for word in ("upcoming", "open", "n/a"):
        assert word in text, word
    assert "OVERDUE" in text or "overdue" in text
    assert "due soon" in text or "due_soon" in text


def run_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, *argv: str | Path, columns: int = 200
) -> str:
    """Run the real CLI with stdout a (fake) terminal, as when a person types the command."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, original = Terminal(), sys.stdout
    monkeypatch.setattr(sys, "stdout", terminal)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", str(columns))
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    try:
        app([str(arg) for arg in argv], standalone_mode=False)
    finally:
        monkeypatch.setattr(sys, "stdout", original)
    return terminal.getvalue()


def row_of(output: str, key: str) -> str:
    """The table row of a step: the line starting with its number and key."""
    row = re.compile(rf"\s*\d+\s+{key}\s")
    return next(
        line for line in output.splitlines() if row.match(re.sub(r"\x1b\[[0-9;]*m", "", line))
    )


def has_sgr(line: str, colour: str) -> bool:
    """Does ``line`` contain an ANSI SGR sequence that sets this colour (31 red, 33 yellow)?"""
    return any(colour in codes.split(";") for codes in re.findall(r"\x1b\[([0-9;]*)m", line))


# -------------------------------------------------------------- the example programme


@pytest.mark.parametrize("challenge_id", EXAMPLE_IDS)
def test_every_example_challenge_schedules_in_every_format(challenge_id: str) -> None:
    assert len(EXAMPLE_IDS) >= 10
    as_of = "2026-11-25"
    outputs = {}
    for options in (
        [],
        ["--weeks"],
        ["--format", "markdown"],
        ["--format", "markdown", "--weeks"],
        ["--format", "csv"],
        ["--format", "json"],
        ["--format", "json", "--weeks"],
        ["--format", "ics"],
    ):
        result = run("schedule", challenge_id, "--as-of", as_of, *options, directory=EXAMPLES)
        assert result.exit_code == 0, (options, result)
        assert result.stderr == "", options
        assert not ANSI.search(result.stdout), options
        outputs[" ".join(options)] = result.stdout

    table = outputs[""]
    assert challenge_id in table
    for key in STEP_KEYS:
        assert re.search(rf"^\s*\d+\s+{key}\s", table, re.MULTILINE), key
    assert "T\u2212" in outputs["--weeks"]  # week labels such as T−14w
    markdown = [line for line in outputs["--format markdown"].splitlines() if line.startswith("|")]
    assert len(markdown) == 2 + 15
    assert len(list(csv.reader(io.StringIO(outputs["--format csv"])))) == 1 + 15
    payload = json.loads(outputs["--format json"])
    assert (payload["id"], payload["as_of"]) == (challenge_id, as_of)
    assert [s["step"] for s in payload["steps"]] == list(STEP_KEYS)
    assert "weeks" not in payload
    assert json.loads(outputs["--format json --weeks"])["weeks"]
    calendar = Calendar.from_ical(outputs["--format ics"])
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"{challenge_id}/fieldwork@pcplan" in uids
    assert f"{challenge_id}/dates@pcplan" in uids


def test_a_challenge_can_be_named_by_its_path(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())
    path = str(directory / "kent-2027-07.yaml")

    by_id = schedule(directory, "2027-03-01", "--format", "json")
    by_path = schedule(directory, "2027-03-01", "--format", "json", challenge_id=path)

    assert by_path.exit_code == 0, by_path
    assert by_path.json() == by_id.json()


# ---------------------------------------------------------------------------- errors


def test_unknown_id_is_exit_2_with_one_line(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    result = run("schedule", "kent-2099-01", directory=directory)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "kent-2099-01" in result.stderr


def test_unknown_path_is_exit_2(tmp_path: Path) -> None:
    directory = programme_with(tmp_path, challenge())

    result = run("schedule", tmp_path / "nowhere.yaml", directory=directory)

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("as_of", ["2027-02-30", "2027-6-1", "27-06-01", "tomorrow", ""])
def test_a_bad_as_of_is_exit_2(tmp_path: Path, as_of: str) -> None:
    directory = programme_with(tmp_path, challenge())

    result = schedule(directory, as_of)

    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert "--as-of" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_programme_directory_is_exit_2(tmp_path: Path) -> None:
    result = run("schedule", "kent-2027-07", directory=tmp_path / "absent")

    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "broken",
    [
        challenge(more="steps: [\n"),  # YAML syntax
        challenge(start="2027-02-30", end="2027-03-01"),  # an impossible date
        challenge(more="colour: blue\n"),  # an unknown key
        challenge().replace("topic: Early help and the front door\n", ""),  # a required key
        challenge(more="steps:\n  scope: 2027-03-02T10:00\n"),  # a date-time
    ],
)
def test_a_broken_challenge_file_is_exit_1_without_a_traceback(tmp_path: Path, broken: str) -> None:
    directory = programme_with(tmp_path, broken)

    result = schedule(directory, "2027-03-01")

    assert result.exit_code == 1, result
    assert result.stdout == ""
    assert "kent-2027-07.yaml" in result.stderr
    assert "Traceback" not in result.stderr
