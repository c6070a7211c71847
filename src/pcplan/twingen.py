"""Write :mod:`pcplan.twins` from the pydantic models: ``python -m pcplan.twingen``.

The models (:mod:`pcplan.models`) are the one source of truth for the format, but
importing pydantic and building them costs about 0.2 s, more than checking a small
programme. Their twins are plain classes with the same fields, and a validator
generated from each model's annotations that takes only data the model would take
*as it is* (every value already of its type, no unknown key); for anything else it
answers None, and pydantic decides and words the errors. The format's own checks
(dates, employers, periods…) are the functions of :mod:`pcplan.fieldchecks` on both
paths. tests/test_twins.py checks that this output is what is on disk, and that the
twins agree with the models on every input they accept.

Any construct of the models that this generator does not know stops it: extend it
here rather than letting the twins drift from the models.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AfterValidator, BaseModel, BeforeValidator, PlainValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic.types import StringConstraints

from pcplan import fieldchecks, models, vocabulary

# The files the twins validate, and the function each is validated by.
ENTRY_POINTS: dict[str, type[BaseModel]] = {
    "challenge": models.Challenge,
    "programme": models.Programme,
    "private": models.Private,
    "settings": models.Settings,  # (``settings({})``: the defaults, when there is no programme)
}


class Unsupported(Exception):
    """A construct of the models that the generator cannot translate."""


def _check_name(function: Any) -> str:
    """The :mod:`pcplan.fieldchecks` function a validator stands for."""
    check = getattr(function, "__wrapped__", function)
    name: str = check.__name__
    if getattr(fieldchecks, name, None) is not check:
        raise Unsupported(f"validator {function!r} is not a function of pcplan.fieldchecks")
    return f"_fc.{name}"


@dataclass
class _Output:
    functions: dict[str, list[str]] = field(default_factory=dict)  # key → lines
    names: dict[str, str] = field(default_factory=dict)  # type key → function name
    patterns: dict[str, str] = field(default_factory=dict)  # pattern → constant name
    literals: dict[tuple[str, ...], str] = field(default_factory=dict)
    models: list[type[BaseModel]] = field(default_factory=list)

    def pattern(self, pattern: str) -> str:
        return self.patterns.setdefault(pattern, f"_RX{len(self.patterns)}")

    def literal(self, values: tuple[str, ...]) -> str:
        return self.literals.setdefault(values, f"_IN{len(self.literals)}")


def _flatten(metadata: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for item in metadata:
        if isinstance(item, FieldInfo):
            flat.extend(_flatten(list(item.metadata)))
        else:
            flat.append(item)
    return flat


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    while get_origin(annotation) is Annotated:
        annotation, *inner = get_args(annotation)
        metadata = [*inner, *metadata]  # (the inner annotation's metadata applies first)
    return annotation, _flatten(metadata)


def _describe_key(annotation: Any, metadata: list[Any]) -> str:
    parts = []
    for item in metadata:
        if isinstance(item, models.EmptyWhenNull):
            parts.append(f"null→{item.empty.__name__}")
        elif isinstance(item, (BeforeValidator, AfterValidator, PlainValidator)):
            parts.append(f"{type(item).__name__}({_check_name(item.func)})")
        else:
            parts.append(repr(item))
    return f"{annotation!r}|{'|'.join(parts)}"


def type_function(out: _Output, annotation: Any, metadata: list[Any]) -> str:
    """The name of a generated function that validates one value of this type."""
    annotation, metadata = _unwrap(annotation, metadata)
    key = _describe_key(annotation, metadata)
    if key in out.names:
        return out.names[key]
    name = f"_t{len(out.names)}"
    out.names[key] = name
    out.functions[name] = []  # (reserved: a recursive type finds its name)
    body = _type_body(out, name, annotation, metadata)
    if len(body) == 2 and body[1].startswith("    return _") and body[1].endswith("(v)"):
        del out.functions[name]  # (it would only call another: call that one)
        out.names[key] = name = body[1].removeprefix("    return ").removesuffix("(v)")
    else:
        out.functions[name] = body
    return name


def _type_body(out: _Output, name: str, annotation: Any, metadata: list[Any]) -> list[str]:
    lines = [f"def {name}(v: Any) -> Any:"]
    befores = [m for m in metadata if isinstance(m, (BeforeValidator, models.EmptyWhenNull))]
    plains = [m for m in metadata if isinstance(m, PlainValidator)]
    afters = [m for m in metadata if isinstance(m, AfterValidator)]
    constraints = [
        m
        for m in metadata
        if not isinstance(
            m,
            (BeforeValidator, models.EmptyWhenNull, PlainValidator, AfterValidator, WithJsonSchema),
        )
    ]
    if len(befores) > 1 or len(plains) > 1:
        raise Unsupported(f"{annotation!r}: more than one before or plain validator")
    for before in befores:
        if isinstance(before, models.EmptyWhenNull):
            empty = {list: "[]", dict: "{}"}.get(before.empty)  # type: ignore[call-overload]
            if empty is None:
                raise Unsupported(f"EmptyWhenNull({before.empty!r})")
            lines += ["    if v is None:", f"        v = {empty}"]
        else:
            lines.append(f"    v = {_check_name(before.func)}(v)")
    if plains:
        if constraints or afters:
            raise Unsupported(f"{annotation!r}: a plain validator with constraints")
        lines.append(f"    return {_check_name(plains[0].func)}(v)")
        return lines
    checked = _type_check(out, annotation, constraints)
    if checked[-1] == "    raise _No":  # (a union: each member returns)
        if afters:
            raise Unsupported(f"{annotation!r}: an after validator on a union")
        return lines + checked
    if checked[-1].startswith("    return "):
        checked[-1] = "    v = " + checked[-1].removeprefix("    return ")
    lines += checked
    for after in afters:
        lines.append(f"    v = {_check_name(after.func)}(v)")
    if lines[-1].startswith("    v = ") and not lines[-1].startswith("    v = v"):
        lines[-1] = "    return " + lines[-1].removeprefix("    v = ")
    else:
        lines.append("    return v")
    return lines


def _bounds(constraints: list[Any], allowed: tuple[type, ...]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in constraints:
        if not isinstance(item, allowed):
            raise Unsupported(f"constraint {item!r}")
        if isinstance(item, annotated_types.Ge):
            found["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            found["le"] = item.le
        elif isinstance(item, annotated_types.MinLen):
            found["min"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            found["max"] = item.max_length
    return found


def _length_check(bounds: dict[str, Any]) -> list[str]:
    low, high = bounds.get("min"), bounds.get("max")
    if low is None and high is None:
        return []
    test = " or ".join(
        ([f"len(v) < {low}"] if low is not None else [])
        + ([f"len(v) > {high}"] if high is not None else [])
    )
    return [f"    if {test}:", "        raise _No"]


def _range_check(bounds: dict[str, Any]) -> list[str]:
    low, high = bounds.get("ge"), bounds.get("le")
    if low is None and high is None:
        return []
    test = " <= ".join(
        [
            *([repr(low)] if low is not None else []),
            "v",
            *([repr(high)] if high is not None else []),
        ]
    )
    return [f"    if not {test}:", "        raise _No"]  # (NaN fails too)


def _type_check(out: _Output, annotation: Any, constraints: list[Any]) -> list[str]:
    origin = get_origin(annotation)
    numbers = (annotated_types.Ge, annotated_types.Le)
    lengths = (annotated_types.MinLen, annotated_types.MaxLen)
    if origin in (Union, types.UnionType):
        if constraints:
            raise Unsupported(f"constraints on a union {annotation!r}")
        members = [member for member in get_args(annotation) if member is not type(None)]
        lines = (
            ["    if v is None:", "        return None"]
            if len(members) < len(get_args(annotation))
            else []
        )
        if len(members) == 1:
            return [*lines, f"    return {type_function(out, members[0], [])}(v)"]
        for member in members:
            bare = _unwrap(member, [])[0]
            kind = {str: "str", dict: "dict"}.get(bare) or ("dict" if _is_model(bare) else None)
            if kind is None:
                raise Unsupported(f"union member {member!r}: only text and mappings are told apart")
            lines += [
                f"    if type(v) is {kind}:",
                f"        return {type_function(out, member, [])}(v)",
            ]
        return [*lines, "    raise _No"]
    if annotation is str:
        lines = ["    if type(v) is not str:", "        raise _No"]
        patterned = False
        for item in constraints:
            if isinstance(item, StringConstraints):
                if (
                    item.strip_whitespace
                    or item.to_upper
                    or item.to_lower
                    or item.strict is not None
                ):
                    raise Unsupported(f"{item!r}")
                if item.ascii_only:
                    raise Unsupported(f"{item!r}")
                lines += _length_check({"min": item.min_length, "max": item.max_length})
                if item.pattern is not None:
                    pattern = (
                        item.pattern if isinstance(item.pattern, str) else item.pattern.pattern
                    )
                    lines += [
                        f"    if {out.pattern(_twin_pattern(pattern))}.fullmatch(v) is None:",
                        "        raise _No",
                    ]
                    patterned = True
            else:
                lines += _length_check(_bounds([item], lengths))
        if not patterned:  # (pydantic refuses a lone surrogate: text that is not UTF-8)
            lines += ["    if _SURROGATE.search(v) is not None:", "        raise _No"]
        return lines
    if annotation is bool:
        _bounds(constraints, ())
        return ["    if type(v) is not bool:", "        raise _No"]
    if annotation is int:
        return [
            "    if type(v) is not int:",
            "        raise _No",
            *_range_check(_bounds(constraints, numbers)),
        ]
    if annotation is float:
        return [
            "    if type(v) is int:",
            "        v = float(v)",
            "    elif type(v) is not float:",
            "        raise _No",
            *_range_check(_bounds(constraints, numbers)),
        ]
    if origin is Literal:
        values = get_args(annotation)
        if constraints or not all(type(value) is str for value in values):
            raise Unsupported(f"{annotation!r}")
        return [
            f"    if type(v) is not str or v not in {out.literal(values)}:",
            "        raise _No",
        ]
    if origin is list:
        (item,) = get_args(annotation)
        return [
            "    if type(v) is not list:",
            "        raise _No",
            *_length_check(_bounds(constraints, lengths)),
            f"    return [{type_function(out, item, [])}(x) for x in v]",
        ]
    if origin is dict:
        key, value = get_args(annotation)
        return [
            "    if type(v) is not dict:",
            "        raise _No",
            *_length_check(_bounds(constraints, lengths)),
            f"    return {{{type_function(out, key, [])}(k): {type_function(out, value, [])}(x)"
            " for k, x in v.items()}",
        ]
    if _is_model(annotation):
        _bounds(constraints, ())
        if annotation not in out.models:
            _model_builder(out, annotation)
        return [f"    return _m_{annotation.__name__}(v)"]
    if annotation is date:
        raise Unsupported("a date without pcplan.fieldchecks.iso_date")
    raise Unsupported(f"type {annotation!r}")


# The patterns of the models, as Python's `re` must read them to agree with pydantic's
# (Rust) regex engine and to refuse lone surrogates, which pydantic refuses as text that
# is not UTF-8. Any other pattern stops the generator: the two engines differ in syntax.
def _no_surrogate(pattern: str) -> str:
    """``^[^…]*$`` with the surrogates added to the characters it refuses."""
    if not (pattern.startswith("^[^") and pattern.endswith("]*$")):
        raise Unsupported(f"pattern {pattern!r}: not one class of refused characters")
    return pattern.removesuffix("]*$") + "\\ud800-\\udfff]*$"


_PATTERNS = {
    vocabulary.SLUG_PATTERN: vocabulary.SLUG_PATTERN,  # (ASCII only: no surrogate matches)
    vocabulary.LINE_PATTERN: _no_surrogate(vocabulary.LINE_PATTERN),
    vocabulary.TEXT_PATTERN: _no_surrogate(vocabulary.TEXT_PATTERN),
}


def _twin_pattern(pattern: str) -> str:
    if pattern not in _PATTERNS:
        raise Unsupported(f"pattern {pattern!r}: add it to twingen._PATTERNS")
    return _PATTERNS[pattern]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _default(value: Any) -> str:
    if value is None or type(value) in (bool, int, float, str):
        return repr(value)
    if type(value) in (list, dict) and not value:
        return repr(value)
    if isinstance(value, BaseModel):
        arguments = ", ".join(_default(getattr(value, name)) for name in type(value).model_fields)
        return f"{type(value).__name__}({arguments})"
    raise Unsupported(f"default {value!r}")


def _model_builder(out: _Output, model: type[BaseModel]) -> None:
    out.models.append(model)
    name = model.__name__
    _refuse_unknown_parts(model)
    keys = []
    arguments = []
    for field_name, info in model.model_fields.items():
        if info.validation_alias not in (None, info.alias) or info.validate_default:
            raise Unsupported(f"{name}.{field_name}: a validation alias or validated default")
        key = info.alias or field_name
        keys.append(key)
        check = type_function(out, info.annotation, list(info.metadata))
        if info.is_required():
            arguments.append(f"{check}(d[{key!r}])")
        else:
            if info.default_factory is not None:
                raise Unsupported(f"{name}.{field_name}: a default factory")
            arguments.append(f"{check}(d[{key!r}]) if {key!r} in d else {_default(info.default)}")
    validators = model.__pydantic_decorators__
    if (
        validators.validators
        or validators.field_validators
        or validators.root_validators
        or validators.field_serializers
        or validators.model_serializers
        or validators.computed_fields
    ):
        raise Unsupported(f"{name}: field validators, serializers or computed fields")
    checks = []
    for decorator in validators.model_validators.values():
        if decorator.info.mode != "after":
            raise Unsupported(f"{name}: a {decorator.info.mode} model validator")
        checks.append(f"    {_check_name(decorator.func)}(o)")
    body = [
        f"_K_{name} = frozenset({tuple(keys)!r})",
        "",
        "",
        f"def _m_{name}(d: Any) -> {name}:",
        f"    if type(d) is not dict or not _K_{name}.issuperset(d):",
        "        raise _No",
        f"    o = {name}(",
        *(f"        {argument}," for argument in arguments),
        "    )",
        *checks,
        "    return o",
    ]
    out.functions[f"_m_{name}"] = body


# What a model's configuration may say: what the twins do (no unknown key, no
# coercion); anything else (str_strip_whitespace, str_to_lower…) would change values.
_CONFIG: dict[str, set[Any] | None] = {
    "extra": {"forbid"},
    "strict": {True},
    "frozen": {True},
    "populate_by_name": {True},  # (a twin takes the aliases only, and declines the names)
    "json_schema_extra": None,  # (any: the JSON Schema's)
    "title": None,
}


def _refuse_unknown_parts(model: type[BaseModel]) -> None:
    """Stop at what a twin would not copy: other settings, bases, methods or properties."""
    for key, value in model.model_config.items():
        allowed = _CONFIG.get(key, set())
        if key not in _CONFIG or (allowed is not None and value not in allowed):
            raise Unsupported(f"{model.__name__}: model_config {key}={value!r}")
    for base in model.__mro__[1:]:
        known = base.__module__ == fieldchecks.__name__ or base.__module__.startswith("pydantic")
        if not known and base not in (models._Model, object):
            raise Unsupported(f"{model.__name__}: base class {base.__name__}")
    own = set(model.model_fields) | set(model.__pydantic_decorators__.model_validators)
    for attribute in vars(model):
        if attribute.startswith("__") or attribute in own:
            continue
        if attribute.startswith(("model_", "_abc_")):
            continue
        raise Unsupported(
            f"{model.__name__}.{attribute}: put methods and properties in a pcplan.fieldchecks "
            "class that the model and its twin both inherit"
        )


def _class_source(model: type[BaseModel]) -> list[str]:
    bases = [base.__name__ for base in model.__mro__[1:] if base.__module__ == fieldchecks.__name__]
    fields = list(model.model_fields)
    lines = [
        f"class {model.__name__}({', '.join([*bases, '_Twin'])}):",
        f'    """The twin of :class:`pcplan.models.{model.__name__}`."""',
        "",
        f"    __slots__ = {tuple(fields)!r}",
        "",
        f"    def __init__(self, {', '.join(f'{name}: Any' for name in fields)}) -> None:",
        *(f"        self.{name} = {name}" for name in fields),
    ]
    return lines


HEADER = '''\
"""Plain twins of the models of pcplan.models, and validators for data they take as it is.

GENERATED by ``python -m pcplan.twingen`` from pcplan.models: do not edit; change the
models and run it again (tests/test_twins.py fails until you do). Why, and what is
generated: see pcplan.twingen.
"""

from __future__ import annotations

import re
from typing import Any

from pcplan import fieldchecks as _fc
from pcplan.fieldchecks import Employed, Lookups


# Raise what no data should cause (a bug in this file), rather than let the models decide.
STRICT = False
_SURROGATE = re.compile("[\\ud800-\\udfff]")


class _No(Exception):
    """Not plainly valid: pydantic decides."""


class _Twin:
    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        same = type(other) is type(self)
        return same and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"


'''


def generate() -> str:
    out = _Output()
    for model in ENTRY_POINTS.values():
        if model not in out.models:
            _model_builder(out, model)
    parts = [HEADER]
    for pattern, constant in out.patterns.items():
        parts.append(f"{constant} = re.compile({pattern!r})\n")
    for values, constant in out.literals.items():
        parts.append(f"{constant} = frozenset({values!r})\n")
    for model in sorted(out.models, key=lambda model: model.__name__):
        parts.append("\n\n" + "\n".join(_class_source(model)) + "\n")
    for lines in out.functions.values():
        parts.append("\n\n" + "\n".join(lines) + "\n")
    for entry, model in ENTRY_POINTS.items():
        parts.append(
            f'''

def {entry}(data: Any) -> {model.__name__} | None:
    """A {model.__name__} when the data is plainly valid; None when pydantic must decide."""
    try:
        return _m_{model.__name__}(data)
    except (_No, KeyError, ValueError, OverflowError):  # (pcplan.fieldchecks.Refused too)
        return None
    except Exception:  # a bug here: the models decide (tests set STRICT, to see it)
        if STRICT:
            raise
        return None
'''
        )
    return "".join(parts)


def main() -> None:
    sys.stdout.write(generate())


if __name__ == "__main__":
    main()
