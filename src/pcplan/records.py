"""Record classes for the hot path, without the dataclasses module.

``@dataclass`` imports :mod:`inspect` (about 14 ms) and builds each class with ``exec``
(about 0.9 ms each): on the path of a small `pcplan check` that was a tenth of the run.
A record lists its fields in ``__slots__`` and writes its own ``__init__``; equality
and ``repr`` come from here, field by field (``__slots__`` is kept sorted). Records
that nothing changes after they are made are :class:`FrozenRecord`\\ s, which hash.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Record:
    """A mutable record: equal to another of its class with equal fields; not hashable."""

    __slots__: tuple[str, ...] = ()
    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"


class FrozenRecord(Record):
    """A record whose fields are set once, in ``__init__`` (with :meth:`_set`); it hashes."""

    __slots__ = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._fields())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # (pickle would set each field)
        return (_rebuilt, (self.__class__, dict(zip(self.__slots__, self._fields(), strict=True))))


def _rebuilt(kind: type[FrozenRecord], values: dict[str, Any]) -> FrozenRecord:
    """A frozen record back from pickle or ``copy`` (which would set each field)."""
    record = object.__new__(kind)
    record._set(**values)
    return record


def sent_as_tuple(self: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
    """``__reduce__`` for a named tuple that worker processes send back by the thousand.

    Unpickled as ``tuple.__new__(cls, fields)``, in C, instead of through the class's
    Python ``__new__``: a third less time for each (see pcplan.checker's workers).
    """
    return (tuple.__new__, (type(self), tuple(self)))
