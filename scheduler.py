"""The nightly schedule: reapply territory assignments on a cron, unattended (APScheduler 3.x).

`territory-sync scheduler` runs `scheduled_sync` on the configured cron (default 02:00 every day
in the configured time zone), and `scheduled_reconcile` on `[schedule] reconcile_cron` (default
Sundays at 03:00): a sync that also compares every CRM's record ids with the store and flags
records deleted behind the product's back. The jobs are stored by reference
(`scheduler:scheduled_sync`) in the project's own database, so they survive restarts; runs are
coalesced, one at a time, with a misfire grace time. Every run takes the same run lock as the
command line and the admin console. On SIGTERM or SIGINT the scheduler asks the run in progress
to stop after the write batch in flight, waits for it to record its state, and exits.
"""

from __future__ import annotations

import signal
import threading
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from sync.store.database import Database
from sync.store.scheduler_jobs import SCHEDULER_JOBS
from territory_sync.logs import log_event
from territory_sync.settings import Settings

JOB_ID = "nightly-sync"
JOB_REFERENCE = "scheduler:scheduled_sync"
RECONCILE_JOB_ID = "weekly-reconcile"
RECONCILE_JOB_REFERENCE = "scheduler:scheduled_reconcile"
JOB_TABLE = SCHEDULER_JOBS.name
STOP_REQUESTED = threading.Event()
"""Set on SIGTERM: the running sync finishes its batch in flight and stops."""


def scheduled_sync(config_path: str | None = None, database_url: str | None = None) -> int:
    """The job: one sync run triggered by the schedule. Returns the run's exit code."""
    from sync.runner import SyncRequest, run_sync_from_config

    return run_sync_from_config(
        SyncRequest(trigger="schedule", actor="scheduler"),
        config_path=config_path,
        database_url=database_url,
        stop=STOP_REQUESTED,
    ).exit_code


def scheduled_reconcile(config_path: str | None = None, database_url: str | None = None) -> int:
    """The reconciliation job: a sync run that also flags records the CRMs no longer list."""
    from sync.runner import SyncRequest, run_sync_from_config

    return run_sync_from_config(
        SyncRequest(trigger="schedule", actor="scheduler", reconcile=True),
        config_path=config_path,
        database_url=database_url,
        stop=STOP_REQUESTED,
    ).exit_code


def build_scheduler(
    settings: Settings,
    database: Database,
    *,
    background: bool = False,
    job_kwargs: dict[str, Any] | None = None,
) -> BaseScheduler:
    """A scheduler with the nightly job in the database's job store (replacing an older one)."""
    zone = ZoneInfo(settings.schedule.timezone)
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler: BaseScheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=database.engine, tablename=JOB_TABLE)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.schedule.misfire_grace_seconds,
        },
        timezone=zone,
    )
    scheduler.add_job(
        JOB_REFERENCE,
        CronTrigger.from_crontab(settings.schedule.cron, timezone=zone),
        id=JOB_ID,
        name="nightly territory sync",
        replace_existing=True,
        kwargs=job_kwargs or {},
    )
    if settings.schedule.reconcile_cron:
        scheduler.add_job(
            RECONCILE_JOB_REFERENCE,
            CronTrigger.from_crontab(settings.schedule.reconcile_cron, timezone=zone),
            id=RECONCILE_JOB_ID,
            name="weekly reconciliation of deleted records",
            replace_existing=True,
            kwargs=job_kwargs or {},
        )
    return scheduler


def next_run_time(scheduler: BaseScheduler) -> str | None:
    job = scheduler.get_job(JOB_ID)
    when = getattr(job, "next_run_time", None) if job else None
    return when.isoformat() if when else None


def run_scheduler(
    settings: Settings,
    database: Database,
    *,
    config_path: str | None,
    database_url: str | None,
    announce: Any = print,
) -> None:
    """Run until SIGTERM/SIGINT; logs and announces each next run time."""
    scheduler = build_scheduler(
        settings,
        database,
        job_kwargs={"config_path": config_path, "database_url": database_url},
    )

    def stop(signum: int, _frame: object) -> None:
        log_event("scheduler.stopping", signal=signal.Signals(signum).name)
        announce("stopping: the run in progress finishes its batch in flight first")
        STOP_REQUESTED.set()
        scheduler.shutdown(wait=True)

    def announce_next(_event: object = None) -> None:
        when = next_run_time(scheduler)
        log_event("scheduler.next_run", at=when)
        announce(f"next run: {when} ({settings.schedule.cron}, {settings.schedule.timezone})")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED

    def drop_switched_off_jobs(_event: object) -> None:
        # The job store outlives the configuration: a job switched off there must go too.
        if not settings.schedule.reconcile_cron and scheduler.get_job(RECONCILE_JOB_ID):
            scheduler.remove_job(RECONCILE_JOB_ID)

    scheduler.add_listener(announce_next, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_listener(drop_switched_off_jobs, EVENT_SCHEDULER_STARTED)
    scheduler.add_listener(announce_next, EVENT_SCHEDULER_STARTED)
    log_event("scheduler.started", cron=settings.schedule.cron, zone=settings.schedule.timezone)
    scheduler.start()
