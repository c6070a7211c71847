"""THE planning-steps table (methodology ¶17, SPEC §3): the only place it is written down.

Windows are offsets from fieldwork start (``start``) or end (``end``). Everything
that needs a step's title, owner or window reads it from :data:`STEPS`.
"""

from __future__ import annotations

from typing import Literal, NamedTuple


class Offset(NamedTuple):
    """A date relative to fieldwork: ``anchor`` plus weeks and calendar months."""

    anchor: Literal["start", "end"]
    weeks: int = 0
    months: int = 0


class Step(NamedTuple):
    """One planning step.

    ``before_fieldwork`` steps cannot be done after fieldwork ends (rule
    ``steps.order``). ``due_moves`` steps have their due date moved back to the
    previous working day when it falls on a weekend or bank holiday.
    ``due_weeks_setting`` names the programme setting that gives the due date in
    weeks after fieldwork ends instead of a fixed offset. ``applies_if`` names the
    flags (the review's, `briefing_needed`) that must be true for the step to apply at all, and
    ``opens_after_done`` a step whose done date the window never opens before.
    ``owners`` are who owns or attends the step (SPEC §3), by their place in a
    challenge: ``host_dcs``, ``project_manager`` (the host's), ``visiting_lead``,
    ``visiting_members`` (the others not declined), ``programme_manager``. They say
    whom `due` names to chase and what `calendar --person` and `due --person` keep.
    """

    number: int
    key: str
    title: str
    who: str
    where: str
    when: str
    opens: Offset
    due: Offset | None
    before_fieldwork: bool = True
    due_moves: bool = True
    due_weeks_setting: str | None = None
    applies_if: tuple[str, ...] = ()
    opens_after_done: str | None = None
    owners: tuple[str, ...] = ()


START: Literal["start"] = "start"
END: Literal["end"] = "end"

# fmt: off
STEPS: tuple[Step, ...] = (
    Step(1, "dates", "Choice of dates", "Host and visiting DCS", "",
         "14–18 weeks before fieldwork",
         Offset(START, weeks=-18), Offset(START, weeks=-14),
         owners=("host_dcs", "visiting_lead")),
    Step(2, "scope", "Choice of self-assessment scope", "Host DCS", "",
         "14–18 weeks before fieldwork (earlier if the self-assessment needs it)",
         Offset(START, weeks=-18), Offset(START, weeks=-14),
         owners=("host_dcs",)),
    Step(3, "team", "Visiting team of 3 identified, matched to scope",
         "Programme manager and other DCSs", "email and phone",
         "10–14 weeks before fieldwork",
         Offset(START, weeks=-14), Offset(START, weeks=-10),
         owners=("programme_manager",)),
    Step(4, "planning_discussion", "Planning discussion(s)", "Host and visiting DCS",
         "phone, or the margin of another meeting", "10–14 weeks before fieldwork",
         Offset(START, weeks=-14), Offset(START, weeks=-10),
         owners=("host_dcs", "visiting_lead")),
    Step(5, "project_manager", "Host project manager identified", "Host DCS", "",
         "10–14 weeks before fieldwork",
         Offset(START, weeks=-14), Offset(START, weeks=-10),
         owners=("host_dcs",)),
    Step(6, "self_assessment", "Self-assessment conducted", "Host DCS and team", "",
         "4–14 weeks before fieldwork",
         Offset(START, weeks=-14), Offset(START, weeks=-4),
         owners=("host_dcs",)),
    Step(7, "briefing", "Briefing/training for those new to peer challenge",
         "Programme manager", "by arrangement", "2–8 weeks before fieldwork",
         Offset(START, weeks=-8), Offset(START, weeks=-2),
         owners=("programme_manager",), applies_if=("briefing_needed",)),
    Step(8, "logistics", "Detailed timings, overnight accommodation etc.",
         "Host project manager", "", "4–8 weeks before fieldwork",
         Offset(START, weeks=-8), Offset(START, weeks=-4),
         owners=("project_manager",)),
    Step(9, "reading_pack", "High-level reading pack sent",
         "Host DCS and project manager", "email", "2–4 weeks before fieldwork",
         Offset(START, weeks=-4), Offset(START, weeks=-2),
         owners=("host_dcs", "project_manager")),
    Step(10, "pre_meeting", "Visiting team pre-meeting", "Visiting DCS and team",
         "venue or phone, chosen by visiting DCS",
         "1–2 weeks before fieldwork, or at the start of fieldwork",
         Offset(START, weeks=-2), Offset(START),
         owners=("visiting_lead", "visiting_members")),
    Step(11, "supplementary_reading", "Supplementary reading as requested",
         "Host project manager", "email", "0–1 weeks before fieldwork",
         Offset(START, weeks=-1), Offset(START),
         owners=("project_manager",)),
    Step(12, "fieldwork", "Fieldwork (48 hours)", "All", "host council", "48 hours",
         Offset(START), Offset(END), before_fieldwork=False, due_moves=False,
         owners=("host_dcs", "project_manager", "visiting_lead", "visiting_members")),
    Step(13, "response_document", "Response document", "Host DCS", "",
         "following fieldwork",
         Offset(END), None, before_fieldwork=False,
         due_weeks_setting="response_document_weeks",
         owners=("host_dcs",)),
    Step(14, "impact_review", "Review-of-impact document submitted", "Host DCS", "",
         "at least 6 months after fieldwork",
         Offset(END, months=6), None, before_fieldwork=False, due_moves=False,
         applies_if=("opted_in",),
         owners=("host_dcs",)),
    Step(15, "impact_visit", "Review of impact visit, if requested", "Visiting DCS",
         "host council", "at least 6 months after fieldwork, after the review document",
         Offset(END, months=6), None, before_fieldwork=False, due_moves=False,
         applies_if=("opted_in", "visit_requested"), opens_after_done="impact_review",
         owners=("host_dcs", "visiting_lead")),
)
# fmt: on

#: The places a person can hold in a challenge, as ``Step.owners`` names them.
OWNER_ROLES: tuple[str, ...] = (
    "host_dcs",
    "project_manager",
    "visiting_lead",
    "visiting_members",
    "programme_manager",
)

STEP_BY_KEY: dict[str, Step] = {step.key: step for step in STEPS}
STEP_KEYS: tuple[str, ...] = tuple(STEP_BY_KEY)
