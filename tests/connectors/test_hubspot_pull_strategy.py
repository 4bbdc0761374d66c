"""An incremental HubSpot pull reads its changes the faster way, search or a list of every
company, in no more calls than that way needs (within 10%), each company once."""

from __future__ import annotations

import logging
import math
from collections import Counter
from datetime import timedelta

import pytest

from connectors.base import PullMode, PullPosition
from connectors.hubspot.strategy import choose
from sync.pull import pull_source
from sync.store.database import Database
from territory_sync.times import from_epoch_ms
from tests.connectors.contract import BASE_MS
from tests.connectors.test_hubspot_support import StartRig, company, hubspot, pull

__all__ = ["hubspot"]

SINCE = PullPosition(from_epoch_ms(BASE_MS))
REAL_RATES = {"requests_per_ten_seconds": 190, "search_requests_per_second": 5}
"""HubSpot's limits for a private app, as the connector paces itself (the emulator's are out of
the way: these tests count calls)."""


def _portal(hubspot: StartRig, size: int, changed: int, batch: int = 100) -> StartRig:
    """`size` companies; the last `changed` were modified after SINCE, `batch` to a timestamp
    (a write-back stamps a batch of 100 with one time)."""
    unchanged = size - changed
    accounts = [company(n, modified_ms=BASE_MS - 60_000 - n) for n in range(1, unchanged + 1)]
    accounts += [
        company(n, modified_ms=BASE_MS + 1_000 * (1 + (n - unchanged) // batch))
        for n in range(unchanged + 1, size + 1)
    ]
    return hubspot(accounts)  # type: ignore[no-any-return]


def test_a_large_share_changed_is_read_by_listing_every_company(
    hubspot: StartRig, caplog: pytest.LogCaptureFixture
) -> None:
    rig = _portal(hubspot, size=3_000, changed=2_400)
    connector = rig.connect(**REAL_RATES)
    connector.expect_accounts(3_000)
    caplog.set_level(logging.INFO, logger="territory_sync")

    records, position = pull(connector, PullMode.INCREMENTAL, SINCE)

    assert Counter(r.external_id for r in records) == Counter(
        company(n).crm_id for n in range(601, 3_001)
    )
    assert rig.portal.requests.count("search") == 1
    assert rig.portal.requests.count("list") == 30
    [event] = [r for r in caplog.records if r.getMessage() == "crm.pull_strategy"]
    fields = event.fields  # type: ignore[attr-defined]
    assert (fields["strategy"], fields["changes"], fields["companies"]) == ("list", 2_400, 3_000)
    assert fields["search_calls"] == 12 and fields["list_calls"] == 30
    assert position is not None and position.modified_at >= SINCE.modified_at


def test_a_small_share_changed_is_read_by_search(
    hubspot: StartRig, caplog: pytest.LogCaptureFixture
) -> None:
    rig = _portal(hubspot, size=3_000, changed=300)
    connector = rig.connect(**REAL_RATES)
    connector.expect_accounts(3_000)
    caplog.set_level(logging.INFO, logger="territory_sync")

    records, _ = pull(connector, PullMode.INCREMENTAL, SINCE)

    assert len(records) == 300
    assert rig.portal.requests.count("search") == 2
    assert rig.portal.requests.count("list") == 0
    [event] = [r for r in caplog.records if r.getMessage() == "crm.pull_strategy"]
    assert event.fields["strategy"] == "search"  # type: ignore[attr-defined]


def test_without_a_company_count_the_pull_searches_whatever_changed(hubspot: StartRig) -> None:
    rig = _portal(hubspot, size=3_000, changed=2_400)

    records, _ = pull(rig.connect(**REAL_RATES), PullMode.INCREMENTAL, SINCE)

    assert len(records) == 2_400
    assert rig.portal.requests.count("list") == 0


def test_the_sync_tells_the_connector_the_stored_count_so_a_mass_change_is_listed(
    hubspot: StartRig, database: Database
) -> None:
    rig = _portal(hubspot, size=3_000, changed=0)
    connector = rig.connect(**REAL_RATES)

    def pulled() -> int:
        figures = pull_source(
            database,
            connector,
            full=False,
            lookback=timedelta(0),
            run_id=None,
            trigger="test",
            actor="test",
        )
        return figures.pulled

    assert pulled() == 3_000  # no cursor yet: a full pull
    rig.portal.mass_update(rig.portal.first_ids(2_500))
    rig.portal.requests.clear()

    assert pulled() == 2_500
    assert rig.portal.requests.count("search") == 1
    assert rig.portal.requests.count("list") == 30


def test_batch_stamped_changes_take_within_a_tenth_of_the_fewest_searches(
    hubspot: StartRig,
) -> None:
    rig = _portal(hubspot, size=22_000, changed=20_000, batch=100)

    records, _ = pull(rig.connect(), PullMode.INCREMENTAL, SINCE)

    assert len(records) == len({r.external_id for r in records}) == 20_000
    fewest = 20_000 // 200 + 1  # full pages, then the last (empty) one
    assert rig.portal.requests.count("search") <= math.floor(1.1 * fewest)


def test_10500_companies_on_one_timestamp_are_read_in_at_most_57_searches(
    hubspot: StartRig,
) -> None:
    shared = BASE_MS + 5_000
    rig = hubspot([company(n, modified_ms=shared) for n in range(1, 10_501)])

    records, position = pull(rig.connect(), PullMode.INCREMENTAL, SINCE)

    assert len(records) == len({r.external_id for r in records}) == 10_500
    assert rig.portal.requests.count("search") <= 57
    assert position == PullPosition(from_epoch_ms(shared), company(10_500).crm_id)


def test_the_choice_weighs_seconds_at_each_endpoints_rate() -> None:
    searches, lists = 5 / 1.1, 188 / 10.25  # the connector's pacing of HubSpot's limits

    most = choose(100_000, 150_000, searches_per_second=searches, lists_per_second=lists)
    few = choose(10_000, 150_000, searches_per_second=searches, lists_per_second=lists)

    assert (most.strategy, most.search_calls, most.list_calls) == ("list", 500, 1_500)
    assert most.list_seconds < most.search_seconds
    assert (few.strategy, few.search_calls) == ("search", 50)


def test_a_portal_count_below_the_changes_is_taken_as_the_changes() -> None:
    estimate = choose(5_000, 10, searches_per_second=5, lists_per_second=19)
    assert (estimate.companies, estimate.list_calls) == (5_000, 50)
