"""What must be agreed before fieldwork: the feedback session and the escalation route."""

from __future__ import annotations

from collections.abc import Iterator

from pcplan.dates import show_date
from pcplan.rules.registry import ChallengeContext, Problem, file_rule

LOOKAHEAD_DAYS = 14


def _fieldwork_within_two_weeks(ctx: ChallengeContext) -> bool:
    return 0 <= (ctx.challenge.fieldwork.start - ctx.as_of).days <= LOOKAHEAD_DAYS


@file_rule("feedback.unplanned", "warning", uses_as_of=True)
def check_feedback_planned(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork is 0-14 days away and `feedback.audience` or `feedback.agreed_on` is missing (¶30)."""
    if not _fieldwork_within_two_weeks(ctx):
        return
    feedback = ctx.challenge.feedback
    missing = []
    if feedback is None or not feedback.audience:
        missing.append("audience")
    if feedback is None or feedback.agreed_on is None:
        missing.append("agreed_on")
    if missing:
        yield Problem(
            ("feedback",),
            f"fieldwork starts {show_date(ctx.challenge.fieldwork.start)} and the feedback "
            f"session is not planned: add `feedback.{'` and `feedback.'.join(missing)}` "
            "(who hears it, and when host and visiting DCS agreed it; ¶30)",
        )


@file_rule("escalation.missing", "warning", uses_as_of=True)
def check_escalation_route(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork is 0-14 days away and either escalation contact is missing (¶33)."""
    if not _fieldwork_within_two_weeks(ctx):
        return
    escalation = ctx.challenge.escalation
    missing = [
        key
        for key in ("host_contact", "visiting_contact")
        if escalation is None or not getattr(escalation, key)
    ]
    if missing:
        yield Problem(
            ("escalation",),
            f"fieldwork starts {show_date(ctx.challenge.fieldwork.start)} with no escalation "
            f"route: add `escalation.{'` and `escalation.'.join(missing)}` "
            "(usually DCS to DCS; ¶33)",
        )
