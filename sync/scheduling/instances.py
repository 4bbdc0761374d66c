"""Scheduler instances and their heartbeat: alive, stale (stuck or killed), or stopped cleanly.

Each `territory-sync scheduler` process registers a row (host, pid, start time), refreshes its
`heartbeat_at` every `[schedule] heartbeat_seconds` while it runs, and records when and why it
stopped on a clean stop. A scheduler is *expected* once one has registered and not stopped
cleanly; it is *stale* when its latest heartbeat is older than `STALE_AFTER_BEATS` intervals.
The verdict (`liveness`) is healthy when no scheduler is expected or one of the expected ones is
alive, and unhealthy when every expected one is stale: a monitor can then tell alive from stuck.
Heartbeats use each machine's clock, so the machines should keep time (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from sync.store.database import Database
from sync.store.scheduler_state import SCHEDULER_INSTANCES
from territory_sync.logs import log_event

STALE_AFTER_BEATS = 3
"""A heartbeat older than this many intervals means the instance is stuck or gone."""
RECENT_INSTANCES = 10
"""How many stopped instances `liveness` lists besides the expected ones."""


@dataclass(frozen=True)
class SchedulerInstance:
    id: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_seconds: int

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


GONE_PREFIX = "gone: "
"""How the stop reason of an instance taken for killed begins (no clean stop was recorded)."""


def this_process(heartbeat_seconds: int) -> SchedulerInstance:
    return SchedulerInstance(
        id=uuid.uuid4().hex,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=datetime.now(UTC),
        heartbeat_seconds=heartbeat_seconds,
    )


def register_instance(database: Database, instance: SchedulerInstance) -> list[str]:
    """Record a starting instance; earlier ones whose heartbeat is stale are marked gone (they
    were killed, not stopped). Returns the ids of those."""
    now = instance.started_at
    table = SCHEDULER_INSTANCES
    with database.engine.begin() as connection:
        gone = [
            row.id
            for row in connection.execute(
                select(table.c.id, table.c.heartbeat_at, table.c.heartbeat_seconds).where(
                    table.c.stopped_at.is_(None)
                )
            )
            if (now - row.heartbeat_at).total_seconds() > STALE_AFTER_BEATS * row.heartbeat_seconds
        ]
        if gone:
            connection.execute(
                update(table)
                .where(table.c.id.in_(gone))
                .values(
                    stopped_at=now,
                    stop_reason=(
                        f"{GONE_PREFIX}no heartbeat; found by {instance.describe()} at its start"
                    ),
                )
            )
        connection.execute(
            SCHEDULER_INSTANCES.insert().values(
                id=instance.id,
                host=instance.host,
                pid=instance.pid,
                started_at=instance.started_at,
                heartbeat_at=instance.started_at,
                heartbeat_seconds=instance.heartbeat_seconds,
            )
        )
    return gone


def beat(database: Database, instance: SchedulerInstance) -> None:
    """Record that `instance` is alive. One that another instance took for gone (its beats were
    held up longer than three intervals: a database outage, a paused machine) is expected again."""
    table = SCHEDULER_INSTANCES
    with database.engine.begin() as connection:
        connection.execute(
            update(table).where(table.c.id == instance.id).values(heartbeat_at=datetime.now(UTC))
        )
        connection.execute(
            update(table)
            .where(table.c.id == instance.id, table.c.stop_reason.like(f"{GONE_PREFIX}%"))
            .values(stopped_at=None, stop_reason=None)
        )


def record_stop(database: Database, instance: SchedulerInstance, reason: str) -> None:
    """A clean stop: from now on this instance is not expected to beat."""
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        connection.execute(
            update(SCHEDULER_INSTANCES)
            .where(SCHEDULER_INSTANCES.c.id == instance.id)
            .values(heartbeat_at=now, stopped_at=now, stop_reason=reason[:200])
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


@dataclass
class Liveness:
    """The verdict on the scheduler, for `/healthz` and `scheduler status`."""

    healthy: bool
    state: str
    """`alive`, `stale`, `stopped` (every instance stopped cleanly) or `never` (none registered)."""
    reason: str
    instances: list[dict[str, Any]] = field(default_factory=list)

    @property
    def active(self) -> dict[str, Any] | None:
        """The newest live instance, if any."""
        alive = [i for i in self.instances if i["state"] == "alive"]
        return alive[0] if alive else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "state": self.state,
            "reason": self.reason,
            "active": self.active,
            "instances": self.instances,
        }


def _instance_state(row: Any, now: datetime) -> dict[str, Any]:
    age = (now - row.heartbeat_at).total_seconds()
    if row.stopped_at is not None:
        state = "stopped"
    elif age > STALE_AFTER_BEATS * row.heartbeat_seconds:
        state = "stale"
    else:
        state = "alive"
    return {
        "id": row.id,
        "host": row.host,
        "pid": row.pid,
        "state": state,
        "started_at": _iso(row.started_at),
        "heartbeat_at": _iso(row.heartbeat_at),
        "heartbeat_age_seconds": round(max(age, 0.0), 1),
        "heartbeat_seconds": row.heartbeat_seconds,
        "stopped_at": _iso(row.stopped_at),
        "stop_reason": row.stop_reason,
    }


def liveness(database: Database, *, now: datetime | None = None) -> Liveness:
    """Alive, stale, stopped or never registered, with every expected and a few recent instances."""
    now = now or datetime.now(UTC)
    table = SCHEDULER_INSTANCES
    with database.engine.connect() as connection:
        expected = connection.execute(
            select(table).where(table.c.stopped_at.is_(None)).order_by(table.c.started_at.desc())
        ).all()
        recent = connection.execute(
            select(table)
            .where(table.c.stopped_at.is_not(None))
            .order_by(table.c.started_at.desc())
            .limit(RECENT_INSTANCES)
        ).all()
    instances = [_instance_state(row, now) for row in [*expected, *recent]]
    if not instances:
        return Liveness(True, "never", "no scheduler has run on this database", instances)
    live = [i for i in instances if i["state"] == "alive"]
    stale = [i for i in instances if i["state"] == "stale"]
    if live:
        first = live[0]
        return Liveness(
            True,
            "alive",
            f"the scheduler (pid {first['pid']} on {first['host']}) is alive",
            instances,
        )
    if stale:
        first = stale[0]
        limit = timedelta(seconds=STALE_AFTER_BEATS * first["heartbeat_seconds"])
        return Liveness(
            False,
            "stale",
            f"the scheduler (pid {first['pid']} on {first['host']}) last beat at "
            f"{first['heartbeat_at']}, {first['heartbeat_age_seconds']:.0f} s ago (more than "
            f"{limit.total_seconds():.0f} s): it is stuck or was killed without stopping; "
            "restart it with `territory-sync scheduler`",
            instances,
        )
    return Liveness(True, "stopped", "the scheduler was stopped cleanly", instances)


class Heartbeat:
    """A thread that beats every `heartbeat_seconds` while `alive()` says the scheduler runs."""

    def __init__(
        self, database: Database, instance: SchedulerInstance, alive: Callable[[], bool]
    ) -> None:
        self.database, self.instance, self.alive = database, instance, alive
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.instance.heartbeat_seconds):
            if not self.alive():
                log_event(
                    "scheduler.heartbeat_withheld", reason="the scheduler loop is not running"
                )
                continue
            try:
                beat(self.database, self.instance)
            except SQLAlchemyError as error:
                log_event(
                    "scheduler.heartbeat_failed",
                    level=logging.WARNING,
                    error=" ".join(str(getattr(error, "orig", None) or error).split()),
                )
