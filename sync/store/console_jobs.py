"""`console_jobs`: the console's background jobs (plans, applies, what-ifs), kept in the database.

A row per job started from the console or its API: its kind, who started it, its state (queued,
running, succeeded, stopped by a guard rail, failed, interrupted), the phase it is in with the
records done of the total (overall and per CRM), the API calls it has made per CRM, and once it
ends, when, with what message and result, and the run and plan it made. The process that runs a
job writes its progress here (a few times a second at most), so another console on the same
database, or the same console after a restart, shows it; `host`, `pid` and `owner` (the runner
that runs it) let a reader tell a job whose process is gone, which is then marked interrupted.
`web.jobs` decides what the rows mean; this module only reads and writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Integer, String, Table, Text, select, update
from sqlmodel import SQLModel

from mapping.model.columns import JsonColumn, UtcDateTime
from sync.store.database import Database

ACTIVE_STATES = ("queued", "running")
"""States of a job that has not ended."""
MAX_PHASE_LENGTH = 200
"""The longest phase name kept (phases are short: "pull salesforce", "write owners")."""

CONSOLE_JOBS = Table(
    "console_jobs",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("started_by", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("phase", String(MAX_PHASE_LENGTH), nullable=False),
    Column("phase_started_at", UtcDateTime()),
    Column("done", Integer, nullable=False),
    Column("total", Integer),
    # The current phase's records per CRM: {"salesforce": {"done": 1200, "total": 5000}}.
    Column("progress", JsonColumn, nullable=False),
    # API calls made so far per CRM: {"salesforce": 12, "hubspot": 30}.
    Column("api_calls", JsonColumn, nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("message", Text),
    Column("result", JsonColumn),
    Column("run_id", Integer),
    Column("plan_id", Integer),
    Column("run_status", String(16)),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("owner", String(32), nullable=False),
    Index("ix_console_jobs_state", "state"),
)


def insert_job(database: Database, values: Mapping[str, Any]) -> int:
    """Record a new job; its id."""
    with database.engine.begin() as connection:
        key = connection.execute(CONSOLE_JOBS.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def update_job(
    database: Database, job_id: int, values: Mapping[str, Any], *, only_if_active: bool = False
) -> bool:
    """Change a job's row; with `only_if_active`, only while it has not ended. Whether a row
    changed."""
    query = update(CONSOLE_JOBS).where(CONSOLE_JOBS.c.id == job_id)
    if only_if_active:
        query = query.where(CONSOLE_JOBS.c.state.in_(ACTIVE_STATES))
    with database.engine.begin() as connection:
        return connection.execute(query.values(**values)).rowcount > 0


def read_job(database: Database, job_id: int) -> dict[str, Any] | None:
    with database.engine.connect() as connection:
        row = connection.execute(select(CONSOLE_JOBS).where(CONSOLE_JOBS.c.id == job_id)).first()
    return dict(row._mapping) if row is not None else None


def recent_jobs(database: Database, limit: int) -> list[dict[str, Any]]:
    """The newest `limit` jobs, newest first."""
    query = select(CONSOLE_JOBS).order_by(CONSOLE_JOBS.c.id.desc()).limit(limit)
    with database.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def active_jobs(database: Database) -> list[dict[str, Any]]:
    """Jobs that have not ended (by their rows: some may belong to a process that is gone)."""
    query = select(CONSOLE_JOBS).where(CONSOLE_JOBS.c.state.in_(ACTIVE_STATES))
    with database.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def end_active_job(database: Database, job_id: int, state: str, message: str, at: datetime) -> bool:
    """End a job that has not ended yet (`state`, `message`, at `at`); False when it had ended
    meanwhile (its own process finished it)."""
    return update_job(
        database,
        job_id,
        {"state": state, "message": message, "finished_at": at, "updated_at": at},
        only_if_active=True,
    )
