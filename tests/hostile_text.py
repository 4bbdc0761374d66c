"""Text a CRM or a person may hold that must come out of the product inert: the shared samples.

`FORMULAS` start a formula in a spreadsheet (OWASP's list: = + - @ TAB CR); `MARKUP` is rich
markup that would crash a table, or print a live terminal link, if it were parsed.
"""

from __future__ import annotations

import csv
import io

FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-1", "@A1", "\t=1", "\r=1")
MARKUP = ("Acme [/x] Holdings", "[link=http://x]y[/link]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(text: str) -> list[list[str]]:
    """Every row of a CSV, header first, as the csv module reads it back."""
    return list(csv.reader(io.StringIO(text, newline="")))


def live_cells(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would read as a formula: none, when the CSV is safe to open."""
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
