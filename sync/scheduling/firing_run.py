"""One firing of a scheduled job: claim its fire time, then run the sync, or stand by.

The instance that claims the fire time (`sync.scheduling.firings`) runs it with the same run lock
as every other run; one that finds the fire time claimed logs `scheduler.stood_by` with who has
it (and who holds the run lock, if anyone) and does nothing else. A claimed fire time whose run
finds the run lock taken (a person's dry run, a one-territory resync, the sync before a
reconciliation that is still going) waits for it, trying again every few seconds, until the fire
time is `[schedule] misfire_grace_seconds` old: a claimed fire time is never given up because
somebody else was busy at that moment. Only past the grace time, or when the scheduler is asked to
stop meanwhile, is it noted on the firing as not run, with why, and logged. A job that fires often
(the quick assignment) does not wait: a fire time that finds the lock taken is skipped at once,
noted on the firing and logged as `scheduler.skipped` with who holds the lock, so quick
assignments never queue up behind the nightly run (its next fire time tries again). Every outcome
is one log event; nothing raised here reaches APScheduler, so nothing prints a traceback on the
scheduler's standard error; a database that stops answering is one event without a traceback.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from sync.lock import current_holder
from sync.runner import SyncRequest, run_sync
from sync.scheduling.firings import Decision, Firing, claim_firing, link_run, note
from sync.scheduling.instances import SchedulerInstance
from sync.store.database import Database, open_database
from territory_sync.errors import (
    ExitCode,
    RunInterruptedError,
    RunLockedError,
    TerritorySyncError,
)
from territory_sync.logs import log_event, logger
from territory_sync.settings import Settings, load_settings


@dataclass(frozen=True)
class FiringOrder:
    """What a job's execution was told: which job, which fire time, and how it came to run."""

    job_id: str
    fire_time: datetime | None
    """None when the job function is called directly, not by the scheduler: nothing is claimed."""
    decision: Decision = Decision.ON_TIME
    coalesced: int = 0
    wait_for_lock: bool = True
    """False: a fire time that finds the run lock taken is skipped, not retried until its grace
    time ends (a job that fires often: its next fire time comes soon)."""


LOCK_RETRY_SECONDS = 2.0
"""How often a claimed fire time tries the run lock again while another run holds it."""


def load_job_settings(config_path: str | None, database_url: str | None) -> Settings:
    overrides = {"database": {"url": database_url}} if database_url else None
    return load_settings(config_path, overrides=overrides)


def _stand_by(order: FiringOrder, database: Database, reason: str) -> None:
    holder = current_holder(database)
    if holder is not None:
        reason += f"; the run lock is held by {holder.describe()}"
    log_event(
        "scheduler.stood_by",
        job=order.job_id,
        fire_time=order.fire_time.isoformat() if order.fire_time else None,
        reason=reason,
    )


def _skip(
    database: Database, order: FiringOrder, firing_id: int | None, error: RunLockedError
) -> int:
    """A fire time of a job that does not wait for the lock, skipped: noted and logged."""
    message = f"skipped: {error}; the next fire time tries again"
    if firing_id is not None:
        note(database, firing_id, message)
    log_event(
        "scheduler.skipped",
        job=order.job_id,
        fire_time=order.fire_time.isoformat() if order.fire_time else None,
        reason=message,
    )
    return error.exit_code


def _run(
    settings: Settings,
    database: Database,
    order: FiringOrder,
    request: SyncRequest,
    instance: SchedulerInstance | None,
    stop: threading.Event,
) -> int:
    firing_id: int | None = None
    fire_time = order.fire_time.isoformat() if order.fire_time else None
    if order.fire_time is not None:
        firing = Firing(order.job_id, order.fire_time, order.decision, order.coalesced)
        claim = claim_firing(database, firing, instance)
        if not claim.won:
            _stand_by(order, database, f"the fire time {fire_time} was claimed by {claim.holder}")
            return ExitCode.OK
        firing_id = claim.firing_id
        if order.decision == Decision.CATCH_UP:
            log_event(
                "scheduler.catch_up",
                job=order.job_id,
                fire_time=fire_time,
                coalesced=order.coalesced,
                grace_seconds=settings.schedule.misfire_grace_seconds,
            )

    def linked(run_id: int) -> None:
        if firing_id is not None:
            link_run(database, firing_id, run_id)

    deadline = (
        order.fire_time + timedelta(seconds=settings.schedule.misfire_grace_seconds)
        if order.fire_time is not None and order.wait_for_lock
        else None
    )
    waited = False
    try:
        while True:
            try:
                result = run_sync(
                    settings, database, replace(request, on_run_opened=linked), stop=stop
                )
                break
            except RunLockedError as error:
                now = datetime.now(UTC)
                if deadline is not None and now < deadline and not stop.is_set():
                    if not waited:
                        log_event(
                            "scheduler.waiting_for_lock",
                            job=order.job_id,
                            fire_time=fire_time,
                            until=deadline.isoformat(),
                            reason=str(error),
                        )
                        waited = True
                    pause = min(LOCK_RETRY_SECONDS, (deadline - now).total_seconds())
                    if not stop.wait(pause):
                        continue
                if not order.wait_for_lock:
                    return _skip(database, order, firing_id, error)
                message = f"not run: {error}"
                if deadline is not None:
                    why = (
                        "the scheduler was asked to stop"
                        if stop.is_set()
                        else "its grace time ended"
                    )
                    message += f" ({why} while waiting for it)"
                if firing_id is not None:
                    note(database, firing_id, message)
                log_event(
                    "scheduler.not_run",
                    level=logging.WARNING,
                    job=order.job_id,
                    fire_time=fire_time,
                    reason=message,
                )
                return error.exit_code
    except RunInterruptedError as error:
        log_event(
            "scheduler.run_interrupted", job=order.job_id, fire_time=fire_time, error=str(error)
        )
        return error.exit_code
    except TerritorySyncError as error:
        log_event(
            "scheduler.run_failed",
            level=logging.ERROR,
            job=order.job_id,
            fire_time=fire_time,
            error=str(error),
        )
        return error.exit_code
    log_event(
        "scheduler.run_finished",
        job=order.job_id,
        fire_time=fire_time,
        run_id=result.run_id,
        status=result.status.value,
        message=result.message,
    )
    return result.exit_code


def run_firing(
    order: FiringOrder,
    request: SyncRequest,
    *,
    config_path: str | None,
    database_url: str | None,
    instance: SchedulerInstance | None,
    stop: threading.Event,
) -> int:
    """Claim and run one fire time; returns the run's exit code (0 when standing by)."""
    try:
        settings = load_job_settings(config_path, database_url)
        database = open_database(settings.database_url, upgrade=settings.database.migrate_on_open)
    except TerritorySyncError as error:
        log_event("scheduler.run_failed", level=logging.ERROR, job=order.job_id, error=str(error))
        return error.exit_code
    try:
        return _run(settings, database, order, request, instance, stop)
    except SQLAlchemyError as error:  # the database stopped answering: the next fire time retries
        log_event(
            "scheduler.run_failed",
            level=logging.ERROR,
            job=order.job_id,
            fire_time=order.fire_time.isoformat() if order.fire_time else None,
            error=" ".join(str(getattr(error, "orig", None) or error).split())[:300],
        )
        return ExitCode.CHANGES_FAILED
    except Exception as error:  # a bug, not a person's mistake: its traceback goes to the log
        logger("scheduler").exception(
            "scheduler.run_failed",
            extra={"fields": {"job": order.job_id, "error": f"{type(error).__name__}: {error}"}},
        )
        return ExitCode.CHANGES_FAILED
    finally:
        database.dispose()
