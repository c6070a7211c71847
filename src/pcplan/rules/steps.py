"""The `steps` record: known keys, possible dates, nothing overdue."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from pcplan.dates import show_date
from pcplan.findings import shorten
from pcplan.rules.registry import ChallengeContext, Problem, file_rule
from pcplan.rules.team import TEAM_SIZE, core, members, waived
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
    """A done date that cannot be: a pre-fieldwork step after fieldwork ended, fieldwork before it started, the response document before it ended, the impact review without the response document (¶39), the impact visit before the impact review."""
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
    start = challenge.fieldwork.start
    fieldwork = challenge.steps.get("fieldwork")
    if fieldwork is not None and fieldwork < start:
        yield Problem(
            ("steps", "fieldwork"),
            f"fieldwork is recorded as done {show_date(fieldwork)}, before it starts "
            f"{show_date(start)}; record it once it has happened (or leave it: fieldwork is "
            "done once it is over)",
        )
    response = challenge.steps.get("response_document")
    if response is not None and response < end:
        yield Problem(
            ("steps", "response_document"),
            f"the response document is recorded as done {show_date(response)}, before "
            f"fieldwork ended {show_date(end)}",
        )
    review = challenge.steps.get("impact_review")
    if review is not None and response is None:
        yield Problem(
            ("steps", "impact_review"),
            f"the review-of-impact document is recorded as done {show_date(review)}, but the "
            "response document is not: the review builds on it (¶39); record "
            f"`pcplan done {challenge.id} response_document --on DATE` first",
        )
    visit = challenge.steps.get("impact_visit")
    if review is not None and visit is not None and visit < review:
        yield Problem(
            ("steps", "impact_visit"),
            f"the impact visit ({show_date(visit)}) is recorded before the review-of-impact "
            f"document ({show_date(review)})",
        )


@file_rule("steps.data", "error")
def check_done_steps_have_their_data(ctx: ChallengeContext) -> Iterator[Problem]:
    """A step recorded done whose data is missing: `team` with no lead or a core team under four (unless `team.size` is waived), `project_manager` with no `host.project_manager`."""
    challenge = ctx.challenge
    undo = "or undo the record with `pcplan done {id} {step} --undo`"
    if challenge.steps.get("team") is not None:
        lacking = []
        if not any(member.lead for _, member in members(ctx)):
            lacking.append("no lead")
        size = len(core(ctx))
        if size < TEAM_SIZE and not waived(challenge, "team.size"):
            lacking.append(f"a core team of {size}, not {TEAM_SIZE}")
        if lacking:
            yield Problem(
                ("steps", "team"),
                f"step 3 `team` is recorded as done but the visiting team has "
                f"{' and '.join(lacking)}; complete the team (¶21), "
                + undo.format(id=challenge.id, step="team"),
            )
    if challenge.steps.get("project_manager") is not None and not challenge.host.project_manager:
        yield Problem(
            ("steps", "project_manager"),
            "step 5 `project_manager` is recorded as done but `host.project_manager` is "
            f'empty; set it with `pcplan set {challenge.id} host.project_manager "NAME"`, '
            + undo.format(id=challenge.id, step="project_manager"),
        )


@file_rule("steps.unrecorded", "info", uses_as_of=True)
def check_unrecorded_steps(ctx: ChallengeContext) -> Iterator[Problem]:
    """Fieldwork is over and some of steps 1-11 have no date: one finding per file, listing them."""
    unrecorded = ctx.schedule.with_status("unrecorded")
    if unrecorded:
        listed = ", ".join(f"{entry.step.number} `{entry.key}`" for entry in unrecorded)
        yield Problem(
            ("steps",),
            f"fieldwork is over and steps {listed} have no date recorded; they are no longer "
            f"chased. If you know when one was done, record it with `pcplan done "
            f"{ctx.challenge.id} STEP --on DATE`",
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
