"""Firings: the claim on each fire time of a job, so one run happens per fire time.

Before running a fire time, an instance inserts its (job id, fire time) row; the unique key lets
exactly one insert succeed, on SQLite and PostgreSQL alike, whichever instance fires first and
however late the others are (a standby that wakes after the run finished finds the row too). The
winner links the row to its run; the losers stand by. A fire time missed outside the grace time
is claimed the same way with the decision `missed`, so it is recorded once, with no run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError

from sync.scheduling.instances import SchedulerInstance
from sync.store.database import Database
from sync.store.runs import Run
from sync.store.scheduler_state import SCHEDULE_FIRINGS

RUNS: Table = Run.__table__  # type: ignore[attr-defined]


class Decision(StrEnum):
    ON_TIME = "on_time"
    CATCH_UP = "catch_up"
    """A fire time that passed while no scheduler ran, run late within the grace time."""
    MISSED = "missed"
    """A fire time that passed while no scheduler ran, outside the grace time: not run."""


@dataclass(frozen=True)
class Firing:
    job_id: str
    fire_time: datetime
    decision: Decision
    coalesced: int = 0
    """Earlier fire times, also missed, folded into this one (APScheduler's coalescing)."""


@dataclass(frozen=True)
class Claim:
    won: bool
    firing_id: int
    holder: str
    """Who holds the claim: this instance, or the one that got there first."""


def _who(host: str | None, pid: int | None) -> str:
    return f"pid {pid} on {host}" if pid else "another instance"


def claim_firing(
    database: Database,
    firing: Firing,
    instance: SchedulerInstance | None,
    *,
    message: str | None = None,
) -> Claim:
    """Claim the fire time for this instance; `won` False when another instance has it."""
    fire_time = firing.fire_time.astimezone(UTC)
    host, pid = (instance.host, instance.pid) if instance else (None, None)
    try:
        with database.engine.begin() as connection:
            result = connection.execute(
                SCHEDULE_FIRINGS.insert().values(
                    job_id=firing.job_id,
                    fire_time=fire_time,
                    decision=firing.decision.value,
                    coalesced=firing.coalesced,
                    instance_id=instance.id if instance else None,
                    host=host,
                    pid=pid,
                    claimed_at=datetime.now(UTC),
                    message=message,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return Claim(True, int(key[0]), _who(host, pid))
    except IntegrityError:
        pass
    table = SCHEDULE_FIRINGS
    with database.engine.connect() as connection:
        row = connection.execute(
            select(table.c.id, table.c.host, table.c.pid, table.c.claimed_at, table.c.run_id).where(
                table.c.job_id == firing.job_id, table.c.fire_time == fire_time
            )
        ).one()
    holder = _who(row.host, row.pid) + f" at {row.claimed_at.isoformat(timespec='seconds')}"
    if row.run_id is not None:
        holder += f" (run {row.run_id})"
    return Claim(False, int(row.id), holder)


def link_run(database: Database, firing_id: int, run_id: int) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            update(SCHEDULE_FIRINGS).where(SCHEDULE_FIRINGS.c.id == firing_id).values(run_id=run_id)
        )


def note(database: Database, firing_id: int, message: str) -> None:
    """Say on the firing why it produced no run (or what became of it)."""
    with database.engine.begin() as connection:
        connection.execute(
            update(SCHEDULE_FIRINGS)
            .where(SCHEDULE_FIRINGS.c.id == firing_id)
            .values(message=message)
        )


def _firing_row(row: Any) -> dict[str, Any]:
    return {
        "job_id": row.job_id,
        "fire_time": row.fire_time.isoformat(timespec="seconds"),
        "decision": row.decision,
        "coalesced": row.coalesced,
        "host": row.host,
        "pid": row.pid,
        "run_id": row.run_id,
        "run_status": row.status,
        "message": row.run_message or row.message,
        "figures": _run_figures(row.figures),
    }


def _run_figures(figures: dict[str, Any] | None) -> dict[str, Any]:
    keys = ("planned", "written", "failed", "conflicts", "unfinished")
    return {key: figures[key] for key in keys if figures and key in figures}


def firings(database: Database, job_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest firings, newest first, each with its run's status and figures."""
    table = SCHEDULE_FIRINGS
    query = (
        select(
            table,
            RUNS.c.status,
            RUNS.c.message.label("run_message"),
            RUNS.c.figures,
        )
        .outerjoin(RUNS, RUNS.c.id == table.c.run_id)
        .order_by(table.c.fire_time.desc(), table.c.id.desc())
        .limit(limit)
    )
    if job_id is not None:
        query = query.where(table.c.job_id == job_id)
    with database.engine.connect() as connection:
        return [_firing_row(row) for row in connection.execute(query)]


def last_firing(database: Database, job_id: str) -> dict[str, Any] | None:
    latest = firings(database, job_id, limit=1)
    return latest[0] if latest else None
