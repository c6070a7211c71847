"""`pcplan match`: propose visiting teams for a challenge or a whole round (SPEC §8)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from pcplan.cli.common import ShowFormat, app, handles_errors, named_challenge
from pcplan.cli.runtime import analyse_programme, report_unreadable, today, write_json
from pcplan.errors import UsageError

if TYPE_CHECKING:
    from pcplan.checker import Analysis
    from pcplan.match import MatchResult
    from pcplan.models import Private


@app.command()
@handles_errors
def match(
    challenges: Annotated[
        list[str] | None, typer.Argument(metavar="[ID]...", help="Challenges to match.")
    ] = None,
    round_number: Annotated[
        int | None, typer.Option("--round", help="Every challenge of this round.")
    ] = None,
    alternatives: Annotated[
        int, typer.Option("--alternatives", min=1, max=20, help="The K best teams (one ID).")
    ] = 1,
    backups: Annotated[
        int, typer.Option("--backups", min=0, max=20, help="Backups per proposed slot.")
    ] = 2,
    fair: Annotated[
        bool, typer.Option("--fair", help="Lift the lowest team score first, then the total.")
    ] = False,
    lock: Annotated[
        list[str] | None,
        typer.Option("--lock", metavar="NAME@ID", help="Force a person into a challenge."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", metavar="NAME", help="Keep a person out.")
    ] = None,
    allow_ad_lead: Annotated[
        bool, typer.Option("--allow-ad-lead", help="An assistant director may lead (¶19).")
    ] = False,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the proposals into the files as nominated.")
    ] = False,
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", metavar="S", min=0.1, help="Solver CPU seconds per solve."),
    ] = 60.0,
    fmt: Annotated[ShowFormat, typer.Option("--format", help="table, markdown or json.")] = (
        ShowFormat.table
    ),
) -> None:
    """Propose visiting teams: the lead DCS, an assistant director and two practitioners.

    Example: pcplan match --round 10 --format markdown
    """
    from pcplan.match import Options, default_targets, propose
    from pcplan.render import match as views

    locks = []
    for entry in lock or []:
        name, at, target = entry.rpartition("@")
        if not at or not name or not target:
            raise UsageError(f"--lock {entry}: write NAME@ID, such as 'Jo Rivers@kent-2027-03'")
        locks.append((name, target))
    day = today()
    analysis = analyse_programme(day, rules=False)
    report_unreadable(analysis)
    programme = analysis.programme
    if programme is None:
        raise UsageError("programme.yaml cannot be read; run `pcplan check` for details")
    if challenges:
        ids = [_challenge_id(analysis, reference) for reference in challenges]
        ids = list(dict.fromkeys(ids))
    else:
        round_number, ids = default_targets(analysis.contexts, round_number, day)
        if not ids:
            which = f"round {round_number}" if round_number is not None else "any round ahead"
            sys.stdout.write(f"No challenge of {which} has a team to complete.\n")
            return
    options = Options(
        alternatives=alternatives,
        backups=backups,
        fair=fair,
        locks=tuple(locks),
        excludes=tuple(exclude or ()),
        allow_ad_lead=allow_ad_lead,
        time_limit=time_limit,
    )
    result = propose(programme, analysis.contexts, ids, options, _private())
    if fmt is ShowFormat.json:
        write_json(result.as_json())
    else:
        views.write(result, programme, fmt.value, sys.stdout)
    if apply:
        _apply(analysis, result)


def _challenge_id(analysis: Analysis, reference: str) -> str:
    for ctx in analysis.contexts:
        if ctx.challenge.id == reference:
            return reference
    named = named_challenge(reference)
    for ctx in analysis.contexts:
        if ctx.display == named.display:
            return ctx.challenge.id
    raise UsageError(f"{reference}: cannot be read; run `pcplan check {reference}` for details")


def _private() -> Private | None:
    """The private constraints file named by env PCPLAN_PRIVATE (SPEC §2), if any."""
    from pcplan.repo import load_private

    loaded = load_private()
    if loaded is None:
        return None
    if loaded.private is None:
        raise UsageError(
            "the private constraints file (PCPLAN_PRIVATE) cannot be used; run `pcplan check` "
            "for why, fix it or unset PCPLAN_PRIVATE"
        )
    return loaded.private


def _apply(analysis: Analysis, result: MatchResult) -> None:
    """Write each proposed member as `nominated` (never confirmed, ¶22), then check."""
    from pcplan.edit import open_editor
    from pcplan.render.findings import write_text

    paths = {ctx.challenge.id: (ctx.path, ctx.display) for ctx in analysis.contexts}
    written = []
    for entry in result.challenges:
        path, display = paths[entry.target.id]
        added = 0
        for member in entry.team:
            if member["kept"]:
                continue
            item: dict[str, str | bool] = {
                "name": member["name"],
                "authority": member["authority"],
                "role": member["role"],
            }
            if member["lead"]:
                item["lead"] = True
            item["status"] = "nominated"
            with open_editor(path) as editor:
                editor.append_item(("visiting_team",), item)
                editor.save()
            added += 1
        if added:
            written.append(display)
            sys.stdout.write(f"{display}: nominated {added} member{'s' if added != 1 else ''}\n")
    if not written:
        sys.stdout.write("Nothing to write: no member proposed.\n")
        return
    after = analyse_programme(today())
    sys.stdout.write("pcplan check now says:\n")
    write_text(after.result(only=written), sys.stdout)
