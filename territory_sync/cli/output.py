"""Printing results: rich tables for people, JSON (`--json`) for scripts.

Every cell, title and message goes through `territory_sync.cli.cells.literal`, so text from a CRM
or a person prints as written (never as rich markup or terminal control sequences).

A list of rows is a table when it fits the terminal with every value whole (a header wider than
its values may be cut); when it does not, it is printed one record after another (field, value),
as `psql`'s expanded display does, so a long name is never chopped into a column a few
characters wide. Free-text columns (reasons, error messages) are kept to one line in a table and
cut with an ellipsis, and any value longer than `cells.MAX_CELL_CHARACTERS` is cut; `--json` and
`--format csv` keep the full value.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from territory_sync.cli.cells import literal

console = Console()
error_console = Console(stderr=True, soft_wrap=True)

JSON_OPTION_HELP = "Print the result as JSON instead of a table."

LONG_TEXT_COLUMNS = ("reason", "error_message", "released_because", "message")
"""Columns holding sentences: one line of at most `LONG_TEXT_WIDTH` characters in a table."""

LONG_TEXT_WIDTH = 40
SHORTEST_HEADER = 6
"""A header wider than its column's values is cut (with an ellipsis) to no less than this."""
MEASURE_WIDTH = 100_000
"""Width a table is measured at to learn how wide it would be with every value whole."""


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False) + "\n")


def print_text(
    message: Any, *, style: str = "", err: bool = False, soft_wrap: bool = False
) -> None:
    """Print one message literally (no markup, no highlighting), on standard error with `err`;
    `soft_wrap` leaves long lines to the terminal instead of wrapping them."""
    target = error_console if err else console
    target.print(literal(message, limit=None, style=style), highlight=False, soft_wrap=soft_wrap)


def _title(title: str | None) -> Text | None:
    return literal(title, limit=None) if title else None


def _widest_line(text: Text) -> int:
    return max(cell_len(line) for line in text.plain.split("\n"))


def _table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    title: str | None,
    numeric: Sequence[str],
    long_text: Sequence[str],
    *,
    cut_headers: bool,
) -> Table:
    """A light table; with `cut_headers`, a header wider than its values is cut (never a value)."""
    cells = [[literal(row.get(column)) for column in columns] for row in rows]
    table = Table(
        title=_title(title),
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, column in enumerate(columns):
        header = literal(column)
        if column in long_text:
            table.add_column(header, max_width=LONG_TEXT_WIDTH, no_wrap=True, overflow="ellipsis")
            continue
        widest = max((_widest_line(row[index]) for row in cells), default=0)
        table.add_column(
            header,
            justify="right" if column in numeric else "left",
            max_width=max(widest, SHORTEST_HEADER) if cut_headers else None,
        )
    for row in cells:
        table.add_row(*row)
    return table


def _fits(table: Table, width: int) -> bool:
    natural = Measurement.get(console, console.options.update_width(MEASURE_WIDTH), table)
    return natural.maximum <= width


def _records(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], title: str | None) -> Table:
    """One block per row, field names on the left, blocks separated by a line."""
    table = _two_columns(title)
    for number, row in enumerate(rows):
        if number:
            table.add_section()
        for column in columns:
            table.add_row(literal(column), literal(row.get(column)))
    return table


def _two_columns(title: str | None) -> Table:
    heading = _title(title)
    table = Table(
        title=heading,
        show_header=False,
        min_width=heading.cell_len + 4 if heading else None,
    )
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    return table


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    as_json: bool = False,
    numeric: Sequence[str] = (),
    long_text: Sequence[str] = LONG_TEXT_COLUMNS,
) -> None:
    """Rows as a table (or, when too wide for the terminal, record by record), or as JSON."""
    if as_json:
        print_json([{c: row.get(c) for c in columns} for row in rows])
        return
    width = console.width
    table = _table(rows, columns, title, numeric, long_text, cut_headers=False)
    if not _fits(table, width):
        table = _table(rows, columns, title, numeric, long_text, cut_headers=True)
        if rows and not _fits(table, width):
            table = _records(rows, columns, title)
    console.print(table)


def flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested figures as (`a.b.c`, value) pairs; lists of mappings are numbered (`a.1.b`).

    An empty mapping or list is one pair with the value `none`."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, f"{name}.")
        elif (
            isinstance(value, list | tuple)
            and value
            and all(isinstance(item, Mapping) for item in value)
        ):
            for number, item in enumerate(value, start=1):
                yield from flatten(item, f"{name}.{number}.")
        elif isinstance(value, Mapping | list | tuple) and not value:
            yield name, "none"
        else:
            yield name, value


def print_mapping(data: Mapping[str, Any], *, title: str | None = None, as_json: bool) -> None:
    """A mapping as a two-column table, nested mappings flattened (`pull.salesforce.pages`)."""
    if as_json:
        print_json(data)
        return
    table = _two_columns(title)
    for key, value in flatten(data):
        table.add_row(literal(key), literal(value))
    console.print(table)
