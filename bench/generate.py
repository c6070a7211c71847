"""Generate a realistic, valid programme of N challenge files (plus programme.yaml).

    python bench/generate.py 1000 bench/work/p1000

Each file looks like one a programme manager keeps: comments, a scope, a full
visiting team of four from four other authorities, done steps, feedback and
escalation, a review section. Fieldwork dates spread over the years so that
files are in every phase. As in a programme whose registry is kept, the host DCS
and every visiting member are in programme.yaml's `people` and take part again and
again; each is given only challenges whose fieldwork does not overlap another of
theirs, so the files check with no errors (the warnings are steps overdue). The
output is deterministic.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

AUTHORITIES = {
    "bracknell-forest": "Bracknell Forest Council",
    "brighton-and-hove": "Brighton and Hove City Council",
    "buckinghamshire": "Buckinghamshire Council",
    "east-sussex": "East Sussex County Council",
    "hampshire": "Hampshire County Council",
    "isle-of-wight": "Isle of Wight Council",
    "kent": "Kent County Council",
    "medway": "Medway Council",
    "milton-keynes": "Milton Keynes City Council",
    "oxfordshire": "Oxfordshire County Council",
    "portsmouth": "Portsmouth City Council",
    "reading": "Reading Borough Council",
    "slough": "Slough Borough Council",
    "southampton": "Southampton City Council",
    "surrey": "Surrey County Council",
    "west-berkshire": "West Berkshire Council",
    "west-sussex": "West Sussex County Council",
    "windsor-and-maidenhead": "Royal Borough of Windsor and Maidenhead",
    "wokingham": "Wokingham Borough Council",
}
SLUGS = list(AUTHORITIES)
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Pat",
    "Lee",
    "Ash",
    "Robin",
    "Kim",
    "Chris",
    "Jamie",
    "Morgan",
    "Taylor",
    "Jordan",
    "Casey",
    "Riley",
    "Avery",
    "Quinn",
    "Rowan",
    "Sasha",
    "Drew",
]
LAST = [
    "Morgan",
    "Patel",
    "Rivers",
    "Quinn",
    "Chen",
    "Brown",
    "Okafor",
    "Nowak",
    "Haddad",
    "Evans",
    "Murphy",
    "Singh",
    "Kowalski",
    "Adeyemi",
    "Fraser",
    "Lindqvist",
    "Moreau",
]
TOPICS = [
    "Early help and the front door",
    "Care leavers' accommodation",
    "SEND and inclusion",
    "Child exploitation and missing children",
    "Workforce stability",
    "Placement sufficiency",
    "Family help reforms",
    "Corporate parenting",
    "Domestic abuse and children",
    "Youth justice",
]
BANK_HOLIDAY_MONTH_DAYS = {
    (1, 1),
    (12, 25),
    (12, 26),
    (12, 27),
    (12, 28),
    (5, 1),
    (5, 2),
    (5, 3),
    (5, 4),
    (5, 5),
    (5, 6),
    (5, 7),
    (8, 25),
    (8, 26),
    (8, 27),
    (8, 28),
    (8, 29),
    (8, 30),
    (8, 31),
    (5, 25),
    (5, 26),
    (5, 27),
    (5, 28),
    (5, 29),
    (5, 30),
    (5, 31),
}


def person(rng: random.Random, index: int, role: str) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}-{role[:2].upper()}{index}"


def fieldwork_start(index: int) -> date:
    """A Tuesday or Wednesday away from bank-holiday seasons, spread over many years."""
    day = date(2024, 1, 9) + timedelta(weeks=index % 520)
    day += timedelta(days=index % 2)  # Tuesday or Wednesday
    while (day.month, day.day) in BANK_HOLIDAY_MONTH_DAYS or day.month in (3, 4, 12):
        day += timedelta(weeks=6)
    return day


class Pool:
    """The people of each authority and role, taken for challenges whose dates are free.

    Everyone taken is in the registry (programme.yaml's `people`); a new person joins
    an authority only when all of its people of that role are busy on those dates.
    """

    def __init__(self) -> None:
        self.people: dict[tuple[str, str], list[str]] = {}
        self.busy: dict[str, set[int]] = {}

    def take(self, authority: str, role: str, start: date) -> str:
        week = start.toordinal() // 7  # fieldwork is two days in one week
        names = self.people.setdefault((authority, role), [])
        for name in names:
            if week not in self.busy[name]:
                break
        else:
            number = len(names)
            first = FIRST[(SLUGS.index(authority) + number) % len(FIRST)]
            last = LAST[(SLUGS.index(authority) * 3 + number) % len(LAST)]
            name = f"{first} {last} {SHORT[role]}{SLUGS.index(authority)}.{number}"
            names.append(name)
            self.busy[name] = set()
        self.busy[name].update((week - 1, week, week + 1))
        return name

    def registry_lines(self) -> list[str]:
        lines = []
        for (authority, role), names in sorted(self.people.items()):
            for name in names:
                lines += [
                    f"  - name: {name}",
                    f"    authority: {authority}",
                    f"    role: {role}",
                ]
        return lines


SHORT = {"dcs": "D", "assistant_director": "A", "team_leader": "T", "practitioner": "P"}


def challenge_text(index: int, rng: random.Random, pool: Pool) -> tuple[str, str]:
    host = SLUGS[index % len(SLUGS)]
    start = fieldwork_start(index)
    end = start + timedelta(days=1)
    challenge_id = f"{host}-{start:%Y-%m}-{index}"
    others = [slug for slug in SLUGS if slug != host]
    rng.shuffle(others)
    lead_from, ad_from, tl_from, pr_from = others[:4]
    host_dcs = pool.take(host, "dcs", start)
    lead = pool.take(lead_from, "dcs", start)
    steps = {
        "dates": start - timedelta(weeks=16),
        "scope": start - timedelta(weeks=15),
        "team": start - timedelta(weeks=12),
        "planning_discussion": start - timedelta(weeks=11),
        "project_manager": start - timedelta(weeks=12),
        "self_assessment": start - timedelta(weeks=5),
        "briefing": start - timedelta(weeks=3),
        "logistics": start - timedelta(weeks=5),
        "reading_pack": start - timedelta(weeks=3),
        "pre_meeting": start - timedelta(days=8),
        "supplementary_reading": start - timedelta(days=3),
    }
    done_lines = "\n".join(f"  {key}: {day.isoformat()}" for key, day in steps.items())
    text = f"""\
# yaml-language-server: $schema=../../schemas/challenge.schema.json
# Peer challenge {index}: generated for benchmarks by bench/generate.py.
id: {challenge_id}
round: {7 + index // 12}
host:
  authority: {host}
  dcs: {host_dcs}
  project_manager: {person(rng, index, "pm")}   # identified at the planning discussion
topic: {rng.choice(TOPICS)}
scope: |
  How well do our services for this topic help children and families, and how do we know?
  The self-assessment looked at audits, data and what families told us.
fieldwork:
  start: {start.isoformat()}
  end: {end.isoformat()}
visiting_team:
  - name: {lead}
    authority: {lead_from}
    role: dcs
    lead: true
    status: confirmed
  - name: {pool.take(ad_from, "assistant_director", start)}
    authority: {ad_from}
    role: assistant_director
    status: confirmed
  - name: {pool.take(tl_from, "team_leader", start)}
    authority: {tl_from}
    role: team_leader
    status: confirmed   # confirmed by the host DCS
  - name: {pool.take(pr_from, "practitioner", start)}
    authority: {pr_from}
    role: practitioner
    status: confirmed
steps:
{done_lines}
feedback:
  audience: [senior management team, lead member]
  format: oral presentation with short slides
  agreed_on: {(start - timedelta(weeks=3)).isoformat()}
escalation:
  host_contact: {host_dcs}
  visiting_contact: {lead}
review:
  opted_in: {"true" if index % 3 else "false"}
  contents: [original_scope, self_assessment_findings, peer_commentary,
             response_document, progress_review, impact_evidence]
  visit: {{requested: true, hours: 4, one_to_one: true}}
"""
    return challenge_id, text


def programme_text(pool: Pool) -> str:
    lines = [
        "name: Benchmark programme",
        "programme_manager: Morgan Ellis",
        "authorities:",
        *(f"  {slug}: {name}" for slug, name in AUTHORITIES.items()),
        "people:",
    ]
    rng = random.Random(7)
    for number, slug in enumerate(SLUGS * 3):
        role = ("dcs", "assistant_director", "team_leader")[number // len(SLUGS)]
        lines += [
            f"  - name: {rng.choice(FIRST)} {rng.choice(LAST)} {number}",
            f"    authority: {slug}",
            f"    role: {role}",
            f"    previous_authorities: [{SLUGS[(number + 5) % len(SLUGS)]}]",
        ]
    lines += pool.registry_lines()
    lines += ["settings:", "  response_document_weeks: 8", ""]
    return "\n".join(lines)


def generate(count: int, target: Path) -> list[Path]:
    """Write ``count`` challenge files under ``target/round-NN/`` and programme.yaml."""
    rng = random.Random(count)
    target.mkdir(parents=True, exist_ok=True)
    pool = Pool()
    paths = []
    for index in range(count):
        challenge_id, text = challenge_text(index, rng, pool)
        folder = target / f"round-{7 + index // 12:02d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"{challenge_id}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    (target / "programme.yaml").write_text(programme_text(pool), encoding="utf-8")
    return paths


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
