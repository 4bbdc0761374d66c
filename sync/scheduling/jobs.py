"""The scheduled jobs: the nightly sync, the weekly reconciliation and the quick assignment of new
and unowned accounts (`[schedule] quick_assign`, off by default), with their triggers.

Triggers are APScheduler 3 cron triggers in the configured time zone
(https://apscheduler.readthedocs.io/en/3.x/modules/triggers/cron.html). A cron trigger's fire
times follow the wall clock, so every scheduler instance on a database computes the same ones,
which is what lets them agree on who runs each. The test trigger (`every_seconds`) is a cron on
the seconds field for the same reason. The quick assignment's interval trigger
(https://apscheduler.readthedocs.io/en/3.x/modules/triggers/interval.html) counts from a fixed
start (`INTERVAL_EPOCH`, midnight in the configured zone), not from when a scheduler started, for
the same reason: every instance computes the same fire times, and a restart keeps the job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from territory_sync.settings import Settings

SYNC_JOB_ID = "nightly-sync"
RECONCILE_JOB_ID = "weekly-reconcile"
QUICK_ASSIGN_JOB_ID = "quick-assign"
INTERVAL_EPOCH = datetime(2000, 1, 1)
"""Where interval triggers count from (in the configured zone): fire times on the wall clock."""


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    reference: str
    """The job's function as `module:name`, which is what the job store keeps."""
    schedule: str
    """The cron expression, the interval ("every 10m"), or the test trigger's description."""
    trigger: BaseTrigger


def sync_trigger(settings: Settings, every_seconds: int | None = None) -> tuple[str, CronTrigger]:
    zone = ZoneInfo(settings.schedule.timezone)
    if every_seconds:
        return f"every {every_seconds} s (test trigger)", CronTrigger(
            second=f"*/{every_seconds}", timezone=zone
        )
    return settings.schedule.cron, CronTrigger.from_crontab(settings.schedule.cron, timezone=zone)


def configured_jobs(settings: Settings, *, every_seconds: int | None = None) -> list[JobSpec]:
    """The jobs the configuration asks for; `every_seconds` replaces the nightly cron (tests)."""
    zone = ZoneInfo(settings.schedule.timezone)
    schedule, trigger = sync_trigger(settings, every_seconds)
    jobs = [
        JobSpec(
            SYNC_JOB_ID, "nightly territory sync", "scheduler:scheduled_sync", schedule, trigger
        )
    ]
    if settings.schedule.reconcile_cron:
        jobs.append(
            JobSpec(
                RECONCILE_JOB_ID,
                "weekly reconciliation of deleted records",
                "scheduler:scheduled_reconcile",
                settings.schedule.reconcile_cron,
                CronTrigger.from_crontab(settings.schedule.reconcile_cron, timezone=zone),
            )
        )
    interval = settings.schedule.quick_assign_interval
    if interval is not None:
        jobs.append(
            JobSpec(
                QUICK_ASSIGN_JOB_ID,
                "quick assignment of new and unowned accounts",
                "scheduler:scheduled_quick_assign",
                f"every {settings.schedule.quick_assign}",
                interval_trigger(interval, zone),
            )
        )
    return jobs


def interval_trigger(interval: timedelta, zone: ZoneInfo) -> IntervalTrigger:
    """Every `interval`, counted from `INTERVAL_EPOCH` in `zone` (the same fire times for every
    instance, and across restarts)."""
    return IntervalTrigger(
        seconds=int(interval.total_seconds()),
        start_date=INTERVAL_EPOCH.replace(tzinfo=zone),
        timezone=zone,
    )
