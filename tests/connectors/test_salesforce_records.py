"""Where a page leaves the pull: the position stored with each page never passes a record that
has not been handed over yet, even when a record changed during the pull shows its new stamp."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.base import PullPosition, RawAccount
from connectors.salesforce.records import (
    highest_position,
    last_page_position,
    page_position,
    raw_account,
)

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)


def record(number: int, seconds: int | None = None) -> RawAccount:
    stamp = JANUARY + timedelta(seconds=number if seconds is None else seconds)
    return RawAccount("salesforce", f"001{number:015d}", stamp, False, {})


def at(number: int, seconds: int | None = None) -> PullPosition:
    raw = record(number, seconds)
    assert raw.modified_at is not None
    return PullPosition(raw.modified_at, raw.external_id)


def test_a_page_ends_at_its_last_record_when_the_next_page_follows_in_order() -> None:
    page = [record(n) for n in range(1, 4)]

    assert page_position(page, [record(4), record(5)], None) == at(3)


def test_a_record_changed_during_the_pull_does_not_carry_the_position_past_the_next_page() -> None:
    changed_today = record(3, seconds=86_400)
    page = [record(1), record(2), changed_today]

    assert page_position(page, [record(4), record(5)], None) == at(2)


def test_a_page_position_never_goes_below_where_the_pull_started() -> None:
    start = at(10)

    assert page_position([record(1), record(2)], [record(3)], start) == start
    assert last_page_position([record(1)], start) == start
    assert last_page_position([], start) == start


def test_the_last_page_ends_at_its_last_record() -> None:
    assert last_page_position([record(1), record(3, seconds=86_400), record(2)], None) == at(2)


def test_bulk_results_end_at_the_highest_stamp_and_id_seen() -> None:
    rows = [record(5), record(9), record(2), record(8, seconds=9)]

    assert highest_position(rows, None) == at(9)


def test_rest_and_bulk_rows_become_raw_accounts_with_time_and_deleted_flag() -> None:
    rest = raw_account(
        {
            "attributes": {"type": "Account"},
            "Id": "001A",
            "SystemModstamp": "2026-01-01T00:00:05.000+0000",
            "IsDeleted": True,
        }
    )
    bulk = raw_account(
        {"Id": "001B", "SystemModstamp": "2026-01-01T00:00:05.000Z", "IsDeleted": "false"}
    )

    assert (rest.modified_at, rest.deleted, "attributes" in rest.fields) == (
        JANUARY + timedelta(seconds=5),
        True,
        False,
    )
    assert (bulk.modified_at, bulk.deleted) == (JANUARY + timedelta(seconds=5), False)
