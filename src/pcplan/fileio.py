"""Creating files (SPEC §6): `new` never overwrites without ``force``.

A stand-in with the interface of the file-I/O work (which creates exclusively
and locks); it checks for the file and writes through :func:`edit.write_atomic`.
"""

from __future__ import annotations

from pathlib import Path

from pcplan.edit import current_bytes, write_atomic
from pcplan.errors import WriteRefused


def create_new(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to a new file at ``path``; an existing one only with ``force``."""
    if path.is_symlink():
        raise WriteRefused(f"{path}: is a symbolic link; not written")
    existing = current_bytes(path)
    if existing is not None and not force:
        raise WriteRefused(f"{path} already exists; not written")
    write_atomic(path, data, expected=existing)
