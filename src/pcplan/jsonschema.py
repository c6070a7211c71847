"""The JSON Schemas of the file format, generated from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pcplan.models import Challenge, Programme

SCHEMA_FILES: dict[str, type[Challenge] | type[Programme]] = {
    "challenge.schema.json": Challenge,
    "programme.schema.json": Programme,
}


def schema_text(model: type[Challenge] | type[Programme]) -> str:
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def write_schemas(directory: Path) -> list[Path]:
    """Write both schemas into ``directory``; only files whose text changed are rewritten.

    Each is written atomically through :mod:`pcplan.fileio` (a symlink, a FIFO or
    an unwritable folder is refused in one line).
    """
    from pcplan.fileio import ensure_directory, write_output

    ensure_directory(directory)
    written = []
    for name, model in SCHEMA_FILES.items():
        path = directory / name
        write_output(path, schema_text(model).encode("utf-8"))
        written.append(path)
    return written
