"""Rules whose findings come from reading a file rather than from a rule function."""

from __future__ import annotations

from pcplan.rules.registry import loader_rule

loader_rule(
    "yaml",
    "error",
    "The YAML layer refused the file: syntax, encoding, size over 1 MiB, nesting over 50, "
    "duplicate keys, anchors or aliases, tags, directives, several documents, an empty "
    "file, a top level that is not a mapping, or a key that is not text; or a file or folder "
    "that cannot be read (permissions), which is never skipped in silence.",
)
loader_rule(
    "schema",
    "error",
    "A value does not fit the file format: a missing or unknown key (except under "
    "`steps`), a wrong type, a bad enum value or slug, an impossible date, a date not in "
    "ASCII digits or outside 1900-2199, a date-time where a date belongs, or a control "
    "character (line break, tab, escape…) in a one-line field such as a name or topic.",
)
