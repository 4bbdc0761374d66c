"""Pulls above `bulk_threshold` records run as Bulk API 2.0 query jobs, read as CSV pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import PullMode, PullPosition
from sandbox.fault_schedule import ScheduledFault
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    JAN_1_2026_MS,
    MakeOrg,
    account_id,
    ids,
    pull_all,
    seed_account,
    seed_accounts,
    user_id,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org


def _at_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


def test_a_pull_above_the_bulk_threshold_runs_as_one_bulk_query_job(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(500))
    connector = served.signed_in(bulk_threshold=100, page_size=200)

    records, position, pages = pull_all(connector, PullMode.FULL)

    assert sorted(ids(records)) == [account_id(n) for n in range(1, 501)]
    assert served.org.requests.counts_by_kind() == {
        "query": 1,  # the COUNT() that chose Bulk
        "bulk-create": 1,
        "bulk-poll": 2,
        "bulk-results": 1,
    }
    assert [len(page.records) for page in pages] == [200, 200, 100]
    assert position == PullPosition(_at_ms(JAN_1_2026_MS + 500_000), account_id(500))


def test_only_the_last_bulk_page_carries_a_position(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(500))

    _, _, pages = pull_all(served.connect(bulk_threshold=100, page_size=200), PullMode.FULL)

    assert [page.position is None for page in pages] == [True, True, False]
    assert [page.final for page in pages] == [False, False, True]


def test_bulk_csv_values_arrive_as_strings_with_empty_ones_as_none(make_org: MakeOrg) -> None:
    accounts = seed_accounts(150)
    accounts[0] = seed_account(1, website=None, employees=None)
    served = make_org(accounts)

    records, _, _ = pull_all(served.connect(bulk_threshold=100), PullMode.FULL)

    first = next(r for r in records if r.external_id == account_id(1))
    assert first.fields["Website"] is None
    assert first.fields["NumberOfEmployees"] is None
    assert first.fields["AnnualRevenue"] == "100000"
    assert first.fields["OwnerId"] == user_id(2)
    assert first.fields["SystemModstamp"] == "2026-01-01T00:00:01.000Z"
    assert first.modified_at == _at_ms(JAN_1_2026_MS + 1000)
    assert first.deleted is False


def test_an_incremental_bulk_pull_includes_deleted_records_flagged(
    make_org: MakeOrg, clock: shared.FakeClock
) -> None:
    served = make_org(seed_accounts(300))
    connector = served.connect(bulk_threshold=100)
    since = PullPosition(_at_ms(JAN_1_2026_MS + 100_000), account_id(100))
    served.org.delete_records([account_id(50)])

    records, position, _ = pull_all(connector, PullMode.INCREMENTAL, since)

    assert sorted(ids(records)) == sorted(
        [account_id(n) for n in range(101, 301)] + [account_id(50)]
    )
    deleted = next(r for r in records if r.external_id == account_id(50))
    assert deleted.deleted is True
    assert position == PullPosition(_at_ms(int(clock() * 1000)), account_id(50))


def test_a_small_incremental_pull_after_a_bulk_one_uses_the_rest_api(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(300))
    connector = served.connect(bulk_threshold=100)
    _, position, _ = pull_all(connector, PullMode.FULL)
    served.org.change_owner_as_person(account_id(7), user_id(3))
    served.org.requests.clear()

    records, _, _ = pull_all(connector, PullMode.INCREMENTAL, position, timedelta(0))

    assert ids(records) == [account_id(7)]
    assert served.org.requests.counts_by_kind() == {"query-all": 2}


def test_a_results_page_answered_503_is_fetched_again_within_the_same_job(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(300))
    connector = served.signed_in(bulk_threshold=100, page_size=200)
    served.org.set_fault_schedule([ScheduledFault(kind="bulk-results", nth=1, fault="503")])

    records, _, _ = pull_all(connector, PullMode.FULL)

    assert sorted(ids(records)) == [account_id(n) for n in range(1, 301)]
    counts = served.org.requests.counts_by_kind()
    assert (counts["bulk-create"], counts["bulk-results"]) == (1, 2)


def test_every_bulk_call_is_sent_with_the_connector_timeout(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(300))
    connector = served.signed_in(bulk_threshold=100, timeout_seconds=7.5)
    timeouts: list[object] = []
    send = connector._session.request

    def recording(method: str, url: str, **kwargs: Any) -> Any:
        if "/jobs/query" in url:
            timeouts.append(kwargs.get("timeout"))
        return send(method, url, **kwargs)

    connector._session.request = recording  # type: ignore[method-assign]
    pull_all(connector, PullMode.FULL)

    kinds = ("bulk-create", "bulk-poll", "bulk-results")
    assert timeouts == [7.5] * sum(served.org.requests.count(kind) for kind in kinds)
