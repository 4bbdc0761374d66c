"""Owner writes against the emulated portal when answers are lost on the wire: a batch update
applied and then answered 503/502, dropped, or held back past the client's time-out, and people
changing companies during the back-off. Each fault comes from an explicit schedule; the request
log proves that no company is written twice."""

from __future__ import annotations

from collections import Counter

import pytest

from connectors.base import BatchStoppedError, OwnerWrite, WriteStatus
from connectors.retry import RetryPolicy
from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from tests.connectors.test_hubspot_support import (
    ACTIVE_OWNERS,
    Rig,
    StartRig,
    companies,
    hubspot,
)

__all__ = ["hubspot"]


def moves(rig: Rig, count: int) -> list[OwnerWrite]:
    """Each of the first `count` companies to the next active owner."""
    writes = []
    for c in companies(count):
        current = rig.portal.owner_of(c.crm_id)
        target = ACTIVE_OWNERS[(ACTIVE_OWNERS.index(current or ACTIVE_OWNERS[0]) + 1) % 3]
        writes.append(OwnerWrite(c.crm_id, target, current))
    return writes


def all_struck(rig: Rig) -> bool:
    return all(entry["struck"] for entry in rig.portal.fault_schedule.entries())


def test_a_batch_applied_then_answered_503_is_recorded_written_without_a_second_write(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(20))
    rig.portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_5xx")])
    writes = moves(rig, 20)

    outcomes = rig.connect().write_owner_batch(writes)

    assert {(o.status, o.attempts, o.already_there) for o in outcomes} == {
        (WriteStatus.WRITTEN, 1, False)
    }
    assert all(rig.portal.owner_of(w.external_id) == w.new_owner_id for w in writes)
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    assert rig.portal.requests.counts_by_kind() == {"batch-read": 2, "batch-update": 1}
    assert all_struck(rig)


def test_a_dropped_answer_is_resolved_by_reading_back(hubspot: StartRig) -> None:
    rig = hubspot(companies(20))
    rig.portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_drop")])

    outcomes = rig.connect().write_owner_batch(moves(rig, 20))

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 1)}
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    assert rig.portal.requests.count("batch-update") == 1
    assert all_struck(rig)


def test_an_answer_held_back_past_the_time_out_is_resolved_by_reading_back(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(5), faults=FaultProfile(stall_seconds=2.0))
    rig.portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_timeout")])

    outcomes = rig.connect(timeout_seconds=0.3).write_owner_batch(moves(rig, 5))

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 1)}
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    assert all_struck(rig)


def test_a_batch_refused_with_503_before_applying_is_sent_once_more_after_a_read(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(20))
    rig.portal.set_fault_schedule([ScheduledFault("batch-update", 1, "503")])

    outcomes = rig.connect().write_owner_batch(moves(rig, 20))

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 2)}
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    kinds = [r.kind for r in rig.portal.requests.records()]
    assert kinds == ["batch-read", "batch-update", "batch-read", "batch-update"]


def test_a_person_s_change_during_the_back_off_is_a_conflict(hubspot: StartRig) -> None:
    rig = hubspot(companies(20))
    rig.portal.set_fault_schedule(
        [ScheduledFault("batch-update", 1, "applied_5xx", person_edits=3)]
    )

    outcomes = rig.connect().write_owner_batch(moves(rig, 20))

    edited = rig.portal.requests.person_edits()
    assert Counter(o.status for o in outcomes) == {
        WriteStatus.WRITTEN: 17,
        WriteStatus.CONFLICT: 3,
    }
    for outcome in outcomes:
        if outcome.status == WriteStatus.CONFLICT:
            assert outcome.current_owner_id == edited[outcome.external_id]
            assert rig.portal.owner_of(outcome.external_id) == edited[outcome.external_id]
    assert set(rig.portal.requests.writes_per_record().values()) == {1}


def test_a_write_whose_answer_and_read_back_are_both_lost_stops_the_batch_unfinished(
    hubspot: StartRig,
) -> None:
    rig = hubspot(companies(3))
    policy = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.01, jitter=0)
    rig.portal.set_fault_schedule(
        [
            ScheduledFault("batch-update", 1, "applied_drop"),
            *[ScheduledFault("batch-read", n, "503") for n in range(2, 5)],
        ]
    )

    with pytest.raises(BatchStoppedError) as stopped:
        rig.connect(retry_policy=policy).write_owner_batch(moves(rig, 3))
    outcomes = stopped.value.outcomes

    assert {(o.status, o.error_code) for o in outcomes} == {
        (WriteStatus.UNFINISHED, "OUTCOME_UNKNOWN")
    }
    assert all("the next run re-checks it" in (o.error_message or "") for o in outcomes)
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    assert all_struck(rig)


def test_company_property_names_come_from_the_properties_api_once(hubspot: StartRig) -> None:
    rig = hubspot(companies(1))
    connector = rig.connect()

    names = connector.account_field_names()
    again = connector.account_field_names()

    assert {"name", "domain", "country", "hubspot_owner_id", "hs_object_id"} <= names
    assert again is names
    assert rig.portal.requests.counts_by_kind() == {"properties": 1}
    assert connector.usage.calls_by_kind == {"properties": 1}
