"""Owner writes against the emulated org when answers are lost on the wire: an update applied and
then answered 503, dropped, or held back past the client's time-out, and people changing records
during the back-off. Each fault comes from an explicit schedule, so each test is exact; the
request log proves that no record is written twice."""

from __future__ import annotations

from collections import Counter

import pytest

from connectors.base import BatchStoppedError, OwnerWrite, WriteStatus
from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from tests.connectors import test_salesforce_fixtures as shared
from tests.connectors.test_salesforce_fixtures import (
    MakeOrg,
    ServedOrg,
    account_id,
    seed_accounts,
    user_id,
)

clock = shared.clock  # fixtures shared by the Salesforce connector tests
make_org = shared.make_org


def rotate(served: ServedOrg, numbers: range) -> list[OwnerWrite]:
    """Every account to the next of the three active reps."""
    writes = []
    for n in numbers:
        current = served.org.owner_of(account_id(n))
        following = user_id(1 + int(current == user_id(1)) + int(current == user_id(2)) * 2)
        writes.append(OwnerWrite(account_id(n), following, current))
    return writes


def schedule(served: ServedOrg, *faults: ScheduledFault) -> None:
    served.org.set_fault_schedule(faults)


def all_struck(served: ServedOrg) -> bool:
    return all(entry["struck"] for entry in served.org.fault_schedule.entries())


def test_a_batch_applied_then_answered_503_is_recorded_written_without_a_second_write(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(10))
    connector = served.signed_in()
    schedule(served, ScheduledFault("collections-update", 1, "applied_5xx"))
    writes = rotate(served, range(1, 11))

    outcomes = connector.write_owner_batch(writes)

    assert {(o.status, o.attempts, o.already_there) for o in outcomes} == {
        (WriteStatus.WRITTEN, 1, False)
    }
    assert all(served.org.owner_of(w.external_id) == w.new_owner_id for w in writes)
    assert set(served.org.requests.writes_per_record().values()) == {1}
    assert served.org.requests.counts_by_kind() == {"query-all": 2, "collections-update": 1}
    assert all_struck(served)


def test_a_dropped_answer_is_resolved_by_reading_back(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10))
    connector = served.signed_in()
    schedule(served, ScheduledFault("collections-update", 1, "applied_drop"))
    writes = rotate(served, range(1, 11))

    outcomes = connector.write_owner_batch(writes)

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 1)}
    assert set(served.org.requests.writes_per_record().values()) == {1}
    assert served.org.requests.count("collections-update") == 1
    assert all_struck(served)


def test_an_answer_held_back_past_the_time_out_is_resolved_by_reading_back(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(5), faults=FaultProfile(stall_seconds=2.0))
    connector = served.signed_in(timeout_seconds=0.3)
    schedule(served, ScheduledFault("collections-update", 1, "applied_timeout"))
    writes = rotate(served, range(1, 6))

    outcomes = connector.write_owner_batch(writes)

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 1)}
    assert set(served.org.requests.writes_per_record().values()) == {1}
    assert all_struck(served)


def test_an_update_refused_with_503_before_applying_is_sent_once_more_after_a_read(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(10))
    connector = served.signed_in()
    schedule(served, ScheduledFault("collections-update", 1, "503"))
    writes = rotate(served, range(1, 11))

    outcomes = connector.write_owner_batch(writes)

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 2)}
    assert set(served.org.requests.writes_per_record().values()) == {1}
    kinds = [r.kind for r in served.org.requests.records()]
    assert kinds == ["query-all", "collections-update", "query-all", "collections-update"]


def test_a_person_s_change_during_the_back_off_is_a_conflict(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(10))
    connector = served.signed_in()
    schedule(served, ScheduledFault("collections-update", 1, "503", person_edits=2))
    writes = rotate(served, range(1, 11))

    outcomes = connector.write_owner_batch(writes)

    edited = served.org.requests.person_edits()
    assert Counter(o.status for o in outcomes) == {WriteStatus.WRITTEN: 8, WriteStatus.CONFLICT: 2}
    for outcome in outcomes:
        if outcome.status == WriteStatus.CONFLICT:
            assert outcome.current_owner_id == edited[outcome.external_id]
            assert served.org.owner_of(outcome.external_id) == edited[outcome.external_id]
    assert set(served.org.requests.writes_per_record().values()) == {1}


def test_a_write_whose_answer_and_read_back_are_both_lost_stops_the_batch_unfinished(
    make_org: MakeOrg,
) -> None:
    served = make_org(seed_accounts(3))
    connector = served.signed_in()
    attempts = 8  # the connector's retry policy (FAST) for the read back
    schedule(
        served,
        ScheduledFault("collections-update", 1, "applied_drop"),
        *[ScheduledFault("query-all", n, "503") for n in range(2, 2 + attempts)],
    )
    writes = rotate(served, range(1, 4))

    with pytest.raises(BatchStoppedError) as stopped:
        connector.write_owner_batch(writes)
    outcomes = stopped.value.outcomes

    assert {(o.status, o.error_code) for o in outcomes} == {
        (WriteStatus.UNFINISHED, "OUTCOME_UNKNOWN")
    }
    assert all("the next run re-checks it" in (o.error_message or "") for o in outcomes)
    assert set(served.org.requests.writes_per_record().values()) == {1}
    assert all_struck(served)


def test_a_record_purged_since_the_plan_fails_as_gone(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(2))
    writes = rotate(served, range(1, 3))
    served.org.delete_records([account_id(2)], purge=True)

    outcomes = served.connect().write_owner_batch(writes)

    assert [(o.status, o.record_gone, o.error_code) for o in outcomes] == [
        (WriteStatus.WRITTEN, False, None),
        (WriteStatus.FAILED, True, "INVALID_CROSS_REFERENCE_KEY"),
    ]
    assert "deleted and purged, or merged" in (outcomes[1].error_message or "")


def test_account_field_names_come_from_describe_once(make_org: MakeOrg) -> None:
    served = make_org(seed_accounts(1))
    connector = served.signed_in()

    names = connector.account_field_names()
    again = connector.account_field_names()

    assert {"Id", "Name", "OwnerId", "BillingCountry", "Do_Not_Reassign__c"} <= names
    assert again is names
    assert served.org.requests.counts_by_kind() == {"describe": 1}
    assert connector.usage.calls_by_kind["describe"] == 1
