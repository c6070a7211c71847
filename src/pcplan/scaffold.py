"""The text of a new challenge file (`pcplan new`): valid, commented, ready to fill in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pcplan.dates import show_date
from pcplan.edit import yaml_scalar
from pcplan.steps import STEP_KEYS


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
