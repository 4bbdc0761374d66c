"""Background jobs for the console: one at a time, on one worker thread, through the run lock.

A plan, an apply or a what-if started from the API or a page returns at once with a job; the job's
progress (phase, done, total), its run id and its outcome (for a what-if, its `result`) are
readable while it runs. Plans and applies call the same `run_sync` / `apply_saved_plan` as the
command line, which take the cross-process run lock: a run started elsewhere (the CLI, the
scheduler) makes the job fail with the lock's message, and starting a job while one is active here,
or while a run elsewhere holds the lock, is refused with the active job's and run's ids.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from sync.lock import RunLock
from sync.progress import RunProgress
from sync.runner import SyncResult
from sync.runs import RUNS
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.errors import RunLockedError, TerritorySyncError
from territory_sync.logs import log_event, scrub

MAX_KEPT_JOBS = 200


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
    status: str = "queued"
    """queued, running, succeeded, failed."""
    phase: str = ""
    done: int = 0
    total: int | None = None
    run_id: int | None = None
    plan_id: int | None = None
    run_status: str | None = None
    message: str = ""
    result: dict[str, Any] | None = None
    """A what-if's moves and balance before and after, once it succeeded."""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "actor": self.actor,
            "status": self.status,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "run_id": self.run_id,
            "plan_id": self.plan_id,
            "run_status": self.run_status,
            "message": self.message,
            "result": self.result,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": (
                self.finished_at.isoformat(timespec="seconds") if self.finished_at else None
            ),
        }


class JobBusyError(Exception):
    def __init__(self, message: str, run_id: int | None, job_id: int | None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.job_id = job_id


class _JobProgress:
    def __init__(self, job: Job, guard: threading.Lock) -> None:
        self.job, self.guard = job, guard

    def phase(self, name: str, total: int | None = None) -> None:
        with self.guard:
            self.job.phase, self.job.total, self.job.done = name, total, 0

    def advance(self, amount: int = 1) -> None:
        with self.guard:
            self.job.done += amount


def running_run_id(database: Database) -> int | None:
    """The newest run recorded as running (the lock holder's, while one holds it)."""
    with database.engine.connect() as connection:
        return connection.execute(
            select(RUNS.c.id)
            .where(RUNS.c.status == RunStatus.RUNNING.value)
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).scalar()


class JobRunner:
    """Starts jobs on a single worker thread; `start` refuses while one is active."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._guard = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, job_id: int) -> Job | None:
        with self._guard:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        with self._guard:
            return sorted(self._jobs.values(), key=lambda job: -job.id)

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
            job = Job(next(self._ids), kind, actor)
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
            job.status = "running"
        log_event("console.job_started", job=job.id, kind=job.kind, actor=job.actor)
        try:
            result = work(_JobProgress(job, self._guard), self._stop)
        except TerritorySyncError as error:
            self._finish(job, "failed", scrub(str(error)))
        except Exception as error:  # the job must end with its reason, whatever went wrong
            self._finish(job, "failed", scrub(f"{type(error).__name__}: {error}"))
        else:
            if isinstance(result, JobOutcome):
                with self._guard:
                    job.result = result.result
                self._finish(job, "succeeded", scrub(result.message))
                return
            with self._guard:
                job.run_id, job.plan_id = result.run_id, result.plan_id
                job.run_status = result.status.value
            self._finish(job, "succeeded", scrub(result.message or result.status.value))

    def _finish(self, job: Job, status: str, message: str) -> None:
        with self._guard:
            job.status, job.message = status, message
            job.finished_at = datetime.now(UTC)
        log_event("console.job_finished", job=job.id, status=status)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the current job to end (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def shutdown(self, timeout: float = 30.0) -> None:
        """Ask a running job to stop between batches and wait for it."""
        self._stop.set()
        self.wait(timeout)
