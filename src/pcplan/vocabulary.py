"""Words of the file format that the command line needs before pydantic is imported."""

from __future__ import annotations

from typing import Literal

Role = Literal["dcs", "assistant_director", "team_leader", "practitioner", "partner"]
ROLES: tuple[str, ...] = Role.__args__  # type: ignore[attr-defined]
