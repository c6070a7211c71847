"""The format's own checks and helpers, in plain Python (no pydantic).

The pydantic models (:mod:`pcplan.models`, the one source of truth for the format)
call these through thin wrappers that turn :class:`Refused` into pydantic's custom
error; their plain twins (:mod:`pcplan.twins`, generated from the models) call
the same functions, so a value means the same thing on either path.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from pcplan.findings import shorten
from pcplan.vocabulary import FIRST_YEAR, LAST_YEAR, NAME_MAX, ONE_LINE

if TYPE_CHECKING:
    from collections.abc import Mapping

# ASCII digits only: `\d` and int() would also take "２０２７" and Arabic-Indic digits.
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]")


class Refused(ValueError):
    """A value the format does not accept: pydantic's custom error, without pydantic."""

    def __init__(self, kind: str, template: str, context: dict[str, Any] | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.template = template
        self.context = context


def show(value: object) -> str:
    """A value quoted in a message, shortened and made printable."""
    return repr(shorten(value, 60)) if isinstance(value, str) else shorten(repr(value), 60)


def describe(value: object) -> str:
    """What a value is, in words: "the number 3", "a list", "the text 'x'"."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {shorten(value, 40)}"
    if isinstance(value, str):
        return f"the text {show(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return shorten(type(value).__name__, 40)


# Every text already read as a date (at most one per day of the years pcplan plans for):
# a programme's files share most of their dates.
_DAYS: dict[str, date] = {}


def iso_date(value: object) -> date:
    """A date written YYYY-MM-DD (or already a date), within the years pcplan plans for."""
    if type(value) is date:
        return value
    if isinstance(value, str):
        known = _DAYS.get(value)
        if known is not None:
            return known
        match = _ISO_DATE.fullmatch(value)
        if match:
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                raise Refused(
                    "impossible_date", "{value} is not a real date", {"value": value}
                ) from None
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise Refused(
                    "impossible_date",
                    "{value} is outside the years pcplan plans for ({first}–{last})",
                    {"value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
                )
            _DAYS[value] = day
            return day
        if _DATE_TIME.match(value):
            raise Refused(
                "date_not_datetime",
                "{value} is a date and time; write the date alone as YYYY-MM-DD",
                {"value": shorten(value, 40)},
            )
    raise Refused(
        "iso_date",
        "{value} is not a date; write it as YYYY-MM-DD",
        {"value": shorten(repr(value), 40)},
    )


def blank_as_none(value: object) -> object:
    """An empty or blank name is no name yet."""
    return None if isinstance(value, str) and not value.strip() else value


def latitude_first(location: list[float]) -> list[float]:
    """``[latitude, longitude]``: the first number must be a latitude."""
    if not -90 <= location[0] <= 90:
        raise Refused(
            "latitude", "the first number is the latitude, between -90 and 90; write [lat, lon]"
        )
    return location


def one_employer(entry: Any) -> None:
    """A person works for an authority, or (a partner, ¶21) for an organisation: not both."""
    if entry.authority is not None and entry.organisation is not None:
        raise Refused("employer_both", "give `authority` or `organisation`, not both")
    if entry.organisation is not None and entry.role != "partner":
        raise Refused(
            "organisation_not_partner",
            "`organisation` is for partners from outside the councils (role: partner); "
            "others give `authority`",
        )
    if entry.authority is None and entry.organisation is None:
        raise Refused(
            "employer_missing",
            "missing required key `authority` (a partner may give `organisation` instead)",
        )


def period_ordered(period: Any) -> None:
    """A period's ``to`` is not before its ``from``."""
    if period.end < period.start:
        raise Refused("period_order", "`to` is before `from`; the period runs from `from` to `to`")


def session_time(value: object) -> str | int | float:
    """A session's time as written; :mod:`pcplan.timetable` reads it (and says what is wrong).

    A number is taken too (``9.30`` or ``930`` unquoted is a YAML number), so that
    `visit.times` can say what to write rather than a bare `schema` finding.
    """
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    raise Refused(
        "session_time",
        'write a time as "HH:MM" in quotes, such as "09:30"; got {value}',
        {"value": describe(value)},
    )


def visitors(value: object) -> str | list[str]:
    """A session's visitors: ``all`` (the default), or a list of names."""
    if value is None:
        return []
    if value == "all":
        return "all"
    if isinstance(value, list) and all(
        isinstance(name, str) and 1 <= len(name) <= NAME_MAX and ONE_LINE.fullmatch(name)
        for name in value
    ):
        return list(value)
    raise Refused(
        "visitors",
        "write `all`, or a list of names from `visiting_team` such as [Jo Rivers, Sam Lee]; "
        "got {value}",
        {"value": describe(value)},
    )


class Employed:
    """For a person or a team member: who employs them."""

    __slots__ = ()
    if TYPE_CHECKING:
        authority: str | None
        organisation: str | None

    @property
    def employer(self) -> str:
        """The authority's or organisation's slug."""
        return self.authority or self.organisation or ""


class Lookups:
    """For programme.yaml: names and places of authorities and organisations."""

    __slots__ = ()
    if TYPE_CHECKING:
        authorities: Mapping[str, Any]
        organisations: Mapping[str, str]

    def authority_name(self, slug: str) -> str | None:
        """An authority's display name (None when it is not listed)."""
        entry = self.authorities.get(slug)
        return entry if entry is None or isinstance(entry, str) else entry.name

    def employer_name(self, slug: str) -> str | None:
        """An authority's or a partner organisation's display name."""
        return self.authority_name(slug) or self.organisations.get(slug)

    def location(self, slug: str) -> list[float] | None:
        """Where an authority's offices are, when programme.yaml says."""
        entry = self.authorities.get(slug)
        return None if entry is None or isinstance(entry, str) else entry.location
