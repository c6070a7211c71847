"""Words and limits of the file format, for code that runs before (or without) pydantic.

:mod:`pcplan.models` builds the format from these; the command line, the rules and
the models' plain twins (:mod:`pcplan.twins`) read them here, where importing
costs nothing.
"""

from __future__ import annotations

import re
from typing import Literal

Role = Literal["dcs", "assistant_director", "team_leader", "practitioner", "partner"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]

MemberStatus = Literal["nominated", "confirmed", "declined"]
MEMBER_STATUSES: tuple[str, ...] = MemberStatus.__args__  # type: ignore[attr-defined]
ReviewContent = Literal[
    "original_scope",
    "self_assessment_findings",
    "peer_commentary",
    "response_document",
    "progress_review",
    "impact_evidence",
]
REVIEW_CONTENTS: tuple[str, ...] = ReviewContent.__args__  # type: ignore[attr-defined]
SessionKind = Literal[
    "briefing",
    "interview",
    "focus_group",
    "partner_interview",
    "service_user",
    "work_seen",
    "team_time",
    "break",
    "dcs_to_dcs",
    "feedback",
    "other",
]
SESSION_KINDS: tuple[str, ...] = SessionKind.__args__  # type: ignore[attr-defined]
# The sources of evidence of ¶29.
EVIDENCE_KINDS = ("interview", "focus_group", "partner_interview", "service_user", "work_seen")
PackKind = Literal["self_assessment", "evidence", "background"]
PACK_KINDS: tuple[str, ...] = PackKind.__args__  # type: ignore[attr-defined]

FIRST_YEAR, LAST_YEAR = 1900, 2199  # room for any programme; keeps date arithmetic in range
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$"
# One line of text (names, topics, titles, formats…) holds no control character at all:
# no line break, tab, escape or bell (SPEC §6), so that nothing shown from the data can
# start a line of its own or drive the terminal. Multi-line text (`scope`, reasons) may
# hold line breaks and tabs, and no other control character.
LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029]*$"
ONE_LINE = re.compile(LINE_PATTERN)
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
# Names and slugs appear in messages, which never echo more than 80 characters (SPEC §6).
NAME_MAX = 80
