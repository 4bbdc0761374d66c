"""How one value reads in a terminal: as literal text, never as markup or a terminal command.

Account names, reasons, territory and rep names come from the CRMs, the territory file and the
people using them. `literal()` turns any value into a `rich.text.Text`, which rich prints as
written: `Acme [/x] Holdings` or `[link=http://x]y[/link]` appear exactly so instead of being
parsed as rich markup (a crash, or a live terminal link). Control characters are shown as escapes
(`\\x1b`, `\\u202e`) instead of being sent to the terminal, where ESC starts escape sequences
(colours, OSC 8 hyperlinks, a retitled window) and bidirectional overrides reorder what is shown.

`readable()` is the text of a value for people: thousands separators, `yes`/`no`, times to the
second in the configured time zone (`[schedule] timezone`, as the admin console shows them), lists
joined with commas, nothing for a missing value; never a Python repr such as
`Decimal('26370000.00')` or `{'sources': [...]}`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text

from territory_sync.settings import Settings
from territory_sync.times import shown_time

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


def time_zone(settings: Settings) -> ZoneInfo:
    """The zone times are shown in: `[schedule] timezone`, as on the admin console's pages."""
    return ZoneInfo(settings.schedule.timezone)


def readable(value: Any, *, zone: tzinfo = UTC, zone_named: bool = True) -> str:
    """A value as a person reads it (None is empty); see the module's docstring. Times are shown
    in `zone`, followed by its abbreviation unless `zone_named` is False (a heading names it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, datetime):
        return shown_time(value, zone, named=zone_named)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return ", ".join(
            f"{readable(key)}: {readable(item, zone=zone, zone_named=zone_named)}"
            for key, item in value.items()
        )
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(readable(item, zone=zone, zone_named=zone_named) for item in value)
    return str(value)


def shorten(text: str, limit: int = MAX_CELL_CHARACTERS) -> str:
    """The text, cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def literal(
    value: Any,
    *,
    limit: int | None = MAX_CELL_CHARACTERS,
    style: str = "",
    zone: tzinfo = UTC,
    zone_named: bool = True,
) -> Text:
    """The value as text printed exactly as written (see the module's docstring)."""
    text = printable(readable(value, zone=zone, zone_named=zone_named))
    return Text(shorten(text, limit) if limit else text, style=style)
