"""The text of a new challenge file (`pcplan new`): valid, commented, ready to fill in."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pcplan.dates import show_date
from pcplan.edit import yaml_scalar
from pcplan.errors import UsageError
from pcplan.findings import Finding, shorten
from pcplan.models import Challenge, Programme, validate_challenge
from pcplan.steps import STEP_KEYS
from pcplan.vocabulary import SLUG_PATTERN
from pcplan.yamlio import has_forbidden_character

if TYPE_CHECKING:
    from pcplan.directory import ProgrammeDir


@dataclass(frozen=True, slots=True)
class NewChallenge:
    id: str
    round: int
    host: str
    host_name: str
    host_dcs: str
    topic: str
    start: date
    end: date
    programme_manager: str | None = None


def default_id(host: str, start: date) -> str:
    """``<host>-<YYYY>-<MM>`` of the fieldwork start."""
    return f"{host}-{start:%Y-%m}"


def schema_reference(file: Path, programme_dir: Path) -> str:
    """The modeline's path, relative to the file, of ``schemas/`` beside the directory."""
    schema = programme_dir.parent / "schemas" / "challenge.schema.json"
    relative = os.path.relpath(os.path.abspath(schema), os.path.abspath(file.parent))
    return Path(relative).as_posix()


def challenge_text(new: NewChallenge, *, schema_path: str, made_on: date) -> str:
    """A new challenge file; checks with no errors (SPEC §4)."""
    manager = new.programme_manager or "the programme manager"
    step_list = _wrap(", ".join(STEP_KEYS), prefix="#   ")
    return f"""\
# yaml-language-server: $schema={schema_path}
# Peer challenge hosted by {new.host_name}; fieldwork {show_date(new.start)}.
# Made with `pcplan new` on {made_on.isoformat()}. `pcplan schedule {new.id}` prints the
# week-by-week deadlines; `pcplan done` and `pcplan team` record progress.
id: {new.id}
round: {new.round}
host:
  authority: {new.host}
  dcs: {yaml_scalar(new.host_dcs)}
  project_manager:            # step 5: the host project manager, once identified (¶24)
topic: {yaml_scalar(new.topic)}
# scope: |                    # what the self-assessment covers; sharper is better (¶6, ¶15)
#   ...
fieldwork:                    # two working days, 48 hours (¶11); dates never move
  start: {new.start.isoformat()}
  end: {new.end.isoformat()}
# Step 3, the visiting team: a lead DCS, an assistant director and two team leaders or
# practitioners, from four other authorities (¶21). Add each person with
# `pcplan team {new.id} add NAME --authority SLUG --role ROLE [--lead]`.
visiting_team:
# Steps done, each with its date (`pcplan done {new.id} STEP [--on YYYY-MM-DD]`):
{step_list}
steps:
# lead_consent:               # only if the lead is an assistant director (¶19)
#   given_by: {new.host_dcs}
#   date: YYYY-MM-DD
#   reason: interim arrangements
# feedback:                   # agree the feedback session in advance (¶30)
#   audience: [senior management team, lead member]
#   format: oral presentation with short slides
#   agreed_on: YYYY-MM-DD
# escalation:                 # DCS-to-DCS route for serious concerns during fieldwork (¶33)
#   host_contact: {new.host_dcs}
#   visiting_contact: NAME OF THE VISITING DCS
review:                       # the host's choice: a review of impact 6+ months later (¶36-41)
  opted_in: false
  # contents: [original_scope, self_assessment_findings, peer_commentary,
  #            response_document, progress_review, impact_evidence]   (¶40)
  # visit: {{requested: true, hours: 4, one_to_one: true}}             (¶41)
# waivers:                    # a rule {manager} agreed to relax, and why (¶21)
#   - rule: team.assistant_director
#     reason: WHY
#     agreed_by: {manager}
"""


def _wrap(text: str, *, prefix: str, width: int = 88) -> str:
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        if current and len(prefix) + len(current) + 1 + len(word) > width:
            lines.append(prefix + current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(prefix + current)
    return "\n".join(lines)


# ----------------------------------------------------------------------------- `pcplan new`

#: The options `new` needs, in the order it asks for them, with the question.
QUESTIONS: dict[str, str] = {
    "--host": "Host authority (slug)",
    "--fieldwork": "First day of fieldwork (YYYY-MM-DD)",
    "--round": "Round",
    "--topic": "Self-assessment topic",
    "--host-dcs": "Host DCS",
}


def read_answer(option: str, text: str, programme: Programme) -> str | int | date:
    """One option of `new` as typed, checked at once (exit 2 saying what is wrong)."""
    from pcplan.changes import parse_day, valid_name
    from pcplan.rules.identity import unknown_authority_message

    text = text.strip()
    if option == "--host":
        if not re.fullmatch(SLUG_PATTERN, text) or text not in programme.authorities:
            raise UsageError(
                f"--host {text}: {unknown_authority_message(text, programme.authorities)}"
            )
        return text
    if option in ("--fieldwork", "--end"):
        return parse_day(text, option)
    if option == "--round":
        if not re.fullmatch(r"[0-9]{1,4}", text) or not 1 <= int(text) <= 1000:
            raise UsageError(f"--round {text!r}: give the round's number, such as 9")
        return int(text)
    if option == "--host-dcs":
        return valid_name(text)
    if option == "--topic":
        if not text or has_forbidden_character(text) or len(text) > 500:
            raise UsageError("--topic: one line of text, at most 500 characters")
        return text
    raise AssertionError(option)  # pragma: no cover


def registry_dcs(programme: Programme, host: str) -> str | None:
    """The host's DCS when programme.yaml names exactly one."""
    names = [p.name for p in programme.people if p.authority == host and p.role == "dcs"]
    return names[0] if len(names) == 1 else None


@dataclass(frozen=True, slots=True)
class Created:
    """What `new` wrote, and what to say about it."""

    path: Path
    display: str
    challenge: Challenge
    findings: list[Finding]


def create_challenge(
    programme_dir: ProgrammeDir,
    programme: Programme,
    answers: dict[str, Any],
    *,
    end: date | None,
    challenge_id: str | None,
    force: bool,
    as_of: date,
) -> Created:
    """Write a new challenge file (and the schemas its modeline points at)."""
    from pcplan.checker import build_context
    from pcplan.dates import working_days
    from pcplan.directory import challenge_paths
    from pcplan.errors import WriteRefused
    from pcplan.fileio import AlreadyExists, create_new
    from pcplan.jsonschema import write_schemas
    from pcplan.repo import LoadedFile
    from pcplan.rules import check_file
    from pcplan.yamlio import decode, parse

    host = answers["--host"]
    start = answers["--fieldwork"]
    calendar = working_days()
    finish = end or calendar.next_after(start)
    chosen = challenge_id or default_id(host, start)
    if not re.fullmatch(SLUG_PATTERN, chosen):
        raise UsageError(f"--id {shorten(chosen, 40)}: use lowercase letters, digits and hyphens")
    target = programme_dir.root / f"{chosen}.yaml"
    for path in challenge_paths(programme_dir):
        if path.stem == chosen and path != target:
            raise WriteRefused(
                f"{programme_dir.display(path)} already has the id {chosen}; "
                "choose another with --id"
            )
    if target.is_symlink():
        raise WriteRefused(f"{programme_dir.display(target)}: is a symbolic link; not written")
    hint = (
        f"a second challenge that month? give it its own id, such as --id {chosen}-b"
        if challenge_id is None
        else "choose another id with --id"
    )
    exists = f"{programme_dir.display(target)} already exists; {hint}"
    if target.exists() and not force:
        raise WriteRefused(exists)
    details = NewChallenge(
        id=chosen,
        round=int(answers["--round"]),
        host=host,
        host_name=programme.authority_name(host) or host,
        host_dcs=str(answers["--host-dcs"]),
        topic=str(answers["--topic"]),
        start=start,
        end=finish,
        programme_manager=programme.programme_manager,
    )
    text = challenge_text(
        details, schema_path=schema_reference(target, programme_dir.root), made_on=as_of
    )
    data = text.encode("utf-8")
    document = parse(decode(target, data))
    checked = validate_challenge(document.data)
    if isinstance(checked, list):
        raise UsageError("; ".join(issue.message for issue in checked) + "; nothing written")
    loaded = LoadedFile(target, programme_dir.display(target), document, checked)
    context = build_context(loaded, programme, as_of, calendar)
    assert context is not None
    found = list(check_file(context).findings)
    errors = [f for f in found if f.severity == "error"]
    if errors:  # a file made by `new` checks with no errors (SPEC §4)
        raise UsageError("; ".join(f.message for f in errors) + "; nothing written")
    try:
        create_new(target, data, force=force)
    except AlreadyExists:  # made by another run since the look above
        raise WriteRefused(exists) from None
    # The modeline points at schemas/ beside the directory: make sure they are there.
    with contextlib.suppress(OSError):
        write_schemas(programme_dir.root.parent / "schemas")
    return Created(target, programme_dir.display(target), checked, found)
