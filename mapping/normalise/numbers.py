"""Employee counts and annual revenue from whatever the CRM hands over.

Salesforce returns numbers as JSON numbers (`NumberOfEmployees` 1200, `AnnualRevenue` 1500000.0);
HubSpot returns every property as a string ("1200", "1500000.50"), and users type "1,200",
"$1,500,000" or "1.5e6". Size bands in territory rules need a trustworthy number or none at all, so
anything that is not clearly one number (text, ranges, negative values, a European "1.200" that
could mean 1.2 or 1200) gives None rather than a guess.
"""

from __future__ import annotations

import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_EMPLOYEES = 10_000_000
"""Larger head counts are typos or placeholders: the largest employers have about two million."""

MAX_REVENUE = Decimal(10) ** 15
"""Revenue at or above this (a thousand trillion) is a typo or a placeholder, not a company."""

_CENTS = Decimal("0.01")
_ZERO = Decimal("0.00")
_CURRENCY_SYMBOLS = "$€£¥"
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
# Thousands grouped by commas, or by spaces (plain, no-break or thin) or apostrophes (Swiss).
_GROUPED_BY_COMMAS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_GROUPED_BY_SPACES = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f'’]\d{3})+(?:\.\d+)?$")
_GROUP_SEPARATORS = re.compile(r"[, \u00a0\u202f'’]")
# "1.200" is 1,200 in much of Europe and 1.2 elsewhere: typed text shaped like that is ambiguous.
_DOT_GROUPED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")


def _decimal_from_text(text: str) -> Decimal | None:
    text = text.strip()
    if text.isascii() and text.isdigit():
        return Decimal(text)
    text = text.strip(_CURRENCY_SYMBOLS).strip()
    if _DOT_GROUPED_THOUSANDS.match(text):
        return None
    if _GROUPED_BY_COMMAS.match(text) or _GROUPED_BY_SPACES.match(text):
        text = _GROUP_SEPARATORS.sub("", text)
    if not _PLAIN_NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _to_decimal(value: object) -> Decimal | None:
    """`value` as a finite Decimal, or None when it is not exactly one number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr() gives the shortest text that round-trips, so 1500000.1 does not become
        # 1500000.100000000093132257461547851562.
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        return _decimal_from_text(value)
    return None


def parse_employee_count(value: object) -> int | None:
    """A head count from a CRM value ("1,200", "1200.0", 1200.0, " 50 "), or None.

    None for blanks, text, fractions, negative numbers and counts above `MAX_EMPLOYEES`.
    """
    if type(value) is int:
        return value if 0 <= value <= MAX_EMPLOYEES else None
    if type(value) is float and value.is_integer():
        return int(value) if 0 <= value <= MAX_EMPLOYEES else None
    if type(value) is str:
        return _employee_count_from_text(value)
    return _employee_count(_to_decimal(value))


def _employee_count(number: Decimal | None) -> int | None:
    if number is None or number < 0 or number > MAX_EMPLOYEES:
        return None
    if number != number.to_integral_value():
        return None
    return int(number)


@functools.lru_cache(maxsize=8192)
def _employee_count_from_text(text: str) -> int | None:
    return _employee_count(_decimal_from_text(text))


def parse_revenue(value: object) -> Decimal | None:
    """Annual revenue as a Decimal with two decimal places, or None.

    Accepts JSON numbers (1500000.0), strings ("1500000", "1500000.50", "1.5e6") and amounts typed
    with a currency symbol and thousands separators ("$1,500,000"). None for blanks, text,
    negative amounts and amounts of `MAX_REVENUE` or more. Rounds half-cents up.
    """
    if type(value) is str:
        return _revenue_from_text(value)
    return _revenue(_to_decimal(value))


def _revenue(number: Decimal | None) -> Decimal | None:
    if number is None or number < 0 or number >= MAX_REVENUE:
        return None
    if number == 0:
        return _ZERO
    return number.quantize(_CENTS, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=8192)
def _revenue_from_text(text: str) -> Decimal | None:
    return _revenue(_decimal_from_text(text))
