"""Background jobs for the console: one at a time, on one worker thread, through the run lock.

A plan, an apply or a what-if started from the API or a page returns at once with a job; the job's
progress (phase, records done of the total per CRM, API calls), its run id and its outcome (for a
what-if, its `result`) are readable while it runs. Plans and applies call the same `run_sync` /
`apply_saved_plan` as the command line, which take the cross-process run lock: a run started
elsewhere (the CLI, the scheduler) makes the job fail with the lock's message, and starting a job
while one is active here, or while a run elsewhere holds the lock, is refused with the active job's
and run's ids.

Jobs are kept in the database (`sync.store.console_jobs`): the runner writes a running job's
progress at most every `FLUSH_SECONDS` (and touches its row every `HEARTBEAT_SECONDS`), so another
console on the same database, or this one after a restart, reads it. A job ends `succeeded`,
`stopped` (a guard rail stopped its plan), `failed` or `interrupted` (the console stopped while it
ran). A reader that finds a job still running whose runner is gone (its process ended, or it has
not been touched for `STALE_AFTER_SECONDS`) marks it interrupted: no job stays running forever.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from fastapi.encoders import jsonable_encoder
from sqlalchemy import select

from connectors.base import CrmConnector
from mapping.territories.facts import SOURCES
from sync.lock import RunLock, died_on_this_host
from sync.progress import RunProgress
from sync.runner import SyncResult
from sync.runs import RUNS
from sync.store.changes import UNFINISHED_STATES
from sync.store.console_jobs import (
    ACTIVE_STATES,
    MAX_PHASE_LENGTH,
    end_active_job,
    insert_job,
    read_job,
    recent_jobs,
    update_job,
)
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode, RunLockedError, TerritorySyncError
from territory_sync.logs import log_event, scrub
from web.queries import ChangeFilter, change_counts

MAX_KEPT_JOBS = 200
"""How many jobs the lists show (and this runner keeps in memory)."""
FLUSH_SECONDS = 0.25
"""A running job's progress is written at most this often (four writes a second)."""
HEARTBEAT_SECONDS = 5.0
"""A running job's row is touched this often even when nothing moved."""
STALE_AFTER_SECONDS = 120.0
"""A running job whose row has not been touched this long is taken for one whose process is
gone (on another machine, where its process cannot be looked up)."""
INTERRUPTED_MESSAGE = "interrupted when the console stopped; start it again"


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    STOPPED = "stopped"
    """A guard rail stopped the job's plan (it is saved, for review)."""
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    """The console stopped while the job ran, or the process that ran it is gone."""


_LIVE_RUNNERS: set[str] = set()
"""The runners of this process that have not shut down, by `JobRunner.owner`."""
_LIVE_GUARD = threading.Lock()


@dataclass(frozen=True)
class JobOutcome:
    """What a job other than a run ends with: a sentence and, optionally, a result to show."""

    message: str
    result: dict[str, Any] | None = None


JobWork = Callable[[RunProgress, threading.Event], SyncResult | JobOutcome]


@dataclass
class Job:
    id: int
    kind: str
    """`plan` (a dry run or a saved plan), `apply`, `what-if`, or `quick-assign` (started by a
    HubSpot webhook: `web.quick_assign`)."""
    actor: str
    status: str = JobState.QUEUED.value
    """A `JobState`: queued, running, succeeded, stopped (by a guard rail), failed, interrupted."""
    phase: str = ""
    done: int = 0
    total: int | None = None
    progress: dict[str, dict[str, int | None]] = field(default_factory=dict)
    """The current phase's records per CRM: {"salesforce": {"done": 1200, "total": 5000}}."""
    api_calls: dict[str, int] = field(default_factory=dict)
    """API calls made so far per CRM."""
    phase_started_at: datetime | None = None
    run_id: int | None = None
    plan_id: int | None = None
    run_status: str | None = None
    message: str = ""
    result: dict[str, Any] | None = None
    """A what-if's moves and balance before and after, once it succeeded."""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the job's row was last written: progress, a heartbeat, or its end."""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATES

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "actor": self.actor,
            "status": self.status,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "progress": self.progress,
            "api_calls": self.api_calls,
            "run_id": self.run_id,
            "plan_id": self.plan_id,
            "run_status": self.run_status,
            "message": self.message,
            "result": self.result,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": (
                self.finished_at.isoformat(timespec="seconds") if self.finished_at else None
            ),
            "updated_at": self.updated_at.isoformat(timespec="seconds"),
        }

    def row(self) -> dict[str, Any]:
        """The job's progress and outcome as its `console_jobs` row holds them (copies: the
        job moves on while the row is written)."""
        return {
            "state": self.status,
            "phase": self.phase[:MAX_PHASE_LENGTH],
            "phase_started_at": self.phase_started_at,
            "done": self.done,
            "total": self.total,
            "progress": {source: dict(counts) for source, counts in self.progress.items()},
            "api_calls": dict(self.api_calls),
            "finished_at": self.finished_at,
            "message": self.message,
            "result": self.result,
            "run_id": self.run_id,
            "plan_id": self.plan_id,
            "run_status": self.run_status,
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Job:
        return cls(
            id=row["id"],
            kind=row["kind"],
            actor=row["started_by"],
            status=row["state"],
            phase=row["phase"],
            done=row["done"],
            total=row["total"],
            progress=row["progress"] or {},
            api_calls=row["api_calls"] or {},
            phase_started_at=row["phase_started_at"],
            run_id=row["run_id"],
            plan_id=row["plan_id"],
            run_status=row["run_status"],
            message=row["message"] or "",
            result=row["result"],
            started_at=row["created_at"],
            finished_at=row["finished_at"],
            updated_at=row["updated_at"],
        )


class JobBusyError(Exception):
    def __init__(self, message: str, run_id: int | None, job_id: int | None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.job_id = job_id


def crm_of_phase(name: str) -> str | None:
    """The CRM a phase works on, when its name says ("pull salesforce", "reconcile hubspot");
    None for a phase of several CRMs ("pull salesforce and hubspot", each counted apart through
    `advance_in`)."""
    words = name.split()
    if len(words) < 2 or words[0] not in ("pull", "reconcile") or words[1] not in SOURCES:
        return None
    if any(word in SOURCES for word in words[2:]):
        return None
    return words[1]


class _JobProgress:
    """A job's `sync.progress.RunProgress` (and `DetailedProgress`): kept on the job in memory;
    `changed` tells the runner's writer there is something new to write."""

    def __init__(self, job: Job, guard: threading.Lock, database: Database) -> None:
        self.job, self.guard, self.database = job, guard, database
        self.changed = True
        self._crm: str | None = None
        self._connectors: Mapping[str, CrmConnector] = {}

    def phase(self, name: str, total: int | None = None) -> None:
        crm = crm_of_phase(name)
        with self.guard:
            self.job.phase, self.job.total, self.job.done = name, total, 0
            self.job.phase_started_at = datetime.now(UTC)
            self.job.progress = {crm: {"done": 0, "total": total}} if crm else {}
            self._crm, self.changed = crm, True

    def advance(self, amount: int = 1) -> None:
        with self.guard:
            self.job.done += amount
            if self._crm is not None:
                self._count(self._crm, amount)
            self.changed = True

    def advance_in(self, source: str, amount: int) -> None:
        with self.guard:
            self.job.done += amount
            self._count(source, amount)
            self.changed = True

    def _count(self, source: str, amount: int) -> None:
        counts = self.job.progress.setdefault(source, {"done": 0, "total": None})
        counts["done"] = (counts["done"] or 0) + amount

    def watch_connectors(self, connectors: Mapping[str, CrmConnector]) -> None:
        self._connectors = dict(connectors)
        self.read_api_calls()

    def writing_plan(self, plan_id: int) -> None:
        """Each CRM's total: the plan's unfinished changes in it (a count the database makes)."""
        try:
            unfinished = ChangeFilter(plan_id, tuple(state.value for state in UNFINISHED_STATES))
            totals = change_counts(self.database, unfinished, "source")
        except Exception as error:  # progress is for watching: it never stops the run
            log_event("console.job_totals_not_read", job=self.job.id, reason=scrub(str(error)))
            return
        with self.guard:
            self.job.plan_id = plan_id
            self.job.progress = {
                source: {"done": 0, "total": count} for source, count in totals.items()
            }
            self.changed = True

    def read_api_calls(self) -> None:
        calls = {source: crm.usage.calls for source, crm in self._connectors.items()}
        with self.guard:
            if calls and calls != self.job.api_calls:
                self.job.api_calls, self.changed = calls, True


def running_run_id(database: Database) -> int | None:
    """The newest run recorded as running (the lock holder's, while one holds it)."""
    with database.engine.connect() as connection:
        return connection.execute(
            select(RUNS.c.id)
            .where(RUNS.c.status == RunStatus.RUNNING.value)
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).scalar()


def _runner_is_gone(row: Mapping[str, Any], now: datetime) -> bool:
    """Whether the runner of a job that has not ended is gone: one of this process that shut
    down, the process of this machine that ran it ended, or no write for `STALE_AFTER_SECONDS`."""
    with _LIVE_GUARD:
        if row["owner"] in _LIVE_RUNNERS:
            return False
    if row["host"] == socket.gethostname() and row["pid"] == os.getpid():
        return True
    if died_on_this_host(row["pid"], row["host"]):
        return True
    touched: datetime = row["updated_at"]
    return now - touched > timedelta(seconds=STALE_AFTER_SECONDS)


class JobRunner:
    """Starts jobs on a single worker thread; `start` refuses while one is active. Reads jobs
    from the database, this runner's own from memory (newer than their rows by a moment)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.owner = uuid.uuid4().hex
        """This runner's id on the rows of the jobs it runs."""
        self._guard = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        with _LIVE_GUARD:
            _LIVE_RUNNERS.add(self.owner)

    def get(self, job_id: int) -> Job | None:
        with self._guard:
            mine = self._jobs.get(job_id)
        if mine is not None:
            return mine
        row = read_job(self.database, job_id)
        return self._checked(row) if row is not None else None

    def jobs(self) -> list[Job]:
        """The newest `MAX_KEPT_JOBS` jobs, newest first, whichever console started them."""
        with self._guard:
            mine = dict(self._jobs)
        rows = recent_jobs(self.database, MAX_KEPT_JOBS)
        return [mine.get(row["id"]) or self._checked(row) for row in rows]

    def _checked(self, row: Mapping[str, Any]) -> Job:
        """The job of `row`; marked interrupted first when it has not ended and its runner is
        gone (unless its runner ended it meanwhile)."""
        now = datetime.now(UTC)
        if row["state"] in ACTIVE_STATES and _runner_is_gone(row, now):
            if end_active_job(
                self.database, row["id"], JobState.INTERRUPTED.value, INTERRUPTED_MESSAGE, now
            ):
                log_event("console.job_interrupted", job=row["id"], owner=row["owner"])
            row = read_job(self.database, row["id"]) or row
        return Job.from_row(row)

    def active(self) -> Job | None:
        with self._guard:
            return next((job for job in self._jobs.values() if job.active), None)

    def _refuse_if_busy(self) -> None:
        current = self.active()
        if current is not None:
            run_id = current.run_id or running_run_id(self.database)
            raise JobBusyError(
                f"a run is already in progress (job {current.id}, {current.kind}"
                + (f", run {run_id}" if run_id else "")
                + "); wait for it to finish",
                run_id,
                current.id,
            )
        lock = RunLock(self.database)
        try:
            lock.acquire()
        except RunLockedError as error:
            raise JobBusyError(
                f"{error}; wait for it to finish", running_run_id(self.database), None
            ) from None
        lock.release()

    def start(self, kind: str, actor: str, work: JobWork) -> Job:
        self._refuse_if_busy()
        with self._guard:
            if any(job.active for job in self._jobs.values()):
                raise JobBusyError(
                    "a run is already in progress; wait for it to finish", None, None
                )
            job = Job(0, kind, actor)
            job.id = insert_job(
                self.database,
                {
                    **job.row(),
                    "kind": kind,
                    "started_by": actor,
                    "created_at": job.started_at,
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "owner": self.owner,
                },
            )
            self._jobs[job.id] = job
            for old in sorted(self._jobs)[:-MAX_KEPT_JOBS]:
                del self._jobs[old]
            self._thread = threading.Thread(
                target=self._run, args=(job, work), name=f"console-job-{job.id}", daemon=True
            )
            self._thread.start()
        return job

    def _run(self, job: Job, work: JobWork) -> None:
        with self._guard:
            job.status = JobState.RUNNING.value
        self._save(job)
        log_event("console.job_started", job=job.id, kind=job.kind, actor=job.actor)
        progress = _JobProgress(job, self._guard, self.database)
        ended = threading.Event()
        writer = threading.Thread(
            target=self._write_progress,
            args=(job, progress, ended),
            name=f"console-job-{job.id}-progress",
            daemon=True,
        )
        writer.start()
        try:
            result = work(progress, self._stop)
        except Exception as error:  # the job must end with its reason, whatever went wrong
            ended.set()
            writer.join()
            progress.read_api_calls()
            if self._stop.is_set():
                self._finish(job, JobState.INTERRUPTED, INTERRUPTED_MESSAGE)
            elif isinstance(error, TerritorySyncError):
                self._finish(job, JobState.FAILED, scrub(str(error)))
            else:
                self._finish(job, JobState.FAILED, scrub(f"{type(error).__name__}: {error}"))
            return
        ended.set()
        writer.join()
        progress.read_api_calls()
        if isinstance(result, JobOutcome):
            with self._guard:
                job.result = jsonable_encoder(result.result)
            self._finish(job, JobState.SUCCEEDED, scrub(result.message))
            return
        with self._guard:
            job.run_id, job.plan_id = result.run_id, result.plan_id
            job.run_status = result.status.value
        self._finish(job, state_of(result), scrub(result.message or result.status.value))

    def _write_progress(self, job: Job, progress: _JobProgress, ended: threading.Event) -> None:
        """While the job runs: its progress written when it moved (at most every
        `FLUSH_SECONDS`), its row touched every `HEARTBEAT_SECONDS` when it did not."""
        touched = time.monotonic()
        while not ended.wait(FLUSH_SECONDS):
            progress.read_api_calls()
            with self._guard:
                moved, progress.changed = progress.changed, False
            if moved or time.monotonic() - touched >= HEARTBEAT_SECONDS:
                self._save(job, only_if_active=True)
                touched = time.monotonic()

    def _save(self, job: Job, *, only_if_active: bool = False) -> None:
        """Write the job's row; a failure is logged (the job goes on, and its end is written
        again), never raised."""
        with self._guard:
            job.updated_at = datetime.now(UTC)
            values = job.row()
        try:
            update_job(self.database, job.id, values, only_if_active=only_if_active)
        except Exception as error:  # progress is for watching: it never stops the job
            log_event("console.job_not_saved", job=job.id, reason=scrub(str(error)))

    def _finish(self, job: Job, state: JobState, message: str) -> None:
        with self._guard:
            job.status, job.message = state.value, message
            job.finished_at = datetime.now(UTC)
        self._save(job)
        log_event("console.job_finished", job=job.id, status=state.value)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the current job to end (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Ask a running job to stop between batches and wait for it; one that has not stopped
        by then is recorded as interrupted (and as what it ended with, if it ends after all)."""
        self._stop.set()
        self.wait(timeout)
        with _LIVE_GUARD:
            _LIVE_RUNNERS.discard(self.owner)
        current = self.active()
        if current is not None:
            self._finish(current, JobState.INTERRUPTED, INTERRUPTED_MESSAGE)


def state_of(result: SyncResult) -> JobState:
    """How a job whose run ended with `result` ends: stopped when a guard rail refused its plan
    (a dry run's too: a real run would have stopped), else as its run did."""
    refused = result.verdict is not None and not result.verdict.allowed
    if refused or result.exit_code == ExitCode.GUARD_RAIL:
        return JobState.STOPPED
    if result.status == RunStatus.INTERRUPTED:
        return JobState.INTERRUPTED
    if result.status == RunStatus.FAILED:
        return JobState.FAILED
    return JobState.SUCCEEDED
