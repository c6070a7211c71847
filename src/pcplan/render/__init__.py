"""Writers for what pcplan prints: tables, findings, JSON, Markdown, CSV and ICS.

Each writer takes the data it renders and a stream. Only here (and in the CLI)
does pcplan know about Rich: on a terminal it draws tables in colour, when piped
or with NO_COLOR it writes plain text.
"""

from __future__ import annotations

import os
from typing import TextIO


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def colour_allowed(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set or TERM=dumb."""
    return (
        is_terminal(stream) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def carries_unicode(stream: TextIO) -> bool:
    """Can the stream write any text as it is (a UTF encoding)? Else JSON is written ASCII."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return encoding.lower().replace("-", "").replace("_", "").startswith("utf")
