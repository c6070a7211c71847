"""The post-challenge review of impact (¶36-41)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pcplan.dates import add_months, show_date
from pcplan.rules.registry import ChallengeContext, Problem, file_rule
from pcplan.vocabulary import REVIEW_CONTENTS

if TYPE_CHECKING:
    from collections.abc import Iterator

HALF_DAY_HOURS = 3.5
REVIEW_MONTHS = 6


@file_rule("review.too_early", "error")
def check_review_not_too_early(ctx: ChallengeContext) -> Iterator[Problem]:
    """`steps.impact_review` is before fieldwork end plus six months (¶36-38)."""
    done = ctx.challenge.steps.get("impact_review")
    earliest = add_months(ctx.challenge.fieldwork.end, REVIEW_MONTHS)
    if done is not None and done < earliest:
        yield Problem(
            ("steps", "impact_review"),
            f"the review of impact is at least six months after fieldwork (¶36): not before "
            f"{show_date(earliest)}, but it is recorded {show_date(done)}",
        )


@file_rule("review.contents", "warning", waivable=True)
def check_review_contents(ctx: ChallengeContext) -> Iterator[Problem]:
    """`steps.impact_review` is recorded and `review.contents` lacks any of the six ¶40 items."""
    if ctx.challenge.steps.get("impact_review") is None:
        return
    missing = [item for item in REVIEW_CONTENTS if item not in ctx.challenge.review.contents]
    if missing:
        yield Problem(
            ("review", "contents"),
            "the review-of-impact document should cover all six items of ¶40; "
            f"`review.contents` lacks {', '.join(missing)}",
        )


@file_rule("review.visit", "error")
def check_review_visit(ctx: ChallengeContext) -> Iterator[Problem]:
    """The impact visit is before the review document (or has none), before fieldwork end plus six months, or `review.visit.hours` is under 3.5 (half a day, ¶41)."""
    challenge = ctx.challenge
    visit = challenge.steps.get("impact_visit")
    review = challenge.steps.get("impact_review")
    if visit is not None:
        earliest = add_months(challenge.fieldwork.end, REVIEW_MONTHS)
        if review is None:
            yield Problem(
                ("steps", "impact_visit"),
                "the impact visit is recorded but the review-of-impact document is not; "
                "the visit comes after the document is submitted (¶41)",
            )
        elif visit < review:
            yield Problem(
                ("steps", "impact_visit"),
                f"the impact visit ({show_date(visit)}) is before the review-of-impact "
                f"document was submitted ({show_date(review)}); ¶41 puts it after",
            )
        if visit < earliest:
            yield Problem(
                ("steps", "impact_visit"),
                f"the impact visit ({show_date(visit)}) is less than six months after "
                f"fieldwork; not before {show_date(earliest)}",
            )
    hours = challenge.review.visit.hours
    if hours is not None and hours < HALF_DAY_HOURS:
        yield Problem(
            ("review", "visit", "hours"),
            f"the return visit lasts at least half a day (¶41): {HALF_DAY_HOURS:g} hours or "
            f"more, not {hours:g}",
        )


@file_rule("review.one_to_one", "warning", waivable=True)
def check_review_visit_one_to_one(ctx: ChallengeContext) -> Iterator[Problem]:
    """`review.visit.requested` and `review.visit.one_to_one` is not true (¶41: a one-to-one between DCSs)."""
    visit = ctx.challenge.review.visit
    if visit.requested and visit.one_to_one is not True:
        where = (
            ("review", "visit", "one_to_one")
            if visit.one_to_one is not None
            else ("review", "visit")
        )
        yield Problem(
            where,
            "the return visit includes a one-to-one session between the DCSs (¶41); "
            "plan one and set `review.visit.one_to_one: true`",
        )
