"""A table as data, written as a Rich table, plain text, Markdown or CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TextIO

from pcplan.render import colour_allowed, is_terminal

STYLE_BY_STATUS = {"overdue": "bold red", "due_soon": "yellow", "done": "dim"}


@dataclass(slots=True)
class Table:
    """Rows of text cells, a style per row (``None``, ``"red"``…), and lines around it.

    ``heading`` lines come before the table (the first one is its title), ``notes``
    after it.
    """

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    styles: list[str | None] = field(default_factory=list)
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, cells: list[str], style: str | None = None) -> None:
        self.rows.append(cells)
        self.styles.append(style)


def write(table: Table, fmt: str, stream: TextIO) -> None:
    """Write ``table`` as ``table`` (Rich or plain), ``markdown`` or ``csv``."""
    if fmt == "markdown":
        stream.write(to_markdown(table))
    elif fmt == "csv":
        write_csv(table, stream)
    elif is_terminal(stream):
        write_rich(table, stream)
    else:
        stream.write(to_plain(table))


def write_rich(table: Table, stream: TextIO) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    colour = colour_allowed(stream)
    console = Console(file=stream, highlight=False, no_color=not colour, emoji=False)
    for number, line in enumerate(table.heading):
        console.print(Text(line, style="bold" if colour and number == 0 else ""))
    rich_table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in table.columns:
        rich_table.add_column(Text(column), overflow="fold")
    for cells, style in zip(table.rows, table.styles, strict=True):
        rich_table.add_row(*(Text(cell) for cell in cells), style=style if colour else None)
    console.print(rich_table)
    for note in table.notes:
        console.print(Text(note))


def to_plain(table: Table) -> str:
    """Aligned columns with a rule under the header: readable in a log or an email."""
    widths = [len(column) for column in table.columns]
    for cells in table.rows:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], len(cell))
    lines = []
    if table.heading:
        lines += [*table.heading, ""]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    lines.append(line(table.columns).rstrip())
    lines.append("  ".join("-" * width for width in widths))
    lines += [line(cells).rstrip() for cells in table.rows]
    if table.notes:
        lines += ["", *table.notes]
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table, ready to paste into an email or an issue."""
    lines = []
    if table.heading:
        first, *rest = table.heading
        lines += [f"**{_markdown_cell(first)}**", ""]
        lines += [f"{_markdown_cell(line)}  " for line in rest]
        lines += [""] if rest else []
    lines.append("| " + " | ".join(_markdown_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    for cells in table.rows:
        lines.append("| " + " | ".join(_markdown_cell(c) for c in cells) + " |")
    if table.notes:
        lines.append("")
        lines += [_markdown_cell(note) for note in table.notes]
    return "\n".join(lines) + "\n"


def write_csv(table: Table, stream: TextIO) -> None:
    """One header row, one row per table row."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(table.rows)
