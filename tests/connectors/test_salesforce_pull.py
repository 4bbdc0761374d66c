"""Pulling Accounts over the REST API: full and incremental pulls, the (SystemModstamp, Id) cursor,
records changed or deleted between and during pulls, page sizes and streaming."""

from __future__ import annotations

import gc
import inspect
import weakref
from datetime import UTC, datetime, timedelta

from connectors.base import PullMode, PullPosition, RawAccount
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    JAN_1_2026_MS,
    FakeClock,
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


def test_a_full_pull_returns_live_accounts_oldest_first_with_their_fields(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(30))
    served.org.delete_records([account_id(3)])

    records, position, _ = pull_all(served.connect(), PullMode.FULL)

    assert ids(records) == [account_id(n) for n in range(1, 31) if n != 3]
    first = records[0]
    assert first.fields["Name"] == "Account 000001"
    assert first.fields["BillingCountry"] == "Germany"
    assert first.fields["OwnerId"] == user_id(2)
    assert first.fields["IsDeleted"] is False
    assert "attributes" not in first.fields
    assert position == PullPosition(records[-1].modified_at, account_id(30))  # type: ignore[arg-type]


def test_configured_custom_fields_are_pulled_with_the_standard_ones(make_org: MakeOrg) -> None:
    served = make_org([seed_account(1, do_not_reassign=True, account_type="Customer - Direct")])
    connector = served.connect(account_fields=["Do_Not_Reassign__c", "Type", "name"])

    records, _, _ = pull_all(connector, PullMode.FULL)

    assert records[0].fields["Do_Not_Reassign__c"] is True
    assert records[0].fields["Type"] == "Customer - Direct"
    assert records[0].fields["Name"] == "Account 000001"


def test_pages_follow_the_configured_page_size(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(450))

    _, _, pages = pull_all(served.connect(page_size=200), PullMode.FULL)

    assert [len(page.records) for page in pages] == [200, 200, 50]
    assert [page.final for page in pages] == [False, False, True]
    assert served.org.requests.counts_by_kind() == {
        "token": 1,
        "query": 2,  # the COUNT() that decides REST or Bulk, then the pull itself
        "query-more": 2,
    }


def test_each_page_position_is_its_last_record(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(450))

    _, _, pages = pull_all(served.connect(page_size=200), PullMode.FULL)

    for page in pages:
        last = page.records[-1]
        assert page.position == PullPosition(last.modified_at, last.external_id)  # type: ignore[arg-type]


def test_a_record_changed_between_two_runs_is_picked_up(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(40))
    connector = served.connect()
    _, position, _ = pull_all(connector, PullMode.FULL)

    served.org.change_owner_as_person(account_id(12), user_id(3))
    records, after, _ = pull_all(connector, PullMode.INCREMENTAL, position)

    assert ids(records) == [account_id(12)]
    assert records[0].fields["OwnerId"] == user_id(3)
    assert after is not None and position is not None and after.modified_at > position.modified_at


def test_an_incremental_pull_with_nothing_new_keeps_the_cursor(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10))
    connector = served.connect()
    _, position, _ = pull_all(connector, PullMode.FULL)

    records, after, pages = pull_all(connector, PullMode.INCREMENTAL, position)

    assert records == []
    assert after == position
    assert [page.final for page in pages] == [True]


def test_a_deleted_record_comes_back_flagged_deleted(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10))
    connector = served.connect()
    _, position, _ = pull_all(connector, PullMode.FULL)

    served.org.delete_records([account_id(4)])
    records, _, _ = pull_all(connector, PullMode.INCREMENTAL, position)

    assert [(r.external_id, r.deleted, r.fields["IsDeleted"]) for r in records] == [
        (account_id(4), True, True)
    ]


def test_the_lookback_window_pulls_the_last_minutes_again(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(100))  # modified one second apart
    connector = served.connect()
    position = PullPosition(_at_ms(JAN_1_2026_MS + 90_000), account_id(90))

    records, after, _ = pull_all(
        connector, PullMode.INCREMENTAL, position, lookback=timedelta(seconds=10)
    )

    assert ids(records) == [account_id(n) for n in range(80, 101)]
    assert after == PullPosition(_at_ms(JAN_1_2026_MS + 100_000), account_id(100))


def test_a_lookback_never_moves_the_cursor_backwards(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(20))
    since = PullPosition(_at_ms(JAN_1_2026_MS + 20_000), account_id(20))

    records, after, _ = pull_all(
        served.connect(), PullMode.INCREMENTAL, since, lookback=timedelta(seconds=5)
    )

    assert len(records) == 6  # pulled again, harmlessly
    assert after == since


def test_accounts_sharing_one_second_across_page_boundaries_are_each_pulled_once(
    make_org: MakeOrg,
) -> None:
    same_second = JAN_1_2026_MS + 500_000
    accounts = [seed_account(n) for n in range(1, 11)]  # before the busy second
    accounts += [seed_account(n, modified_ms=same_second) for n in range(11, 5011)]
    accounts += [seed_account(n, modified_ms=same_second + 1000) for n in range(5011, 5021)]
    served = make_org(accounts)
    connector = served.connect(page_size=2000)
    since = PullPosition(_at_ms(JAN_1_2026_MS + 10_000), account_id(10))

    records, after, pages = pull_all(connector, PullMode.INCREMENTAL, since)

    assert len(pages) == 3
    assert sorted(ids(records)) == sorted(account_id(n) for n in range(11, 5021))
    assert len(set(ids(records))) == len(records)
    assert after == PullPosition(_at_ms(same_second + 1000), account_id(5020))
    # The first page ended inside the busy second; resuming from there gives exactly the rest.
    middle = pages[0].position
    assert middle is not None and middle.modified_at == _at_ms(same_second)
    rest, _, _ = pull_all(connector, PullMode.INCREMENTAL, middle)
    assert sorted(ids(pages[0].records) + ids(rest)) == sorted(ids(records))


def test_a_cursor_in_the_middle_of_a_busy_second_pulls_the_rest_of_it_once(
    make_org: MakeOrg,
) -> None:
    same_second = JAN_1_2026_MS + 500_000
    busy = sorted(account_id(n) for n in range(1, 5001))
    served = make_org([seed_account(n, modified_ms=same_second) for n in range(1, 5001)])
    cursor = PullPosition(_at_ms(same_second), busy[2499])

    records, _, _ = pull_all(served.connect(page_size=2000), PullMode.INCREMENTAL, cursor)

    assert ids(records) == busy[2500:]


def test_a_record_changed_after_its_page_was_read_is_pulled_next_time(
    make_org: MakeOrg, clock: FakeClock
) -> None:
    served = make_org(seed_accounts(600))
    connector = served.connect(page_size=200)
    pull = connector.pull_accounts(PullMode.FULL, None, timedelta(0))
    first = next(pull)
    served.org.change_owner_as_person(account_id(5), user_id(3))  # already handed over
    rest = list(pull)
    position = rest[-1].position

    records, _, _ = pull_all(connector, PullMode.INCREMENTAL, position)

    assert account_id(5) in ids(first.records)
    assert ids(records) == [account_id(5)]
    assert records[0].fields["OwnerId"] == user_id(3)


def test_a_record_changed_during_the_pull_never_moves_a_page_position_past_unread_records(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(1000))
    connector = served.connect(page_size=200)
    pull = connector.pull_accounts(PullMode.FULL, None, timedelta(0))
    next(pull)  # page 1 handed over; page 2 already fetched
    # The last record of page 3 changes before page 3 is fetched: it comes back with today's
    # stamp among records from January.
    served.org.change_owner_as_person(account_id(600), user_id(3))
    next(pull)
    third = next(pull)
    list(pull)

    assert third.records[-1].external_id == account_id(600)
    assert third.records[-1].fields["OwnerId"] == user_id(3)
    assert third.position == PullPosition(_at_ms(JAN_1_2026_MS + 599_000), account_id(599))
    resumed, _, _ = pull_all(connector, PullMode.INCREMENTAL, third.position)
    assert ids(resumed) == [account_id(n) for n in range(601, 1001)] + [account_id(600)]


def test_pull_accounts_is_a_generator_that_fetches_pages_as_they_are_asked_for(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(1000))
    connector = served.connect(page_size=200)

    pull = connector.pull_accounts(PullMode.FULL, None, timedelta(0))
    assert inspect.isgenerator(pull)
    assert served.org.requests.count() == 0
    next(pull)
    assert served.org.requests.count("query-more") == 1  # the page after, to place the cursor
    pull.close()


def test_pages_already_handed_over_are_not_kept_by_the_connector(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(2000))
    connector = served.connect(page_size=200)
    handed_over: list[weakref.ref[RawAccount]] = []
    most_alive = 0

    for page in connector.pull_accounts(PullMode.FULL, None, timedelta(0)):
        handed_over.append(weakref.ref(page.records[0]))
        del page
        gc.collect()
        most_alive = max(most_alive, sum(1 for ref in handed_over if ref() is not None))

    assert len(handed_over) == 10
    assert most_alive <= 2
