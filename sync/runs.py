"""Run records: open a run, keep its figures, close it with its outcome and the audit chain head.

A run row is written before any work starts and updated when it ends, so `territory-sync runs`
shows a crashed run as `interrupted` (marked by the next run, which holds the lock and so knows
the crashed one is gone). Every run signs its audit rows, so opening one needs the audit key;
closing one records a signed checkpoint of the audit chain's head in its figures (`audit_head`)
and appends it to the checkpoint file (`audit_checkpoint` says whether that worked).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, update

from sync.audit_checkpoint import default_checkpoint_file, record_run_checkpoint
from sync.audit_keys import current_audit_key
from sync.store.database import Database
from sync.store.runs import Run, RunStatus

RUNS: Table = Run.__table__  # type: ignore[attr-defined]


def open_run(
    database: Database,
    *,
    kind: str,
    trigger: str,
    actor: str,
    scope: dict[str, Any] | None = None,
    dry_run: bool = False,
    config_fingerprint: str | None = None,
) -> int:
    """Record a new run; `MissingCredentialError` first when the audit key is not set, since
    every run appends signed audit rows."""
    current_audit_key("a run")
    with database.engine.begin() as connection:
        result = connection.execute(
            RUNS.insert().values(
                kind=kind,
                trigger=trigger,
                actor=actor,
                status=RunStatus.RUNNING.value,
                dry_run=dry_run,
                started_at=datetime.now(UTC),
                scope=scope or {},
                config_fingerprint=config_fingerprint,
                figures={},
                host=socket.gethostname(),
                pid=os.getpid(),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def mark_interrupted_runs(database: Database, current_run_id: int) -> list[int]:
    """Runs still `running` while we hold the lock died without closing: say so."""
    with database.engine.begin() as connection:
        stale = [
            row[0]
            for row in connection.execute(
                select(RUNS.c.id).where(
                    RUNS.c.status == RunStatus.RUNNING.value, RUNS.c.id != current_run_id
                )
            )
        ]
        if stale:
            connection.execute(
                update(RUNS)
                .where(RUNS.c.id.in_(stale))
                .values(
                    status=RunStatus.INTERRUPTED.value,
                    message="the process ended before the run finished; the next run resumed it",
                )
            )
    return stale


def update_run(database: Database, run_id: int, **values: Any) -> None:
    with database.engine.begin() as connection:
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(**values))


def close_run(
    database: Database,
    run_id: int,
    *,
    status: RunStatus,
    figures: dict[str, Any],
    message: str | None = None,
    territory_fingerprint: str | None = None,
    checkpoint_file: Path | None = None,
) -> None:
    """Record the outcome, the figures and the audit chain's head as this run leaves it.

    The signed head goes into the stored figures as `audit_head` and is appended to
    `checkpoint_file` (None: beside an SQLite database; nowhere for PostgreSQL);
    `figures["audit_checkpoint"]` says whether the line was written. A checkpoint that cannot be
    signed or written is logged and reported there, and never fails the run.
    """
    path = checkpoint_file or default_checkpoint_file(database)
    with database.engine.begin() as connection:
        head, figures["audit_checkpoint"] = record_run_checkpoint(connection, run_id, path)
        values: dict[str, Any] = {
            "status": status.value,
            "finished_at": datetime.now(UTC),
            "figures": {**figures, "audit_head": head},
            "message": message,
        }
        if territory_fingerprint:
            values["territory_fingerprint"] = territory_fingerprint
        connection.execute(update(RUNS).where(RUNS.c.id == run_id).values(**values))


def get_run(database: Database, run_id: int) -> dict[str, Any] | None:
    with database.engine.connect() as connection:
        row = connection.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
        return dict(row) if row else None
