"""Who and what a file is: its id and the authorities it names."""

from __future__ import annotations

import difflib
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pcplan.findings import shorten
from pcplan.rules.registry import ChallengeContext, Problem, Sighting, file_rule, repo_rule

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Iterator

    from pcplan.models import Programme
    from pcplan.yamlio import KeyPath


@file_rule("id.filename", "error")
def check_id_matches_filename(ctx: ChallengeContext) -> Iterator[Problem]:
    """The `id` differs from the file name without its extension."""
    stem, suffix = _stem_and_suffix(name := ctx.file_name)
    if ctx.challenge.id != stem:
        yield Problem(
            ("id",),
            f"id `{ctx.challenge.id}` differs from the file name `{shorten(name, 60)}`; "
            f"rename the file to `{ctx.challenge.id}{suffix}` or set `id: {shorten(stem, 60)}`",
        )


def _stem_and_suffix(name: str) -> tuple[str, str]:
    """A file name's ``Path.stem`` and ``Path.suffix``, without making a Path for the usual
    name (one that neither starts nor ends with a dot: Python versions split others
    differently, so pathlib splits those)."""
    if name.startswith(".") or name.endswith("."):
        path = PurePath(name)
        return path.stem, path.suffix
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if dot > 0 else (name, "")


def sight_id(ctx: ChallengeContext) -> Iterator[tuple[KeyPath, Hashable, tuple[Any, ...]]]:
    yield ("id",), ctx.challenge.id, ()


@repo_rule("id.duplicate", "error", sight=sight_id)
def check_ids_unique(shared: list[list[Sighting]]) -> Iterator[tuple[Sighting, str]]:
    """Two challenge files share an `id` (compared across the whole programme)."""
    for sharing in shared:
        challenge_id = sharing[0].value
        for sighting in sharing:
            others = [other.display for other in sharing if other is not sighting]
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            yield sighting, f"id `{challenge_id}` is also used by {shown}; ids must be unique"


@file_rule("authority.unknown", "error", needs_registry=True)
def check_authorities_known(ctx: ChallengeContext) -> Iterator[Problem]:
    """An authority slug that programme.yaml does not list under `authorities`."""
    if ctx.programme is None:
        return
    known = ctx.programme.authorities
    used: list[tuple[tuple[str | int, ...], str]] = [
        (("host", "authority"), ctx.challenge.host.authority)
    ]
    used += [
        (("visiting_team", index, "authority"), member.authority)
        for index, member in enumerate(ctx.challenge.visiting_team)
        if member.authority is not None
    ]
    for path, slug in used:
        if slug not in known:
            yield Problem(path, unknown_authority_message(slug, known))
    organisations = ctx.programme.organisations
    for index, member in enumerate(ctx.challenge.visiting_team):
        if member.organisation is not None and member.organisation not in organisations:
            yield Problem(
                ("visiting_team", index, "organisation"),
                unknown_organisation_message(member.organisation, organisations),
            )


def unknown_authority_message(slug: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(slug, list(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else "; add it to programme.yaml"
    return f"authority `{shorten(slug, 60)}` is not in programme.yaml's `authorities`{hint}"


def unknown_organisation_message(slug: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(slug, list(known), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else "; add it to programme.yaml"
    return f"organisation `{shorten(slug, 60)}` is not in programme.yaml's `organisations`{hint}"


def check_programme_authorities(programme: Programme) -> Iterator[Problem]:
    """`authority.unknown` in programme.yaml itself: people's current and previous employers."""
    known = programme.authorities
    for index, person in enumerate(programme.people):
        if person.authority is not None and person.authority not in known:
            yield Problem(
                ("people", index, "authority"), unknown_authority_message(person.authority, known)
            )
        if person.organisation is not None and person.organisation not in programme.organisations:
            yield Problem(
                ("people", index, "organisation"),
                unknown_organisation_message(person.organisation, programme.organisations),
            )
        for position, slug in enumerate(person.previous_authorities):
            if slug not in known:
                yield Problem(
                    ("people", index, "previous_authorities", position),
                    unknown_authority_message(slug, known),
                )
