"""The schedule as a service: the nightly run and the weekly reconciliation, unattended.

`territory-sync scheduler` runs `scheduled_sync` on `[schedule] cron` (default 02:00 every day in
the configured time zone) and `scheduled_reconcile` on `[schedule] reconcile_cron` (default Sundays
at 03:00: a sync that also flags records the CRMs no longer list), and, when `[schedule]
quick_assign` sets an interval, `scheduled_quick_assign` that often: an incremental run that gives
only new and unowned accounts their owner (`sync.quick_assign`); a fire time that finds the run
lock taken (the nightly run) is skipped with the reason logged, never queued. APScheduler 3 keeps
the jobs, by reference (`scheduler:scheduled_sync`), in the product's own database, so they
survive restarts. How it behaves:

- **One run per fire time.** Every firing first claims its (job, fire time) in the database
  (`sync.scheduling.firings`): with several schedulers on one PostgreSQL database, exactly one
  runs each fire time and the others log `scheduler.stood_by` with the reason. A second scheduler
  on an SQLite file is refused at start (`sync.scheduling.single_instance`).
- **Missed runs.** A job whose trigger is unchanged keeps its stored next fire time across a
  restart, so after downtime APScheduler coalesces the missed fire times into one: it runs once
  as a catch-up within `[schedule] misfire_grace_seconds`, and is recorded (and announced) as
  missed outside it.
- **Liveness.** A heartbeat thread records the instance's heartbeat every
  `[schedule] heartbeat_seconds` (`sync.scheduling.instances`) for `/healthz` and
  `territory-sync scheduler status`.
- **Clean stops.** On SIGTERM or SIGINT no new firing starts; the run in progress finishes its
  batch in flight and is recorded (`interrupted`, with its counts, when it did not finish; the
  next run finishes the work), the instance is recorded as stopped, and the process exits 0
  having printed one line. Another signal meanwhile is acknowledged; SIGKILL stops at once.
"""

from __future__ import annotations

import logging
import signal
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
    JobSubmissionEvent,
)
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.exc import SQLAlchemyError

from sync.quick_assign import QUICK_ASSIGN_TRIGGER
from sync.runner import SyncRequest
from sync.scheduling.executor import FiringExecutor
from sync.scheduling.firing_run import FiringOrder, run_firing
from sync.scheduling.firings import Decision, Firing, claim_firing
from sync.scheduling.instances import (
    Heartbeat,
    SchedulerInstance,
    record_stop,
    register_instance,
    this_process,
)
from sync.scheduling.jobs import (
    QUICK_ASSIGN_JOB_ID,
    RECONCILE_JOB_ID,
    SYNC_JOB_ID,
    configured_jobs,
)
from sync.scheduling.single_instance import only_scheduler
from sync.store.database import Database
from sync.store.scheduler_jobs import SCHEDULER_JOBS
from territory_sync.errors import SchedulerLoopError
from territory_sync.logs import adopt_library_logger, log_event
from territory_sync.settings import Settings

JOB_ID = SYNC_JOB_ID
JOB_REFERENCE = "scheduler:scheduled_sync"
RECONCILE_JOB_REFERENCE = "scheduler:scheduled_reconcile"
JOB_TABLE = SCHEDULER_JOBS.name
STOP_REQUESTED = threading.Event()
"""Set on SIGTERM or SIGINT: the running sync finishes its batch in flight and stops."""
_current: dict[str, Any] = {}
"""What `run_scheduler` set for this process's job functions: the instance it runs as and its
own configuration file and database URL. The job store is shared by every instance on the
database, so each instance's configuration stays in the process, not in the stored job."""

Announce = Callable[[str], object]


def _fire(
    job_id: str,
    request: SyncRequest,
    config_path: str | None,
    database_url: str | None,
    fire_time: str | None,
    decision: str,
    coalesced: int,
    *,
    wait_for_lock: bool = True,
) -> int:
    order = FiringOrder(
        job_id,
        datetime.fromisoformat(fire_time) if fire_time else None,
        Decision(decision),
        coalesced,
        wait_for_lock,
    )
    if "instance" in _current:
        config_path, database_url = _current["config_path"], _current["database_url"]
    return run_firing(
        order,
        request,
        config_path=config_path,
        database_url=database_url,
        instance=_current.get("instance"),
        stop=STOP_REQUESTED,
    )


def scheduled_sync(
    config_path: str | None = None,
    database_url: str | None = None,
    fire_time: str | None = None,
    decision: str = Decision.ON_TIME.value,
    coalesced: int = 0,
) -> int:
    """The job: one sync run for the fire time the executor names. Returns its exit code."""
    request = SyncRequest(trigger="schedule", actor="scheduler")
    return _fire(JOB_ID, request, config_path, database_url, fire_time, decision, coalesced)


def scheduled_reconcile(
    config_path: str | None = None,
    database_url: str | None = None,
    fire_time: str | None = None,
    decision: str = Decision.ON_TIME.value,
    coalesced: int = 0,
) -> int:
    """The reconciliation job: a sync run that also flags records the CRMs no longer list."""
    request = SyncRequest(trigger="schedule", actor="scheduler", reconcile=True)
    return _fire(
        RECONCILE_JOB_ID, request, config_path, database_url, fire_time, decision, coalesced
    )


def scheduled_quick_assign(
    config_path: str | None = None,
    database_url: str | None = None,
    fire_time: str | None = None,
    decision: str = Decision.ON_TIME.value,
    coalesced: int = 0,
) -> int:
    """The quick assignment job: an incremental run that assigns only new and unowned accounts
    (same plan, guard rails, write-back and audit as the nightly run); skipped, not queued, while
    another run holds the lock."""
    request = SyncRequest(trigger=QUICK_ASSIGN_TRIGGER, actor="scheduler", only_unowned_or_new=True)
    return _fire(
        QUICK_ASSIGN_JOB_ID,
        request,
        config_path,
        database_url,
        fire_time,
        decision,
        coalesced,
        wait_for_lock=False,
    )


def build_scheduler(
    settings: Settings,
    database: Database,
    *,
    background: bool = False,
    job_kwargs: dict[str, Any] | None = None,
    register: bool = True,
    every_seconds: int | None = None,
    started_at: datetime | None = None,
    stopping: threading.Event | None = None,
) -> BaseScheduler:
    """A scheduler over the database's job store; `register` adds the configured jobs
    (replacing stored ones) before it starts, `run_scheduler` registers them itself; once
    `stopping` is set, no fire time starts a run."""
    zone = ZoneInfo(settings.schedule.timezone)
    scheduler_class = BackgroundScheduler if background else BlockingScheduler
    scheduler: BaseScheduler = scheduler_class(
        jobstores={"default": SQLAlchemyJobStore(engine=database.engine, tablename=JOB_TABLE)},
        executors={"default": FiringExecutor(started_at or datetime.now(UTC), stopping)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.schedule.misfire_grace_seconds,
        },
        timezone=zone,
    )
    if register:
        for job in configured_jobs(settings, every_seconds=every_seconds):
            scheduler.add_job(
                job.reference,
                job.trigger,
                id=job.id,
                name=job.name,
                replace_existing=True,
                kwargs=job_kwargs or {},
            )
    return scheduler


def register_jobs(
    scheduler: BaseScheduler,
    settings: Settings,
    job_kwargs: dict[str, Any],
    *,
    every_seconds: int | None = None,
) -> None:
    """On a started (paused) scheduler: keep each stored job whose trigger is unchanged, with its
    next fire time, so a fire time missed while no scheduler ran is caught up or recorded as
    missed; replace a job whose trigger changed; remove jobs the configuration switched off."""
    wanted = configured_jobs(settings, every_seconds=every_seconds)
    grace = settings.schedule.misfire_grace_seconds
    for job in wanted:
        stored = scheduler.get_job(job.id)
        if (
            stored is not None
            and stored.next_run_time is not None
            and stored.func_ref == job.reference
            and repr(stored.trigger) == repr(job.trigger)
        ):
            scheduler.modify_job(
                job.id,
                name=job.name,
                kwargs=job_kwargs,
                misfire_grace_time=grace,
                coalesce=True,
                max_instances=1,
            )
        else:
            scheduler.add_job(
                job.reference,
                job.trigger,
                id=job.id,
                name=job.name,
                replace_existing=True,
                kwargs=job_kwargs,
            )
    wanted_ids = {job.id for job in wanted}
    for stored in scheduler.get_jobs():
        if stored.id not in wanted_ids:
            scheduler.remove_job(stored.id)


def next_run_time(scheduler: BaseScheduler) -> str | None:
    job = scheduler.get_job(JOB_ID)
    when = getattr(job, "next_run_time", None) if job else None
    return when.isoformat() if when else None


class _Stopping:
    """The signal handler's state: the first signal stops, later ones are acknowledged."""

    def __init__(self, announce: Announce) -> None:
        self.announce = announce
        self.event = threading.Event()
        self.signals: list[str] = []

    def __call__(self, signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        self.signals.append(name)
        if len(self.signals) == 1:
            STOP_REQUESTED.set()
            self.event.set()
            log_event("scheduler.stopping", signal=name)
            self.announce(
                f"stopping ({name}): no new run starts; a run in progress finishes its batch in "
                "flight and is recorded first"
            )
            return
        log_event("scheduler.still_stopping", signal=name)
        self.announce(
            f"still stopping ({name}): waiting for the batch in flight to be recorded "
            "(SIGKILL stops at once; the next run then finishes the work)"
        )

    @property
    def reason(self) -> str:
        return f"stopped by {self.signals[0]}" if self.signals else "stopped"


def _install(handler: _Stopping) -> dict[int, Any]:
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, handler) for signum in (signal.SIGTERM, signal.SIGINT)}


def _log_thread_failure(args: threading.ExceptHookArgs) -> None:
    """A thread's uncaught exception (APScheduler's loop, on a database error) as one log event
    with its traceback as a field, not a traceback printed on standard error."""
    log_event(
        "scheduler.loop_failed",
        level=logging.ERROR,
        thread=args.thread.name if args.thread else None,
        error=f"{args.exc_type.__name__}: {args.exc_value}"[:500],
        traceback="".join(traceback.format_exception(args.exc_value))[-4000:],
    )


def _restore(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _listeners(
    scheduler: BaseScheduler,
    settings: Settings,
    database: Database,
    instance: SchedulerInstance,
    executor: FiringExecutor,
    stopping: _Stopping,
    announce: Announce,
    schedule: str,
) -> Callable[[], None]:
    """Wire the scheduler's events to log events and announcements; returns `announce_next`."""

    def announce_next(_event: object = None) -> None:
        if stopping.event.is_set():
            return
        try:
            when = next_run_time(scheduler)
        except SQLAlchemyError as error:  # a listener must not raise into APScheduler
            log_event("scheduler.next_run_unknown", level=logging.WARNING, error=str(error)[:300])
            return
        log_event("scheduler.next_run", next_run_at=when)
        announce(f"next run: {when} ({schedule}, {settings.schedule.timezone})")

    def missed(event: JobExecutionEvent) -> None:
        fire_time: datetime = event.scheduled_run_time
        grace = settings.schedule.misfire_grace_seconds
        late = (datetime.now(UTC) - fire_time).total_seconds()
        coalesced = executor.coalesced.get(event.job_id, 0)
        message = (
            f"missed: the fire time {fire_time.isoformat()} of {event.job_id} passed "
            f"{late:.0f} s before a scheduler could run it, outside the grace time of {grace} s"
        )
        if coalesced:
            message += f" ({coalesced} earlier fire time(s) missed as well)"
        try:
            firing = Firing(event.job_id, fire_time, Decision.MISSED, coalesced)
            claim = claim_firing(database, firing, instance, message=message)
        except Exception as error:  # a listener must not raise into APScheduler
            log_event(
                "scheduler.missed",
                job=event.job_id,
                fire_time=fire_time.isoformat(),
                late_seconds=round(late),
                grace_seconds=grace,
                recorded=False,
                error=f"{type(error).__name__}: {error}",
            )
            return
        if not claim.won:
            log_event(
                "scheduler.stood_by",
                job=event.job_id,
                fire_time=fire_time.isoformat(),
                reason=f"the missed fire time was recorded by {claim.holder}",
            )
            return
        log_event(
            "scheduler.missed",
            job=event.job_id,
            fire_time=fire_time.isoformat(),
            late_seconds=round(late),
            grace_seconds=grace,
            coalesced=coalesced,
            recorded=True,
        )
        announce(f"{message}; not run")

    def still_running(event: JobSubmissionEvent) -> None:
        log_event(
            "scheduler.stood_by",
            job=event.job_id,
            fire_time=event.scheduled_run_times[-1].isoformat(),
            reason="this scheduler's previous run of the job is still going",
        )

    scheduler.add_listener(announce_next, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_listener(missed, EVENT_JOB_MISSED)
    scheduler.add_listener(still_running, EVENT_JOB_MAX_INSTANCES)
    return announce_next


def run_scheduler(
    settings: Settings,
    database: Database,
    *,
    config_path: str | None,
    database_url: str | None,
    announce: Announce = print,
    every_seconds: int | None = None,
) -> None:
    """Run until SIGTERM/SIGINT; `every_seconds` replaces the nightly cron (tests only)."""
    STOP_REQUESTED.clear()
    stopping = _Stopping(announce)
    previous = _install(stopping)
    instance = this_process(settings.schedule.heartbeat_seconds)
    previous_hook, threading.excepthook = threading.excepthook, _log_thread_failure
    try:
        with only_scheduler(database, instance):
            _current.update(config_path=config_path, database_url=database_url)
            _serve(settings, database, instance, stopping, announce, every_seconds)
    finally:
        threading.excepthook = previous_hook
        _current.clear()
        _restore(previous)


def _serve(
    settings: Settings,
    database: Database,
    instance: SchedulerInstance,
    stopping: _Stopping,
    announce: Announce,
    every_seconds: int | None,
) -> None:
    gone = register_instance(database, instance)
    _current["instance"] = instance
    adopt_library_logger("apscheduler")
    scheduler = build_scheduler(
        settings,
        database,
        background=True,
        register=False,
        started_at=instance.started_at,
        stopping=stopping.event,
    )
    executor = scheduler._lookup_executor("default")
    assert isinstance(executor, FiringExecutor)
    schedule = configured_jobs(settings, every_seconds=every_seconds)[0].schedule
    announce_next = _listeners(
        scheduler, settings, database, instance, executor, stopping, announce, schedule
    )

    def loop_alive() -> bool:
        thread = getattr(scheduler, "_thread", None)
        return stopping.event.is_set() or (thread is not None and thread.is_alive())

    heartbeat = Heartbeat(database, instance, loop_alive)
    scheduler.start(paused=True)
    try:
        register_jobs(scheduler, settings, {}, every_seconds=every_seconds)
        heartbeat.start()
        log_event(
            "scheduler.started",
            schedule=schedule,
            zone=settings.schedule.timezone,
            host=instance.host,
            pid=instance.pid,
            instance=instance.id,
            presumed_gone=gone,
        )
        scheduler.resume()
        announce_next()
        while not stopping.event.wait(1.0):
            if not loop_alive():
                # APScheduler's own loop does not survive an error storing a job (its thread
                # ends); carrying on would beat without ever firing again.
                log_event("scheduler.loop_died", level=logging.ERROR)
                raise SchedulerLoopError(
                    "the scheduler's loop stopped on an error (see the log event "
                    "`scheduler.loop_failed`); exiting so the service manager starts it again"
                )
    finally:
        stopping.event.set()
        if scheduler.running:
            scheduler.pause()  # no fire time is picked up while the run in progress finishes
            scheduler.shutdown(wait=True)
        heartbeat.stop()
        try:
            record_stop(database, instance, stopping.reason)
        except SQLAlchemyError as error:
            # The stop still completes: a monitor then sees this instance's heartbeat go stale.
            log_event("scheduler.stop_not_recorded", level=logging.WARNING, error=str(error)[:300])
        log_event("scheduler.stopped", reason=stopping.reason)
