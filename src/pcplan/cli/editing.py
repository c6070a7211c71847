"""`pcplan new`, `done` and `team`: scaffolding and edits that change only their own lines."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pcplan.cli.common import (
    NamedChallenge,
    ShowFormat,
    app,
    as_of_or_today,
    handles_errors,
    named_challenge,
    open_directory,
    parse_date,
    say,
    today,
    write_json,
)
from pcplan.errors import UsageError

if TYPE_CHECKING:
    from pcplan.edit import Editor
    from pcplan.findings import Finding

# ----------------------------------------------------------------------------- new


def _prompt_or_fail(value: Any, label: str, option: str, missing: list[str]) -> Any:
    if value is not None:
        return value
    if sys.stdin.isatty() and sys.stdout.isatty():
        return typer.prompt(label)
    missing.append(option)
    return None


@app.command()
@handles_errors
def new(
    host: Annotated[
        str | None, typer.Option("--host", help="Host authority slug, e.g. kent.")
    ] = None,
    fieldwork: Annotated[
        str | None,
        typer.Option("--fieldwork", metavar="DATE", help="First day of fieldwork (YYYY-MM-DD)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--end", metavar="DATE", help="Last day of fieldwork; default the next working day."
        ),
    ] = None,
    round_number: Annotated[int | None, typer.Option("--round", help="Round number.")] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Self-assessment topic.")] = None,
    host_dcs: Annotated[
        str | None,
        typer.Option("--host-dcs", help="Host DCS; default the host's DCS in programme.yaml."),
    ] = None,
    challenge_id: Annotated[
        str | None, typer.Option("--id", help="Challenge id; default <host>-<YYYY>-<MM>.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", metavar="DATE", help="Today, for the schedule's headline.", hidden=True
        ),
    ] = None,
) -> None:
    """Scaffold a new challenge file with every section commented, and print its schedule.

    Asks for what is missing on a terminal; elsewhere exits 2 naming it.

    Example: pcplan new --host kent --fieldwork 2027-06-09 --round 10 --topic "Care leavers"
    """
    from pcplan.dates import working_days
    from pcplan.fileio import create_new
    from pcplan.models import SLUG_PATTERN, Programme, validate_challenge
    from pcplan.render.schedule import headline
    from pcplan.repo import challenge_paths, load_programme
    from pcplan.rules import ChallengeContext, check_file
    from pcplan.rules.identity import unknown_authority_message
    from pcplan.scaffold import NewChallenge, challenge_text, default_id, schema_reference
    from pcplan.schedule import compute_schedule
    from pcplan.yamlio import decode, parse

    day = as_of_or_today(as_of)
    programme_dir = open_directory()
    programme_file = load_programme(programme_dir)
    programme = programme_file.model
    if not isinstance(programme, Programme):
        raise UsageError(
            f"{programme_file.display} cannot be read; run `pcplan check` and fix it first"
        )
    missing: list[str] = []
    host = _prompt_or_fail(host, "Host authority (slug)", "--host", missing)
    fieldwork = _prompt_or_fail(
        fieldwork, "First day of fieldwork (YYYY-MM-DD)", "--fieldwork", missing
    )
    round_number = _prompt_or_fail(round_number, "Round", "--round", missing)
    topic = _prompt_or_fail(topic, "Self-assessment topic", "--topic", missing)
    if host_dcs is None and host is not None:
        dcss = [p.name for p in programme.people if p.authority == host and p.role == "dcs"]
        host_dcs = dcss[0] if len(dcss) == 1 else None
    host_dcs = _prompt_or_fail(host_dcs, "Host DCS", "--host-dcs", missing)
    if missing:
        raise UsageError(
            f"missing {', '.join(missing)} (not a terminal, so pcplan cannot ask); nothing written"
        )
    import re

    if not re.fullmatch(SLUG_PATTERN, host) or host not in programme.authorities:
        raise UsageError(f"--host {host}: {unknown_authority_message(host, programme.authorities)}")
    start = parse_date(str(fieldwork), "--fieldwork")
    assert start is not None
    finish = parse_date(end, "--end") or working_days().next_after(start)
    challenge_id = challenge_id or default_id(host, start)
    if not re.fullmatch(SLUG_PATTERN, challenge_id):
        raise UsageError(f"--id {challenge_id}: use lowercase letters, digits and hyphens")
    target = programme_dir.root / f"{challenge_id}.yaml"
    for path in challenge_paths(programme_dir):
        if path.stem == challenge_id and path != target:
            from pcplan.errors import WriteRefused

            raise WriteRefused(
                f"{programme_dir.display(path)} already has the id {challenge_id}; "
                "choose another with --id"
            )
    details = NewChallenge(
        id=challenge_id,
        round=int(round_number),
        host=host,
        host_name=programme.authority_name(host) or host,
        host_dcs=str(host_dcs),
        topic=str(topic),
        start=start,
        end=finish,
        programme_manager=programme.programme_manager,
    )
    text = challenge_text(
        details, schema_path=schema_reference(target, programme_dir.root), made_on=day
    )
    document = parse(decode(target, text.encode("utf-8")))
    checked = validate_challenge(document.data)
    if isinstance(checked, list):
        raise UsageError("; ".join(issue.message for issue in checked) + "; nothing written")
    context = ChallengeContext(
        path=target,
        display=programme_dir.display(target),
        document=document,
        challenge=checked,
        programme=programme,
        calendar=working_days(),
        as_of=day,
    )
    found = check_file(context).findings
    errors = [f for f in found if f.severity == "error"]
    if errors:  # a file made by `new` checks with no errors (SPEC §4)
        raise UsageError("; ".join(f.message for f in errors) + "; nothing written")
    create_new(target, text.encode("utf-8"), force=force)  # exclusive, even under races
    say(programme_dir.display(target))
    result = compute_schedule(checked, programme.settings, day)
    for line in headline(checked, result, programme.authority_name(host)):
        say(line)
    from pcplan.render.findings import finding_line

    for finding in found:  # (late steps are in the headline already)
        if finding.severity == "warning" and finding.rule not in ("steps.overdue", "team.missing"):
            sys.stdout.write(finding_line(finding))


# ----------------------------------------------------------------------------- done


def _say_if_not_applicable(named: NamedChallenge, step: str, editor: Editor) -> None:
    """Steps 14-15 apply only when the host opted into the review (SPEC §3): say so."""
    review = editor.data.get("review")
    review = review if isinstance(review, dict) else {}
    visit = review.get("visit")
    visit = visit if isinstance(visit, dict) else {}
    reasons = {
        "impact_review": "review.opted_in is not true",
        "impact_visit": "review.opted_in and review.visit.requested are not both true",
    }
    applies = review.get("opted_in") is True and (
        step != "impact_visit" or visit.get("requested") is True
    )
    if step in reasons and not applies:
        say(
            f"{named.display}: note: step `{step}` does not apply to this challenge "
            f"({reasons[step]}); recorded anyway"
        )


def _report_edit(named: NamedChallenge, before: list[Finding], as_of: date) -> None:
    """After an edit, the file's new problems: rules that fire more often than before.

    (A rule that keeps firing with new numbers, such as team.size while a team
    is being built, is not news.)
    """
    from collections import Counter

    from pcplan.render.findings import finding_line

    after = named.analyse(as_of).findings.get(named.display, [])
    counted = Counter(f.rule for f in before if f.severity != "info")
    known = {(f.rule, f.message) for f in before}
    for f in after:
        if f.severity == "info" or (f.rule, f.message) in known:
            continue
        if sum(1 for g in after if g.rule == f.rule and g.severity != "info") > counted[f.rule]:
            sys.stdout.write(finding_line(f))


def _edit_context(reference: str, as_of: date) -> tuple[NamedChallenge, list[Finding]]:
    """The file to edit and its findings before the edit.

    (The edit itself reads the file again under the folder's lock: `open_editor`.)
    """
    named = named_challenge(reference)
    before = named.analyse(as_of).findings.get(named.display, [])
    return named, before


@app.command()
@handles_errors
def done(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    step: Annotated[str, typer.Argument(help="The step's key, e.g. scope or reading_pack.")],
    on: Annotated[
        str | None,
        typer.Option(
            "--on", metavar="DATE", help="The day it was done (YYYY-MM-DD); default today."
        ),
    ] = None,
) -> None:
    """Record a planning step as done, changing only that line of the file.

    Example: pcplan done kent-2027-03 reading_pack --on 2027-02-19
    """
    import difflib

    from pcplan.steps import STEP_BY_KEY, STEP_KEYS

    if step not in STEP_BY_KEY:
        close = difflib.get_close_matches(step, STEP_KEYS, n=1)
        hint = f"did you mean {close[0]}?" if close else "the steps are " + ", ".join(STEP_KEYS)
        raise UsageError(f"{step}: not a planning step; {hint}")
    from pcplan.edit import open_editor

    day = parse_date(on, "--on") or today()
    named, before = _edit_context(challenge, today())
    with open_editor(named.path) as editor:
        previous = (
            (editor.data.get("steps") or {}).get(step)
            if isinstance(editor.data.get("steps"), dict)
            else None
        )
        editor.set_value(("steps",), step, day)
        _say_if_not_applicable(named, step, editor)
        changed = editor.save()
    if changed:
        was = f" (was {previous})" if previous not in (None, "") else ""
        say(f"{named.display}: {step} done {day.isoformat()}{was}")
    else:
        say(f"{named.display}: {step} was already done {day.isoformat()}")
    _report_edit(named, before, today())


# ----------------------------------------------------------------------------- team


class Role(StrEnum):
    dcs = "dcs"
    assistant_director = "assistant_director"
    team_leader = "team_leader"
    practitioner = "practitioner"
    partner = "partner"


TEAM_RULES = (
    "team.lead",
    "team.size",
    "team.authorities",
    "team.host",
    "team.assistant_director",
    "team.practitioners",
    "team.diary",
    "team.conflict",
    "team.unconfirmed",
    "team.missing",
)


class TeamAction(StrEnum):
    add = "add"
    confirm = "confirm"
    decline = "decline"


@app.command(
    epilog="Examples:\n\n"
    "  pcplan team kent-2027-03\n\n"
    '  pcplan team kent-2027-03 add "Jo Rivers" --authority surrey --role dcs --lead\n\n'
    '  pcplan team kent-2027-03 confirm "Jo Rivers"\n\n'
    '  pcplan team kent-2027-03 decline "Pat Quinn"'
)
@handles_errors
def team(
    challenge: Annotated[str, typer.Argument(help="A challenge id or the path of its file.")],
    action: Annotated[
        TeamAction | None,
        typer.Argument(
            help="add, confirm or decline; leave out to show the team.", show_default=False
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Argument(help="The member's name.", show_default=False)
    ] = None,
    authority: Annotated[
        str | None, typer.Option("--authority", help="add: their authority's slug.")
    ] = None,
    role: Annotated[Role | None, typer.Option("--role", help="add: their role.")] = None,
    lead: Annotated[bool, typer.Option("--lead", help="add: they lead the visiting team.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="show: the rules as of this date.")
    ] = None,
    fmt: Annotated[
        ShowFormat, typer.Option("--format", help="show: table, markdown or json.")
    ] = ShowFormat.table,
) -> None:
    """Show a challenge's visiting team and each team rule's result, or edit the team.

    `add` nominates someone (status: nominated); `confirm` and `decline` record the
    host DCS's answer (¶22). No reason for a decline is ever recorded.

    Example: pcplan team kent-2027-03 add "Jo Rivers" --authority surrey --role dcs --lead
    """
    if action is None:
        if name is not None:
            raise UsageError(f"{name}: say what to do: add, confirm or decline")
        _show_team(challenge, as_of_or_today(as_of), fmt)
        return
    if name is None or not name.strip():
        raise UsageError(f"team {action.value}: give the member's name")
    if action is TeamAction.add:
        missing = [
            flag for flag, value in (("--authority", authority), ("--role", role)) if value is None
        ]
        if missing:
            raise UsageError(f"team add: missing {' and '.join(missing)}")
        assert authority is not None and role is not None
        _add_member(challenge, _valid_name(name), authority, role, lead)
        return
    stray = [
        flag
        for flag, value in (("--authority", authority), ("--role", role), ("--lead", lead or None))
        if value is not None
    ]
    if stray:
        raise UsageError(f"team {action.value}: {', '.join(stray)} only go with `add`")
    _set_status(challenge, name, "confirmed" if action is TeamAction.confirm else "declined")


def _valid_name(name: str) -> str:
    """A name as the file format allows it (SPEC §2), or exit 2 saying why not."""
    import re

    from pcplan.models import LINE_PATTERN, NAME_MAX
    from pcplan.yamlio import has_forbidden_character

    name = name.strip()
    if len(name) > NAME_MAX:
        raise UsageError(f"a name is at most {NAME_MAX} characters; this one has {len(name)}")
    if has_forbidden_character(name) or not re.fullmatch(LINE_PATTERN, name):
        raise UsageError(
            "the name contains a control or invisible character (a tab or line break?); "
            "retype it on one line"
        )
    return name


def _show_team(challenge: str, day: date, fmt: ShowFormat) -> None:
    from pcplan.overview import confirmed_count
    from pcplan.render import table as tables

    named = named_challenge(challenge)
    display = named.display
    analysis = named.analyse(day)
    context = analysis.context(display)
    if context is None:
        from pcplan.findings import CheckResult
        from pcplan.render.findings import write_text

        write_text(CheckResult(1, tuple(analysis.findings.get(display, []))), sys.stderr)
        raise typer.Exit(1)
    members = context.challenge.visiting_team
    found = [f for f in analysis.findings.get(display, []) if f.rule in TEAM_RULES]
    results = [(rule, [f for f in found if f.rule == rule]) for rule in TEAM_RULES]
    if fmt is ShowFormat.json:
        write_json(
            {
                "id": context.challenge.id,
                "members": [m.model_dump(mode="json") for m in members],
                "rules": {
                    rule: [
                        {"severity": f.severity, "message": f.message, "line": f.line} for f in hits
                    ]
                    for rule, hits in results
                },
            }
        )
        return
    people = tables.Table(["name", "authority", "role", "lead", "status"])
    confirmed = confirmed_count(context.challenge)
    people.heading = [f"{context.challenge.id}: visiting team ({confirmed}/4 confirmed)"]
    if not members:
        people.notes = ["No visiting team yet."]
    for member in members:
        people.add(
            [
                member.name,
                member.employer,
                member.role.replace("_", " "),
                "lead" if member.lead else "",
                member.status,
            ],
            "dim" if member.status == "declined" else None,
        )
    tables.write(people, fmt.value, sys.stdout)
    sys.stdout.write("\n")
    verdicts = tables.Table(["rule", "result"])
    composition = TEAM_RULES[: TEAM_RULES.index("team.practitioners") + 1]
    for rule, hits in results:
        if not hits and not members and rule in composition:
            verdicts.add([rule, "n/a: no visiting team yet"])  # (SPEC §4: team.missing instead)
        elif not hits:
            verdicts.add([rule, "ok"])
        for f in hits:
            style = {"error": "bold red", "warning": "yellow"}.get(f.severity)
            verdicts.add([rule, f"{f.severity}: {f.message}"], style)
    tables.write(verdicts, fmt.value, sys.stdout)


def _find_member(editor: Any, name: str, challenge: str) -> int:
    """The member called ``name``: exactly, or else the one member whose name differs
    only by case and spacing. Several such members are exit 2: which one is meant?"""
    import difflib

    from pcplan.overview import matching_names

    team_list = editor.data.get("visiting_team") or []
    members = {
        index: str(member.get("name", ""))
        for index, member in enumerate(team_list)
        if isinstance(member, dict)
    }
    matches = matching_names(name, members.values())
    if len(matches) > 1:
        raise UsageError(
            f"{name}: several members of {challenge} differ from this name only by case or "
            f"spacing ({', '.join(matches)}); give the name exactly as in the file"
        )
    if matches:
        return next(index for index, member in members.items() if member == matches[0])
    names = list(members.values())
    close = difflib.get_close_matches(name, names, n=1)
    hint = (
        f"; did you mean {close[0]}?"
        if close
        else (f"; the team is {', '.join(names)}" if names else "; the team is empty")
    )
    raise UsageError(f"{name}: not on the visiting team of {challenge}{hint}")


def _add_member(challenge: str, name: str, authority: str, role: Role, lead: bool) -> None:
    from pcplan.models import SLUG_PATTERN, Programme
    from pcplan.repo import load_programme
    from pcplan.rules.identity import unknown_authority_message

    directory = open_directory()
    programme = load_programme(directory).model
    if isinstance(programme, Programme) and authority not in programme.authorities:
        known = programme.authorities
        raise UsageError(f"--authority {authority}: {unknown_authority_message(authority, known)}")
    import re

    if not re.fullmatch(SLUG_PATTERN, authority):
        raise UsageError(f"--authority {authority}: use the authority's slug, such as `kent`")
    from pcplan.edit import open_editor
    from pcplan.overview import matching_names

    named, before = _edit_context(challenge, today())
    with open_editor(named.path) as editor:
        team_list = editor.data.get("visiting_team") or []
        names = [str(m.get("name", "")) for m in team_list if isinstance(m, dict)]
        if matching_names(name, names):  # (also a name differing only by case or spacing)
            raise UsageError(
                f"{name} is already on the visiting team of {challenge}; use "
                f"`pcplan team {challenge} confirm` or `decline`"
            )
        item: dict[str, str | bool] = {"name": name, "authority": authority, "role": role.value}
        if lead:
            item["lead"] = True
        item["status"] = "nominated"
        editor.append_item(("visiting_team",), item)
        editor.save()
    say(
        f"{named.display}: added {name} ({authority}, {role.value}"
        f"{', lead' if lead else ''}) as nominated"
    )
    _report_edit(named, before, today())


def _set_status(challenge: str, name: str, status: str) -> None:
    from pcplan.edit import open_editor

    named, before = _edit_context(challenge, today())
    with open_editor(named.path) as editor:
        index = _find_member(editor, name, challenge)
        member = editor.data["visiting_team"][index]
        if member.get("status") == status:
            say(f"{named.display}: {member.get('name')} is already {status}")
            return
        editor.set_value(("visiting_team", index), "status", status)
        editor.save()
    say(f"{named.display}: {member.get('name')} is now {status}")
    _report_edit(named, before, today())
