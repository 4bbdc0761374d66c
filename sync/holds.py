"""Holds: a person's owner choice found during write-back is kept by every later run.

A conflict means a person changed a record's owner after the plan was made (perhaps while a
write of it was in flight). Leaving it alone once is not enough: the next run would plan the
record again and overwrite the person. So a conflict opens a hold on the record with the owner
the person set. Planning leaves a held record alone while it still has that owner; once its owner
changes again (anyone decided anew), the hold ends by itself. An admin ends one with
`territory-sync holds release`, which is audited. Under `conflict_policy = "override"` holds are
neither made nor honoured.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from sync.audit import AuditRecord, append_audit
from sync.store.database import Database
from sync.store.holds import OwnerHold

HOLDS: Table = OwnerHold.__table__  # type: ignore[attr-defined]
Record = tuple[str, str]


def open_holds(
    connection: Connection, run_id: int, conflicts: Sequence[tuple[Mapping[str, Any], str | None]]
) -> None:
    """Open a hold per (change, owner the person set); an open hold on the record is replaced."""
    if not conflicts:
        return
    now = datetime.now(UTC)
    for change, _ in conflicts:
        connection.execute(
            update(HOLDS)
            .where(
                HOLDS.c.source == change["source"],
                HOLDS.c.external_id == change["external_id"],
                HOLDS.c.released_at.is_(None),
            )
            .values(released_at=now, released_because="replaced by a newer conflict")
        )
    connection.execute(
        HOLDS.insert(),
        [
            {
                "source": change["source"],
                "external_id": change["external_id"],
                "account_name": change["account_name"],
                "owner_id": owner,
                "planned_owner_id": change["new_owner_id"],
                "run_id": run_id,
                "change_id": change["id"],
                "created_at": now,
            }
            for change, owner in conflicts
        ],
    )


def active_holds(database: Database) -> dict[Record, dict[str, Any]]:
    """Open holds by (CRM, record id)."""
    with database.engine.connect() as connection:
        return {
            (row["source"], row["external_id"]): dict(row)
            for row in connection.execute(
                select(HOLDS).where(HOLDS.c.released_at.is_(None))
            ).mappings()
        }


def end_outdated_holds(
    database: Database,
    holds: Mapping[Record, Mapping[str, Any]],
    owners: Mapping[Record, str | None],
) -> int:
    """End the holds whose record no longer has the owner the person set (or is gone)."""
    outdated = [
        hold["id"]
        for record, hold in holds.items()
        if record not in owners or owners[record] != hold["owner_id"]
    ]
    if outdated:
        with database.engine.begin() as connection:
            connection.execute(
                update(HOLDS)
                .where(HOLDS.c.id.in_(outdated))
                .values(
                    released_at=datetime.now(UTC),
                    released_because="the owner changed again since the person's choice",
                )
            )
    return len(outdated)


def release_holds(
    database: Database, hold_ids: Collection[int] | None, *, actor: str, trigger: str = "cli"
) -> list[dict[str, Any]]:
    """End the given holds (None: every open one), each with an audit row; returns them."""
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        query = select(HOLDS).where(HOLDS.c.released_at.is_(None))
        if hold_ids is not None:
            query = query.where(HOLDS.c.id.in_(list(hold_ids)))
        released = [dict(row) for row in connection.execute(query).mappings()]
        if not released:
            return []
        connection.execute(
            update(HOLDS)
            .where(HOLDS.c.id.in_([hold["id"] for hold in released]))
            .values(released_at=now, released_because=f"released by {actor}")
        )
        append_audit(
            connection,
            [
                AuditRecord(
                    run_id=None,
                    trigger=trigger,
                    actor=actor,
                    status="hold_released",
                    source=hold["source"],
                    external_id=hold["external_id"],
                    account_name=hold["account_name"],
                    old_owner_id=hold["owner_id"],
                    new_owner_id=hold["planned_owner_id"],
                    rule="hold",
                    reason=(
                        f"hold {hold['id']} released: the next run plans this record again "
                        "from the territory file"
                    ),
                    at=now,
                )
                for hold in released
            ],
        )
    return released


def list_holds(database: Database, *, include_released: bool = False) -> list[dict[str, Any]]:
    query = select(HOLDS).order_by(HOLDS.c.id)
    if not include_released:
        query = query.where(HOLDS.c.released_at.is_(None))
    with database.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]
