"""CSV that is safe to open in a spreadsheet: the one writer behind every CSV the product makes.

`territory-sync audit --format csv`, `plan --format csv` and the admin console's audit export all
write through `write_csv` / `csv_chunks`, so a value from a CRM or a person can never run as a
formula in the spreadsheet an auditor opens (CSV or formula injection).

What is neutralised, and why:

- Every *text* cell that begins with `=`, `+`, `-`, `@`, TAB or CR gets a single quote in front
  (`'=HYPERLINK(...)`), which spreadsheets show as text; these are the characters OWASP lists
  (https://owasp.org/www-community/attacks/CSV_Injection). Text is neutralised whoever wrote it:
  an account name, a reason, an error message, an email; telling "product text" from "CRM text"
  column by column would be one more thing to get wrong.
- Every text cell is enclosed in double quotes (embedded quotes doubled), as OWASP also advises,
  so a comma, semicolon or TAB inside a value cannot start a new cell in a spreadsheet that splits
  on another separator than the comma (a `;` locale, a TAB import), where the rest of the value
  would otherwise begin a cell of its own.
- Numbers the product writes (`int`, `float`, `Decimal`: ids, counts, amounts) are left as they
  are and unquoted, so `-1250.50` stays a number a spreadsheet can add up. A number's text is only
  digits, a sign, a point and an exponent: it cannot hold a formula. A number that arrives as text
  (a CRM field read as a string) is text, and is neutralised like any other text.
- Times and dates are ISO 8601; an empty value (None) is an empty cell.

The hand-written rule is deliberate: the maintained `defusedcsv` package lets text such as `-1`
through unchanged, rewrites `|` inside values, and does not treat a leading TAB or CR as
dangerous, so it does not meet this list.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these may be read as a formula (OWASP's list, see above)."""

CHUNK_CHARACTERS = 64_000
"""`csv_chunks` yields about this much text at a time (a streamed download)."""

CsvCell = str | int | float | Decimal | None


def neutralise(text: str) -> str:
    """The text with a single quote in front when it could start a formula, else unchanged."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_cell(value: Any) -> CsvCell:
    """What one value becomes in a cell: numbers as numbers, everything else as inert text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return neutralise(str(value))


def _writer(stream: TextIO) -> Any:
    # QUOTE_NONNUMERIC quotes every cell that is not a number (text, the header, an empty cell)
    # and leaves numbers bare.
    return csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)


def _row(row: Mapping[str, Any], columns: Sequence[str]) -> list[CsvCell]:
    return [csv_cell(row.get(column)) for column in columns]


def write_csv(stream: TextIO, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write a header of `columns`, then each row's values for them (missing ones empty).

    Returns the number of rows written (not counting the header)."""
    writer = _writer(stream)
    writer.writerow([neutralise(column) for column in columns])
    count = 0
    for row in rows:
        writer.writerow(_row(row, columns))
        count += 1
    return count


def csv_chunks(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    chunk_characters: int = CHUNK_CHARACTERS,
) -> Iterator[str]:
    """The same CSV as `write_csv`, as pieces of text for a streamed response."""
    buffer = io.StringIO()
    writer = _writer(buffer)
    writer.writerow([neutralise(column) for column in columns])
    for row in rows:
        writer.writerow(_row(row, columns))
        if buffer.tell() >= chunk_characters:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
