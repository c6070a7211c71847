"""The reading pack and supplementary reading (SPEC §9, ¶16)."""

from __future__ import annotations

from collections.abc import Iterator

from pcplan.dates import show_date
from pcplan.findings import shorten
from pcplan.rules.registry import ChallengeContext, Problem, file_rule
from pcplan.timetable import open_requests, request_due


@file_rule("reading.self_assessment", "warning")
def check_reading_self_assessment(ctx: ChallengeContext) -> Iterator[Problem]:
    """Step `reading_pack` is done and the pack, as listed in `reading.pack`, has no `self_assessment` item (¶16)."""
    pack = ctx.challenge.reading.pack
    if ctx.challenge.steps.get("reading_pack") is None or not pack:
        return  # (a file that does not list its pack is not judged on it)
    if any(item.kind == "self_assessment" for item in pack):
        return
    yield Problem(
        ("reading", "pack"),
        "the reading pack is recorded as sent but `reading.pack` lists no `self_assessment` "
        "item: the pack includes the self-assessment outputs (¶16)",
    )


@file_rule("reading.slim", "warning", waivable=True)
def check_reading_slim(ctx: ChallengeContext) -> Iterator[Problem]:
    """The pack's pages add up to more than `settings.reading_pack_max_pages` (¶16: slim packs)."""
    limit = ctx.settings.reading_pack_max_pages
    pages = sum(item.pages or 0 for item in ctx.challenge.reading.pack)
    if pages > limit:
        yield Problem(
            ("reading", "pack"),
            f"the reading pack has {pages} pages, over the programme's {limit}: visiting teams "
            "prefer a slim pack and a ready response to requests over just-in-case "
            "documents (¶16)",
        )


@file_rule("reading.request", "warning", uses_as_of=True)
def check_reading_request(ctx: ChallengeContext) -> Iterator[Problem]:
    """A request is not `sent` two working days after it was `asked`, or by fieldwork start (¶16: a ready response)."""
    challenge = ctx.challenge
    for index, request in open_requests(challenge):
        due = request_due(challenge, request, ctx.calendar)
        if ctx.as_of > due:
            yield Problem(
                ("reading", "requests", index),
                f"{shorten(request.what, 60)}, asked for {show_date(request.asked)}, was due "
                f"by {show_date(due)} and is not recorded as sent: send it and record `sent` "
                f"(`pcplan visit {challenge.id} sent {index + 1}`; ¶16: a ready response)",
            )
