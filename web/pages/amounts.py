"""Amounts of money as a page shows them: the figure with thousands separators, then its
currency code ("1,250,000 USD"), so a revenue never reads as a bare number."""

from __future__ import annotations

from web.pages.display import number


def money(amount: object, currency: str) -> str:
    """`amount` in `currency` ("1,250,000 USD"); None reads as empty text."""
    text = number(amount)
    return f"{text} {currency}" if text else ""
