"""The fieldwork dates: in order, two working days (¶11)."""

from __future__ import annotations

from collections.abc import Iterator

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


@file_rule("fieldwork.length", "warning")
def check_fieldwork_length(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork does not end on the next working day after it starts (¶11, "48 hours")."""
    fieldwork = ctx.challenge.fieldwork
    if fieldwork.end < fieldwork.start:
        return  # fieldwork.dates says so
    expected = ctx.calendar.next_after(fieldwork.start)
    if fieldwork.end != expected:
        days = (fieldwork.end - fieldwork.start).days + 1
        yield Problem(
            ("fieldwork", "end"),
            f"fieldwork is two days (48 hours, ¶11): from {show_date(fieldwork.start)} it "
            f"would end {show_date(expected)}, not {show_date(fieldwork.end)} "
            f"({days} calendar day{'s' if days != 1 else ''})",
        )


@file_rule("fieldwork.working_days", "warning")
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
