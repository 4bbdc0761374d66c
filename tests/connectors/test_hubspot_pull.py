"""Pulling HubSpot companies: full pulls stream page by page, incremental pulls miss nothing.

Everything runs through the real `hubspot-api-client` against the emulator on loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.base import PullMode, PullPosition
from connectors.hubspot_records import from_epoch_ms
from sandbox.hubspot import HubSpotPortalConfig
from tests.connectors.contract import BASE_MS
from tests.connectors.test_hubspot_support import (
    ACTIVE_OWNERS,
    UNLIMITED,
    StartRig,
    companies,
    company,
    hubspot,
    pull,
)

__all__ = ["hubspot"]


class SteppedClock:
    """Seconds since the epoch for the emulator, moved by the test; the connector reads the
    same moment as a datetime."""

    def __init__(self, start_ms: int) -> None:
        self.now = start_ms / 1000

    def __call__(self) -> float:
        return self.now

    def as_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_a_full_pull_yields_each_page_before_asking_for_the_next(hubspot: StartRig) -> None:
    rig = hubspot(companies(250))
    pages = rig.connect().pull_accounts(PullMode.FULL, None, timedelta(0))
    first = next(pages)
    assert len(first.records) == 100
    assert rig.portal.requests.count("list") == 1
    rest = list(pages)
    assert [len(p.records) for p in rest] == [100, 50]


def test_only_the_last_page_of_a_full_pull_carries_a_position(hubspot: StartRig) -> None:
    rig = hubspot(companies(250))
    pages = list(rig.connect().pull_accounts(PullMode.FULL, None, timedelta(0)))
    assert [p.position is None for p in pages] == [True, True, False]
    assert [p.final for p in pages] == [False, False, True]


def test_a_full_pull_ends_where_it_started_less_the_lookback(hubspot: StartRig) -> None:
    started = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    rig = hubspot(companies(30))
    connector = rig.connect(clock=lambda: started)
    pages = list(connector.pull_accounts(PullMode.FULL, None, timedelta(minutes=5)))
    assert pages[-1].position == PullPosition(started - timedelta(minutes=5))


def test_pulled_companies_carry_the_properties_the_mapping_reads(hubspot: StartRig) -> None:
    rig = hubspot([company(1)])
    [record], _ = pull(rig.connect(), PullMode.FULL)
    assert record.fields["name"] == "Company 1"
    assert record.fields["zip"] == "80331"
    assert record.fields["hubspot_owner_id"] == ACTIVE_OWNERS[1]
    assert record.modified_at == from_epoch_ms(BASE_MS + 1000)


def test_extra_properties_from_the_settings_are_pulled(hubspot: StartRig) -> None:
    rig = hubspot([company(7)])
    [record], _ = pull(rig.connect(extra_properties=["do_not_reassign"]), PullMode.FULL)
    assert record.fields["do_not_reassign"] == "true"


def test_a_company_changed_between_two_runs_is_picked_up(hubspot: StartRig) -> None:
    rig = hubspot(companies(40))
    connector = rig.connect()
    _, position = pull(connector, PullMode.FULL)
    rig.portal.change_owner_as_person(company(12).crm_id, ACTIVE_OWNERS[2])
    records, position = pull(connector, PullMode.INCREMENTAL, position)
    assert [(r.external_id, r.fields["hubspot_owner_id"]) for r in records] == [
        (company(12).crm_id, ACTIVE_OWNERS[2])
    ]
    rig.portal.change_owner_as_person(company(30).crm_id, ACTIVE_OWNERS[1])
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    assert company(30).crm_id in {r.external_id for r in records}


def test_a_company_changed_during_a_full_pull_is_caught_by_the_next_pull(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(300))
    connector = rig.connect()
    pages = connector.pull_accounts(PullMode.FULL, None, timedelta(0))
    next(pages)  # companies 1-100 are in
    rig.portal.change_owner_as_person(company(5).crm_id, ACTIVE_OWNERS[0])
    position = [p.position for p in pages][-1]
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    assert (company(5).crm_id, ACTIVE_OWNERS[0]) in {
        (r.external_id, r.fields["hubspot_owner_id"]) for r in records
    }


def test_a_company_changed_during_an_incremental_pull_is_not_lost(hubspot: StartRig) -> None:
    rig = hubspot(companies(1000))
    connector = rig.connect()
    since = PullPosition(from_epoch_ms(BASE_MS))
    pages = connector.pull_accounts(PullMode.INCREMENTAL, since, timedelta(0))
    seen = [r.external_id for r in next(pages).records]
    changed = seen[3]
    rig.portal.change_owner_as_person(changed, ACTIVE_OWNERS[2])
    later = [r for page in pages for r in page.records]
    assert set(seen) | {r.external_id for r in later} == {a.crm_id for a in companies(1000)}
    assert (changed, ACTIVE_OWNERS[2]) in {
        (r.external_id, r.fields["hubspot_owner_id"]) for r in later
    }


def test_an_archived_company_is_flagged_deleted(hubspot: StartRig) -> None:
    rig = hubspot(companies(20))
    connector = rig.connect()
    _, position = pull(connector, PullMode.FULL)
    rig.portal.delete_records([company(9).crm_id])
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    [record] = records
    assert (record.external_id, record.deleted) == (company(9).crm_id, True)
    assert record.modified_at is not None and position is not None
    assert record.modified_at >= position.modified_at


def test_companies_archived_before_the_cursor_are_not_flagged_again(hubspot: StartRig) -> None:
    long_gone = company(3)
    long_gone.deleted = True
    rig = hubspot([company(1), company(2), long_gone])
    connector = rig.connect()
    _, position = pull(connector, PullMode.FULL)
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    assert records == []


def test_the_lookback_rereads_changes_stamped_just_before_the_cursor(hubspot: StartRig) -> None:
    rig = hubspot([company(1, modified_ms=BASE_MS - 2_000), company(2, modified_ms=BASE_MS)])
    connector = rig.connect()
    since = PullPosition(from_epoch_ms(BASE_MS))

    def ids(lookback: timedelta) -> list[str]:
        pages = connector.pull_accounts(PullMode.INCREMENTAL, since, lookback)
        return sorted(r.external_id for p in pages for r in p.records)

    assert ids(timedelta(0)) == [company(2).crm_id]
    assert ids(timedelta(seconds=5)) == [company(1).crm_id, company(2).crm_id]


def test_a_lookback_never_moves_the_position_behind_the_cursor(hubspot: StartRig) -> None:
    rig = hubspot([company(1, modified_ms=BASE_MS - 2_000)])
    since = PullPosition(from_epoch_ms(BASE_MS))
    pages = list(rig.connect().pull_accounts(PullMode.INCREMENTAL, since, timedelta(seconds=5)))
    assert [r.external_id for p in pages for r in p.records] == [company(1).crm_id]
    assert pages[-1].position == since


def test_a_change_search_has_not_indexed_yet_is_caught_by_the_next_pull(
    hubspot: StartRig,
) -> None:
    clock = SteppedClock(BASE_MS + 3_600_000)
    config = HubSpotPortalConfig(
        ten_second_limit=1_000_000, search_per_second=1_000_000, search_delay_s=30, clock=clock
    )
    rig = hubspot(companies(10), config=config)
    connector = rig.connect(clock=clock.as_datetime)
    lookback = timedelta(minutes=5)
    full = list(connector.pull_accounts(PullMode.FULL, None, lookback))
    position = full[-1].position
    clock.advance(1)
    rig.portal.change_owner_as_person(company(4).crm_id, ACTIVE_OWNERS[0])
    clock.advance(1)
    first = list(connector.pull_accounts(PullMode.INCREMENTAL, position, lookback))
    assert company(4).crm_id not in {r.external_id for p in first for r in p.records}
    clock.advance(60)
    second = list(connector.pull_accounts(PullMode.INCREMENTAL, first[-1].position, lookback))
    assert (company(4).crm_id, ACTIVE_OWNERS[0]) in {
        (r.external_id, r.fields["hubspot_owner_id"]) for p in second for r in p.records
    }


def test_an_empty_incremental_pull_keeps_the_cursor(hubspot: StartRig) -> None:
    rig = hubspot(companies(5), config=UNLIMITED)
    since = PullPosition(from_epoch_ms(BASE_MS + 3_600_000))
    pages = list(rig.connect().pull_accounts(PullMode.INCREMENTAL, since, timedelta(0)))
    assert [(p.records, p.position, p.final) for p in pages] == [([], since, True)]
