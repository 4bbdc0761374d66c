"""The rollback plan of a run: the inverse of that run's decisions, and marking them undone.

A run's decisions are the changes of the plans it made (and, for `territory-sync apply`, the
plan it applied), whichever run finished writing them: a run that crashed and was finished by the
next run is undone completely, and the next run's own changes are untouched. Each written change
becomes the reverse change, from the owner that run set back to the owner before. A record whose
owner is no longer the one that run set (a person or a later run changed it since) is skipped and
reported, never overwritten; write-back re-checks the same against the CRM at write time. A
record whose owner before was a user the CRM has since deactivated (a rep who left) is skipped and
reported too: the CRM would refuse the write.
Contacts and opportunities are restored only once their account's restore is written (as they
followed it): those of an account left as it is stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, select, update

from mapping.model.accounts import Account
from sync.plan import CHANGES, PLANS, ProposedChange
from sync.store.changes import ACCOUNT_OBJECT, ChangeState
from sync.store.database import Database
from sync.store.related import TABLES as RELATED_TABLES
from sync.store.reps import inactive_owner_ids
from sync.store.runs import Run
from territory_sync.errors import ConfigurationError

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
RUNS: Table = Run.__table__  # type: ignore[attr-defined]


def plans_decided_by(connection: Connection, run_id: int) -> list[int]:
    """The plans whose decisions are `run_id`'s: those it made, and the one it applied."""
    run = connection.execute(select(RUNS.c.kind, RUNS.c.scope).where(RUNS.c.id == run_id)).first()
    if run is None:
        raise ConfigurationError(f"there is no run {run_id}; `territory-sync runs` lists runs")
    plan_ids = list(
        connection.execute(select(PLANS.c.id).where(PLANS.c.run_id == run_id)).scalars()
    )
    applied = (run.scope or {}).get("plan_id") if run.kind == "apply" else None
    if applied is not None and applied not in plan_ids:
        plan_ids.append(int(applied))
    return plan_ids


def unfinished_plans_of(database: Database, run_id: int) -> list[dict[str, Any]]:
    """The plans of `run_id`'s decisions that still have changes to do (planned or in flight)."""
    with database.engine.connect() as connection:
        plan_ids = plans_decided_by(connection, run_id)
        pending = set(
            connection.execute(
                select(CHANGES.c.plan_id)
                .where(
                    CHANGES.c.plan_id.in_(plan_ids),
                    CHANGES.c.state.in_([ChangeState.PLANNED.value, ChangeState.IN_FLIGHT.value]),
                )
                .distinct()
            ).scalars()
        )
        return [
            dict(row)
            for row in connection.execute(
                select(PLANS).where(PLANS.c.id.in_(sorted(pending))).order_by(PLANS.c.id)
            ).mappings()
        ]


def _current_owners(
    connection: Connection, rows: Sequence[Mapping[str, Any]]
) -> dict[tuple[str, str, str], str | None]:
    """The stored owner of each changed record, by (kind of record, CRM, id)."""
    owners: dict[tuple[str, str, str], str | None] = {}
    for kind, source in {(row["object_name"], row["source"]) for row in rows}:
        table = ACCOUNTS if kind == ACCOUNT_OBJECT else RELATED_TABLES[kind]
        ids = [r["external_id"] for r in rows if r["source"] == source and r["object_name"] == kind]
        for start in range(0, len(ids), 500):
            for external_id, owner_id in connection.execute(
                select(table.c.external_id, table.c.owner_id).where(
                    and_(
                        table.c.source == source,
                        table.c.external_id.in_(ids[start : start + 500]),
                    )
                )
            ):
                owners[(kind, source, external_id)] = owner_id
    return owners


def rollback_changes(database: Database, run_id: int) -> list[ProposedChange]:
    """The reverse of every change `run_id` decided that was written (skipped where the owner is
    no longer the one it set, or where there was no owner before)."""
    with database.engine.connect() as connection:
        plan_ids = plans_decided_by(connection, run_id)
        rows = [
            dict(row)
            for row in connection.execute(
                select(CHANGES)
                .where(
                    CHANGES.c.plan_id.in_(plan_ids),
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                )
                .order_by(CHANGES.c.id)
            ).mappings()
        ]
        owners = _current_owners(connection, rows)
        inactive = inactive_owner_ids(connection)
    if not rows:
        raise ConfigurationError(
            f"run {run_id} wrote no owner changes that could be rolled back "
            "(`territory-sync runs show` lists what it did)"
        )
    changes = []
    for row in rows:
        now = owners.get(
            (row["object_name"], row["source"], row["external_id"]), row["new_owner_id"]
        )
        state, reason = ChangeState.PLANNED, f"rollback of run {run_id}: restore the previous owner"
        if now != row["new_owner_id"]:
            state = ChangeState.SKIPPED
            reason = (
                f"rollback of run {run_id}: left as it is, the owner is now {now or 'none'}, "
                f"not the {row['new_owner_email'] or row['new_owner_id']} that run set"
            )
        elif row["old_owner_id"] is None:
            state = ChangeState.SKIPPED
            reason = f"rollback of run {run_id}: the record had no owner before; left as it is"
        elif (row["source"], row["old_owner_id"]) in inactive:
            state = ChangeState.SKIPPED
            reason = (
                f"rollback of run {run_id}: left as it is, the previous owner "
                f"{row['old_owner_email'] or row['old_owner_id']} is no longer active in the CRM"
            )
        changes.append(ProposedChange.from_row(row).undoing(reason=reason, state=state))
    return changes


def mark_rolled_back(database: Database, rollback_plan: Mapping[str, Any]) -> int:
    """Mark the undone run's changes whose reverse the rollback plan wrote as `rolled_back`."""
    undone = (rollback_plan.get("scope") or {}).get("undo_run")
    if undone is None:
        return 0
    with database.engine.begin() as connection:
        plan_ids = plans_decided_by(connection, int(undone))
        restored = list(
            connection.execute(
                select(CHANGES.c.source, CHANGES.c.object_name, CHANGES.c.external_id).where(
                    CHANGES.c.plan_id == rollback_plan["id"],
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                )
            )
        )
        count = 0
        for source, kind, external_id in restored:
            result = connection.execute(
                update(CHANGES)
                .where(
                    CHANGES.c.plan_id.in_(plan_ids),
                    CHANGES.c.state == ChangeState.WRITTEN.value,
                    CHANGES.c.source == source,
                    CHANGES.c.object_name == kind,
                    CHANGES.c.external_id == external_id,
                )
                .values(state=ChangeState.ROLLED_BACK.value)
            )
            count += int(result.rowcount or 0)
    return count
