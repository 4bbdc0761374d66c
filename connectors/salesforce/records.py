"""Pulled Account rows become `RawAccount`s, and pages get the position that is safe to store.

A page's position says "every record after this (SystemModstamp, Id) is still to come". It must
never pass a record the pull has not delivered yet, or a crash after that page would lose it.
Salesforce renders a query page's values when the page is fetched, so a record changed during the
pull can show up among older records with its new, later stamp; taking blindly the last record's
pair would then jump past records still waiting in later pages. So a page's position is the
highest pair on it that is below every pair of the next page (normally simply its last record),
and never below the position the pull started from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from connectors.base import PullPosition, RawAccount
from connectors.salesforce.settings import DELETED_FIELD, ID_FIELD, MODIFIED_FIELD, SOURCE
from territory_sync.times import parse_time

PositionKey = tuple[datetime, str]


def _stamp(value: Any) -> datetime | None:
    """`SystemModstamp`: `2026-01-01T00:00:00.000+0000` (REST) or `...Z` (Bulk CSV)."""
    try:
        return parse_time(value)
    except ValueError:
        return None  # left for mapping.fields to report as a malformed record


def _checkbox(value: Any) -> bool:
    """A Salesforce checkbox: a JSON boolean in REST answers, `true`/`false` in Bulk CSV."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def raw_account(fields: dict[str, Any]) -> RawAccount:
    """One REST record (its `attributes` dropped) or one Bulk CSV row (strings, empty as None)."""
    fields.pop("attributes", None)
    return RawAccount(
        source=SOURCE,
        external_id=str(fields.get(ID_FIELD) or ""),
        modified_at=_stamp(fields.get(MODIFIED_FIELD)),
        deleted=_checkbox(fields.get(DELETED_FIELD)),
        fields=fields,
    )


def key_of(record: RawAccount) -> PositionKey | None:
    if record.modified_at is None or not record.external_id:
        return None
    return (record.modified_at, record.external_id)


def key_of_position(position: PullPosition) -> PositionKey:
    """`record_id` None sorts before every id of that second (it means "all of it to come")."""
    return (position.modified_at, position.record_id or "")


def _as_position(key: PositionKey) -> PullPosition:
    return PullPosition(key[0], key[1] or None)


def _highest(keys: Iterable[PositionKey], floor: PullPosition | None) -> PullPosition | None:
    best = key_of_position(floor) if floor is not None else None
    for key in keys:
        if best is None or key > best:
            best = key
    return _as_position(best) if best is not None else None


def page_position(
    records: Sequence[RawAccount],
    next_records: Sequence[RawAccount],
    floor: PullPosition | None,
) -> PullPosition | None:
    """The position to store with `records` when `next_records` follow in the same pull."""
    next_keys = [key for key in map(key_of, next_records) if key is not None]
    ceiling = min(next_keys) if next_keys else None
    keys = (key for key in map(key_of, records) if key is not None)
    if ceiling is not None:
        keys = (key for key in keys if key < ceiling)
    return _highest(keys, floor)


def last_page_position(
    records: Sequence[RawAccount], floor: PullPosition | None
) -> PullPosition | None:
    """The position after the last page: its last record's pair (never below `floor`)."""
    for record in reversed(records):
        key = key_of(record)
        if key is not None:
            return _highest([key], floor)
    return floor


def highest_position(
    records: Iterable[RawAccount], floor: PullPosition | None
) -> PullPosition | None:
    """The highest pair among `records` (Bulk results come unordered)."""
    return _highest((key for key in map(key_of, records) if key is not None), floor)
