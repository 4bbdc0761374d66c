"""The scheduler's own tables: the instances that run it, with their heartbeat, and its firings.

`scheduler_instances` has a row per `territory-sync scheduler` process: host, pid, when it started,
its latest heartbeat (refreshed every `heartbeat_seconds`) and, once it stops cleanly, when and
why. `schedule_firings` has a row per fire time of a job that some instance acted on; the unique
(job id, fire time) key is what makes one run per fire time hold across instances: the instance
whose insert succeeds runs it, the others stand by. A fire time missed outside the grace time is
recorded the same way, with no run.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import SQLModel

from mapping.model.columns import UtcDateTime

SCHEDULER_INSTANCES = Table(
    "scheduler_instances",
    SQLModel.metadata,
    Column("id", String(32), primary_key=True),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("heartbeat_at", UtcDateTime(), nullable=False),
    Column("heartbeat_seconds", Integer, nullable=False),
    Column("stopped_at", UtcDateTime()),
    Column("stop_reason", String(200)),
    Index("ix_scheduler_instances_heartbeat_at", "heartbeat_at"),
)

SCHEDULE_FIRINGS = Table(
    "schedule_firings",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("job_id", String(191), nullable=False),
    Column("fire_time", UtcDateTime(), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("coalesced", Integer, nullable=False),
    Column("instance_id", String(32)),
    Column("host", String(255)),
    Column("pid", Integer),
    Column("claimed_at", UtcDateTime(), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id", name="fk_schedule_firings_run_id_runs")),
    Column("message", Text),
    UniqueConstraint("job_id", "fire_time", name="uq_schedule_firings_job_id_fire_time"),
)
