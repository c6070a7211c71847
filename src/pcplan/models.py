"""The file format (SPEC §2) as pydantic models, and pydantic errors as plain issues.

No I/O here. :func:`validate_challenge` and :func:`validate_programme` take the
plain data :mod:`pcplan.yamlio` built and return either a model or a list of
:class:`SchemaIssue` (a key path and a message): pydantic stays inside.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from pcplan import fieldchecks
from pcplan.fieldchecks import Employed, Lookups, Refused, describe, show
from pcplan.findings import path_label, shorten
from pcplan.vocabulary import (
    LINE_PATTERN,
    NAME_MAX,
    SLUG_PATTERN,
    TEXT_PATTERN,
    MemberStatus,
    PackKind,
    ReviewContent,
    Role,
    SessionKind,
)

M = TypeVar("M", bound=BaseModel)


def _refusing(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A check of :mod:`pcplan.fieldchecks` as a validator: its answer, pydantic's error."""

    def validator(value: Any) -> Any:
        try:
            return check(value)
        except Refused as refused:
            raise PydanticCustomError(refused.kind, refused.template, refused.context) from None

    validator.__name__ = validator.__qualname__ = check.__name__
    validator.__wrapped__ = check  # type: ignore[attr-defined]  # (pcplan.twingen reads it)
    return validator


def _model_check(check: Callable[[Any], None]) -> Any:
    """A check of :mod:`pcplan.fieldchecks` on a whole model, once its fields are valid."""

    refusing = _refusing(check)

    def validator(model: M) -> M:
        refusing(model)
        return model

    validator.__wrapped__ = check  # type: ignore[attr-defined]  # (pcplan.twingen reads it)
    return model_validator(mode="after")(validator)


IsoDate = Annotated[
    date,
    PlainValidator(_refusing(fieldchecks.iso_date)),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    ),
]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
Name = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=NAME_MAX, strip_whitespace=False, pattern=LINE_PATTERN
    ),
]
Line = Annotated[str, StringConstraints(max_length=20_000, pattern=LINE_PATTERN)]
Text = Annotated[str, StringConstraints(max_length=20_000, pattern=TEXT_PATTERN)]


# A name that may be left empty until it is known: `project_manager:` or `project_manager: ""`.
OptionalName = Annotated[Name | None, BeforeValidator(fieldchecks.blank_as_none)]


class EmptyWhenNull:
    """``key:`` with nothing after it means "none yet": an empty list or mapping.

    The JSON Schema says so too (``anyOf: [..., null]``), so that editors and
    check-jsonschema accept what pcplan accepts.
    """

    def __init__(self, empty: Callable[[], Any]) -> None:
        self.empty = empty

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        empty = self.empty
        return core_schema.no_info_before_validator_function(
            lambda value: empty() if value is None else value, handler(source)
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"anyOf": [handler(schema), {"type": "null"}]}


NULL_LIST = EmptyWhenNull(list)
NULL_MAPPING = EmptyWhenNull(dict)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ----------------------------------------------------------------- programme.yaml


# [latitude, longitude] of an authority's main offices: geography for matching (¶18).
Location = Annotated[
    list[Annotated[float, Field(ge=-180, le=180)]],
    Field(min_length=2, max_length=2),
    AfterValidator(_refusing(fieldchecks.latitude_first)),
]


class Authority(_Model):
    """An authority written out as a mapping: its name and where its offices are."""

    name: Name
    location: Location | None = None


class Period(_Model):
    """A stretch of days, both ends included (``{from: …, to: …}``)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    start: IsoDate = Field(alias="from")
    end: IsoDate = Field(alias="to")

    _ordered = _model_check(fieldchecks.period_ordered)


class Person(Employed, _Model):
    """Someone in the programme's registry."""

    name: Name
    authority: Slug | None = None
    organisation: Slug | None = None
    role: Role
    previous_authorities: Annotated[list[Slug], NULL_LIST] = []
    expertise: Annotated[list[Line], NULL_LIST] = []
    unavailable: Annotated[list[Period], NULL_LIST] = []
    not_with: Annotated[list[Name], NULL_LIST] = []

    _employer = _model_check(fieldchecks.one_employer)


class PrivateConstraint(_Model):
    """An entry of the private file (env PCPLAN_PRIVATE): who a person is never with (¶22)."""

    name: Name
    not_with: Annotated[list[Name], NULL_LIST] = []


class Private(_Model):
    """The private constraints file: ``people: [{name, not_with}]``, kept out of the shared repo."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"title": "pcplan private constraints"},
    )

    people: Annotated[list[PrivateConstraint], NULL_LIST] = []


class MatchingWeights(_Model):
    """Weights of the matching score (SPEC §8)."""

    skills: Annotated[float, Field(ge=0, le=1000)] = 4
    travel: Annotated[float, Field(ge=0, le=1000)] = 1
    timebank: Annotated[float, Field(ge=0, le=1000)] = 2
    spread: Annotated[float, Field(ge=0, le=1000)] = 1


class Settings(_Model):
    """Programme-wide settings; all optional."""

    response_document_weeks: Annotated[int, Field(ge=1, le=104)] | None = None
    due_soon_days: Annotated[int, Field(ge=0, le=366)] = 7
    reading_pack_max_pages: Annotated[int, Field(ge=1, le=100_000)] = 100
    visits_per_round: Annotated[int, Field(ge=1, le=100)] = 1
    matching: Annotated[MatchingWeights, NULL_MAPPING] = MatchingWeights()


class Programme(Lookups, _Model):
    """``programme.yaml``: authorities, people and settings."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"title": "pcplan programme.yaml"},
    )

    name: Name
    programme_manager: OptionalName = None
    authorities: dict[Slug, Name | Authority]
    organisations: Annotated[dict[Slug, Name], NULL_MAPPING] = {}
    people: Annotated[list[Person], NULL_LIST] = []
    settings: Annotated[Settings, NULL_MAPPING] = Settings()


# ----------------------------------------------------------------- a challenge file


class Host(_Model):
    authority: Slug
    dcs: Name
    project_manager: OptionalName = None


class Fieldwork(_Model):
    start: IsoDate
    end: IsoDate


class Member(Employed, _Model):
    """A visiting team member. A declined nomination never records a reason (¶22)."""

    name: Name
    authority: Slug | None = None
    organisation: Slug | None = None
    role: Role
    lead: bool = False
    status: MemberStatus = "nominated"

    _employer = _model_check(fieldchecks.one_employer)


class LeadConsent(_Model):
    """The host DCS's consent to a lead who is not a DCS (¶19)."""

    given_by: Name
    date: IsoDate
    reason: Text | None = None


class Feedback(_Model):
    """The feedback session, agreed in advance (¶30)."""

    audience: Annotated[list[Line], NULL_LIST] = []
    format: Line | None = None
    agreed_on: IsoDate | None = None


class Escalation(_Model):
    """The DCS-to-DCS escalation route (¶33)."""

    host_contact: OptionalName = None
    visiting_contact: OptionalName = None


class ReviewVisit(_Model):
    requested: bool = False
    hours: Annotated[float, Field(ge=0, le=1000)] | None = None
    one_to_one: bool | None = None


class Review(_Model):
    """The post-challenge review of impact (¶36-41)."""

    opted_in: bool = False
    contents: Annotated[list[ReviewContent], NULL_LIST] = []
    visit: Annotated[ReviewVisit, NULL_MAPPING] = ReviewVisit()


class Waiver(_Model):
    """A rule the programme manager agreed to relax for this challenge, and why."""

    rule: Annotated[str, StringConstraints(max_length=100, pattern=LINE_PATTERN)] | None = None
    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=TEXT_PATTERN)]
    agreed_by: Name  # who agreed it: the programme manager (¶21)


SessionTime = Annotated[
    str | int | float,
    PlainValidator(_refusing(fieldchecks.session_time)),
    WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
]


Visitors = Annotated[
    str | list[str],
    PlainValidator(_refusing(fieldchecks.visitors)),
    WithJsonSchema(
        {
            "anyOf": [
                {"const": "all"},
                {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 80,
                        "pattern": LINE_PATTERN,
                    },
                },
                {"type": "null"},
            ]
        }
    ),
]


class Consent(_Model):
    """Consents and permissions for work seen or service users (¶26)."""

    needed: bool = True
    obtained: IsoDate | None = None


class Session(_Model):
    """One slot of the fieldwork timetable (¶24-33)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    day: Annotated[int, Field(ge=1, le=1000)]
    start: SessionTime
    end: SessionTime
    kind: SessionKind
    title: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=LINE_PATTERN)]
    visitors: Visitors = "all"
    with_: Annotated[list[Line], NULL_LIST] = Field(default=[], alias="with")
    where: Line | None = None
    consent: Consent | None = None


class Visit(_Model):
    """The host project manager's plan of the two days (¶24-33)."""

    base: Line | None = None
    accommodation: Line | None = None
    staff_briefed: IsoDate | None = None
    sessions: Annotated[list[Session], NULL_LIST] = []


class PackItem(_Model):
    """One document of the reading pack (¶16)."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=LINE_PATTERN)]
    kind: PackKind
    pages: Annotated[int, Field(ge=0, le=100_000)] | None = None


class ReadingRequest(_Model):
    """Supplementary reading the visiting team asked for (¶16, step 11)."""

    what: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=LINE_PATTERN)]
    by: OptionalName = None
    asked: IsoDate
    sent: IsoDate | None = None


class Reading(_Model):
    """The reading pack and the supplementary requests (¶16)."""

    pack: Annotated[list[PackItem], NULL_LIST] = []
    requests: Annotated[list[ReadingRequest], NULL_LIST] = []


class Challenge(_Model):
    """One peer challenge: one file."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"title": "pcplan challenge file"},
    )

    id: Slug
    round: Annotated[int, Field(ge=1, le=1000)]
    host: Host
    topic: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=LINE_PATTERN)]
    scope: Text | None = None
    briefing_needed: bool = True  # false: nobody is new to peer challenge, step 7 n/a
    fieldwork: Fieldwork
    visiting_team: Annotated[list[Member], NULL_LIST] = []
    lead_consent: LeadConsent | None = None
    steps: Annotated[
        dict[Annotated[str, StringConstraints(max_length=100)], IsoDate | None],
        NULL_MAPPING,
    ] = {}
    feedback: Feedback | None = None
    escalation: Escalation | None = None
    review: Annotated[Review, NULL_MAPPING] = Review()
    visit: Annotated[Visit, NULL_MAPPING] = Visit()
    reading: Annotated[Reading, NULL_MAPPING] = Reading()
    waivers: Annotated[list[Waiver], NULL_LIST] = []


# ----------------------------------------------------------------- validation


class SchemaIssue(BaseModel):
    """A schema problem at a key path (pydantic's ``loc``), in words a person can act on."""

    model_config = ConfigDict(frozen=True)

    path: tuple[str | int, ...]
    message: str


SUGGEST_FOR = 20  # unknown keys per file that get a "did you mean" (difflib is slow)
# Unknown keys per file that get a finding each; one more finding counts the rest.
UNKNOWN_KEYS_LISTED = 100
# Data with at most this many keys and items is validated before its unknown keys are
# counted (see validate): pydantic's errors for that many keys cost little.
QUICK_UP_TO = 2000


def validate(
    model: type[M], data: dict[str, Any], size: int | None = None
) -> M | list[SchemaIssue]:
    """The model, or every schema issue (unknown keys: the first ``UNKNOWN_KEYS_LISTED``).

    A file with more unknown keys than that is validated without the rest, which
    are counted in one more issue at the first of them: pydantic would otherwise
    build an error for each (100,000 keys fit in 1 MiB).

    ``size``: how many keys and list items the data holds, when the caller knows
    (:attr:`pcplan.yamlio.Document.positions`). Data that small is validated at once,
    and its unknown keys counted only if it fails: the answer is the same (valid data
    has none), and counting them cost a tenth of checking a valid file.
    """
    if size is not None and size <= QUICK_UP_TO:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if _count_unknown_keys(model, data) <= UNKNOWN_KEYS_LISTED:
                return _issues(model, exc, data)
    unlisted: SchemaIssue | None = None
    if _count_unknown_keys(model, data) > UNKNOWN_KEYS_LISTED:
        trimmed = _Trimmed(UNKNOWN_KEYS_LISTED)
        data = trimmed.mapping(model, data, ())
        unlisted = trimmed.summary()
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        issues = _issues(model, exc, data)
        return issues if unlisted is None else [*issues, unlisted]
    return result if unlisted is None else [unlisted]  # pragma: no cover - listed keys fail


def _issues(model: type[BaseModel], exc: ValidationError, data: Any) -> list[SchemaIssue]:
    errors = exc.errors(include_url=False)
    return [
        _issue(model, error, data, suggest=number < SUGGEST_FOR)
        for number, error in enumerate(errors)
    ]


def validate_challenge(
    data: dict[str, Any], size: int | None = None
) -> Challenge | list[SchemaIssue]:
    return validate(Challenge, data, size)


def validate_programme(
    data: dict[str, Any], size: int | None = None
) -> Programme | list[SchemaIssue]:
    return validate(Programme, data, size)


def validate_private(data: dict[str, Any], size: int | None = None) -> Private | list[SchemaIssue]:
    return validate(Private, data, size)


def _issue(model: type[BaseModel], error: Any, data: Any, *, suggest: bool = True) -> SchemaIssue:
    kind = error["type"]
    loc, markers = _key_path(error["loc"], data, kind)
    field = path_label(loc) or "the file"
    if kind == "missing":
        parent = path_label(loc[:-1])
        where = f" under `{parent}`" if parent else ""
        return SchemaIssue(path=loc[:-1], message=f"missing required key `{loc[-1]}`{where}")
    if kind == "extra_forbidden":
        return SchemaIssue(path=loc, message=_unknown_key_message(model, loc, suggest=suggest))
    value = error.get("input")
    if "[key]" in markers:
        return SchemaIssue(
            path=loc,
            message=f"key {shorten(loc[-1], 60)!r} under `{path_label(loc[:-1])}` "
            "must be a slug: lowercase letters, digits and hyphens",
        )
    if kind == "string_pattern_mismatch" and isinstance(value, str):
        pattern = error.get("ctx", {}).get("pattern")
        found = {LINE_PATTERN: _NOT_IN_LINE, TEXT_PATTERN: _NOT_IN_TEXT}.get(pattern)
        bad = found.search(value) if found is not None else None
        if bad is not None:
            what = "one line of text" if pattern == LINE_PATTERN else "text"
            return SchemaIssue(
                path=loc,
                message=f"`{field}` is {what} and may not hold {_character_name(bad[0])}; "
                "retype it without it",
            )
    if kind == "string_pattern_mismatch":
        return SchemaIssue(
            path=loc,
            message=f"`{field}` must be a slug (lowercase letters, digits and hyphens); "
            f"got {show(value)}",
        )
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return SchemaIssue(
            path=loc, message=f"`{field}` must be one of {expected}; got {show(value)}"
        )
    if kind in _OWN_ERRORS:
        return SchemaIssue(path=loc, message=f"`{field}`: {error['msg']}")
    expected = _EXPECTED.get(kind)
    if expected is not None:
        hint = ""
        if kind in ("int_type", "float_type", "bool_type") and isinstance(value, str):
            hint = (
                "; remove the quotes"
                if value.strip("\"'").isdigit() or value in ("true", "false")
                else ""
            )
        return SchemaIssue(
            path=loc, message=f"`{field}` must be {expected}; got {describe(value)}{hint}"
        )
    return SchemaIssue(path=loc, message=f"`{field}`: {error['msg']} (got {describe(value)})")


_OWN_ERRORS = frozenset(
    (
        "impossible_date",
        "date_not_datetime",
        "iso_date",
        "latitude",
        "period_order",
        "employer_both",
        "employer_missing",
        "organisation_not_partner",
        "session_time",
        "visitors",
    )
)

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping of keys and values",
    "model_type": "a mapping of keys and values",
    "model_attributes_type": "a mapping of keys and values",
    "string_too_short": "non-empty text",
    "string_too_long": "shorter text",
    "greater_than_equal": "a larger number",
    "less_than_equal": "a smaller number",
    "int_from_float": "a whole number",
}


def _key_path(
    loc: tuple[str | int, ...], data: Any, kind: str
) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    """Pydantic's ``loc`` as a key path in ``data``, and the pseudo-locations left out.

    Pydantic adds parts of its own (``[key]`` for a mapping's key,
    ``function-plain[...]``, ``constrained-str``, a union member's model name…).
    Rather than guess from their shape (a key may well be ``foo]`` or ``x[1]``), the
    path follows the data: a part the data has at that place is a key; one it has
    not is pydantic's, except the key a `missing` error names last.
    """
    path: list[str | int] = []
    markers: list[str | int] = []
    current: Any = data
    last = len(loc) - 1
    for number, part in enumerate(loc):
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_list or (isinstance(current, dict) and part in current):
            current = current[part]
        elif kind == "missing" and number == last:
            current = None
        else:
            markers.append(part)
            continue
        path.append(part)
    return tuple(path), tuple(markers)


_CHARACTER_NAMES = {
    "\n": "a line break (U+000A)",
    "\r": "a carriage return (U+000D)",
    "\t": "a tab (U+0009)",
    "\x1b": "an escape character (U+001B)",
    "\x07": "a bell character (U+0007)",
}


def _character_name(character: str) -> str:
    return _CHARACTER_NAMES.get(character, f"the control character U+{ord(character):04X}")


def _unknown_key_message(
    model: type[BaseModel], loc: tuple[str | int, ...], *, suggest: bool = True
) -> str:
    key = str(loc[-1])
    parent = path_label(loc[:-1])
    if len(loc) >= 3 and loc[0] == "visiting_team" and key in ("reason", "reasons"):
        return (
            "a nomination never records a reason (¶22): the reasons are private and "
            "must not enter a shared repo; remove `reason`"
        )
    known = _known_keys(model, loc[:-1])
    where = f" under `{parent}`" if parent else ""
    hint = ""
    close = difflib.get_close_matches(key, known, n=1) if suggest else []
    if close:
        hint = f"; did you mean `{close[0]}`?"
    elif known:
        hint = f"; known keys: {', '.join(known)}"
    return f"unknown key `{shorten(key, 60)}`{where}{hint}"


def _known_keys(model: type[BaseModel], parent: tuple[str | int, ...]) -> list[str]:
    """The field names a model accepts at a key path."""
    current: Any = model
    for part in parent:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [field.alias or name for name, field in fields.items()]


# ----------------------------------------------------------------- unknown keys, cheaply
#
# The same walk pydantic makes, along the models' fields only (a mapping under a
# model field is that model; items of a list and values of a dict are their
# element type), so that unknown keys are counted, and dropped past the cap,
# before pydantic builds an error object for each of them.


def _accepted_keys(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a model's mapping may hold, each with its field's annotation."""
    found = _ACCEPTED.get(model)
    if found is None:
        found = {}
        by_name = bool(model.model_config.get("populate_by_name"))
        for name, field in model.model_fields.items():
            found[field.alias or name] = field.annotation
            if by_name or not field.alias:
                found[name] = field.annotation
        _ACCEPTED[model] = found
    return found


_ACCEPTED: dict[type[BaseModel], dict[str, Any]] = {}


def _shape(annotation: Any, value: Any) -> tuple[str, Any] | None:
    """What ``value`` is read as under ``annotation``: a model, list items or dict values."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape(get_args(annotation)[0], value)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation) if isinstance(value, dict) else None
    if origin is list and isinstance(value, list):
        return ("items", get_args(annotation)[0])
    if origin is dict and isinstance(value, dict):
        return ("values", get_args(annotation)[1])
    if origin in (Union, UnionType):
        for argument in get_args(annotation):
            shape = _shape(argument, value)
            if shape is not None:
                return shape
    return None


def _count_unknown_keys(model: type[BaseModel], data: Any) -> int:
    if not isinstance(data, dict):
        return 0
    accepted = _accepted_keys(model)
    count = 0
    for key, value in data.items():
        annotation = accepted.get(key, _MISSING)
        if annotation is _MISSING:
            count += 1
        elif isinstance(value, (dict, list)):
            count += _count_in(annotation, value)
    return count


def _count_in(annotation: Any, value: Any) -> int:
    shape = _shape(annotation, value)
    if shape is None:
        return 0
    kind, inner = shape
    if kind == "model":
        return _count_unknown_keys(inner, value)
    values = value if kind == "items" else value.values()
    return sum(_count_in(inner, item) for item in values if isinstance(item, (dict, list)))


_MISSING = object()


class _Trimmed:
    """A copy of the data keeping only the first ``listed`` unknown keys, in file order."""

    def __init__(self, listed: int) -> None:
        self.listed = listed
        self.seen = 0
        self.first_dropped: tuple[str | int, ...] = ()

    def mapping(
        self, model: type[BaseModel], data: dict[str, Any], path: tuple[str | int, ...]
    ) -> dict[str, Any]:
        accepted = _accepted_keys(model)
        kept: dict[str, Any] = {}
        for key, value in data.items():
            annotation = accepted.get(key, _MISSING)
            if annotation is _MISSING:
                self.seen += 1
                if self.seen <= self.listed:
                    kept[key] = value
                elif self.seen == self.listed + 1:
                    self.first_dropped = (*path, key)
            else:
                kept[key] = self.value(annotation, value, (*path, key))
        return kept

    def value(self, annotation: Any, value: Any, path: tuple[str | int, ...]) -> Any:
        shape = _shape(annotation, value)
        if shape is None:
            return value
        kind, inner = shape
        if kind == "model":
            return self.mapping(inner, value, path)
        if kind == "items":
            return [self.value(inner, item, (*path, index)) for index, item in enumerate(value)]
        return {key: self.value(inner, item, (*path, key)) for key, item in value.items()}

    def summary(self) -> SchemaIssue:
        more = self.seen - self.listed
        return SchemaIssue(
            path=self.first_dropped,
            message=f"{more:,} more unknown keys from here on, not listed one by one "
            f"(pcplan lists the first {self.listed}); remove the keys that do not belong "
            "(docs/format.md lists the keys a file may have)",
        )


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()) or ():
        found = _model_in(argument)
        if found is not None:
            return found
    metadata_origin = getattr(annotation, "__origin__", None)
    if metadata_origin is not None and metadata_origin is not annotation:
        return _model_in(metadata_origin)
    return None
