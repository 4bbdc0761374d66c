"""Owner write-back: one re-read and one sObject Collections update per batch, per-record retries,
conflicts, records gone, faults, the daily API budget and concurrent batches."""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.base import OwnerWrite, PullMode, WriteOutcome, WriteStatus
from connectors.retry import RetryPolicy
from connectors.salesforce import SalesforceConnector
from sandbox.fault_schedule import ScheduledFault
from territory_sync.errors import ApiBudgetExhaustedError
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    MakeOrg,
    ServedOrg,
    account_id,
    pull_all,
    seed_accounts,
    user_id,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org


def reassign(served: ServedOrg, numbers: range, to: str) -> list[OwnerWrite]:
    """Planned changes: each account from its current owner to `to` (skipping those there)."""
    writes = []
    for n in numbers:
        current = served.org.owner_of(account_id(n))
        if current != to:
            writes.append(OwnerWrite(account_id(n), to, current))
    return writes


def rotate(served: ServedOrg, numbers: range) -> list[OwnerWrite]:
    """Planned changes moving every account to the next of the three active reps."""
    writes = []
    for n in numbers:
        current = served.org.owner_of(account_id(n))
        assert current is not None
        following = user_id(1 + int(current == user_id(1)) + int(current == user_id(2)) * 2)
        writes.append(OwnerWrite(account_id(n), following, current))
    return writes


def write_in_batches(
    connector: SalesforceConnector, writes: list[OwnerWrite], threads: int = 1
) -> list[WriteOutcome]:
    size = connector.write_batch_size
    batches = [writes[start : start + size] for start in range(0, len(writes), size)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(connector.write_owner_batch, batches))
    return [outcome for batch in results for outcome in batch]


@pytest.mark.slow
def test_writing_10000_changes_costs_one_read_and_one_update_per_200(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10_000))
    connector = served.signed_in()
    writes = rotate(served, range(1, 10_001))

    outcomes = write_in_batches(connector, writes)

    batches = math.ceil(len(writes) / 200)
    assert served.org.requests.counts_by_kind() == {
        "query-all": batches,
        "collections-update": batches,
    }
    assert Counter(o.status for o in outcomes) == {WriteStatus.WRITTEN: 10_000}
    assert all(served.org.owner_of(w.external_id) == w.new_owner_id for w in writes)
    assert connector.usage.calls_by_kind == {
        "token": 1,
        "query-all": batches,
        "collections-update": batches,
    }


def test_outcomes_come_one_per_write_in_input_order(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(20))
    served.org.delete_records([account_id(4)])
    writes = rotate(served, range(1, 11))

    outcomes = served.connect().write_owner_batch(writes)

    assert [o.external_id for o in outcomes] == [w.external_id for w in writes]


def test_a_deleted_or_unknown_record_fails_as_gone_and_the_others_are_written(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(5))
    served.org.delete_records([account_id(2)])
    writes = [
        OwnerWrite(account_id(1), user_id(3), served.org.owner_of(account_id(1))),
        OwnerWrite(account_id(2), user_id(3), served.org.owner_of(account_id(2))),
        OwnerWrite(account_id(999), user_id(3), user_id(1)),
    ]

    first, deleted, unknown = served.connect().write_owner_batch(writes)

    assert first.status == WriteStatus.WRITTEN
    assert (deleted.status, deleted.error_code, deleted.record_gone) == (
        WriteStatus.FAILED,
        "ENTITY_IS_DELETED",
        True,
    )
    assert (unknown.status, unknown.error_code, unknown.record_gone) == (
        WriteStatus.FAILED,
        "INVALID_CROSS_REFERENCE_KEY",
        True,
    )
    assert unknown.error_message and "no account with this id" in unknown.error_message


def test_a_manual_change_is_overwritten_when_manual_changes_are_not_respected(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(3))
    planned_from = served.org.owner_of(account_id(1))
    served.org.change_owner_as_person(account_id(1), user_id(3))

    [outcome] = served.connect().write_owner_batch(
        [OwnerWrite(account_id(1), user_id(1), planned_from)], respect_manual_changes=False
    )

    assert outcome.status == WriteStatus.WRITTEN
    assert served.org.owner_of(account_id(1)) == user_id(1)


def test_owner_writes_switch_off_salesforce_assignment_rules(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(3), assignment_rule_owner_id=user_id(3))
    writes = reassign(served, range(1, 4), user_id(1))

    served.connect().write_owner_batch(writes)

    assert {served.org.owner_of(account_id(n)) for n in range(1, 4)} == {user_id(1)}


def test_only_records_that_hit_a_lock_error_are_written_again(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(200), faults="lock_errors=0.3")
    connector = served.signed_in()
    writes = rotate(served, range(1, 201))

    outcomes = connector.write_owner_batch(writes)

    updates = [r for r in served.org.requests.records() if r.kind == "collections-update"]
    assert len(updates) > 1
    assert set(updates[0].records_written) == {o.external_id for o in outcomes if o.attempts == 1}
    assert all(o.status == WriteStatus.WRITTEN for o in outcomes)
    assert max(served.org.requests.writes_per_record().values()) == 1


def test_a_record_locked_on_every_attempt_fails_with_the_lock_error(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(2), faults="lock_errors=1")
    policy = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.01, jitter=0)
    writes = rotate(served, range(1, 3))

    outcomes = served.connect(policy=policy).write_owner_batch(writes)

    assert [(o.status, o.error_code, o.attempts) for o in outcomes] == [
        (WriteStatus.FAILED, "UNABLE_TO_LOCK_ROW", 3)
    ] * 2


@pytest.mark.slow
def test_under_chaos_every_change_is_written_once_or_reported(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(4000), faults="chaos,session_expiry_after=12")
    # Beside the random chaos, a lost answer of each kind strikes for certain.
    served.org.set_fault_schedule(
        [
            ScheduledFault("collections-update", 2, "applied_5xx"),
            ScheduledFault("collections-update", 5, "applied_drop"),
            ScheduledFault("collections-update", 9, "503"),
        ]
    )
    connector = served.connect()
    writes = rotate(served, range(1, 4001))

    outcomes = write_in_batches(connector, writes, threads=4)  # four batches at a time

    assert all(entry["struck"] for entry in served.org.fault_schedule.entries())
    assert [o.external_id for o in outcomes] == [w.external_id for w in writes]
    failures = Counter(o.error_code for o in outcomes if o.status != WriteStatus.WRITTEN)
    assert set(failures) <= {"UNABLE_TO_LOCK_ROW"}  # retried up to the policy's attempts
    assert max(served.org.requests.writes_per_record().values()) == 1
    for outcome in outcomes:
        if outcome.status == WriteStatus.WRITTEN:
            assert served.org.owner_of(outcome.external_id) == outcome.current_owner_id
    assert connector.usage.calls_by_kind["collections-update"] > len(writes) // 200
    assert connector.usage.calls_by_kind["token"] > 1  # sessions expired and were renewed


def test_throttled_and_unavailable_calls_are_retried_and_never_surface(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(600), faults="rate_429=0.3,rate_5xx=0.3")
    connector = served.connect(page_size=200)

    records, _, _ = pull_all(connector, PullMode.FULL)
    outcomes = write_in_batches(connector, rotate(served, range(1, 401)))

    assert len(records) == 600
    assert {o.status for o in outcomes} == {WriteStatus.WRITTEN}
    statuses = Counter(r.status for r in served.org.requests.records())
    assert statuses[403] > 0 and statuses[503] > 0


def test_writing_stops_before_the_budget_share_of_the_daily_allocation(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(10), daily_allocation=10)
    connector = served.connect(budget_share=0.4)
    pull_all(connector, PullMode.FULL)  # count + query + token: 2 API calls of 10
    connector.write_owner_batch(rotate(served, range(1, 3)))  # read + update: 4 of 10
    served.org.requests.clear()

    with pytest.raises(ApiBudgetExhaustedError) as raised:
        connector.write_owner_batch(rotate(served, range(3, 5)))

    assert "api_budget_share" in str(raised.value)
    assert served.org.requests.count() == 0
    assert (connector.usage.daily_used, connector.usage.daily_limit) == (4, 10)


def test_a_spent_daily_allocation_stops_a_pull_for_today(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10), faults="daily_allocation=1")
    connector = served.connect()

    with pytest.raises(ApiBudgetExhaustedError) as raised:
        pull_all(connector, PullMode.FULL)  # the count is served; the query is refused

    assert "TotalRequests" in str(raised.value)


def test_a_batch_larger_than_the_write_batch_size_is_refused(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(3))
    connector = served.connect(write_batch_size=2)

    with pytest.raises(ValueError, match="at most 2 writes"):
        connector.write_owner_batch(rotate(served, range(1, 4)))
