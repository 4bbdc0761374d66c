"""Printing results: rich tables for people, JSON (`--json`) for scripts.

Every cell, title and message goes through `territory_sync.cli.cells.literal`, so text from a CRM
or a person prints as written (never as rich markup or terminal control sequences).

A list of rows is a table that fits the terminal. A command shows a default set of columns chosen
for an 80-column terminal and every column with `--wide`; a line under the table says how many
more there are. Headers are never cut, nor are ids, codes, numbers and times. Text columns
(`CUT_COLUMNS`: names, emails, sentences) are cut with an ellipsis when the table is too wide:
first evenly, the widest first, down to `EVEN_CUT_WIDTH` characters; then one after another, in
`CUT_COLUMNS` order (emails first, names last), down to `CUT_WIDTH` or their header. Sentences
(reasons, error messages) are wrapped to at most `LONG_TEXT_LINES` lines of at most
`LONG_TEXT_WIDTH` characters, the last cut with an ellipsis. When the table cannot fit even so
(a narrow terminal, `--wide`), it is printed one record after another (field, value), as
`psql`'s expanded display does, with every value whole. Any value longer than
`cells.MAX_CELL_CHARACTERS` is cut; `--json` and `--format csv` keep the full value.

Times are shown in the configured time zone (`cells.time_zone`): a table names the zone in its
title, a two-column listing after each time ("2026-12-03 08:31:02 UTC"). Ids are shown without
thousands separators (run 1234, not 1,234), so they can be typed back.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from territory_sync.cli.cells import ELLIPSIS, literal

console = Console()
error_console = Console(stderr=True, soft_wrap=True)

JSON_OPTION_HELP = "Print the result as JSON instead of a table."

WIDE_OPTION_HELP = "Show every column (the default set fits an 80-column terminal)."

LONG_TEXT_COLUMNS = ("reason", "error_message", "released_because", "message")
"""Columns holding sentences: at most `LONG_TEXT_LINES` lines of `LONG_TEXT_WIDTH` characters."""

CUT_COLUMNS = (
    "trend",
    "old_owner_email",
    "new_owner_email",
    "owner",
    "recipient",
    "rep",
    "email",
    "actor",
    "domain",
    "industry",
    *LONG_TEXT_COLUMNS,
    "last_error",
    "subject",
    "territory",
    "account_name",
    "name",
)
"""Text columns a table may cut to fit the terminal, the first listed first (emails, whose
domain says little; then sentences, which wrap; names last); all others (ids, codes, numbers,
times) are always shown whole."""

LONG_TEXT_WIDTH = 60
LONG_TEXT_LINES = 3
EVEN_CUT_WIDTH = 24
"""Text columns are first cut evenly down to this width (a name up to it stays whole)..."""
CUT_WIDTH = 15
"""... then one after another down to this width, or their header's if it is wider."""
COLUMN_GAP = 2
"""Spaces between two columns of a table."""
IDENTIFIER_COLUMNS = ("id", "pid")
"""With every `..._id` column: numbers shown without thousands separators."""


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


def _is_identifier(column: str) -> bool:
    return column in IDENTIFIER_COLUMNS or column.endswith("_id")


def _cell(column: str, value: Any, zone: tzinfo, *, zone_named: bool) -> Text:
    """One value as a cell: an id as typed (no thousands separators), the rest `readable`."""
    if _is_identifier(column) and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return literal(value, zone=zone, zone_named=zone_named)


def _cut_evenly(widths: list[int], floors: dict[int, int], excess: int) -> int:
    """Narrow the widest of the `floors` columns, one character at a time, to their floors;
    returns the excess left."""
    while excess > 0:
        wider = [index for index, floor in floors.items() if widths[index] > floor]
        if not wider:
            break
        widest = max(wider, key=lambda index: widths[index])
        widths[widest] -= 1
        excess -= 1
    return excess


def _fit_widths(
    naturals: Sequence[int], floors: Sequence[int | None], available: int
) -> list[int] | None:
    """Column widths whose sum is at most `available`, or None when that cannot be.

    `naturals` are the widths with every value whole; `floors` say how narrow each column may be
    cut (None: never), in the order they are cut (see the module's docstring)."""
    widths = list(naturals)
    excess = sum(widths) - available
    cuttable = {index: floor for index, floor in enumerate(floors) if floor is not None}
    even = {index: max(floor, EVEN_CUT_WIDTH) for index, floor in cuttable.items()}
    excess = _cut_evenly(widths, even, excess)
    for index, floor in cuttable.items():
        if excess <= 0:
            break
        cut = min(excess, max(widths[index] - floor, 0))
        widths[index] -= cut
        excess -= cut
    return widths if excess <= 0 else None


def _table(
    cells: Sequence[Sequence[Text]],
    columns: Sequence[str],
    title: str | None,
    numeric: Sequence[str],
    long_text: Sequence[str],
    cut: Sequence[str],
    width: int,
    caption: Text | None,
) -> Table | None:
    """A light table at most `width` wide, text columns cut to fit; None when it cannot fit."""
    headers = [literal(column) for column in columns]
    naturals = []
    for index, column in enumerate(columns):
        widest = max((_widest_line(row[index]) for row in cells), default=0)
        natural = max(widest, headers[index].cell_len)
        if column in long_text:
            natural = min(natural, max(LONG_TEXT_WIDTH, headers[index].cell_len))
        naturals.append(natural)
    order = [*cut, *(column for column in long_text if column not in cut)]
    ranked = sorted(
        range(len(columns)),
        key=lambda index: order.index(columns[index]) if columns[index] in order else len(order),
    )
    floors = [
        min(naturals[index], max(CUT_WIDTH, headers[index].cell_len))
        if columns[index] in order
        else None
        for index in ranked
    ]
    fitted = _fit_widths(
        [naturals[index] for index in ranked], floors, width - COLUMN_GAP * (len(columns) - 1)
    )
    if fitted is None:
        return None
    widths = dict(zip(ranked, fitted, strict=True))
    table = Table(
        title=_title(title),
        caption=caption,
        min_width=_least_width(title, caption, width),
        header_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for index, column in enumerate(columns):
        table.add_column(
            headers[index],
            justify="right" if column in numeric else "left",
            width=widths[index],
            no_wrap=True,
            overflow="ellipsis",
        )
    sentences = [index for index, column in enumerate(columns) if column in long_text]
    for row in cells:
        table.add_row(
            *(
                _wrapped(cell, widths[index]) if index in sentences else cell
                for index, cell in enumerate(row)
            )
        )
    return table


def _wrapped(text: Text, width: int) -> Text:
    """A sentence in at most `LONG_TEXT_LINES` lines of `width`, the last cut with an ellipsis."""
    lines = list(text.wrap(console, width, overflow="ellipsis"))
    if len(lines) > LONG_TEXT_LINES:
        lines = lines[:LONG_TEXT_LINES]
        last = lines[-1]
        last.rstrip()
        last.truncate(width - 1)
        last.append(ELLIPSIS)
    return Text("\n").join(lines)


def _records(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    title: str | None,
    zone: tzinfo,
    caption: Text | None,
) -> Table:
    """One block per row, field names on the left, blocks separated by a line."""
    table = _two_columns(title, caption)
    for number, row in enumerate(rows):
        if number:
            table.add_section()
        for column in columns:
            table.add_row(literal(column), _cell(column, row.get(column), zone, zone_named=False))
    return table


def _least_width(title: str | None, caption: Text | None, width: int) -> int | None:
    """How wide a table must be for its title and caption to stay on one line each."""
    heading = _title(title)
    widest = max(heading.cell_len if heading else 0, caption.cell_len if caption else 0)
    return min(widest, width) if widest else None


def _two_columns(title: str | None, caption: Text | None = None) -> Table:
    least = _least_width(title, caption, console.width)
    table = Table(
        title=_title(title),
        caption=caption,
        show_header=False,
        min_width=least + 4 if least else None,
    )
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    return table


def _holds_times(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> bool:
    return any(isinstance(row.get(column), datetime) for row in rows for column in columns)


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    default: Sequence[str] | None = None,
    wide: bool = False,
    title: str | None = None,
    as_json: bool = False,
    numeric: Sequence[str] = (),
    long_text: Sequence[str] = LONG_TEXT_COLUMNS,
    cut: Sequence[str] = CUT_COLUMNS,
    zone: tzinfo = UTC,
) -> None:
    """Rows as a table that fits the terminal (or, when none can, record by record), or as JSON.

    JSON has every one of `columns`, values whole; the table has the `default` ones unless
    `wide` (or no `default`) asks for all. Times are shown in `zone`, named in the title."""
    if as_json:
        print_json([{c: row.get(c) for c in columns} for row in rows])
        return
    shown = list(columns if wide or default is None else default)
    hidden = len([column for column in columns if column not in shown])
    if _holds_times(rows, shown):
        title = f"{title}, times in {zone}" if title else f"Times in {zone}"
    more = "1 more column" if hidden == 1 else f"{hidden} more columns"
    caption = literal(f"{more} with --wide", style="dim") if hidden else None
    cells = [[_cell(c, row.get(c), zone, zone_named=False) for c in shown] for row in rows]
    table = _table(cells, shown, title, numeric, long_text, cut, console.width, caption)
    if table is None and not rows:
        print_text(f"{title}: none" if title else "none")
        return
    console.print(table if table is not None else _records(rows, shown, title, zone, caption))


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


def print_mapping(
    data: Mapping[str, Any], *, title: str | None = None, as_json: bool, zone: tzinfo = UTC
) -> None:
    """A mapping as a two-column table, nested mappings flattened (`pull.salesforce.pages`);
    times in `zone`, each followed by the zone's abbreviation."""
    if as_json:
        print_json(data)
        return
    table = _two_columns(title)
    for key, value in flatten(data):
        table.add_row(literal(key), _cell(key.rsplit(".", 1)[-1], value, zone, zone_named=True))
    console.print(table)
