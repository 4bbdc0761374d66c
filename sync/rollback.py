"""Rollback: restore the owners a run replaced, as a run of its own with its own audit rows.

The rollback plan holds, for every change the run wrote, the reverse change: from the owner we
wrote back to the owner before. Write-back's conflict check does the rest: a record whose owner was
changed since (by a person or a later run) is skipped and reported, never overwritten. Restored
changes of the original run are marked `rolled_back`.
"""

from __future__ import annotations

from sqlalchemy import Table, select, update

from sync.plan import CHANGES, ProposedChange
from sync.store.changes import ChangeState, Plan
from sync.store.database import Database
from territory_sync.errors import ConfigurationError

PLANS: Table = Plan.__table__  # type: ignore[attr-defined]


def rollback_changes(database: Database, run_id: int) -> list[ProposedChange]:
    """The reverse of every change written by `run_id` (skipped where nothing can be restored)."""
    with database.engine.connect() as connection:
        rows = list(
            connection.execute(
                select(CHANGES)
                .where(
                    CHANGES.c.applied_run_id == run_id,
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                )
                .order_by(CHANGES.c.id)
            ).mappings()
        )
    if not rows:
        raise ConfigurationError(
            f"run {run_id} wrote no owner changes that could be rolled back "
            "(`territory-sync runs show` lists what it did)"
        )
    changes = []
    for row in rows:
        restorable = row["old_owner_id"] is not None
        changes.append(
            ProposedChange(
                source=row["source"],
                external_id=row["external_id"],
                account_name=row["account_name"],
                old_owner_id=row["new_owner_id"],
                old_owner_email=row["new_owner_email"],
                new_owner_id=row["old_owner_id"],
                new_owner_email=row["old_owner_email"],
                territory=row["territory"],
                rule="rollback",
                reason=(
                    f"rollback of run {run_id}: restore the previous owner"
                    if restorable
                    else f"rollback of run {run_id}: the record had no owner before; left as is"
                ),
                state=ChangeState.PLANNED if restorable else ChangeState.SKIPPED,
            )
        )
    return changes


def mark_rolled_back(database: Database, undone_run_id: int, rollback_plan_id: int) -> int:
    """Mark the original changes whose reverse was written as `rolled_back`."""
    with database.engine.begin() as connection:
        restored = {
            (row[0], row[1])
            for row in connection.execute(
                select(CHANGES.c.source, CHANGES.c.external_id).where(
                    CHANGES.c.plan_id == rollback_plan_id,
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                )
            )
        }
        count = 0
        for source, external_id in restored:
            result = connection.execute(
                update(CHANGES)
                .where(
                    CHANGES.c.applied_run_id == undone_run_id,
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                    CHANGES.c.source == source,
                    CHANGES.c.external_id == external_id,
                )
                .values(state=ChangeState.ROLLED_BACK.value)
            )
            count += int(result.rowcount or 0)
    return count
