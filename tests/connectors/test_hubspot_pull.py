"""Pulling HubSpot companies: full pulls stream page by page, incremental pulls miss nothing,
resume exactly where they stopped and leave archived companies to full pulls.

Everything runs through the real `hubspot-api-client` against the emulator on loopback; the last
tests go through `sync.pull` and a real database as well.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors.base import AccountPage, CrmUser, PullMode, PullPosition
from connectors.hubspot import HubSpotConnector
from sandbox.faults import FaultProfile
from sandbox.hubspot import HubSpotPortalConfig
from sync.pull import pull_source, read_cursor
from sync.store.database import Database
from territory_sync.times import from_epoch_ms
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


def test_incremental_pulls_do_not_list_archived_companies(hubspot: StartRig) -> None:
    rig = hubspot(companies(20))
    connector = rig.connect()
    _, position = pull(connector, PullMode.FULL)
    rig.portal.delete_records([company(9).crm_id])
    rig.portal.change_owner_as_person(company(4).crm_id, ACTIVE_OWNERS[0])
    rig.portal.requests.clear()
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    assert [(r.external_id, r.deleted) for r in records] == [(company(4).crm_id, False)]
    assert rig.portal.requests.count("list") == 0


def test_a_full_pull_leaves_archived_companies_out(hubspot: StartRig) -> None:
    rig = hubspot(companies(20))
    rig.portal.delete_records([company(9).crm_id])
    records, _ = pull(rig.connect(), PullMode.FULL)
    assert company(9).crm_id not in {r.external_id for r in records}
    assert len(records) == 19


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


def test_a_company_changed_at_the_saved_timestamp_with_a_higher_id_is_read_on_the_next_run(
    hubspot: StartRig,
) -> None:
    shared_ms = BASE_MS + 3_600_000
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 6)] + [company(9)])
    connector = rig.connect()
    _, position = pull(connector, PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS)))
    assert position == PullPosition(from_epoch_ms(shared_ms), company(5).crm_id)
    rig.portal.mass_update([company(9).crm_id], shared_ms)
    records, after = pull(connector, PullMode.INCREMENTAL, position)
    assert [r.external_id for r in records] == [company(9).crm_id]
    assert after == PullPosition(from_epoch_ms(shared_ms), company(9).crm_id)


def test_a_rerun_with_a_lookback_asks_for_the_lookback_in_the_same_single_search(
    hubspot: StartRig,
) -> None:
    clock = SteppedClock(BASE_MS + 7_200_000)
    config = HubSpotPortalConfig(
        ten_second_limit=1_000_000, search_per_second=1_000_000, clock=clock
    )
    shared_ms = BASE_MS + 3_600_000
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 451)], config=config)
    connector = rig.connect(clock=clock.as_datetime)
    lookback = timedelta(minutes=5)
    since = PullPosition(from_epoch_ms(BASE_MS))
    first = list(connector.pull_accounts(PullMode.INCREMENTAL, since, lookback))
    position = first[-1].position
    assert position == PullPosition(from_epoch_ms(shared_ms), company(450).crm_id)
    rig.portal.requests.clear()
    again = list(connector.pull_accounts(PullMode.INCREMENTAL, position, lookback))
    assert [(p.records, p.position) for p in again] == [([], position)]
    assert rig.portal.requests.count("search") == 1


def test_a_company_shown_late_by_search_inside_the_lookback_is_read_on_the_next_run(
    hubspot: StartRig,
) -> None:
    clock = SteppedClock(BASE_MS + 3_600_000)
    config = HubSpotPortalConfig(
        ten_second_limit=1_000_000, search_per_second=1_000_000, clock=clock
    )
    rig = hubspot(companies(10), config=config)
    connector = rig.connect(clock=clock.as_datetime)
    lookback = timedelta(minutes=5)
    since = PullPosition(from_epoch_ms(BASE_MS + 600_000))
    slow, quick = company(3).crm_id, company(8).crm_id
    rig.portal.set_faults(FaultProfile(search_delay_s=60))
    rig.portal.change_owner_as_person(slow, ACTIVE_OWNERS[0])  # shows in search a minute later
    clock.advance(1)
    rig.portal.set_faults(FaultProfile(search_delay_s=0.5))
    rig.portal.change_owner_as_person(quick, ACTIVE_OWNERS[0])  # a second later, shown at once
    clock.advance(5)
    first = list(connector.pull_accounts(PullMode.INCREMENTAL, since, lookback))
    assert [r.external_id for p in first for r in p.records] == [quick]
    clock.advance(120)
    second = list(connector.pull_accounts(PullMode.INCREMENTAL, first[-1].position, lookback))
    assert slow in {r.external_id for p in second for r in p.records}


def test_a_company_stamped_at_the_newest_timestamp_but_shown_late_is_read_on_the_next_run(
    hubspot: StartRig,
) -> None:
    clock = SteppedClock(BASE_MS + 3_600_000)
    config = HubSpotPortalConfig(
        ten_second_limit=1_000_000, search_per_second=1_000_000, clock=clock
    )
    rig = hubspot(companies(10), config=config)
    connector = rig.connect(clock=clock.as_datetime)
    lookback = timedelta(minutes=5)
    since = PullPosition(from_epoch_ms(BASE_MS + 600_000))
    slow, quick = company(3).crm_id, company(8).crm_id
    rig.portal.set_faults(FaultProfile(search_delay_s=60))
    rig.portal.change_owner_as_person(slow, ACTIVE_OWNERS[0])
    rig.portal.set_faults(FaultProfile(search_delay_s=0.5))
    rig.portal.change_owner_as_person(quick, ACTIVE_OWNERS[0])  # the same millisecond
    clock.advance(5)
    first = list(connector.pull_accounts(PullMode.INCREMENTAL, since, lookback))
    assert [r.external_id for p in first for r in p.records] == [quick]
    assert first[-1].position == PullPosition(clock.as_datetime() - timedelta(seconds=5))
    clock.advance(120)
    second = list(connector.pull_accounts(PullMode.INCREMENTAL, first[-1].position, lookback))
    assert slow in {r.external_id for p in second for r in p.records}


def test_a_position_inside_a_timestamp_older_than_the_lookback_keeps_its_id(
    hubspot: StartRig,
) -> None:
    clock = SteppedClock(BASE_MS + 3_600_000)
    config = HubSpotPortalConfig(
        ten_second_limit=1_000_000, search_per_second=1_000_000, clock=clock
    )
    shared_ms = BASE_MS + 3_600_000 - 301_000
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 4)], config=config)
    connector = rig.connect(clock=clock.as_datetime)
    since = PullPosition(from_epoch_ms(BASE_MS))
    pages = list(connector.pull_accounts(PullMode.INCREMENTAL, since, timedelta(minutes=5)))
    assert pages[-1].position == PullPosition(from_epoch_ms(shared_ms), company(3).crm_id)


# -- through the store --------------------------------------------------------------------------


class StopsAfter:
    """A connector that stops (as a crash would) once `pages` pages of a pull are handed out."""

    def __init__(self, connector: HubSpotConnector, pages: int) -> None:
        self.connector = connector
        self.source = connector.source
        self.write_batch_size = connector.write_batch_size
        self.usage = connector.usage
        self.pages = pages

    def pull_reps(self) -> list[CrmUser]:
        return self.connector.pull_reps()

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        pages = self.connector.pull_accounts(mode, since, lookback, extra_fields)
        for handed, page in enumerate(pages):
            if handed == self.pages:
                raise RuntimeError("the process stopped here")
            yield page


def _pull_into(database: Database, connector: object) -> int:
    figures = pull_source(
        database,
        connector,  # type: ignore[arg-type]
        full=False,
        lookback=timedelta(0),
        run_id=None,
        trigger="test",
        actor="test",
    )
    return figures.pulled


def _cursor(database: Database) -> PullPosition | None:
    with database.engine.connect() as connection:
        return read_cursor(connection, "hubspot")


def test_a_pull_stopped_inside_a_timestamp_resumes_from_the_stored_id_and_rereads_nothing(
    hubspot: StartRig, database: Database
) -> None:
    rig = hubspot(companies(1_000))
    connector = rig.connect()
    assert _pull_into(database, connector) == 1_000  # no cursor yet: a full pull
    stamp = rig.portal.mass_update([c.crm_id for c in companies(1_000)])
    with pytest.raises(RuntimeError):
        _pull_into(database, StopsAfter(connector, pages=3))
    assert _cursor(database) == PullPosition(from_epoch_ms(stamp), company(600).crm_id)
    assert _pull_into(database, connector) == 400
    assert _cursor(database) == PullPosition(from_epoch_ms(stamp), company(1_000).crm_id)
    rig.portal.requests.clear()
    assert _pull_into(database, connector) == 0
    assert rig.portal.requests.count("search") == 1
