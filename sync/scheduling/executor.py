"""An APScheduler executor that tells each job which fire time it runs, and how it came to run.

APScheduler 3 calls a job's function without its scheduled time, yet claiming a fire time needs
it. `FiringExecutor` is APScheduler's thread-pool executor with the fire time added to the job's
keyword arguments of that one execution (`fire_time`, ISO 8601), with the `decision` (on time, or
a catch-up of a fire time that passed before this scheduler started) and how many earlier missed
fire times were coalesced into it. Misfire handling stays APScheduler's own: a fire time later
than the grace time is not run and raises `EVENT_JOB_MISSED`
(https://apscheduler.readthedocs.io/en/3.x/userguide.html#missed-job-executions).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job

from sync.scheduling.firings import Decision
from territory_sync.logs import log_event

MAX_COUNTED = 10_000
"""Missed fire times beyond this many are not counted one by one (a test trigger after days)."""


def _missed_before(job: Job, last: datetime, now: datetime) -> int:
    """How many fire times from the job's stored next run time up to `last` (exclusive)."""
    count, when = 0, job.next_run_time
    while when is not None and when < last and count < MAX_COUNTED:
        count += 1
        when = job.trigger.get_next_fire_time(when, now)
    return count


def _with_kwargs(job: Job, extra: dict[str, Any]) -> Job:
    copy: Job = Job.__new__(Job)
    copy.__setstate__(job.__getstate__())
    copy._scheduler = job._scheduler
    copy._jobstore_alias = job._jobstore_alias
    copy.kwargs = {**job.kwargs, **extra}
    return copy


class FiringExecutor(ThreadPoolExecutor):  # type: ignore[misc]  # APScheduler is untyped
    """Thread pool; jobs get `fire_time`, `decision` and `coalesced` keyword arguments, and none
    starts once `stopping` is set."""

    def __init__(
        self,
        started_at: datetime,
        stopping: threading.Event | None = None,
        max_workers: int = 4,
    ) -> None:
        super().__init__(max_workers)
        self.started_at = started_at
        self.stopping = stopping or threading.Event()
        """Once set, fire times are no longer run (the scheduler is stopping)."""
        self.coalesced: dict[str, int] = {}
        """Job id -> earlier fire times folded into its latest submission (for missed ones)."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        last = run_times[-1]
        if self.stopping.is_set():
            log_event(
                "scheduler.not_started",
                job=job.id,
                fire_time=last.isoformat(),
                reason="the scheduler is stopping",
            )
            return
        coalesced = _missed_before(job, last, datetime.now(UTC)) if job.coalesce else 0
        self.coalesced[job.id] = coalesced
        decision = Decision.CATCH_UP if last < self.started_at else Decision.ON_TIME
        extra = {"fire_time": last.isoformat(), "decision": decision.value, "coalesced": coalesced}
        super()._do_submit_job(_with_kwargs(job, extra), run_times)
