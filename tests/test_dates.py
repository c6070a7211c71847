"""Dates in a schedule (SPEC §3): windows, due dates moved off weekends and England and
Wales bank holidays, and six-month review dates at the end of a month.

Every expected date here is written out by hand from a calendar, and the bank holidays
are cross-checked against the ``holidays`` package itself.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import holidays
import pytest

from pcplan.dates import BankHolidays, WorkingDays, add_months, add_weeks, week_commencing
from pcplan.models import Challenge, Settings, validate_challenge
from pcplan.schedule import Schedule, compute_schedule
from tests.conftest import PROGRAMME_YAML, build_tree, run

D = date.fromisoformat


def schedule_of(
    start: str,
    end: str,
    *,
    steps: dict[str, str] | None = None,
    review: dict[str, Any] | None = None,
    as_of: str = "2026-01-01",
    response_document_weeks: int | None = 8,
) -> Schedule:
    """The schedule of a minimal valid challenge with the given fieldwork dates."""
    challenge = validate_challenge(
        {
            "id": "kent-2027-07",
            "round": 10,
            "host": {"authority": "kent", "dcs": "Alex Morgan"},
            "topic": "Early help and the front door",
            "fieldwork": {"start": start, "end": end},
            "steps": steps or {},
            "review": review or {},
        }
    )
    assert isinstance(challenge, Challenge), challenge
    settings = Settings(response_document_weeks=response_document_weeks)
    return compute_schedule(challenge, settings, D(as_of))


def dues(schedule: Schedule) -> dict[str, str | None]:
    return {e.key: e.due.isoformat() if e.due else None for e in schedule.steps}


def opens(schedule: Schedule) -> dict[str, str | None]:
    return {e.key: e.opens.isoformat() if e.opens else None for e in schedule.steps}


# --------------------------------------------------------------------------- Easter


def test_easter_example_from_the_spec_moves_to_the_thursday_before_good_friday() -> None:
    # Fieldwork Monday 5 July 2027: F−14w is Easter Monday 29 March 2027; Good Friday
    # 26 March is a bank holiday too, so the due date is Thursday 25 March.
    schedule = schedule_of("2027-07-05", "2027-07-06")

    assert dues(schedule)["dates"] == "2027-03-25"
    assert dues(schedule)["scope"] == "2027-03-25"
    # The windows still open on F−18w, and nothing else is disturbed.
    assert opens(schedule)["dates"] == "2027-03-01"
    assert opens(schedule)["scope"] == "2027-03-01"
    assert dues(schedule)["team"] == "2027-04-26"  # F−10w, a normal Monday


def test_easter_example_through_the_cli(tmp_path: Path) -> None:
    directory = build_tree(
        tmp_path / "challenges",
        {
            "programme.yaml": PROGRAMME_YAML,
            "kent-2027-07.yaml": (
                "id: kent-2027-07\n"
                "round: 10\n"
                "host: {authority: kent, dcs: Alex Morgan}\n"
                "topic: Early help and the front door\n"
                "fieldwork: {start: 2027-07-05, end: 2027-07-06}\n"
            ),
        },
    )

    result = run(
        "schedule", "kent-2027-07", "--as-of", "2027-03-01", "--format", "json", directory=directory
    )

    assert result.exit_code == 0, result
    steps = {step["step"]: step for step in result.json()["steps"]}
    assert (steps["dates"]["opens"], steps["dates"]["due"]) == ("2027-03-01", "2027-03-25")
    assert (steps["fieldwork"]["opens"], steps["fieldwork"]["due"]) == ("2027-07-05", "2027-07-06")

    table = run("schedule", "kent-2027-07", "--as-of", "2027-03-01", directory=directory)
    assert table.exit_code == 0, table
    dates_row = next(line for line in table.stdout.splitlines() if " dates " in line)
    assert "Thu 25 Mar 2027" in dates_row


def test_status_follows_the_moved_due_date() -> None:
    """Overdue from the day after the moved date (Good Friday), not after Easter Monday."""
    fieldwork = ("2027-07-05", "2027-07-06")

    assert schedule_of(*fieldwork, as_of="2027-03-25")["dates"].status == "due_soon"
    assert schedule_of(*fieldwork, as_of="2027-03-26")["dates"].status == "overdue"
    assert schedule_of(*fieldwork, as_of="2027-03-29")["dates"].status == "overdue"


def test_an_opening_date_on_a_bank_holiday_stays_put() -> None:
    # Fieldwork Monday 2 August 2027: F−18w is Easter Monday 29 March 2027.
    schedule = schedule_of("2027-08-02", "2027-08-03")

    assert opens(schedule)["dates"] == "2027-03-29"
    assert opens(schedule)["scope"] == "2027-03-29"
    assert dues(schedule)["dates"] == "2027-04-26"


# ------------------------------------------------------------------ weekends, fieldwork


def test_weekend_fieldwork_due_dates_move_to_friday_but_fieldwork_does_not() -> None:
    # Fieldwork Saturday 12 – Sunday 13 June 2027 (unusual, but it happens).
    schedule = schedule_of("2027-06-12", "2027-06-13")

    # Due on fieldwork start (Saturday) → Friday 11 June.
    assert dues(schedule)["pre_meeting"] == "2027-06-11"
    assert dues(schedule)["supplementary_reading"] == "2027-06-11"
    # F−2w, F−4w, F−14w are Saturdays too → the Fridays before.
    assert dues(schedule)["reading_pack"] == "2027-05-28"
    assert dues(schedule)["logistics"] == "2027-05-14"
    assert dues(schedule)["dates"] == "2027-03-05"
    # Response document: end (Sunday) + 8 weeks = Sunday 8 August → Friday 6 August.
    assert dues(schedule)["response_document"] == "2027-08-06"
    # Fieldwork itself and every opening date stay where they fall.
    assert (opens(schedule)["fieldwork"], dues(schedule)["fieldwork"]) == (
        "2027-06-12",
        "2027-06-13",
    )
    assert opens(schedule)["dates"] == "2027-02-06"  # a Saturday
    assert opens(schedule)["pre_meeting"] == "2027-05-29"  # a Saturday
    assert opens(schedule)["response_document"] == "2027-06-13"  # a Sunday


def test_fieldwork_on_a_bank_holiday_is_not_moved_but_steps_due_that_day_are() -> None:
    # Monday 30 August 2027 is the late summer bank holiday.
    schedule = schedule_of("2027-08-30", "2027-08-31")

    assert (opens(schedule)["fieldwork"], dues(schedule)["fieldwork"]) == (
        "2027-08-30",
        "2027-08-31",
    )
    assert dues(schedule)["pre_meeting"] == "2027-08-27"
    assert dues(schedule)["supplementary_reading"] == "2027-08-27"


def test_due_dates_on_working_days_do_not_move() -> None:
    # Fieldwork Wednesday 9 June 2027: no due date near a weekend or bank holiday.
    schedule = schedule_of("2027-06-09", "2027-06-10")

    assert dues(schedule) == {
        "dates": "2027-03-03",
        "scope": "2027-03-03",
        "team": "2027-03-31",
        "planning_discussion": "2027-03-31",
        "project_manager": "2027-03-31",
        "self_assessment": "2027-05-12",
        "briefing": "2027-05-26",
        "logistics": "2027-05-12",
        "reading_pack": "2027-05-26",
        "pre_meeting": "2027-06-09",
        "supplementary_reading": "2027-06-09",
        "fieldwork": "2027-06-10",
        "response_document": "2027-08-05",
        "impact_review": None,
        "impact_visit": None,
    }
    review = schedule_of("2027-06-09", "2027-06-10", review={"opted_in": True})
    assert opens(review) == {
        "dates": "2027-02-03",
        "scope": "2027-02-03",
        "team": "2027-03-03",
        "planning_discussion": "2027-03-03",
        "project_manager": "2027-03-03",
        "self_assessment": "2027-03-03",
        "briefing": "2027-04-14",
        "logistics": "2027-04-14",
        "reading_pack": "2027-05-12",
        "pre_meeting": "2027-05-26",
        "supplementary_reading": "2027-06-02",
        "fieldwork": "2027-06-09",
        "response_document": "2027-06-10",
        "impact_review": "2027-12-10",
        "impact_visit": None,
    }


# -------------------------------------------------------------------------- Christmas


@pytest.mark.parametrize(
    ("start", "steps", "expected", "why"),
    [
        ("2026-01-08", ("briefing", "reading_pack"), "2025-12-24", "F−2w Thu 25 Dec 2025"),
        ("2026-01-09", ("briefing", "reading_pack"), "2025-12-24", "F−2w Fri 26 Dec 2025"),
        (
            "2027-01-11",
            ("briefing", "reading_pack"),
            "2026-12-24",
            "F−2w Mon 28 Dec 2026, Boxing Day (observed), after Fri 25 Dec",
        ),
        ("2027-01-15", ("briefing", "reading_pack"), "2026-12-31", "F−2w Fri 1 Jan 2027"),
        (
            "2028-01-10",
            ("briefing", "reading_pack"),
            "2027-12-24",
            "F−2w Mon 27 Dec 2027, Christmas Day (observed)",
        ),
        (
            "2028-01-11",
            ("briefing", "reading_pack"),
            "2027-12-24",
            "F−2w Tue 28 Dec 2027, Boxing Day (observed)",
        ),
        (
            "2028-01-24",
            ("self_assessment", "logistics"),
            "2027-12-24",
            "F−4w Mon 27 Dec 2027, Christmas Day (observed)",
        ),
        (
            "2028-01-31",
            ("self_assessment", "logistics"),
            "2027-12-31",
            "F−4w Mon 3 Jan 2028, New Year's Day (observed)",
        ),
        (
            "2027-03-08",
            ("team", "planning_discussion", "project_manager"),
            "2026-12-24",
            "F−10w Mon 28 Dec 2026",
        ),
        ("2027-04-05", ("dates", "scope"), "2026-12-24", "F−14w Mon 28 Dec 2026"),
        (
            "2028-01-12",
            ("briefing", "reading_pack"),
            "2027-12-29",
            "F−2w Wed 29 Dec 2027 is a working day between the holidays",
        ),
        (
            "2027-01-06",
            ("briefing", "reading_pack"),
            "2026-12-23",
            "F−2w Wed 23 Dec 2026 is a working day",
        ),
    ],
)
def test_due_dates_around_christmas_and_new_year(
    start: str, steps: tuple[str, ...], expected: str, why: str
) -> None:
    end = (D(start) + timedelta(days=1)).isoformat()
    schedule = schedule_of(start, end)

    assert {key: dues(schedule)[key] for key in steps} == dict.fromkeys(steps, expected), why


def test_response_document_due_on_christmas_observed_moves_to_christmas_eve() -> None:
    # Fieldwork ending Monday 1 November 2027: + 8 weeks = Monday 27 December 2027.
    schedule = schedule_of("2027-10-29", "2027-11-01")

    assert dues(schedule)["response_document"] == "2027-12-24"
    assert opens(schedule)["response_document"] == "2027-11-01"


def test_substitute_bank_holidays_are_known() -> None:
    bank_holidays = BankHolidays(use_cache=False)

    for day in ("2026-12-28", "2027-12-27", "2027-12-28", "2028-01-03", "2027-03-26"):
        assert D(day) in bank_holidays, day
    for day in ("2026-12-24", "2026-12-29", "2027-12-29", "2027-12-31", "2028-01-04"):
        assert D(day) not in bank_holidays, day


# ----------------------------------------------------------------- month-end arithmetic


@pytest.mark.parametrize(
    ("end", "review_opens"),
    [
        ("2026-08-31", "2027-02-28"),  # 31 Aug + 6 months → end of a 28-day February
        ("2027-08-31", "2028-02-29"),  # … and of a leap-year February
        ("2027-03-31", "2027-09-30"),  # 31 Mar + 6 months → 30 Sep
        ("2027-06-10", "2027-12-10"),
    ],
)
def test_impact_review_opens_six_calendar_months_after_fieldwork_end(
    end: str, review_opens: str
) -> None:
    start = (D(end) - timedelta(days=1)).isoformat()
    schedule = schedule_of(start, end, review={"opted_in": True, "visit": {"requested": True}})

    assert opens(schedule)["impact_review"] == review_opens
    assert opens(schedule)["impact_visit"] == review_opens
    # A weekend opening date (28 Feb 2027 is a Sunday) is not moved.
    assert dues(schedule)["impact_review"] is None
    assert dues(schedule)["impact_visit"] is None


def test_week_and_month_helpers() -> None:
    assert add_months(D("2026-08-31"), 6) == D("2027-02-28")
    assert add_months(D("2027-08-31"), 6) == D("2028-02-29")
    assert add_weeks(D("2027-07-05"), -14) == D("2027-03-29")
    assert add_weeks(D("2027-06-09"), -18) == D("2027-02-03")
    assert week_commencing(D("2027-06-09")) == D("2027-06-07")  # Wednesday → Monday
    assert week_commencing(D("2027-06-13")) == D("2027-06-07")  # Sunday → the Monday before
    assert week_commencing(D("2027-06-07")) == D("2027-06-07")


# ---------------------------------------------------- cross-check with `holidays` itself

# Weeks from fieldwork start (steps 1–11) or end (step 13, with 8 weeks set).
DUE_WEEKS_FROM_START = {
    "dates": -14,
    "scope": -14,
    "team": -10,
    "planning_discussion": -10,
    "project_manager": -10,
    "self_assessment": -4,
    "briefing": -2,
    "logistics": -4,
    "reading_pack": -2,
    "pre_meeting": 0,
    "supplementary_reading": 0,
}
OPENS_WEEKS_FROM_START = {
    "dates": -18,
    "scope": -18,
    "team": -14,
    "planning_discussion": -14,
    "project_manager": -14,
    "self_assessment": -14,
    "briefing": -8,
    "logistics": -8,
    "reading_pack": -4,
    "pre_meeting": -2,
    "supplementary_reading": -1,
}


def test_every_moved_due_date_is_the_last_working_day_per_the_holidays_package() -> None:
    """For every fieldwork start from mid 2025 to 2029, every due date of steps 1–11 and 13
    is the latest England and Wales working day on or before its nominal date."""
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2031))

    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in bank_holidays

    def expected_due(nominal: date) -> date:
        while not working(nominal):
            nominal -= timedelta(days=1)
        return nominal

    moved = 0
    start = D("2025-06-02")
    while start <= D("2029-12-31"):
        end = start + timedelta(days=1)
        schedule = schedule_of(start.isoformat(), end.isoformat())
        for key, weeks in DUE_WEEKS_FROM_START.items():
            nominal = start + timedelta(weeks=weeks)
            entry = schedule[key]
            assert entry.due == expected_due(nominal), (start, key)
            assert working(entry.due), (start, key)
            assert entry.opens == start + timedelta(weeks=OPENS_WEEKS_FROM_START[key])
            moved += entry.due != nominal
        nominal = end + timedelta(weeks=8)
        assert schedule["response_document"].due == expected_due(nominal), start
        assert schedule["response_document"].opens == end
        assert (schedule["fieldwork"].opens, schedule["fieldwork"].due) == (start, end)
        start += timedelta(days=1)
    assert moved > 1000  # weekends and holidays were really exercised


def test_bank_holidays_match_the_holidays_package_every_day_2020_to_2035(
    tmp_path: Path,
) -> None:
    expected = set(holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2036)))
    days = [
        D("2020-01-01") + timedelta(days=n) for n in range((D("2036-01-01") - D("2020-01-01")).days)
    ]

    fresh = BankHolidays(cache_dir=tmp_path)
    assert {day for day in days if day in fresh} == expected
    # A second run reads the cache the first one wrote, and agrees.
    assert any(tmp_path.iterdir())
    cached = BankHolidays(cache_dir=tmp_path)
    assert {day for day in days if day in cached} == expected


def test_a_damaged_bank_holiday_cache_is_ignored(tmp_path: Path) -> None:
    assert D("2027-03-29") in BankHolidays(cache_dir=tmp_path)  # computes and writes the cache
    files = [path for path in tmp_path.iterdir() if path.is_file()]
    assert files
    for path in files:
        path.write_text('{"2027": [["2027-03-30", "Not a holiday"]], "x": 1', encoding="utf-8")

    calendar = WorkingDays(BankHolidays(cache_dir=tmp_path))
    assert calendar.on_or_before(D("2027-03-29")) == D("2027-03-25")
    assert calendar.is_working_day(D("2027-03-30"))
