"""The fieldwork dates: in order, two working days (¶11)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pcplan.dates import show_date
from pcplan.rules.registry import ChallengeContext, Problem, file_rule


@file_rule("fieldwork.dates", "error")
def check_fieldwork_order(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork ends before it starts."""
    fieldwork = ctx.challenge.fieldwork
    if fieldwork.end < fieldwork.start:
        yield Problem(
            ("fieldwork", "end"),
            f"fieldwork ends ({show_date(fieldwork.end)}) before it starts "
            f"({show_date(fieldwork.start)})",
        )


@file_rule("fieldwork.length", "warning", waivable=True)
def check_fieldwork_length(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork is not two consecutive calendar days (¶11, "48 hours"): a Friday start or a span over a bank holiday is flagged."""
    fieldwork = ctx.challenge.fieldwork
    if fieldwork.end < fieldwork.start:
        return  # fieldwork.dates says so
    expected = fieldwork.start + timedelta(days=1)
    if fieldwork.end != expected:
        days = (fieldwork.end - fieldwork.start).days + 1
        yield Problem(
            ("fieldwork", "end"),
            f"fieldwork is 48 hours on two consecutive days (¶11): from "
            f"{show_date(fieldwork.start)} it ends {show_date(expected)}, not "
            f"{show_date(fieldwork.end)} ({days} calendar day{'s' if days != 1 else ''}). "
            "If the programme manager agreed otherwise, record a waiver",
        )


@file_rule("fieldwork.working_days", "warning", waivable=True)
def check_fieldwork_on_working_days(ctx: ChallengeContext) -> Iterator[Problem]:
    """A fieldwork day falls on a weekend or an England and Wales bank holiday."""
    fieldwork = ctx.challenge.fieldwork
    days = [("start", fieldwork.start)]
    if fieldwork.end != fieldwork.start:
        days.append(("end", fieldwork.end))
    for key, day in days:
        reason = ctx.calendar.why_not_working(day)
        if reason is not None:
            yield Problem(("fieldwork", key), f"fieldwork {key} {show_date(day)} is {reason}")
