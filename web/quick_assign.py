"""Quick assignments the HubSpot webhook asks for, on the console's job runner, never piling up.

Each webhook call names companies (`web.webhooks`); `WebhookAssignments.request` adds them to one
pending set and wakes its worker thread, which starts a console job (`web.jobs.JobRunner`, the same
mechanism as a plan started from a page) running `run_sync` scoped to those companies, HubSpot only,
with `only_unowned_or_new` (`sync.quick_assign`): the incremental pull fetches them, and only the
new or unowned ones are planned, guarded, written and audited like any run (trigger `webhook`).

While a job or any other run holds the lock, nothing is queued per call: the pending set is the
one follow-up, gathering every company named meanwhile, and the worker starts it as soon as the
run in progress has ended (it looks again every `retry_seconds`). A job that loses the run lock
to another process between the check and its start puts its companies back for the follow-up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping

from connectors.base import CrmConnector
from sync.progress import RunProgress
from sync.quick_assign import WEBHOOK_TRIGGER
from sync.runner import SyncRequest, SyncResult, run_sync
from sync.store.database import Database
from territory_sync.errors import RunLockedError
from territory_sync.logs import log_event
from territory_sync.settings import Settings
from web.jobs import JobBusyError, JobRunner

JOB_KIND = "quick-assign"
ACTOR = "hubspot-webhook"
RETRY_SECONDS = 1.0
"""How often a waiting follow-up looks whether the run in progress has ended."""


class WebhookAssignments:
    """One pending follow-up of companies to assign, started on `jobs` as soon as it may run."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        jobs: JobRunner,
        *,
        connectors: Callable[[], Mapping[str, CrmConnector]] | None = None,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.settings, self.database, self.jobs = settings, database, jobs
        self.connectors = connectors
        self.retry_seconds = retry_seconds
        self._guard = threading.Lock()
        self._pending: set[str] = set()
        self._starting: tuple[str, ...] = ()
        """Taken from `_pending` for the job being started: still pending until it runs."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def request(self, company_ids: Iterable[str]) -> None:
        """Assign these HubSpot companies (if new or unowned) as soon as no run is in progress."""
        with self._guard:
            self._pending.update(company_ids)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="webhook-quick-assign", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def pending(self) -> set[str]:
        with self._guard:
            return set(self._pending) | set(self._starting)

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            with self._guard:
                accounts = tuple(sorted(self._pending))
                if not accounts:
                    self._wake.clear()
                    continue
            # Taken from the pending set before the job starts, so a job that finds the lock
            # taken at once (and asks for them again) cannot lose them.
            with self._guard:
                self._pending.difference_update(accounts)
                self._starting = accounts
            try:
                job = self.jobs.start(JOB_KIND, ACTOR, self._work(accounts))
            except JobBusyError as busy:
                with self._guard:
                    self._pending.update(accounts)
                    self._starting = ()
                log_event("webhook.quick_assign_waiting", companies=len(accounts), reason=str(busy))
                self._stop.wait(self.retry_seconds)
                continue
            with self._guard:
                self._starting = ()
            log_event("webhook.quick_assign_started", job=job.id, companies=len(accounts))

    def _work(
        self, accounts: tuple[str, ...]
    ) -> Callable[[RunProgress, threading.Event], SyncResult]:
        request = SyncRequest(
            trigger=WEBHOOK_TRIGGER,
            actor=ACTOR,
            sources=("hubspot",),
            accounts=accounts,
            only_unowned_or_new=True,
        )

        def work(progress: RunProgress, stop: threading.Event) -> SyncResult:
            try:
                return run_sync(
                    self.settings,
                    self.database,
                    request,
                    connectors=self.connectors() if self.connectors else None,
                    stop=stop,
                    progress=progress,
                )
            except RunLockedError:
                self.request(accounts)  # another process took the lock first: follow it up
                raise

        return work

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is pending and no job runs (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pending() and self.jobs.active() is None:
                return True
            time.sleep(0.02)
        return False

    def shutdown(self) -> None:
        """Stop starting follow-ups (the job runner stops the job in progress)."""
        self._stop.set()
        self._wake.set()
