"""Writing owners back to HubSpot: one read and one update per batch, every change accounted for.

Runs through the real `hubspot-api-client` against the emulator on loopback; a few tests wrap the
update call to make HubSpot's answer leave an input out, which the emulator never does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.base import OwnerWrite, WriteOutcome, WriteStatus
from connectors.hubspot.calls import UpdateResult, update_owners
from connectors.hubspot.client import HubSpotTransport
from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from territory_sync.errors import ApiBudgetExhaustedError
from tests.connectors.test_hubspot_support import (
    ACTIVE_OWNERS,
    StartRig,
    companies,
    hubspot,
)

__all__ = ["hubspot"]

Update = Callable[..., UpdateResult]
UPDATE_CALL = "connectors.hubspot.writes.update_owners"


def moves(rig_companies: list[str], portal_owner: Callable[[str], str | None]) -> list[OwnerWrite]:
    """Move every company to the next active owner."""
    writes = []
    for record_id in rig_companies:
        current = portal_owner(record_id)
        target = ACTIVE_OWNERS[(ACTIVE_OWNERS.index(current or ACTIVE_OWNERS[0]) + 1) % 3]
        writes.append(OwnerWrite(record_id, target, current))
    return writes


def batches(writes: list[OwnerWrite], size: int = 100) -> list[list[OwnerWrite]]:
    return [writes[start : start + size] for start in range(0, len(writes), size)]


@pytest.mark.slow
def test_writing_10000_changes_costs_one_read_and_one_update_per_100(hubspot: StartRig) -> None:
    rig = hubspot(companies(10_000))
    connector = rig.connect()
    writes = moves([a.crm_id for a in companies(10_000)], rig.portal.owner_of)
    outcomes = [o for batch in batches(writes) for o in connector.write_owner_batch(batch)]
    assert Counter(o.status for o in outcomes) == {WriteStatus.WRITTEN: 10_000}
    assert rig.portal.requests.counts_by_kind() == {"batch-update": 100, "batch-read": 100}
    assert all(rig.portal.owner_of(w.external_id) == w.new_owner_id for w in writes)
    assert connector.usage.calls == 200


CHAOS_SCHEDULE = [
    ScheduledFault("batch-update", 1, "applied_5xx"),
    ScheduledFault("batch-update", 2, "applied_drop"),
    ScheduledFault("batch-update", 3, "429"),
    ScheduledFault("batch-update", 4, "503", person_edits=2),
    ScheduledFault("batch-update", 5, "applied_timeout"),
    ScheduledFault("batch-update", 7, "applied_5xx", person_edits=1),
    ScheduledFault("batch-read", 3, "503"),
    ScheduledFault("batch-read", 6, "applied_drop"),
    ScheduledFault("batch-read", 9, "429"),
]
"""Every kind of trouble once: updates applied and then answered 503, dropped or held back past
the client's time-out; updates and reads refused (throttled, unavailable); people changing
three companies while the connector backs off."""


@pytest.mark.slow
def test_under_chaos_every_change_is_written_exactly_once_or_reported(hubspot: StartRig) -> None:
    rig = hubspot(companies(1_000), faults=FaultProfile(stall_seconds=3.0))
    rig.portal.set_fault_schedule(CHAOS_SCHEDULE)
    connector = rig.connect(timeout_seconds=1.0)
    writes = moves([a.crm_id for a in companies(1_000)], rig.portal.owner_of)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(connector.write_owner_batch, batches(writes)))
    outcomes = [o for batch in results for o in batch]
    assert [o.external_id for o in outcomes] == [w.external_id for w in writes]
    assert all(entry["struck"] for entry in rig.portal.fault_schedule.entries())
    assert Counter(o.status for o in outcomes) == {
        WriteStatus.WRITTEN: 997,
        WriteStatus.CONFLICT: 3,
    }
    written = rig.portal.requests.writes_per_record()
    edited = rig.portal.requests.person_edits()
    for write, outcome in zip(writes, outcomes, strict=True):
        if outcome.status == WriteStatus.WRITTEN:
            assert rig.portal.owner_of(write.external_id) == write.new_owner_id
            assert written[write.external_id] == 1
        else:
            assert outcome.current_owner_id == edited[write.external_id]
            assert rig.portal.owner_of(write.external_id) == edited[write.external_id]
    assert max(written.values()) == 1  # no company written twice, conflicts included


def test_a_retryable_error_is_retried_for_the_failed_companies_only(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fifth of the companies fail each attempt: all are written within the policy's six attempts.
    rig = hubspot(companies(100), faults=FaultProfile(lock_errors=0.2))
    sent: list[int] = []
    update: Update = update_owners

    def counting(transport: HubSpotTransport, owners: dict[str, str], **kind: str) -> UpdateResult:
        sent.append(len(owners))
        result = update(transport, owners, **kind)
        if len(sent) == 1:
            sent.append(sum(e.category == "CONFLICT" for e in result.errors.values()))
        return result

    monkeypatch.setattr(UPDATE_CALL, counting)
    writes = moves([a.crm_id for a in companies(100)], rig.portal.owner_of)
    outcomes = rig.connect().write_owner_batch(writes)
    assert all(o.status == WriteStatus.WRITTEN for o in outcomes)
    first, conflicts, second = sent[0], sent[1], sent[2]
    assert (first, second) == (100, conflicts) and conflicts > 0
    assert max(o.attempts for o in outcomes) >= 2
    assert set(rig.portal.requests.writes_per_record().values()) == {1}


def test_an_input_the_answer_leaves_out_is_reread_and_found_written(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = hubspot(companies(10))
    update: Update = update_owners
    silent = companies(10)[4].crm_id

    def forgetful(transport: HubSpotTransport, owners: dict[str, str], **kind: str) -> UpdateResult:
        result = update(transport, owners, **kind)
        result.written.discard(silent)
        return result

    monkeypatch.setattr(UPDATE_CALL, forgetful)
    writes = moves([a.crm_id for a in companies(10)], rig.portal.owner_of)
    outcomes = rig.connect().write_owner_batch(writes)
    by_id = {o.external_id: o for o in outcomes}
    assert by_id[silent].status == WriteStatus.WRITTEN
    assert by_id[silent].already_there is False
    assert rig.portal.requests.counts_by_kind() == {"batch-read": 2, "batch-update": 1}


def test_an_input_the_answer_leaves_out_and_did_not_land_is_written_again(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = hubspot(companies(10))
    update: Update = update_owners
    dropped = companies(10)[2].crm_id
    calls: list[set[str]] = []

    def lossy(transport: HubSpotTransport, owners: dict[str, str], **kind: str) -> UpdateResult:
        calls.append(set(owners))
        if len(calls) == 1:
            owners = {k: v for k, v in owners.items() if k != dropped}
        return update(transport, owners, **kind)

    monkeypatch.setattr(UPDATE_CALL, lossy)
    writes = moves([a.crm_id for a in companies(10)], rig.portal.owner_of)
    outcomes = rig.connect().write_owner_batch(writes)
    assert calls[1] == {dropped}
    assert all(o.status == WriteStatus.WRITTEN for o in outcomes)
    assert rig.portal.owner_of(dropped) == writes[2].new_owner_id


def test_a_change_a_person_made_after_the_plan_is_a_conflict(hubspot: StartRig) -> None:
    rig = hubspot(companies(3))
    record = companies(3)[0].crm_id
    planned_from = rig.portal.owner_of(record)
    rig.portal.change_owner_as_person(record, ACTIVE_OWNERS[0])
    target = next(o for o in ACTIVE_OWNERS if o not in (planned_from, ACTIVE_OWNERS[0]))
    [outcome] = rig.connect().write_owner_batch([OwnerWrite(record, target, planned_from)])
    assert (outcome.status, outcome.current_owner_id) == (WriteStatus.CONFLICT, ACTIVE_OWNERS[0])
    assert rig.portal.requests.count("batch-update") == 0


def test_overriding_manual_changes_writes_over_a_person_change(hubspot: StartRig) -> None:
    rig = hubspot(companies(3))
    record = companies(3)[0].crm_id
    planned_from = rig.portal.owner_of(record)
    rig.portal.change_owner_as_person(record, ACTIVE_OWNERS[0])
    target = next(o for o in ACTIVE_OWNERS if o not in (planned_from, ACTIVE_OWNERS[0]))
    [outcome] = rig.connect().write_owner_batch(
        [OwnerWrite(record, target, planned_from)], respect_manual_changes=False
    )
    assert outcome.status == WriteStatus.WRITTEN
    assert rig.portal.owner_of(record) == target


def test_a_company_deleted_since_the_plan_fails_as_gone(hubspot: StartRig) -> None:
    rig = hubspot(companies(3))
    gone, kept = companies(3)[0].crm_id, companies(3)[1].crm_id
    writes = moves([gone, kept], rig.portal.owner_of)
    rig.portal.delete_records([gone])
    outcomes = rig.connect().write_owner_batch(writes)
    assert [(o.status, o.error_code, o.record_gone) for o in outcomes] == [
        (WriteStatus.FAILED, "OBJECT_NOT_FOUND", True),
        (WriteStatus.WRITTEN, None, False),
    ]


def test_the_same_company_twice_in_a_batch_is_written_once(hubspot: StartRig) -> None:
    rig = hubspot(companies(2))
    [write] = moves([companies(2)[0].crm_id], rig.portal.owner_of)
    outcomes: list[WriteOutcome] = rig.connect().write_owner_batch([write, write])
    assert [o.status for o in outcomes] == [WriteStatus.WRITTEN, WriteStatus.FAILED]
    assert outcomes[1].error_code == "DUPLICATE_WRITE"


def test_writing_stops_before_the_daily_budget_share_is_spent(hubspot: StartRig) -> None:
    rig = hubspot(companies(300), faults=FaultProfile(daily_allocation=10))
    connector = rig.connect(api_budget_share=0.4)
    writes = moves([a.crm_id for a in companies(300)], rig.portal.owner_of)
    connector.write_owner_batch(writes[:100])
    connector.write_owner_batch(writes[100:200])
    calls_before = rig.portal.requests.count()
    with pytest.raises(ApiBudgetExhaustedError, match="api_budget_share"):
        connector.write_owner_batch(writes[200:])
    assert rig.portal.requests.count() == calls_before
    assert (connector.usage.daily_used, connector.usage.daily_limit) == (4, 10)


def test_a_batch_larger_than_the_write_batch_size_is_refused(hubspot: StartRig) -> None:
    rig = hubspot(companies(3))
    connector = rig.connect(write_batch_size=2)
    with pytest.raises(ValueError, match="at most 2"):
        connector.write_owner_batch(moves([a.crm_id for a in companies(3)], rig.portal.owner_of))
