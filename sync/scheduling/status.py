"""The scheduler's state as `territory-sync scheduler status`, the console and `/healthz` show it.

For each configured job: its schedule, its next fire time in the configured time zone (the one
the job store holds once a scheduler has registered the job; until then, the one the
configuration implies), and its latest firing with the run's outcome. Besides: whether an
instance is alive, with its host and pid (`sync.scheduling.instances.liveness`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sync.scheduling.firings import last_firing
from sync.scheduling.instances import liveness
from sync.scheduling.jobs import configured_jobs
from sync.store.database import Database
from sync.store.scheduler_jobs import SCHEDULER_JOBS
from territory_sync.settings import Settings


def stored_next_fire_times(database: Database, zone: ZoneInfo) -> dict[str, datetime | None]:
    """Job id -> next fire time, from the job store's own column (seconds since the epoch)."""
    with database.engine.connect() as connection:
        rows = connection.execute(select(SCHEDULER_JOBS.c.id, SCHEDULER_JOBS.c.next_run_time))
        return {
            job_id: datetime.fromtimestamp(when, zone) if when is not None else None
            for job_id, when in rows
        }


def scheduler_status(
    settings: Settings, database: Database, *, now: datetime | None = None
) -> dict[str, Any]:
    zone = ZoneInfo(settings.schedule.timezone)
    now = (now or datetime.now(zone)).astimezone(zone)
    stored = stored_next_fire_times(database, zone)
    jobs = []
    for job in configured_jobs(settings):
        registered = job.id in stored
        next_fire = stored[job.id] if registered else job.trigger.get_next_fire_time(None, now)
        jobs.append(
            {
                "id": job.id,
                "name": job.name,
                "schedule": job.schedule,
                "registered": registered,
                "next_fire_time": next_fire.isoformat(timespec="seconds") if next_fire else None,
                "last": last_firing(database, job.id),
            }
        )
    verdict = liveness(database)
    return {
        "timezone": settings.schedule.timezone,
        "misfire_grace_seconds": settings.schedule.misfire_grace_seconds,
        "heartbeat_seconds": settings.schedule.heartbeat_seconds,
        "jobs": jobs,
        "scheduler": verdict.as_dict(),
    }


def next_scheduled_run(status: dict[str, Any]) -> dict[str, Any] | None:
    """The job that fires next, of those with a next fire time."""
    timed = [job for job in status["jobs"] if job["next_fire_time"]]
    return min(timed, key=lambda job: datetime.fromisoformat(job["next_fire_time"]), default=None)
