"""`pcplan match` output: a table, an email to the DCSs (Markdown), or JSON (SPEC §8)."""

from __future__ import annotations

from typing import Any, TextIO

from pcplan.match import LEVEL, MatchResult
from pcplan.models import Programme
from pcplan.render.table import Table
from pcplan.render.table import write as write_table

ROLE_WORDS = {
    "dcs": "DCS",
    "assistant_director": "assistant director",
    "team_leader": "team leader",
    "practitioner": "practitioner",
}


def status_line(result: MatchResult) -> str:
    if result.optimal:
        line = "solver: proven optimal"
    elif result.gap is not None:
        line = f"solver: {result.status}, gap {result.gap:.2%}"
    else:
        line = f"solver: {result.status}, gap unknown"
    if result.fair:
        price = result.price_of_fairness or 0.0
        line += f"; fair (lowest team first): {price:g} of the total given up for fairness"
    return line


def _member_label(member: dict[str, Any]) -> str:
    role = ROLE_WORDS.get(member["role"], member["role"])
    return f"{role}, lead" if member["lead"] else role


def match_table(result: MatchResult, programme: Programme) -> Table:
    table = Table(["slot", "name", "authority", "role", "score", "why"], wrap=("why",))
    title = f"Round {result.round}" if result.round is not None else "Proposed teams"
    table.heading = [f"{title}: {len(result.challenges)} challenge(s); {status_line(result)}"]
    for entry in result.challenges:
        challenge = entry.target.challenge
        host = programme.authority_name(challenge.host.authority) or challenge.host.authority
        quality = "" if entry.quality is None else f", quality {entry.quality:.0%}"
        table.section(
            f"{challenge.id}: {host}, {entry.target.span}: {challenge.topic} "
            f"(score {entry.score:g}{quality})"
        )
        for member in entry.team:
            slot = "lead" if member["lead"] else ("kept" if member["kept"] else "proposed")
            if member["kept"]:
                slot = "kept lead" if member["lead"] else "kept"
            total = round(sum(member["score"].values()), 3)
            table.add(
                [
                    slot,
                    member["name"],
                    member["authority"],
                    _member_label(member),
                    f"{total:g}",
                    member["why"],
                ],
                "dim" if member["kept"] else None,
            )
        for gap in entry.unfilled:
            table.add([gap["slot"], "(unfilled)", "", "", "", gap["reason"]], "yellow")
        for backup in entry.backups:
            names = ", ".join(backup["names"]) or "none"
            table.add(
                [f"backup {backup['slot']}", names, "", "", "", f"if {backup['for']} declines"]
            )
        for miss in entry.not_chosen:
            table.add([f"not {miss['slot']}", miss["name"], "", "", "", miss["reason"]], "dim")
        for alternative in entry.alternatives:
            names = ", ".join(f"{a['name']} ({a['slot']})" for a in alternative["team"])
            table.add(
                [
                    f"alternative {alternative['rank']}",
                    names,
                    "",
                    "",
                    f"{alternative['score']:g}",
                    "",
                ]
            )
        for note in entry.notes:
            table.add(["note", "", "", "", "", note])
    return table


def write_markdown(result: MatchResult, programme: Programme, stream: TextIO) -> None:
    """An email the programme manager can send to the DCSs asking for nominations."""
    lines = [
        f"Subject: visiting teams for {_round_words(result)}: nominations please",
        "",
        "Dear colleagues,",
        "",
        "Below are the visiting teams I propose for the coming peer challenges, matched to "
        "each host's scope, diaries and geography (¶18, ¶20). Please confirm whether you and "
        "the colleagues named from your authority can take part, or tell me privately if a "
        "nomination should be reconsidered (¶22).",
        "",
    ]
    for entry in result.challenges:
        challenge = entry.target.challenge
        host = programme.authority_name(challenge.host.authority) or challenge.host.authority
        lines += [
            f"## {host}: {entry.target.span}",
            "",
            f"- Challenge: {challenge.id} (round {challenge.round})",
            f"- Topic: {challenge.topic}",
            f"- Host DCS: {challenge.host.dcs}",
            "",
            "| member | authority | role | status | why |",
            "|---|---|---|---|---|",
        ]
        for member in entry.team:
            authority = programme.employer_name(member["authority"]) or member["authority"]
            status = "already on the team" if member["kept"] else "proposed"
            lines.append(
                f"| {_cell(member['name'])} | {_cell(authority)} | "
                f"{_cell(_member_label(member))} | {status} | {_cell(member['why'])} |"
            )
        lines.append("")
        for gap in entry.unfilled:
            lines.append(f"- Still needed: a {LEVEL[gap['slot']]}. {gap['reason']}.")
        for note in entry.notes:
            lines.append(f"- Note: {note}.")
        if entry.unfilled or entry.notes:
            lines.append("")
    lines += [
        "With thanks,",
        programme.programme_manager or "The programme manager",
        "",
        f"(Proposed with pcplan match; {status_line(result)}.)",
        "",
    ]
    stream.write("\n".join(lines))


def _round_words(result: MatchResult) -> str:
    return f"round {result.round}" if result.round is not None else "the coming challenges"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write(result: MatchResult, programme: Programme, fmt: str, stream: TextIO) -> None:
    if fmt == "markdown":
        write_markdown(result, programme, stream)
        return
    write_table(match_table(result, programme), "table", stream)
