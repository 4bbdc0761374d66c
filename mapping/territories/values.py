"""How a value from a CRM is compared with a value written in the territory file.

CRM values arrive in whatever type the API gave: Salesforce sends a checkbox as a JSON boolean,
HubSpot as the string "true"; numbers may come as strings; picklist text varies in case and
spacing. Both sides of a comparison go through `comparable`, so `equals: true` matches `true`,
"true" and "TRUE", `equals: 1000` matches "1000", and "Customer - Direct" matches
" customer - direct". Unified fields need none of this (they are normalised at pull time) and are
compared directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation

from territory_sync.times import shown_time

Number = int | float | Decimal


UNCOMPARABLE = object()
"""What a list or mapping from a CRM compares as: equal to no value a file can hold."""


def comparable(value: object) -> object:
    """A canonical form: booleans and numbers as such, other text trimmed and case-folded;
    compound values (lists, mappings) become `UNCOMPARABLE`."""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, str):
        text = value.strip().casefold()
        if text == "true":
            return True
        if text == "false":
            return False
        number = as_number(text)
        return text if number is None else number
    try:
        hash(value)
    except TypeError:
        return UNCOMPARABLE
    return value


def as_number(value: object) -> Number | None:
    """A finite number from a number or numeric text; None for anything else (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if not text or not (text[0].isdigit() or text[0] in "+-."):
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def shown(value: object) -> str:
    """A value as an explanation prints it: text quoted, nothing as `(empty)`, a time to the
    second in UTC, a list or mapping from a CRM as `["a", "b"]` or `{"city": "Lyon"}`."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, datetime):
        return shown_time(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{shown(k)}: {shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    return str(value)


def shown_number(value: Number) -> str:
    """A band limit as an admin wrote it: 100000000 as 100,000,000."""
    if isinstance(value, int) or (isinstance(value, float | Decimal) and value == int(value)):
        return f"{int(value):,}"
    return str(value)
