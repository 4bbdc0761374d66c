"""How one value reads in a terminal: as literal text, never as markup or a terminal command.

Account names, reasons, territory and rep names come from the CRMs, the territory file and the
people using them. `literal()` turns any value into a `rich.text.Text`, which rich prints as
written: `Acme [/x] Holdings` or `[link=http://x]y[/link]` appear exactly so instead of being
parsed as rich markup (a crash, or a live terminal link). Control characters are shown as escapes
(`\\x1b`, `\\u202e`) instead of being sent to the terminal, where ESC starts escape sequences
(colours, OSC 8 hyperlinks, a retitled window) and bidirectional overrides reorder what is shown.

`readable()` is the text of a value for people: thousands separators, `yes`/`no`, times to the
second, lists joined with commas; never a Python repr such as `Decimal('26370000.00')`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.text import Text

MAX_CELL_CHARACTERS = 200
"""Longer text is cut with an ellipsis in tables; `--json` and `--format csv` keep all of it."""

ELLIPSIS = "…"

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _shown(character: str) -> str:
    if character in "\n\t":
        return character
    if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
        code = ord(character)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return character


def printable(text: str) -> str:
    """The text with control characters (but line breaks and tabs) written as visible escapes."""
    if text.isprintable():
        return text
    return "".join(_shown(character) for character in text)


def _number(value: float | Decimal) -> str:
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value)
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if value == int(value):
        return f"{int(value):,}"
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def readable(value: Any) -> str:
    """A value as a person reads it (None is empty); see the module's docstring."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(f"{readable(key)}: {readable(item)}" for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(readable(item) for item in value)
    return str(value)


def shorten(text: str, limit: int = MAX_CELL_CHARACTERS) -> str:
    """The text, cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def literal(value: Any, *, limit: int | None = MAX_CELL_CHARACTERS, style: str = "") -> Text:
    """The value as text printed exactly as written (see the module's docstring)."""
    text = printable(readable(value))
    return Text(shorten(text, limit) if limit else text, style=style)
