"""Writes that land and then lose their answer are written exactly once, on both CRMs.

A fifth of the write requests are applied by the emulators and then answered 503, dropped, or
held past the client's time-out. After the run and one rerun the request log shows every planned
owner written once and nothing written twice, the audit log says what the CRMs hold, and a
person's change made during the back-off is left alone and reported as a conflict.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sandbox.fault_schedule import ScheduledFault
from tests.end_to_end.conftest import Product

LOST_ANSWERS = "applied_5xx=0.07,applied_drop=0.07,applied_timeout=0.06,stall_seconds=1.5"
WRITE_KINDS = {"salesforce": "collections-update", "hubspot": "batch-update"}


def crm(product: Product, source: str):  # type: ignore[no-untyped-def]
    return product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot


def newest_decisions(product: Product) -> dict[tuple[str, str], tuple[str, str | None]]:
    """Per record, the newest audit decision about its owner: (status, owner it names)."""
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT source, external_id, status, new_owner_id FROM audit_log "
                "WHERE status IN ('written', 'conflict', 'failed', 'unfinished') ORDER BY id"
            )
        ).all()
    return {(source, record): (status, owner) for source, record, status, owner in rows}


@pytest.mark.slow
def test_writes_applied_then_answered_503_dropped_or_timed_out_are_written_exactly_once(
    product: Product,
) -> None:
    product.settings.salesforce.write_batch_size = 10
    product.settings.hubspot.write_batch_size = 10
    product.settings.salesforce.timeout_seconds = 0.5
    product.settings.hubspot.timeout_seconds = 0.5
    product.settings.sync.concurrency = 1
    product.sandbox.set_faults(LOST_ANSWERS)
    # Each kind of lost answer strikes for certain on each CRM (the rest are drawn at random
    # from the seeded profile), and a person reassigns one record of the second batch while
    # the product backs off: once after the write landed, once before.
    product.sandbox.schedule_faults(
        [
            ScheduledFault("collections-update", 1, "applied_timeout"),
            ScheduledFault("collections-update", 2, "applied_5xx", person_edits=1),
            ScheduledFault("collections-update", 3, "applied_drop"),
        ],
        "salesforce",
    )
    product.sandbox.schedule_faults(
        [
            ScheduledFault("batch-update", 1, "applied_drop"),
            ScheduledFault("batch-update", 2, "503", person_edits=1),
            ScheduledFault("batch-update", 3, "applied_timeout"),
        ],
        "hubspot",
    )

    first = product.sync()
    rerun = product.sync()

    planned = {
        (c.source, c.external_id): c.new_owner_id
        for c in first.changes
        if c.new_owner_id and c.object_name == "account"
    }
    edited = {
        (source, record): owner
        for source in WRITE_KINDS
        for record, owner in crm(product, source).requests.person_edits().items()
    }
    assert len(edited) == 2
    for source, kind in WRITE_KINDS.items():
        struck = [r.fault for r in crm(product, source).requests.records() if r.kind == kind]
        assert {"applied_drop", "applied_timeout"} <= set(struck), struck
        assert sum(1 for fault in struck if fault.startswith("applied")) >= 3
    assert rerun.figures["unfinished"] == 0
    decisions = newest_decisions(product)
    for source in WRITE_KINDS:
        writes = crm(product, source).requests.writes_per_record()
        assert max(writes.values()) == 1, "no record written twice"
        for (change_source, record), owner in planned.items():
            if change_source != source:
                continue
            holds = crm(product, source).owner_of(record)
            if (source, record) in edited:
                assert holds == edited[(source, record)], "a person's change is left alone"
                assert decisions[(source, record)][0] == "conflict"
            elif decisions[(source, record)][0] == "written":
                assert writes[record] == 1 and holds == owner
            else:
                assert decisions[(source, record)][0] == "failed"
                assert holds != owner
    for (source, record), (status, owner) in decisions.items():
        if status == "written":
            assert crm(product, source).owner_of(record) == owner, "the audit matches the CRM"
