"""Builders for the audit log's tests: runs that log decisions, and the edits an intruder makes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from sync.audit import AUDIT, AuditRecord, append_audit, legacy_row_hash
from sync.runs import close_run, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus


def decisions(run_id: int | None, count: int, status: str = "written") -> list[AuditRecord]:
    return [
        AuditRecord(
            run_id=run_id,
            trigger="cli",
            actor="ana@example.com",
            status=status,
            source="salesforce",
            external_id=f"001{n:015d}",
            account_name=f"Company {n}",
            old_owner_id="005OLD",
            new_owner_id="005NEW",
            territory="NA-West",
            rule="balanced",
            reason="new account goes to the least loaded member",
        )
        for n in range(count)
    ]


def logged_run(database: Database, rows: int = 5, checkpoints: Path | None = None) -> int:
    """A finished run that logged `rows` decisions; its checkpoint goes to `checkpoints`."""
    run_id = open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    with database.engine.begin() as connection:
        append_audit(connection, decisions(run_id, rows))
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures={}, checkpoint_file=checkpoints)
    return run_id


def audit_rows(connection: Connection) -> list[dict[str, Any]]:
    return [dict(row) for row in connection.execute(AUDIT.select().order_by(AUDIT.c.id)).mappings()]


def recompute_without_key(connection: Connection, from_id: int, *, strip_key: bool = False) -> None:
    """What someone with write access but no key can do after an edit: recompute every hash
    from `from_id` on with the unkeyed formula, relinking each row to the one before."""
    previous = None
    for row in audit_rows(connection):
        if row["id"] < from_id:
            previous = row["row_hash"]
            continue
        digest = legacy_row_hash(row, row["at"], previous or row["prev_hash"])
        connection.execute(
            AUDIT.update()
            .where(AUDIT.c.id == row["id"])
            .values(
                prev_hash=previous or row["prev_hash"],
                row_hash=digest,
                **({"key_id": None} if strip_key else {}),
            )
        )
        previous = digest


@contextmanager
def foreign_keys_off(database: Database) -> Iterator[Connection]:
    """A transaction in which the database does not check foreign keys."""
    with database.engine.connect() as connection:
        if database.is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only outside a transaction
            connection.commit()
        with connection.begin():
            if not database.is_sqlite:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
            yield connection
        if database.is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
