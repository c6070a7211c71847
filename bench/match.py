"""Time `pcplan match --round` on national-scale registries; compare with greedy (SPEC §7-8).

    python bench/match.py                    # the example programme, then 5, 20, 40 challenges
    python bench/match.py --sizes 40 --seeds 1 2 3

For each size and seed it writes a programme under bench/work/match-N-sS/: 150
authorities with locations, 1,500 people (one DCS and two assistant directors
per authority, the rest team leaders and practitioners), expertise drawn from 40
topics, 10% with an unavailable period, some previous authorities and `not_with`
pairs, a past round with full teams (so the time-bank and spread matter), and a
round of N challenges with empty teams. It times

    pcplan --dir DIR match --round 12 --format json

(wall time, median of --repeat runs) and compares its objective with a greedy
baseline on the same instance: each challenge in date order, each slot filled
with the best-scoring free candidate that keeps every hard constraint. Prints a
Markdown table (paste it into docs/performance.md). The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
BIN = Path(sys.executable).parent
ROUND = 12

TOPICS = [
    "early help", "front door", "threshold decisions", "MASH", "SEND", "inclusion",
    "care leavers", "corporate parenting", "children in care", "virtual schools",
    "fostering", "adoption", "residential care", "placement sufficiency",
    "child exploitation", "missing children", "contextual safeguarding", "youth justice",
    "domestic abuse", "family safeguarding", "family help", "neglect", "edge of care",
    "workforce stability", "social work practice", "supervision", "quality assurance",
    "performance management", "partnership working", "health partnerships",
    "school attendance", "exclusions", "disabled children", "transitions",
    "unaccompanied children", "private fostering", "kinship care", "court work",
    "voice of the child", "participation",
]  # fmt: skip
FIRST = ["Alex", "Sam", "Jo", "Pat", "Lee", "Ash", "Robin", "Kim", "Chris", "Jamie",
         "Morgan", "Taylor", "Jordan", "Casey", "Riley", "Avery", "Quinn", "Rowan"]  # fmt: skip
LAST = ["Morgan", "Patel", "Rivers", "Quinn", "Chen", "Brown", "Okafor", "Nowak",
        "Haddad", "Evans", "Murphy", "Singh", "Fraser", "Moreau", "Lindqvist"]  # fmt: skip


def _day(d: date) -> str:
    return d.isoformat()


def generate(directory: Path, challenges: int, seed: int) -> None:
    """Write programme.yaml and the challenge files of one instance (deterministic)."""
    rng = random.Random(seed * 1000 + challenges)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.yaml"):
        old.unlink()
    slugs = [f"council-{n:03d}" for n in range(150)]
    lines = ["name: National benchmark programme", "authorities:"]
    for slug in slugs:
        lat = round(rng.uniform(50.6, 54.8), 4)
        lon = round(rng.uniform(-3.4, 1.6), 4)
        lines.append(f"  {slug}: {{name: {slug.title()}, location: [{lat}, {lon}]}}")
    lines.append("people:")
    people: list[tuple[str, str, str]] = []
    round_start = date(2027, 3, 2)
    for index, slug in enumerate(slugs):
        roles = ["dcs", "assistant_director", "assistant_director"]
        roles += [rng.choice(["team_leader", "practitioner"]) for _ in range(7)]
        for number, role in enumerate(roles):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {index}-{number}"
            people.append((name, slug, role))
    names = [p[0] for p in people]
    for name, slug, role in people:
        lines += [f"  - name: {name}", f"    authority: {slug}", f"    role: {role}"]
        expertise = rng.sample(TOPICS, rng.randint(1, 3))
        lines.append(f"    expertise: [{', '.join(expertise)}]")
        if rng.random() < 0.15:
            lines.append(f"    previous_authorities: [{rng.choice(slugs)}]")
        if rng.random() < 0.10:
            start = round_start + timedelta(days=rng.randint(0, 100))
            end = start + timedelta(days=rng.randint(3, 21))
            lines.append(f"    unavailable: [{{from: {_day(start)}, to: {_day(end)}}}]")
        if rng.random() < 0.02:
            lines.append(f"    not_with: [{rng.choice(names)}]")
    lines += ["settings:", "  matching: {skills: 4, travel: 1, timebank: 2, spread: 1}", ""]
    (directory / "programme.yaml").write_text("\n".join(lines), encoding="utf-8")
    dcs_of = {slug: name for name, slug, role in people if role == "dcs"}
    by_role: dict[str, list[tuple[str, str, str]]] = {}
    for entry in people:
        key = "practitioner" if entry[2] in ("team_leader", "practitioner") else entry[2]
        by_role.setdefault(key, []).append(entry)
    # a past round with full teams: who gave and who hosted (time-bank), who visited (spread)
    past_hosts = rng.sample(slugs, 30)
    for number, host in enumerate(past_hosts):
        start = date(2026, 3, 3) + timedelta(days=3 * number)
        used = {host}
        team = []
        for slot, count in (("dcs", 1), ("assistant_director", 1), ("practitioner", 2)):
            for _ in range(count):
                pick = rng.choice([p for p in by_role[slot] if p[1] not in used])
                used.add(pick[1])
                team.append(pick)
        members = "".join(
            f"  - {{name: {n}, authority: {a}, role: {r}"
            f"{', lead: true' if position == 0 else ''}, status: confirmed}}\n"
            for position, (n, a, r) in enumerate(team)
        )
        (directory / f"{host}-2026-past.yaml").write_text(
            f"id: {host}-2026-past\nround: {ROUND - 1}\nhost: {{authority: {host}, "
            f"dcs: {dcs_of[host]}}}\ntopic: {rng.choice(TOPICS).capitalize()}\n"
            f"fieldwork: {{start: {_day(start)}, end: {_day(start + timedelta(days=1))}}}\n"
            f"visiting_team:\n{members}",
            encoding="utf-8",
        )
    hosts = rng.sample(slugs, challenges)
    for number, host in enumerate(hosts):
        start = round_start + timedelta(weeks=(number * 13) // max(1, challenges), days=number % 3)
        topic = " and ".join(rng.sample(TOPICS, 2)).capitalize()
        scope = f"How well {rng.choice(TOPICS)} and {rng.choice(TOPICS)} work for children."
        (directory / f"{host}-2027.yaml").write_text(
            f"id: {host}-2027\nround: {ROUND}\nhost: {{authority: {host}, dcs: {dcs_of[host]}}}\n"
            f"topic: {topic}\nscope: {scope}\n"
            f"fieldwork: {{start: {_day(start)}, end: {_day(start + timedelta(days=1))}}}\n",
            encoding="utf-8",
        )


def _status(payload: dict[str, Any]) -> str:
    return "optimal" if payload["optimal"] else f"gap {payload['gap']}"


def greedy(directory: Path, round_number: int) -> float:
    """Each challenge in date order, each slot its best free candidate: the baseline."""
    from pcplan.checker import analyse
    from pcplan.directory import open_programme_dir
    from pcplan.match import SLOTS, Instance, Options, Proposal, default_targets

    analysis = analyse(open_programme_dir(directory), date(2026, 11, 25), rules=False)
    assert analysis.programme is not None
    _, ids = default_targets(analysis.contexts, round_number, date(2026, 11, 25))
    instance = Instance(analysis.programme, analysis.contexts, ids, Options())
    proposal = Proposal([[] for _ in instance.targets], True, 0.0, "greedy")
    from pcplan.match import Assignment

    order = sorted(instance.targets, key=lambda t: (t.challenge.fieldwork.start, t.id))
    for target in order:
        for slot in SLOTS:
            for _ in range(target.open[slot]):
                best = None
                for person in instance.candidates[(target.index, slot)]:
                    if instance.dynamic_block(person, target, slot, proposal) is not None:
                        continue
                    score = instance.terms(person.name, person.authority or "", target).total
                    if best is None or (-score, person.name) < best[0]:
                        best = ((-score, person.name), person)
                if best is not None:
                    person = best[1]
                    proposal.by_target[target.index].append(
                        Assignment(person.name, person.authority or "", person.role, slot)
                    )
                    proposal._where = None
    return proposal.total(instance)


def time_command(command: list[str], repeat: int) -> tuple[float, float, dict[str, Any]]:
    """Median wall time and CPU time (the process and CBC, user + system) and the JSON."""
    walls, cpus = [], []
    payload: dict[str, Any] = {}
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        payload = json.loads(done.stdout)
    return statistics.median(walls), statistics.median(cpus), payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 20, 40])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print()
    print("| instance | challenges | wall (median) | CPU (median) | solver | objective | "
          "greedy | better by |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    example = ROOT / "challenges"
    command = [str(BIN / "pcplan"), "--dir", str(example), "match", "--round", "10"]
    wall, cpu, payload = time_command([*command, "--format", "json"], args.repeat)
    total = round(sum(c["score"] for c in payload["challenges"]), 3)
    baseline = round(greedy(example, 10), 3)
    print(
        f"| example programme (61 people), round 10 | {len(payload['challenges'])} | "
        f"{wall:.2f} s | {cpu:.2f} s | {_status(payload)} | {total:g} | {baseline:g} | "
        f"{total - baseline:+.3g} |"
    )
    for size in args.sizes:
        for seed in args.seeds:
            directory = WORK / f"match-{size}-s{seed}"
            generate(directory, size, seed)
            command = [str(BIN / "pcplan"), "--dir", str(directory), "match"]
            command += ["--round", str(ROUND), "--format", "json"]
            wall, cpu, payload = time_command(command, args.repeat)
            objective = round(sum(c["score"] for c in payload["challenges"]), 3)
            baseline = round(greedy(directory, ROUND), 3)
            better = objective - baseline
            share = f" ({better / abs(baseline):.1%})" if baseline else ""
            print(
                f"| 1,500 people, seed {seed} | {size} | {wall:.2f} s | {cpu:.2f} s | "
                f"{_status(payload)} | {objective:g} | {baseline:g} | {better:+.3g}{share} |"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
