"""Printing results: a rich table for people, JSON (`--json`) for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
error_console = Console(stderr=True, soft_wrap=True)

JSON_OPTION_HELP = "Print the result as JSON instead of a table."


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=_json_default, indent=2, ensure_ascii=False) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_rows(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    as_json: bool = False,
    numeric: Sequence[str] = (),
) -> None:
    if as_json:
        print_json([{c: row.get(c) for c in columns} for row in rows])
        return
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    console.print(table)


def print_mapping(data: Mapping[str, Any], *, title: str | None = None, as_json: bool) -> None:
    if as_json:
        print_json(data)
        return
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    for key, value in data.items():
        table.add_row(key, _cell(value))
    console.print(table)
