"""A table as data, written as a Rich table, plain text, Markdown or CSV."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from typing import TextIO

from pcplan.findings import printable
from pcplan.render import colour_allowed, is_terminal

STYLE_BY_STATUS = {
    "overdue": "bold red",
    "due_soon": "yellow",
    "done": "dim",
    "unrecorded": "dim",
}
SHORT = 24  # columns no wider than this keep their width on a narrow terminal


@dataclass(slots=True)
class Table:
    """Rows of text cells, a style per row (``None``, ``"red"``…), and lines around it.

    ``heading`` lines come before the table (the first one is its title), ``notes``
    after it. ``sections`` titles groups of rows (such as weeks): the title of the
    group that starts at a row index.
    """

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    styles: list[str | None] = field(default_factory=list)
    heading: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: dict[int, str] = field(default_factory=dict)
    wrap: tuple[str, ...] | None = None  # columns that may wrap on a narrow terminal

    def add(self, cells: list[str], style: str | None = None) -> None:
        self.rows.append(cells)
        self.styles.append(style)

    def section(self, title: str) -> None:
        """Start a titled group with the next row."""
        self.sections[len(self.rows)] = title

    def groups(self) -> list[tuple[str | None, range]]:
        """(title, row indexes) of each group; one untitled group when there are no sections."""
        starts = sorted(self.sections) or [0]
        if starts[0] != 0:
            starts.insert(0, 0)
        bounds = [*starts, len(self.rows)]
        return [
            (self.sections.get(start), range(start, end))
            for start, end in itertools.pairwise(bounds)
            if end > start or start in self.sections
        ]

    def widths(self) -> list[int]:
        widths = [len(column) for column in self.columns]
        for index, cells in enumerate(zip(*self.rows, strict=True)):  # (column by column)
            widths[index] = max(widths[index], *map(len, cells))
        return widths


def printable_table(table: Table) -> Table:
    """The table with every control character of every cell escaped (``\\n``, ``\\x1b``),
    and no cell starting with ``::``: a cell is never more than one line, in any format."""
    return Table(
        columns=[printable(column) for column in table.columns],
        rows=[
            cells if _plain_row(cells) else [printable(cell) for cell in cells]
            for cells in table.rows
        ],
        styles=list(table.styles),
        heading=[printable(line) for line in table.heading],
        notes=[printable(line) for line in table.notes],
        sections={index: printable(title) for index, title in table.sections.items()},
        wrap=table.wrap,
    )


def _plain_row(cells: list[str]) -> bool:
    """Is every cell of a row already printable as it is? (Most rows: one test, in C.)"""
    joined = "".join(cells)
    return joined.isprintable() and ":" not in joined


def write(table: Table, fmt: str, stream: TextIO) -> None:
    """Write ``table`` as ``table`` (Rich or plain), ``markdown`` or ``csv``."""
    table = printable_table(table)
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
    widths = table.widths()
    wraps = [
        width > SHORT if table.wrap is None else column in table.wrap
        for column, width in zip(table.columns, widths, strict=True)
    ]
    # Without colour, no escape codes at all (not even bold): color_system=None.
    console = Console(
        file=stream,
        highlight=False,
        emoji=False,
        force_terminal=True,
        color_system="auto" if colour else None,
    )
    # Rich drops whole columns rather than draw a table narrower than its unbreakable
    # columns; on a terminal that small, draw it that wide and let the terminal wrap.
    unbreakable = sum(w for w, wrap in zip(widths, wraps, strict=True) if not wrap)
    narrowest = unbreakable + 6 * wraps.count(True) + 3 * (len(widths) - 1)
    console.width = max(console.width, narrowest)
    for number, line in enumerate(table.heading):
        console.print(Text(line, style="bold" if number == 0 else ""))
    for title, rows in table.groups():
        if title is not None:
            console.print(Text(title, style="bold underline"))
        rich_table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column, width, wrap in zip(table.columns, widths, wraps, strict=True):
            if wrap:  # titles and names wrap at word boundaries when the terminal is narrow
                rich_table.add_column(Text(column), overflow="fold", ratio=1)
            else:  # ids, dates and statuses are never broken across lines
                rich_table.add_column(Text(column), no_wrap=True, min_width=width)
        for index in rows:
            style = table.styles[index]
            rich_table.add_row(*(Text(cell) for cell in table.rows[index]), style=style)
        console.print(rich_table)
    for note in table.notes:
        console.print(Text(note))


def to_plain(table: Table) -> str:
    """Aligned columns with a rule under the header: readable in a log or an email."""
    widths = table.widths()
    template = "  ".join(f"{{:<{width}}}" for width in widths)  # (each cell padded, in C)

    def line(cells: list[str]) -> str:
        if len(cells) != len(widths):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(widths)} columns")
        return template.format(*cells).rstrip()

    lines = [*table.heading, ""] if table.heading else []
    lines.append(line(table.columns))
    lines.append("  ".join("-" * width for width in widths))
    for title, rows in table.groups():
        if title is not None:
            lines.append(title)
        lines += [line(table.rows[index]) for index in rows]
    if table.notes:
        lines += ["", *table.notes]
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    """GitHub-flavoured Markdown, ready to paste into an email or an issue."""
    lines = []
    if table.heading:
        first, *rest = table.heading
        lines += [f"**{_markdown_cell(first)}**", ""]
        lines += [f"{_markdown_cell(line)}  " for line in rest]
        lines += [""] if rest else []
    for number, (title, rows) in enumerate(table.groups()):
        if title is not None:
            lines += ([""] if number else []) + [f"*{_markdown_cell(title)}*", ""]
        lines.append("| " + " | ".join(_markdown_cell(c) for c in table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        for index in rows:
            cells = table.rows[index]
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


def flat_table(items: list[dict[str, object]], columns: list[str]) -> Table:
    """JSON items as CSV rows: the keys as the header (nested as ``fieldwork.start``)."""

    def flatten(item: dict[str, object], prefix: str = "") -> dict[str, str]:
        cells: dict[str, str] = {}
        for key, value in item.items():
            if isinstance(value, dict):
                cells.update(flatten(value, f"{prefix}{key}."))
            elif isinstance(value, list):
                cells[prefix + key] = ", ".join(map(str, value))
            else:
                cells[prefix + key] = "" if value is None else str(value)
        return cells

    table = Table(columns)
    for cells in (flatten(item) for item in items):
        table.add([cells.get(column, "") for column in table.columns])
    return table
