"""The scheduled jobs: the nightly sync and the weekly reconciliation, with their triggers.

Triggers are APScheduler 3 cron triggers in the configured time zone
(https://apscheduler.readthedocs.io/en/3.x/modules/triggers/cron.html). A cron trigger's fire
times follow the wall clock, so every scheduler instance on a database computes the same ones,
which is what lets them agree on who runs each. The test trigger (`every_seconds`) is a cron on
the seconds field for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from territory_sync.settings import Settings

SYNC_JOB_ID = "nightly-sync"
RECONCILE_JOB_ID = "weekly-reconcile"


@dataclass(frozen=True)
class JobSpec:
    id: str
    name: str
    reference: str
    """The job's function as `module:name`, which is what the job store keeps."""
    schedule: str
    """The cron expression, or the test trigger's description."""
    trigger: CronTrigger


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
    return jobs
