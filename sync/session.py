"""What every kind of run shares: the lock and the run row, the write context, the outcome.

`RunSession` takes the run lock first and only then records the run, so nothing a run computes
can race another run; `connectors` builds the CRM connectors the run needs (unless the caller
brings its own); `finish_writes` turns the write-back's figures into the run's outcome; `close`
records the outcome, closes the connectors it built and releases the lock. Sync runs, applies of
saved plans and rollbacks all open one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import CrmConnector
from sync.audit_checkpoint import checkpoint_file
from sync.connect import build_connectors, close_connectors
from sync.guard_rails import GuardRailVerdict
from sync.lock import RunLock
from sync.plan import ProposedChange
from sync.progress import RunProgress, advance_in
from sync.runs import close_run, mark_interrupted_runs, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus
from sync.writeback import WriteContext, WriteFigures
from territory_sync.errors import ExitCode
from territory_sync.settings import Settings


@dataclass(frozen=True)
class PlanPreview:
    """What a run is about to write, shown to a person before they say yes."""

    run_id: int
    plan_id: int
    figures: dict[str, Any]
    verdict: GuardRailVerdict
    resuming: dict[int, int]
    """Unfinished plans this run finishes first: plan id -> changes left."""


@dataclass(frozen=True)
class SyncRequest:
    trigger: str = "cli"
    actor: str = "cli"
    dry_run: bool = False
    plan_only: bool = False
    """Save the plan and stop (`territory-sync plan`): the admin reviews, then applies it."""
    full: bool = False
    sources: tuple[str, ...] = ()
    """Empty: every enabled CRM."""
    territory: str | None = None
    account: str | None = None
    accounts: tuple[str, ...] = ()
    """Besides `account`, more accounts (CRM ids or domains) the run is limited to: the
    companies a HubSpot webhook named."""
    only_unowned_or_new: bool = False
    """Quick assignment: plan only the accounts that are new or have no active owner
    (`sync.quick_assign`); planned, guarded, written and audited like any other run."""
    allow_mass_change: bool = False
    territory_file: str | None = None
    reconcile: bool = False
    """Also compare every CRM's record ids with the store and flag the missing ones deleted."""
    force: bool = False
    """Apply a saved plan even when it is superseded or stale."""
    confirm: Callable[[PlanPreview], bool] | None = None
    """Asked once the plan and the guard rails are known, before anything is written; None
    means the caller already has the admin's yes (`--yes`, the schedule, the console's button)."""
    on_run_opened: Callable[[int], None] | None = None
    """Told the run's id as soon as the run is recorded (the scheduler links its firing to it)."""


@dataclass
class SyncResult:
    run_id: int
    status: RunStatus
    exit_code: int
    figures: dict[str, Any]
    plan_id: int | None = None
    verdict: GuardRailVerdict | None = None
    message: str = ""
    changes: Iterable[ProposedChange] = ()
    """The plan's changes: for a sync run, read from the store a chunk at a time each time it
    is iterated (`sync.plan.StoredPlanChanges`), never held whole."""


def writes_off(settings: Settings) -> dict[str, str]:
    """CRM -> why owner writes to it are switched off; held for new, resumed and saved plans."""
    off: dict[str, str] = {}
    for source, section in (("salesforce", settings.salesforce), ("hubspot", settings.hubspot)):
        if not section.enabled:
            off[source] = f"[{source}] enabled = false"
        elif not section.write_owners:
            off[source] = f"[{source}] write_owners = false"
    return off


def write_context(
    settings: Settings,
    database: Database,
    run_id: int,
    request: SyncRequest,
    stop: threading.Event | None,
    progress: RunProgress,
    *,
    respect_manual_changes: bool | None = None,
) -> WriteContext:
    respect = settings.sync.conflict_policy == "respect"
    return WriteContext(
        database=database,
        run_id=run_id,
        trigger=request.trigger,
        actor=request.actor,
        respect_manual_changes=respect
        if respect_manual_changes is None
        else respect_manual_changes,
        concurrency=settings.sync.concurrency,
        writes_off=writes_off(settings),
        stop=stop or threading.Event(),
        progress=lambda source, amount: advance_in(progress, source, amount),
    )


def status_after_writes(writes: WriteFigures) -> tuple[RunStatus, int]:
    data = writes.as_dict()
    if writes.stopped_reason:
        return RunStatus.STOPPED, ExitCode.CRM_UNAVAILABLE
    if writes.interrupted:
        return RunStatus.INTERRUPTED, ExitCode.INTERRUPTED
    if data["failed"] or data["unfinished"]:
        return RunStatus.PARTIAL, ExitCode.CHANGES_FAILED
    return RunStatus.SUCCEEDED, ExitCode.OK


def outcome_message(status: RunStatus, writes: WriteFigures, command: str) -> str:
    """One line on what happened and, where work is left, how to finish it."""
    left = sum(writes.unfinished.values())
    if writes.stopped_reason:
        return (
            f"stopped: {writes.stopped_reason}; {left:,} change(s) left unfinished, finished by "
            f"the next run (`{command}`)"
        )
    if status == RunStatus.INTERRUPTED:
        return (
            f"interrupted: the batches in flight were finished and recorded; {left:,} change(s) "
            f"left; run `{command}` again to finish"
        )
    if left:
        return f"{status.value}: {left:,} change(s) unfinished; the next run re-checks them"
    return status.value


def api_calls(connectors: Mapping[str, CrmConnector]) -> dict[str, Any]:
    return {
        source: {
            "calls": connector.usage.calls,
            "by_kind": dict(connector.usage.calls_by_kind),
            "daily_used": connector.usage.daily_used,
            "daily_limit": connector.usage.daily_limit,
        }
        for source, connector in connectors.items()
    }


class RunSession:
    """The lock, the run row and the run's clock, opened and closed together."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        kind: str,
        request: SyncRequest,
        scope: dict[str, Any],
    ) -> None:
        self.settings, self.database = settings, database
        self.lock = RunLock(database)
        self.lock.acquire()
        try:
            self.run_id = open_run(
                database,
                kind=kind,
                trigger=request.trigger,
                actor=request.actor,
                scope=scope,
                dry_run=request.dry_run or request.plan_only,
                config_fingerprint=settings.fingerprint(),
            )
            self.lock.claim(self.run_id)
            mark_interrupted_runs(database, self.run_id)
        except BaseException:
            self.lock.release()
            raise
        self.started = time.monotonic()
        self.closed = False
        self._built: dict[str, CrmConnector] = {}

    def connectors(
        self, sources: Iterable[str], given: Mapping[str, CrmConnector] | None = None
    ) -> Mapping[str, CrmConnector]:
        """The run's connectors: `given` as they are (their caller closes them), else one per
        source in `sources`, built on first use and closed with the session."""
        if given is not None:
            return given
        wanted = [source for source in sources if source not in self._built]
        if wanted:
            self._built.update(build_connectors(self.settings, wanted))
        return self._built

    def finish_writes(
        self,
        writes: WriteFigures,
        figures: dict[str, Any],
        crms: Mapping[str, CrmConnector],
        command: str,
        *,
        plan_id: int,
        territory_fingerprint: str | None = None,
        verdict: GuardRailVerdict | None = None,
        changes: Iterable[ProposedChange] = (),
    ) -> SyncResult:
        """The run after its writes: figures, status and exit code, the one-line message (how to
        finish what is left with `command`), recorded; the session is closed."""
        figures.update(writes.as_dict())
        figures["api_calls"] = api_calls(crms)
        status, exit_code = status_after_writes(writes)
        message = outcome_message(status, writes, command)
        self.close(status, figures, message, territory_fingerprint)
        return SyncResult(
            self.run_id,
            status,
            exit_code,
            figures,
            plan_id=plan_id,
            verdict=verdict,
            message=message,
            changes=changes,
        )

    def close(
        self,
        status: RunStatus,
        figures: dict[str, Any],
        message: str | None = None,
        territory_fingerprint: str | None = None,
    ) -> None:
        if self.closed:
            return
        self.closed = True
        figures["duration_seconds"] = round(time.monotonic() - self.started, 2)
        try:
            close_run(
                self.database,
                self.run_id,
                status=status,
                figures=figures,
                message=message,
                territory_fingerprint=territory_fingerprint,
                checkpoint_file=checkpoint_file(self.settings, self.database),
            )
        finally:
            try:
                close_connectors(self._built.values())
            finally:
                self.lock.release()
