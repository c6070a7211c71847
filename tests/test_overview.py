"""`status`, `due`, `timebank` and `calendar` (SPEC §3, §5) pinned on a small programme.

Six challenges, one in every phase, as of Wed 25 Nov 2026 (``AS_OF``). Every date
below was worked out by hand from SPEC §3 (windows relative to fieldwork start F, due
dates of steps 1–11 and 13 on a weekend or England bank holiday moved to the previous
working day) and checked against a calendar, not read off pcplan:

======================  =====  =========================  ==========================
challenge               round  fieldwork                  as of 2026-11-25
======================  =====  =========================  ==========================
reading-2026-01         7      Tue 20 – Wed 21 Jan 2026   closed (no review)
slough-2026-03          8      Tue 17 – Wed 18 Mar 2026   review: impact_visit open
medway-2026-07          9      Fri 3 – Mon 6 Jul 2026     response overdue: due
                                                          6 Jul + 8w = Mon 31 Aug
                                                          (Summer bank holiday)
                                                          → Fri 28 Aug
surrey-2026-11          9      Tue 24 – Wed 25 Nov 2026   fieldwork; step 11 overdue
kent-2027-02            10     Wed 24 – Thu 25 Feb 2027   planning; team due 16 Dec
hampshire-2027-07       11     Mon 5 – Tue 6 Jul 2027     planning; dates due F−14w =
                                                          Easter Monday 29 Mar 2027
                                                          → Thu 25 Mar (Good Friday)
======================  =====  =========================  ==========================
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.conftest import AS_OF, STEP_KEYS, build_tree, run

EXAMPLE = Path(__file__).resolve().parents[1] / "challenges"

PRE_FIELDWORK = STEP_KEYS[:11]  # steps 1-11

PROGRAMME = """\
name: Overview test programme
programme_manager: Morgan Ellis
authorities:
  hampshire: Hampshire County Council
  kent: Kent County Council
  medway: Medway Council
  oxfordshire: Oxfordshire County Council
  portsmouth: Portsmouth City Council
  reading: Reading Borough Council
  slough: Slough Borough Council
  surrey: Surrey County Council
people:
  - name: Alex Morgan
    authority: kent
    role: dcs
  - name: Jo Rivers
    authority: surrey
    role: dcs
  - name: Hamish Delacourt
    authority: medway
    role: dcs
  - name: Aaliyah Pembury
    authority: slough
    role: dcs
  - name: Tobias Wrenfield
    authority: reading
    role: dcs
  - name: Nadia Fairweather
    authority: hampshire
    role: dcs
  - name: Lorcan Whitlow
    authority: oxfordshire
    role: dcs
  - name: Pat Quinn
    authority: medway
    role: assistant_director
  - name: Greta Halvorsen
    authority: reading
    role: assistant_director
  - name: Corinne Maddox
    authority: surrey
    role: assistant_director
  - name: Stellan Brightwater
    authority: oxfordshire
    role: assistant_director
  - name: Lee Chen
    authority: slough
    role: team_leader
  - name: Idris Penrose
    authority: slough
    role: team_leader
  - name: Poppy Arkwright
    authority: kent
    role: team_leader
  - name: Rhiannon Teague
    authority: hampshire
    role: team_leader
  - name: Ash Brown
    authority: reading
    role: practitioner
  - name: Joss Pemberton
    authority: reading
    role: practitioner
  - name: Niamh Corrigan-Pryce
    authority: oxfordshire
    role: practitioner
  - name: Martin Oduya
    authority: reading
    role: team_leader
  - name: Zainab Fenwick
    authority: medway
    role: team_leader
  - name: Rowan Tredinnick
    authority: surrey
    role: team_leader
  - name: Winifred Achterberg
    authority: kent
    role: partner
settings:
  response_document_weeks: 8
"""


def _member(name: str, authority: str, role: str, status: str, lead: bool = False) -> str:
    lines = [f"  - name: {name}", f"    authority: {authority}", f"    role: {role}"]
    if lead:
        lines.append("    lead: true")
    lines.append(f"    status: {status}")
    return "\n".join(lines) + "\n"


def _steps(done: dict[str, str]) -> str:
    return "steps:\n" + "".join(f"  {key}: {day}\n" for key, day in done.items())


def _all(day: str, keys: tuple[str, ...] = PRE_FIELDWORK) -> dict[str, str]:
    return dict.fromkeys(keys, day)


def _challenge(
    cid: str,
    rnd: int,
    host: str,
    dcs: str,
    pm: str | None,
    start: str,
    end: str,
    team: str,
    done: dict[str, str],
    extra: str = "",
) -> str:
    text = (
        f"id: {cid}\nround: {rnd}\nhost:\n  authority: {host}\n  dcs: {dcs}\n"
        + (f"  project_manager: {pm}\n" if pm else "")
        + f"topic: Topic of {cid}\nfieldwork:\n  start: {start}\n  end: {end}\n"
        + ("visiting_team:\n" + team if team else "")
        + (_steps(done) if done else "")
        + extra
    )
    return text


READING = _challenge(
    "reading-2026-01",
    7,
    "reading",
    "Tobias Wrenfield",
    "Martin Oduya",
    "2026-01-20",
    "2026-01-21",
    _member("Jo Rivers", "surrey", "dcs", "confirmed", lead=True)
    + _member("Pat Quinn", "medway", "assistant_director", "confirmed")
    + _member("Lee Chen", "slough", "team_leader", "confirmed")
    + _member("Poppy Arkwright", "kent", "team_leader", "confirmed"),
    {**_all("2026-01-13"), "response_document": "2026-03-10"},
)

SLOUGH = _challenge(
    "slough-2026-03",
    8,
    "slough",
    "Aaliyah Pembury",
    "Idris Penrose",
    "2026-03-17",
    "2026-03-18",
    _member("Hamish Delacourt", "medway", "dcs", "confirmed", lead=True)
    + _member("Greta Halvorsen", "reading", "assistant_director", "confirmed")
    + _member("Poppy Arkwright", "kent", "team_leader", "confirmed")
    + _member("Rhiannon Teague", "hampshire", "team_leader", "confirmed"),
    {**_all("2026-03-10"), "response_document": "2026-04-30", "impact_review": "2026-10-01"},
    "review:\n  opted_in: true\n  contents: [original_scope, self_assessment_findings,"
    " peer_commentary, response_document, progress_review, impact_evidence]\n"
    "  visit:\n    requested: true\n    hours: 4\n    one_to_one: true\n",
)

MEDWAY = _challenge(
    "medway-2026-07",
    9,
    "medway",
    "Hamish Delacourt",
    "Zainab Fenwick",
    "2026-07-03",
    "2026-07-06",
    _member("Lorcan Whitlow", "oxfordshire", "dcs", "confirmed", lead=True)
    + _member("Corinne Maddox", "surrey", "assistant_director", "confirmed")
    + _member("Idris Penrose", "slough", "team_leader", "confirmed")
    + _member("Ash Brown", "reading", "practitioner", "confirmed"),
    _all("2026-06-26"),
)

SURREY = _challenge(
    "surrey-2026-11",
    9,
    "surrey",
    "Jo Rivers",
    "Rowan Tredinnick",
    "2026-11-24",
    "2026-11-25",
    _member("Nadia Fairweather", "hampshire", "dcs", "confirmed", lead=True)
    + _member("Stellan Brightwater", "oxfordshire", "assistant_director", "confirmed")
    + _member("Lee Chen", "slough", "team_leader", "confirmed")
    + _member("Joss Pemberton", "reading", "practitioner", "confirmed")
    + _member("Winifred Achterberg", "kent", "partner", "confirmed"),
    _all("2026-11-09", PRE_FIELDWORK[:-1]),  # supplementary_reading not recorded
    "feedback:\n  audience: [senior management team]\n  format: oral presentation\n"
    "  agreed_on: 2026-11-02\n"
    "escalation:\n  host_contact: Jo Rivers\n  visiting_contact: Nadia Fairweather\n",
)

KENT = _challenge(
    "kent-2027-02",
    10,
    "kent",
    "Alex Morgan",
    None,
    "2027-02-24",
    "2027-02-25",
    _member("Lorcan Whitlow", "oxfordshire", "dcs", "declined", lead=True)
    + _member("Jo Rivers", "surrey", "dcs", "confirmed", lead=True)
    + _member("Pat Quinn", "medway", "assistant_director", "declined")
    + _member("Greta Halvorsen", "reading", "assistant_director", "nominated")
    + _member("Rhiannon Teague", "hampshire", "team_leader", "nominated")
    + _member("Niamh Corrigan-Pryce", "oxfordshire", "practitioner", "nominated"),
    {"dates": "2026-10-28", "scope": "2026-11-02"},
)

# A team of three core members (team.size) with one practitioner (team.practitioners), still
# being built (step `team` not recorded): two warnings; and consent to the lead recorded as
# given by the project manager rather than the host DCS (team.lead, ¶19): one error. The
# partner is extra to the core team and never counts in the time-bank (SPEC §2).
HAMPSHIRE = _challenge(
    "hampshire-2027-07",
    11,
    "hampshire",
    "Nadia Fairweather",
    None,
    "2027-07-05",
    "2027-07-06",
    _member("Hamish Delacourt", "medway", "dcs", "confirmed", lead=True)
    + _member("Corinne Maddox", "surrey", "assistant_director", "nominated")
    + _member("Ash Brown", "reading", "practitioner", "nominated")
    + _member("Winifred Achterberg", "kent", "partner", "nominated"),
    {},
    "lead_consent:\n  given_by: Rhiannon Teague\n  date: 2026-11-01\n",
)

FILES = {
    "programme.yaml": PROGRAMME,
    "round-07/reading-2026-01.yaml": READING,
    "round-08/slough-2026-03.yaml": SLOUGH,
    "round-09/medway-2026-07.yaml": MEDWAY,
    "round-09/surrey-2026-11.yaml": SURREY,
    "kent-2027-02.yaml": KENT,
    "future/hampshire-2027-07.yml": HAMPSHIRE,
}

ORDER = [
    "reading-2026-01",
    "slough-2026-03",
    "medway-2026-07",
    "surrey-2026-11",
    "kent-2027-02",
    "hampshire-2027-07",
]


@pytest.fixture
def progdir(tmp_path: Path) -> Path:
    return build_tree(tmp_path / "challenges", FILES)


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result
    assert "Traceback" not in result.stderr, result
    return result


# ----------------------------------------------------------------------------- status

STATUS = [
    {
        "id": "reading-2026-01",
        "host": "reading",
        "round": 7,
        "fieldwork": {"start": "2026-01-20", "end": "2026-01-21"},
        "phase": "closed",
        "next_step": None,
        "next_due": None,
        "overdue": 0,
        "team_confirmed": 4,
        "errors": 0,
        "warnings": 0,
    },
    {
        "id": "slough-2026-03",
        "host": "slough",
        "round": 8,
        "fieldwork": {"start": "2026-03-17", "end": "2026-03-18"},
        "phase": "review",
        "next_step": "impact_visit",
        "next_due": None,
        "overdue": 0,
        "team_confirmed": 4,
        "errors": 0,
        "warnings": 0,
    },
    {
        "id": "medway-2026-07",
        "host": "medway",
        "round": 9,
        "fieldwork": {"start": "2026-07-03", "end": "2026-07-06"},
        "phase": "response",
        "next_step": "response_document",
        "next_due": "2026-08-28",
        "overdue": 1,
        "team_confirmed": 4,
        "errors": 0,
        "warnings": 2,  # steps.overdue, fieldwork.length (Friday to Monday)
    },
    {
        "id": "surrey-2026-11",
        "host": "surrey",
        "round": 9,
        "fieldwork": {"start": "2026-11-24", "end": "2026-11-25"},
        "phase": "fieldwork",
        "next_step": "supplementary_reading",
        "next_due": "2026-11-24",
        "overdue": 1,
        "team_confirmed": 4,
        "errors": 0,
        "warnings": 2,  # steps.overdue, and visit.unplanned: logistics done, no timetable
    },
    {
        "id": "kent-2027-02",
        "host": "kent",
        "round": 10,
        "fieldwork": {"start": "2027-02-24", "end": "2027-02-25"},
        "phase": "planning",
        "next_step": "team",
        "next_due": "2026-12-16",
        "overdue": 0,
        "team_confirmed": 1,
        "errors": 0,
        "warnings": 0,
    },
    {
        "id": "hampshire-2027-07",
        "host": "hampshire",
        "round": 11,
        "fieldwork": {"start": "2027-07-05", "end": "2027-07-06"},
        "phase": "planning",
        "next_step": "dates",
        "next_due": "2027-03-25",
        "overdue": 0,
        "team_confirmed": 1,
        "errors": 1,
        "warnings": 2,
    },
]


def test_status_json_is_pinned(progdir: Path) -> None:
    result = _ok(run("status", "--as-of", AS_OF, "--format", "json", directory=progdir))
    assert result.json() == STATUS
    assert result.stderr == ""


@pytest.mark.parametrize("command", ["status", "due", "timebank"])
def test_overviews_name_only_the_file_they_cannot_read(progdir: Path, command: str) -> None:
    (progdir / "broken.yaml").write_text("id: [\n", encoding="utf-8")
    result = _ok(run(command, "--as-of", AS_OF, "--format", "json", directory=progdir))
    assert result.stderr.count("broken.yaml") == 1
    assert "left out 1 file that cannot be read" in result.stderr
    if command == "status":
        assert [row["id"] for row in result.json()] == [row["id"] for row in STATUS]


@pytest.mark.parametrize(
    ("round_number", "ids"),
    [
        ("9", ["medway-2026-07", "surrey-2026-11"]),
        ("7", ["reading-2026-01"]),
        ("11", ["hampshire-2027-07"]),
        ("12", []),
    ],
)
def test_status_round_filters(progdir: Path, round_number: str, ids: list[str]) -> None:
    result = _ok(
        run(
            "status",
            "--as-of",
            AS_OF,
            "--round",
            round_number,
            "--format",
            "json",
            directory=progdir,
        )
    )
    assert result.json() == [row for row in STATUS if row["id"] in ids]


@pytest.mark.parametrize(
    ("as_of", "phases"),
    [
        # surrey: the day before fieldwork, its first and last day, the day after
        ("2026-11-23", {"surrey-2026-11": "planning"}),
        ("2026-11-24", {"surrey-2026-11": "fieldwork"}),
        ("2026-11-26", {"surrey-2026-11": "response", "medway-2026-07": "response"}),
        # slough: response document recorded 30 Apr, impact review 1 Oct
        ("2026-04-29", {"slough-2026-03": "response", "reading-2026-01": "closed"}),
        ("2026-04-30", {"slough-2026-03": "review"}),
        ("2026-09-30", {"slough-2026-03": "review"}),
        # medway: fieldwork Friday to Monday; the weekend in between is still fieldwork
        ("2026-07-04", {"medway-2026-07": "fieldwork", "slough-2026-03": "review"}),
        ("2026-07-06", {"medway-2026-07": "fieldwork"}),
        ("2026-07-07", {"medway-2026-07": "response"}),
    ],
)
def test_status_phase_boundaries(progdir: Path, as_of: str, phases: dict[str, str]) -> None:
    rows = _ok(run("status", "--as-of", as_of, "--format", "json", directory=progdir)).json()
    got = {row["id"]: row["phase"] for row in rows}
    for cid, expected in phases.items():
        assert got[cid] == expected, (cid, as_of)


def test_status_next_step_before_impact_review_is_done(progdir: Path) -> None:
    rows = _ok(run("status", "--as-of", "2026-09-30", "--format", "json", directory=progdir))
    slough = next(row for row in rows.json() if row["id"] == "slough-2026-03")
    assert (slough["next_step"], slough["next_due"], slough["overdue"]) == (
        "impact_review",
        None,
        0,
    )


def test_status_closed_once_the_impact_visit_is_recorded(tmp_path: Path) -> None:
    done = SLOUGH.replace(
        "  impact_review: 2026-10-01\n", "  impact_review: 2026-10-01\n  impact_visit: 2026-10-20\n"
    )
    assert done != SLOUGH
    directory = build_tree(
        tmp_path / "c", {"programme.yaml": PROGRAMME, "slough-2026-03.yaml": done}
    )
    rows = _ok(run("status", "--as-of", AS_OF, "--format", "json", directory=directory)).json()
    assert [(r["id"], r["phase"], r["next_step"]) for r in rows] == [
        ("slough-2026-03", "closed", None)
    ]


# ----------------------------------------------------------------------------- due

OVERDUE_AND_SOON = [
    {
        "id": "medway-2026-07",
        "step": "response_document",
        "title": "Response document",
        "due": "2026-08-28",
        "status": "overdue",
    },
    {
        "id": "surrey-2026-11",
        "step": "supplementary_reading",
        "title": "Supplementary reading as requested",
        "due": "2026-11-24",
        "status": "overdue",
    },
    {
        "id": "surrey-2026-11",
        "step": "fieldwork",
        "title": "Fieldwork (48 hours)",
        "due": "2026-11-25",
        "status": "due_soon",
    },
]
KENT_TEAM_WINDOW = [
    {
        "id": "kent-2027-02",
        "step": key,
        "title": title,
        "due": "2026-12-16",
        "status": "open",
    }
    for key, title in (
        ("team", "Visiting team of 3 identified, matched to scope"),
        ("planning_discussion", "Planning discussion(s)"),
        ("project_manager", "Host project manager identified"),
    )
]
SURREY_RESPONSE = [
    {
        "id": "surrey-2026-11",
        "step": "response_document",
        "title": "Response document",
        "due": "2027-01-20",
        "status": "open",
    }
]


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        (None, OVERDUE_AND_SOON),  # default 14d: up to Wed 9 Dec 2026
        ("14d", OVERDUE_AND_SOON),
        ("3w", OVERDUE_AND_SOON + KENT_TEAM_WINDOW),  # up to Wed 16 Dec, inclusive
        ("20d", OVERDUE_AND_SOON),  # up to Tue 15 Dec: one day short of kent's steps
        # up to Mon 25 Jan 2027: kent's self_assessment (Wed 27 Jan) is just outside
        ("2m", OVERDUE_AND_SOON + KENT_TEAM_WINDOW + SURREY_RESPONSE),
    ],
)
def test_due_json_is_pinned(progdir: Path, within: str | None, expected: list[Any]) -> None:
    args = ["due", "--as-of", AS_OF, "--format", "json"]
    if within is not None:
        args += ["--within", within]
    result = _ok(run(*args, directory=progdir))
    assert result.json() == expected
    assert result.stderr == ""


def test_due_leaves_out_done_and_not_applicable_steps(progdir: Path) -> None:
    # Over ten years everything with a due date is listed, except what is done or n/a.
    items = _ok(
        run("due", "--as-of", AS_OF, "--within", "120m", "--format", "json", directory=progdir)
    ).json()
    listed = {(item["id"], item["step"]) for item in items}
    assert ("kent-2027-02", "dates") not in listed  # done
    assert ("kent-2027-02", "scope") not in listed  # done
    assert not any(cid in ("reading-2026-01", "slough-2026-03") for cid, _ in listed)
    assert not any(step in ("impact_review", "impact_visit") for _, step in listed)
    assert {step for cid, step in listed if cid == "hampshire-2027-07"} == {
        *PRE_FIELDWORK,
        "fieldwork",
        "response_document",
    }
    dues = [item["due"] for item in items]
    assert dues == sorted(dues)
    hampshire = {i["step"]: i["due"] for i in items if i["id"] == "hampshire-2027-07"}
    assert hampshire["dates"] == hampshire["scope"] == "2027-03-25"  # Easter Monday moved


@pytest.mark.parametrize("period", ["2x", "14", "w", "3 weeks", "1.5w", "d14", ""])
def test_due_rejects_a_bad_period(progdir: Path, period: str) -> None:
    result = run("due", "--as-of", AS_OF, "--within", period, directory=progdir)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


def test_due_table_lists_the_ids_by_date(progdir: Path) -> None:
    out = _ok(run("due", "--as-of", AS_OF, "--within", "3w", directory=progdir)).stdout
    positions = [
        out.index("medway-2026-07"),
        out.index("surrey-2026-11"),
        out.index("kent-2027-02"),
    ]
    assert positions == sorted(positions)
    for key in ("response_document", "supplementary_reading", "fieldwork", "team"):
        assert key in out
    # grouped by week: three weeks here (24 Aug, 23 Nov, 14 Dec)
    assert sum("week" in line.lower() for line in out.splitlines()) >= 3


# ----------------------------------------------------------------------------- time-bank

TIMEBANK = {
    # hosted, led (lead not declined), members (non-lead, not declined, never partners, SPEC §2)
    "hampshire": {"hosted": 1, "led": 1, "members": 2, "balance": 2},
    "kent": {"hosted": 1, "led": 0, "members": 2, "balance": 1},
    "medway": {"hosted": 1, "led": 2, "members": 1, "balance": 2},
    "oxfordshire": {"hosted": 0, "led": 1, "members": 2, "balance": 3},
    "portsmouth": {"hosted": 0, "led": 0, "members": 0, "balance": 0},
    "reading": {"hosted": 1, "led": 0, "members": 5, "balance": 4},
    "slough": {"hosted": 1, "led": 0, "members": 3, "balance": 2},
    "surrey": {"hosted": 1, "led": 2, "members": 2, "balance": 3},
}


def test_timebank_json_is_pinned(progdir: Path) -> None:
    result = _ok(run("timebank", "--format", "json", directory=progdir))
    assert result.json() == TIMEBANK
    assert result.stderr == ""


def test_timebank_table_shows_every_authority(progdir: Path) -> None:
    out = _ok(run("timebank", directory=progdir)).stdout
    for name in ("Kent County Council", "Portsmouth City Council", "Reading Borough Council"):
        assert name in out
    reading = next(line for line in out.splitlines() if "Reading Borough Council" in line)
    assert reading.split()[-4:] == ["1", "0", "5", "+4"]


# ----------------------------------------------------------------------------- calendar


def _events(ics: str | bytes) -> dict[str, tuple[date, date, str]]:
    """UID -> (first day, day after the last, summary); all-day events only."""
    calendar = Calendar.from_ical(ics)
    events: dict[str, tuple[date, date, str]] = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        if "/visit/" in uid:  # visit sessions are timed events (tests/test_visit.py)
            continue
        assert uid not in events, f"duplicate UID {uid}"
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        for day in (start, end):
            assert isinstance(day, date) and not isinstance(day, datetime), (uid, day)
        events[uid] = (start, end, str(event["SUMMARY"]))
    return events


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _expected_events(cid: str, title_dates: dict[str, str]) -> dict[str, tuple[date, date]]:
    return {
        f"{cid}/{key}@pcplan": (_d(day), _d(day) + timedelta(days=1))
        for key, day in title_dates.items()
    }


KENT_EVENTS = {
    **_expected_events(
        "kent-2027-02",
        {
            "dates": "2026-11-18",
            "scope": "2026-11-18",
            "team": "2026-12-16",
            "planning_discussion": "2026-12-16",
            "project_manager": "2026-12-16",
            "self_assessment": "2027-01-27",
            "briefing": "2027-02-10",
            "logistics": "2027-01-27",
            "reading_pack": "2027-02-10",
            "pre_meeting": "2027-02-24",
            "supplementary_reading": "2027-02-24",
            "response_document": "2027-04-22",
        },
    ),
    "kent-2027-02/fieldwork@pcplan": (_d("2027-02-24"), _d("2027-02-26")),
}
HAMPSHIRE_EVENTS = {
    **_expected_events(
        "hampshire-2027-07",
        {
            "dates": "2027-03-25",  # F−14w is Easter Monday; Good Friday before it
            "scope": "2027-03-25",
            "team": "2027-04-26",
            "planning_discussion": "2027-04-26",
            "project_manager": "2027-04-26",
            "self_assessment": "2027-06-07",
            "briefing": "2027-06-21",
            "logistics": "2027-06-07",
            "reading_pack": "2027-06-21",
            "pre_meeting": "2027-07-05",
            "supplementary_reading": "2027-07-05",
            "response_document": "2027-08-31",  # Tue; Summer bank holiday is Mon 30 Aug
        },
    ),
    "hampshire-2027-07/fieldwork@pcplan": (_d("2027-07-05"), _d("2027-07-07")),
}
STEP_UIDS = {*PRE_FIELDWORK, "fieldwork", "response_document"}


def _uids(cid: str, review: bool = False) -> set[str]:
    keys = STEP_UIDS | ({"impact_review", "impact_visit"} if review else set())
    return {f"{cid}/{key}@pcplan" for key in keys}


ALL_UIDS = set().union(*(_uids(cid, review=cid == "slough-2026-03") for cid in ORDER))


def test_calendar_has_fieldwork_and_every_dated_step(progdir: Path) -> None:
    result = _ok(run("calendar", directory=progdir))
    events = _events(result.stdout)
    assert set(events) == ALL_UIDS
    for uid, (start, end) in {**KENT_EVENTS, **HAMPSHIRE_EVENTS}.items():
        assert events[uid][:2] == (start, end), uid
    # the moved due date of medway's response document; slough's review of impact
    assert events["medway-2026-07/response_document@pcplan"][0] == _d("2026-08-28")
    assert events["medway-2026-07/fieldwork@pcplan"][:2] == (_d("2026-07-03"), _d("2026-07-07"))
    assert events["slough-2026-03/impact_review@pcplan"][0] == _d("2026-09-18")
    assert events["slough-2026-03/impact_visit@pcplan"][0] == _d("2026-10-01")
    assert events["kent-2027-02/team@pcplan"][2] == (
        "kent-2027-02: Visiting team of 3 identified, matched to scope"
    )
    assert events["surrey-2026-11/fieldwork@pcplan"][2] == "surrey-2026-11: Fieldwork (48 hours)"


def _without_dtstamp(ics: str) -> list[str]:
    return [line for line in ics.splitlines() if not line.startswith("DTSTAMP")]


def test_calendar_is_stable_across_runs(progdir: Path) -> None:
    first = _ok(run("calendar", directory=progdir)).stdout
    second = _ok(run("calendar", directory=progdir)).stdout
    assert list(_events(first)) == list(_events(second))
    assert _without_dtstamp(first) == _without_dtstamp(second)


# What each place in a challenge owns or attends (SPEC §3), written out here on purpose.
ROLE_STEPS = {
    "host_dcs": {
        "dates",
        "scope",
        "planning_discussion",
        "project_manager",
        "self_assessment",
        "reading_pack",
        "fieldwork",
        "response_document",
        "impact_review",
        "impact_visit",
    },
    "project_manager": {"logistics", "reading_pack", "supplementary_reading", "fieldwork"},
    "visiting_lead": {"dates", "planning_discussion", "pre_meeting", "fieldwork", "impact_visit"},
    "visiting_members": {"pre_meeting", "fieldwork"},
    "programme_manager": {"team", "briefing"},
}


def _person_uids(places: dict[str, str]) -> set[str]:
    """The UIDs for a person holding ``places`` ({challenge: place})."""
    return {
        uid
        for cid, place in places.items()
        for uid in _uids(cid, review=cid == "slough-2026-03")
        if uid.split("/")[1].removesuffix("@pcplan") in ROLE_STEPS[place]
    }


def test_calendar_out_writes_the_file(progdir: Path, tmp_path: Path) -> None:
    target = tmp_path / "programme.ics"
    result = _ok(run("calendar", "--out", target, directory=progdir))
    assert "BEGIN:VCALENDAR" not in result.stdout
    assert set(_events(target.read_bytes())) == ALL_UIDS
    # writing it again (the file now exists) replaces it with the same events
    again = _ok(run("calendar", "--person", "Alex Morgan", "--out", target, directory=progdir))
    assert "BEGIN:VCALENDAR" not in again.stdout
    assert set(_events(target.read_bytes())) == _person_uids({"kent-2027-02": "host_dcs"})


EVERY_CHALLENGE = [
    "hampshire-2027-07",
    "kent-2027-02",
    "medway-2026-07",
    "reading-2026-01",
    "slough-2026-03",
    "surrey-2026-11",
]


@pytest.mark.parametrize(
    ("person", "places"),
    [
        ("Alex Morgan", {"kent-2027-02": "host_dcs"}),
        ("Zainab Fenwick", {"medway-2026-07": "project_manager"}),
        (
            "Idris Penrose",
            {"medway-2026-07": "visiting_members", "slough-2026-03": "project_manager"},
        ),
        ("Lee Chen", {"reading-2026-01": "visiting_members", "surrey-2026-11": "visiting_members"}),
        (  # a partner
            "Winifred Achterberg",
            {"hampshire-2027-07": "visiting_members", "surrey-2026-11": "visiting_members"},
        ),
        ("Pat Quinn", {"reading-2026-01": "visiting_members"}),  # declined for kent-2027-02
        ("Lorcan Whitlow", {"medway-2026-07": "visiting_lead"}),  # declined as kent's lead
        (
            "Jo Rivers",
            {
                "kent-2027-02": "visiting_lead",
                "reading-2026-01": "visiting_lead",
                "surrey-2026-11": "host_dcs",
            },
        ),
        (
            "Hamish Delacourt",
            {
                "hampshire-2027-07": "visiting_lead",
                "medway-2026-07": "host_dcs",
                "slough-2026-03": "visiting_lead",
            },
        ),
        ("Morgan Ellis", dict.fromkeys(EVERY_CHALLENGE, "programme_manager")),
    ],
)
def test_calendar_for_a_person_has_the_steps_their_place_owns(
    progdir: Path, person: str, places: dict[str, str]
) -> None:
    events = _events(_ok(run("calendar", "--person", person, directory=progdir)).stdout)
    assert set(events) == _person_uids(places)


def test_calendar_for_a_practitioner_the_host_dcs_and_the_programme_manager(
    progdir: Path,
) -> None:
    """Pinned in full: the three calendars the methodology's roles most differ in."""

    def keys(person: str) -> set[str]:
        ics = _ok(run("calendar", "--person", person, directory=progdir)).stdout
        return {uid.removesuffix("@pcplan") for uid in _events(ics)}

    assert keys("Ash Brown") == {  # a practitioner on two teams
        "hampshire-2027-07/pre_meeting",
        "hampshire-2027-07/fieldwork",
        "medway-2026-07/pre_meeting",
        "medway-2026-07/fieldwork",
    }
    assert keys("Alex Morgan") == {
        f"kent-2027-02/{key}"
        for key in (
            "dates",
            "scope",
            "planning_discussion",
            "project_manager",
            "self_assessment",
            "reading_pack",
            "fieldwork",
            "response_document",
        )
    }
    assert keys("Morgan Ellis") == {
        f"{cid}/{key}" for cid in EVERY_CHALLENGE for key in ("team", "briefing")
    }


def test_calendar_all_steps_gives_every_step_of_the_persons_challenges(progdir: Path) -> None:
    result = _ok(run("calendar", "--person", "Pat Quinn", "--all-steps", directory=progdir))
    assert set(_events(result.stdout)) == _uids("reading-2026-01")
    alone = run("calendar", "--all-steps", directory=progdir)
    assert alone.exit_code == 2, alone


def test_fieldwork_blocks_the_diary_and_deadlines_do_not(progdir: Path) -> None:
    calendar = Calendar.from_ical(_ok(run("calendar", directory=progdir)).stdout)
    for event in calendar.walk("VEVENT"):
        busy = str(event["UID"]).endswith("/fieldwork@pcplan")
        assert str(event["TRANSP"]) == ("OPAQUE" if busy else "TRANSPARENT"), event["UID"]


def test_due_for_a_person_keeps_what_they_own(progdir: Path) -> None:
    def due(*extra: str) -> list[tuple[str, str]]:
        args = ("due", "--as-of", AS_OF, "--within", "3w", "--format", "json", *extra)
        return [(item["id"], item["step"]) for item in _ok(run(*args, directory=progdir)).json()]

    everyone = due()
    for person, places in (
        ("Alex Morgan", {"kent-2027-02": "host_dcs"}),
        ("Morgan Ellis", dict.fromkeys(EVERY_CHALLENGE, "programme_manager")),
        ("Zainab Fenwick", {"medway-2026-07": "project_manager"}),
    ):
        assert due("--person", person) == [
            (cid, step) for cid, step in everyone if step in ROLE_STEPS.get(places.get(cid, ""), ())
        ], person
    assert run("due", "--person", "Nobody Atall", directory=progdir).exit_code == 2


def test_calendar_for_someone_only_declined_is_empty(tmp_path: Path) -> None:
    directory = build_tree(tmp_path / "c", {"programme.yaml": PROGRAMME, "kent-2027-02.yaml": KENT})
    result = _ok(run("calendar", "--person", "Pat Quinn", directory=directory))
    assert _events(result.stdout) == {}


@pytest.mark.parametrize("person", ["Nobody Atall", "Jo River", ""])
def test_calendar_for_an_unknown_person_is_exit_2(progdir: Path, person: str) -> None:
    result = run("calendar", "--person", person, directory=progdir)
    assert result.exit_code == 2, result
    assert "BEGIN:VCALENDAR" not in result.stdout
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_due_ics_parses(progdir: Path) -> None:
    result = _ok(
        run("due", "--as-of", AS_OF, "--within", "3w", "--format", "ics", directory=progdir)
    )
    events = _events(result.stdout)
    expected = {
        f"{item['id']}/{item['step']}@pcplan": _d(item["due"])
        for item in OVERDUE_AND_SOON + KENT_TEAM_WINDOW
    }
    # Fieldwork is due on its last day, but its event is the same as in `calendar`
    # (same UID): it spans the fieldwork days, starting on the first.
    expected["surrey-2026-11/fieldwork@pcplan"] = date(2026, 11, 24)
    assert {uid: value[0] for uid, value in events.items()} == expected
    assert events["medway-2026-07/response_document@pcplan"][2] == (
        "medway-2026-07: Response document"
    )


# ----------------------------------------------------------------------------- plain text

ANSI = "\x1b["

TABLE_COMMANDS = [
    ("status", "--as-of", AS_OF),
    ("due", "--as-of", AS_OF, "--within", "3w"),
    ("timebank",),
    ("schedule", "kent-2027-02", "--as-of", AS_OF),
    ("team", "--as-of", AS_OF, "kent-2027-02"),
    ("check", "--as-of", AS_OF),
]
EXPECTED_IN = {
    "status": ORDER,
    "due": ["medway-2026-07", "surrey-2026-11", "kent-2027-02"],
    "timebank": ["Kent County Council", "Portsmouth City Council"],
    "schedule": ["kent-2027-02", *PRE_FIELDWORK, "response_document"],
    "team": ["Jo Rivers", "Pat Quinn", "Niamh Corrigan-Pryce"],
    "check": ["hampshire-2027-07", "team.lead", "team.size", "team.practitioners"],
}


def _with_format(args: tuple[str, ...], fmt: str | None) -> list[str]:
    if fmt is None:
        return list(args)
    if args[0] == "team":  # options of `team` come before the id
        return [args[0], "--format", fmt, *args[1:]]
    return [*args, "--format", fmt]


@pytest.mark.parametrize("no_color", [False, True], ids=["piped", "NO_COLOR"])
@pytest.mark.parametrize("fmt", [None, "markdown"], ids=["table", "markdown"])
@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=[c[0] for c in TABLE_COMMANDS])
def test_tables_are_plain_text(
    progdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    fmt: str | None,
    no_color: bool,
) -> None:
    if args[0] == "check" and fmt == "markdown":
        fmt = "github"  # check has text, github and json
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    result = run(*_with_format(args, fmt), directory=progdir)
    assert result.exit_code == (1 if args[0] == "check" else 0), result
    assert ANSI not in result.stdout
    assert ANSI not in result.stderr
    for text in EXPECTED_IN[args[0]]:
        assert text in result.stdout, (text, result.stdout)
    if fmt == "markdown":
        tables = _markdown_tables(result.stdout)
        assert tables, result.stdout
        for rows in tables:
            assert len(rows) >= 3, rows
            assert re.fullmatch(r"\|(-{3,}\|)+", rows[1].replace(" ", "")), rows[1]
            cells = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
            assert len(cells) == 1, rows  # every row has as many cells as the header


def _markdown_tables(text: str) -> list[list[str]]:
    """The runs of consecutive lines that start with ``|``."""
    tables: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous:
            tables.append([])
        if is_row:
            tables[-1].append(line)
        previous = is_row
    return tables


def test_status_markdown_has_a_row_per_challenge(progdir: Path) -> None:
    out = _ok(run("status", "--as-of", AS_OF, "--format", "markdown", directory=progdir)).stdout
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in rows[1:]] == ORDER


def test_team_show_takes_its_options_after_the_id(progdir: Path) -> None:
    # `pcplan team ID` shows the team (SPEC §5); every other command takes its options after
    # its arguments, and so do the examples people copy.
    result = run("team", "kent-2027-02", "--as-of", AS_OF, "--format", "json", directory=progdir)
    assert result.exit_code == 0, result
    assert result.json()["id"] == "kent-2027-02"


# ----------------------------------------------------------------------------- the example


def _example_ids() -> list[str]:
    return sorted(
        path.stem
        for path in EXAMPLE.rglob("*")
        if path.suffix in (".yaml", ".yml") and path.name != "programme.yaml"
    )


def test_example_status() -> None:
    result = _ok(run("status", "--as-of", AS_OF, "--format", "json", directory=EXAMPLE))
    assert result.stderr == ""
    rows = result.json()
    assert len(rows) == 13
    assert sorted(row["id"] for row in rows) == _example_ids()
    starts = [row["fieldwork"]["start"] for row in rows]
    assert starts == sorted(starts)
    assert {row["phase"] for row in rows} == {"planning", "response", "review", "closed"}
    table = _ok(run("status", "--as-of", AS_OF, directory=EXAMPLE)).stdout
    for cid in _example_ids():
        assert cid in table


def test_example_due() -> None:
    result = _ok(run("due", "--as-of", AS_OF, "--format", "json", directory=EXAMPLE))
    assert result.stderr == ""
    items = result.json()
    assert {
        "id": "medway-2026-06",
        "step": "response_document",
        "title": "Response document",
        "due": "2026-08-13",  # fieldwork ended Thu 18 Jun; + 8 weeks
        "status": "overdue",
    } in items
    assert all(item["due"] <= "2026-12-09" for item in items)
    table = _ok(run("due", "--as-of", AS_OF, directory=EXAMPLE)).stdout
    assert "medway-2026-06" in table
    assert "overdue" in table


def _example_timebank() -> dict[str, dict[str, int]]:
    """The time-bank counted straight from the example's YAML, as SPEC §5 words it."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    authorities = yaml.load((EXAMPLE / "programme.yaml").read_text("utf-8"))["authorities"]
    bank = {slug: {"hosted": 0, "led": 0, "members": 0} for slug in authorities}
    for path in EXAMPLE.rglob("*.yaml"):
        if path.name == "programme.yaml":
            continue
        challenge = yaml.load(path.read_text("utf-8"))
        bank[challenge["host"]["authority"]]["hosted"] += 1
        for member in challenge.get("visiting_team") or []:
            if member.get("status") == "declined" or member.get("role") == "partner":
                continue  # partners never count in the time-bank (SPEC §2)
            bank[member["authority"]]["led" if member.get("lead") else "members"] += 1
    for row in bank.values():
        row["balance"] = row["led"] + row["members"] - row["hosted"]
    return bank


def test_example_timebank() -> None:
    result = _ok(run("timebank", "--format", "json", directory=EXAMPLE))
    assert result.stderr == ""
    bank = result.json()
    assert len(bank) == 19
    assert sum(row["hosted"] for row in bank.values()) == 13
    assert bank == _example_timebank()
    assert "Kent County Council" in _ok(run("timebank", directory=EXAMPLE)).stdout


def test_example_calendar() -> None:
    result = _ok(run("calendar", directory=EXAMPLE))
    events = _events(result.stdout)
    assert {f"{cid}/fieldwork@pcplan" for cid in _example_ids()} <= set(events)
    person = _ok(run("calendar", "--person", "Marguerite Olumide", directory=EXAMPLE))
    ids = {uid.split("/")[0] for uid in _events(person.stdout)}
    assert "east-sussex-2026-12" in ids  # she leads its visiting team
    assert ids < set(_example_ids())


# ----------------------------------------------------------------------------- edges

BROKEN = "id: oxfordshire-2027-05\nround: [10\n"


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--as-of", AS_OF, "--format", "json"),
        ("due", "--as-of", AS_OF, "--format", "json"),
        ("timebank", "--format", "json"),
    ],
    ids=["status", "due", "timebank"],
)
def test_a_broken_file_is_left_out_and_said(tmp_path: Path, args: tuple[str, ...]) -> None:
    directory = build_tree(tmp_path / "challenges", {**FILES, "oxfordshire-2027-05.yaml": BROKEN})
    result = _ok(run(*args, directory=directory))
    assert "oxfordshire-2027-05.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    expected = {"status": STATUS, "due": OVERDUE_AND_SOON, "timebank": TIMEBANK}[args[0]]
    assert result.json() == expected


def test_a_broken_file_is_left_out_of_the_calendar(tmp_path: Path) -> None:
    directory = build_tree(tmp_path / "challenges", {**FILES, "oxfordshire-2027-05.yaml": BROKEN})
    result = _ok(run("calendar", directory=directory))
    assert "oxfordshire-2027-05.yaml" in result.stderr
    assert set(_events(result.stdout)) == ALL_UIDS


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("due",),
        ("timebank",),
        ("calendar",),
        ("calendar", "--person", "Jo Rivers"),
    ],
)
@pytest.mark.parametrize("missing", ["directory", "programme.yaml"])
def test_a_missing_programme_is_exit_2(tmp_path: Path, args: tuple[str, ...], missing: str) -> None:
    directory = tmp_path / "nowhere"
    if missing == "programme.yaml":
        directory = build_tree(tmp_path / "challenges", {"kent-2027-02.yaml": KENT})
    result = run(*args, directory=directory)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- csv


def _csv(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (
            ("status", "--as-of", AS_OF),
            "id,host,round,fieldwork.start,fieldwork.end,phase,next_step,next_due,overdue,"
            "team_confirmed,errors,warnings",
        ),
        (("due", "--as-of", AS_OF, "--within", "3w"), "id,step,title,due,status"),
        (("timebank",), "authority,hosted,led,members,balance"),
    ],
)
def test_csv_has_the_json_keys_as_header_and_one_row_per_item(
    progdir: Path, args: tuple[str, ...], header: str
) -> None:
    text = _ok(run(*args, "--format", "csv", directory=progdir)).stdout
    assert text.splitlines()[0] == header
    rows = _csv(text)
    as_json = _ok(run(*args, "--format", "json", directory=progdir)).json()
    if isinstance(as_json, dict):  # timebank: {slug: {...}}
        as_json = [{"authority": slug, **values} for slug, values in as_json.items()]
    assert len(rows) == len(as_json)
    for row, item in zip(rows, as_json, strict=True):
        assert row["id" if "id" in row else "authority"] == item.get("id", item.get("authority"))
        if "fieldwork.start" in row:
            assert row["fieldwork.start"] == item["fieldwork"]["start"]


def test_timebank_for_one_round(progdir: Path) -> None:
    every = _ok(run("timebank", "--format", "json", directory=progdir)).json()
    status = _ok(run("status", "--as-of", AS_OF, "--format", "json", directory=progdir)).json()
    rounds = sorted({row["round"] for row in status})
    totals = [0] * 4
    for number in rounds:
        one = _ok(run("timebank", "--round", str(number), "--format", "json", directory=progdir))
        for slug, values in one.json().items():
            assert set(values) == {"hosted", "led", "members", "balance"}
            assert values["hosted"] <= every[slug]["hosted"]
            totals[0] += values["hosted"]
    assert totals[0] == sum(values["hosted"] for values in every.values()) == len(status)


@pytest.mark.parametrize("cache", ["on", "off"])
def test_due_and_timebank_run_the_rules_only_to_fill_the_cache(
    progdir: Path, cache: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They show no findings: without the cache no rule runs (and the answers stay the
    same); with it, the rules run so that the next `check` finds every file cached."""
    from pcplan import checker

    ran: list[str] = []
    real = checker.check_file

    def counted(ctx: Any) -> Any:
        ran.append(ctx.display)
        return real(ctx)

    monkeypatch.setattr(checker, "check_file", counted)
    if cache == "off":
        monkeypatch.setenv("PCPLAN_NO_CACHE", "1")
    else:
        monkeypatch.delenv("PCPLAN_NO_CACHE", raising=False)
    due = _ok(run("due", "--as-of", AS_OF, "--format", "json", directory=progdir))
    assert due.json() == OVERDUE_AND_SOON
    timebank = _ok(run("timebank", "--format", "json", directory=progdir))
    assert timebank.json() == TIMEBANK
    assert bool(ran) == (cache == "on")


def test_glances_that_only_count_pending_steps_read_as_the_whole_ones(progdir: Path) -> None:
    """`status` and `timebank` without the cache: glances that count the pending steps
    read back, without them, as the whole glances do; `due` cannot read them."""
    from pcplan.checker import analyse
    from pcplan.directory import ProgrammeDir
    from pcplan.overview import from_rows, glance_rows

    request = "reading:\n  requests:\n    - {what: Audit, by: Jo Rivers, asked: 2026-11-20}\n"
    (progdir / "kent-2027-02.yaml").write_text(KENT + request, encoding="utf-8")
    analysis = analyse(ProgrammeDir(progdir, str(progdir)), date.fromisoformat(AS_OF))
    assert len(analysis.contexts) == len(ORDER)
    for ctx in analysis.contexts:
        whole, counted = glance_rows(ctx), glance_rows(ctx, pending=False)
        assert counted[8] is None and whole[8] is not None
        assert from_rows(counted, pending=False) == from_rows(whole, pending=False)
        for listed in (True, date(2027, 1, 1)):
            with pytest.raises(ValueError):
                from_rows(counted, pending=listed)
        if ctx.challenge.id == "kent-2027-02":  # the request is overdue, and counted
            titles = [entry[0][1] or "" for entry in whole[8] if entry[0][2] == "overdue"]
            assert any(title.startswith("Supplementary reading") for title in titles)
            assert counted[10] == len(titles)
