"""The `steps` record: known keys, possible dates, nothing overdue."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pcplan.dates import show_date
from pcplan.findings import shorten
from pcplan.rules.registry import ChallengeContext, Problem, file_rule
from pcplan.steps import STEP_BY_KEY, STEP_KEYS


@file_rule("steps.unknown", "error")
def check_step_keys(ctx: ChallengeContext) -> Iterator[Problem]:
    """A key under `steps` that is not one of the 15 planning steps."""
    for key in ctx.challenge.steps:
        if key not in STEP_BY_KEY:
            close = difflib.get_close_matches(key, STEP_KEYS, n=1)
            hint = (
                f"did you mean `{close[0]}`?" if close else "the steps are " + ", ".join(STEP_KEYS)
            )
            yield Problem(("steps", key), f"`{shorten(key, 60)}` is not a planning step; {hint}")


@file_rule("steps.order", "error")
def check_done_dates_possible(ctx: ChallengeContext) -> Iterator[Problem]:
    """A done date that cannot be: a pre-fieldwork step after fieldwork ended, the response document before it ended, the impact visit before the impact review."""
    challenge = ctx.challenge
    end = challenge.fieldwork.end
    for key, done in challenge.steps.items():
        step = STEP_BY_KEY.get(key)
        if step is None or done is None:
            continue
        if step.before_fieldwork and done > end:
            yield Problem(
                ("steps", key),
                f"step {step.number} `{key}` comes before fieldwork but is recorded as done "
                f"{show_date(done)}, after fieldwork ended {show_date(end)}",
            )
    response = challenge.steps.get("response_document")
    if response is not None and response < end:
        yield Problem(
            ("steps", "response_document"),
            f"the response document is recorded as done {show_date(response)}, before "
            f"fieldwork ended {show_date(end)}",
        )
    review = challenge.steps.get("impact_review")
    visit = challenge.steps.get("impact_visit")
    if review is not None and visit is not None and visit < review:
        yield Problem(
            ("steps", "impact_visit"),
            f"the impact visit ({show_date(visit)}) is recorded before the review-of-impact "
            f"document ({show_date(review)})",
        )


@file_rule("steps.overdue", "warning", uses_as_of=True)
def check_nothing_overdue(ctx: ChallengeContext) -> Iterator[Problem]:
    """A step is overdue as of the date."""
    for entry in ctx.schedule.with_status("overdue"):
        assert entry.due is not None
        days = (ctx.as_of - entry.due).days
        yield Problem(
            ("steps", entry.key),
            f"step {entry.step.number} `{entry.key}` ({entry.step.title}) was due "
            f"{show_date(entry.due)}, {days} day{'s' if days != 1 else ''} ago; when it is "
            f"done, record it with `pcplan done {ctx.challenge.id} {entry.key}`",
        )
