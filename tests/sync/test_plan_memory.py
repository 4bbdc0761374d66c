"""Saving and applying a plan streams its changes: memory is bounded by a chunk, not the plan."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

from sync.plan import ProposedChange, save_plan
from sync.store.database import Database
from sync.writeback import apply_plan
from tests.sync.fakes import FakeCrm
from tests.sync.support import SF, change, context, new_run, states, store_accounts

CHANGES = 20_000
# Bytes: a chunk of 5,000 change rows and the batches being written, whatever the plan's size (about
# 16 MiB measured). Building every change row of this plan at once to save it, and reading them all
# back to apply it, peaked at 29 MiB, and grows with the plan.
MEMORY_BOUND = 24 * 1024 * 1024


def record(n: int) -> str:
    return f"001{n:015d}"


def proposed() -> Iterator[ProposedChange]:
    """The plan's changes, made one at a time as a planner hands them on."""
    for n in range(CHANGES):
        yield change(record(n), "005OLD", "005NEW")


def test_saving_and_applying_20000_changes_stays_under_a_bound_set_by_the_chunk(
    database: Database,
) -> None:
    store_accounts(database, {(SF, record(n)): "005OLD" for n in range(CHANGES)})
    crm = FakeCrm(SF, owners={record(n): "005OLD" for n in range(CHANGES)})
    run_id = new_run(database)
    write = context(database, run_id=run_id)
    tracemalloc.start()
    try:
        plan_id = save_plan(
            database, run_id=run_id, trigger="cli", actor="test", changes=proposed()
        )
        figures = apply_plan(write, plan_id, {SF: crm})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(figures.written.values()) == CHANGES
    assert set(states(database, plan_id).values()) == {"written"}
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB"
