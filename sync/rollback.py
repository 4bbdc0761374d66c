"""Rollback: restore the owners a run replaced, as a run of its own with its own audit rows.

The lock is taken before anything is computed, so the rollback plan (see `sync.rollback_plan`)
reflects the store as no other run is changing it. A run being undone that did not finish (a
crash, a stop) has its unfinished plans retired first, so no later run writes the rest of it: its
in-flight changes are read back, and those that had landed are undone with the others.
Write-back always respects changes made since (whatever `[sync] conflict_policy` says): a
rollback never overwrites a person's later choice. A rollback interrupted by a crash is finished
by the next run, with the same audit wording (`rolled_back`, `skipped`), because the wording and
the respect for later changes come from the plan's kind.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping

from connectors.base import CrmConnector
from sync.admin_actions import record_admin_action
from sync.alerts import alert_failed_run, alert_run
from sync.plan import plan_changes, save_plan
from sync.progress import RunProgress, SilentProgress
from sync.retire import retire_unfinished
from sync.rollback_plan import rollback_changes, unfinished_plans_of
from sync.session import (
    RunSession,
    SyncRequest,
    SyncResult,
    write_context,
)
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.store.runs import RunStatus
from sync.writeback import apply_plan
from territory_sync.errors import ExitCode
from territory_sync.logs import run_context
from territory_sync.settings import Settings


def rollback_run(
    settings: Settings,
    database: Database,
    undo_run_id: int,
    request: SyncRequest,
    *,
    connectors: Mapping[str, CrmConnector] | None = None,
    stop: threading.Event | None = None,
    progress: RunProgress | None = None,
) -> SyncResult:
    """Restore the owners `undo_run_id` replaced; a dry run only saves and shows the plan."""
    progress = progress or SilentProgress()
    session = RunSession(settings, database, "rollback", request, {"undo_run": undo_run_id})
    figures: dict[str, object] = {"undo_run": undo_run_id}
    enabled = {s for s in ("salesforce", "hubspot") if getattr(settings, s).enabled}

    def crms(sources: set[str]) -> Mapping[str, CrmConnector]:
        return session.connectors(sorted(sources & enabled), connectors)

    try:
        with run_context(session.run_id):
            context = write_context(
                settings,
                database,
                session.run_id,
                request,
                stop,
                progress,
                respect_manual_changes=True,
            )
            unfinished = unfinished_plans_of(database, undo_run_id)
            figures["retired_plans"] = [plan["id"] for plan in unfinished]
            if unfinished and not request.dry_run:
                in_flight = {
                    c["source"]
                    for plan in unfinished
                    for c in plan_changes(database, plan["id"], [ChangeState.IN_FLIGHT])
                }
                for plan in unfinished:
                    retire_unfinished(
                        context,
                        plan,
                        f"run {undo_run_id} is rolled back by run {session.run_id}",
                        crms(in_flight),
                    )
            changes = rollback_changes(database, undo_run_id)
            if not request.dry_run:
                with database.engine.begin() as connection:
                    record_admin_action(
                        connection,
                        status="rollback_started",
                        actor=request.actor,
                        trigger=request.trigger,
                        run_id=session.run_id,
                        reason=f"rollback of run {undo_run_id} requested by {request.actor}",
                    )
            plan_id = save_plan(
                database,
                run_id=session.run_id,
                trigger=request.trigger,
                actor=request.actor,
                changes=changes,
                kind="rollback",
                scope={"undo_run": undo_run_id},
            )
            states = Counter(change.state for change in changes)
            figures.update(
                plan_id=plan_id,
                planned=states[ChangeState.PLANNED],
                skipped=states[ChangeState.SKIPPED],
            )
            if request.dry_run:
                message = "dry run: nothing written"
                session.close(RunStatus.SUCCEEDED, dict(figures), message)
                return SyncResult(
                    session.run_id,
                    RunStatus.SUCCEEDED,
                    ExitCode.OK,
                    dict(figures),
                    plan_id,
                    None,
                    message,
                    changes,
                )
            sources = {c.source for c in changes if c.state == ChangeState.PLANNED}
            progress.phase("restore owners", total=states[ChangeState.PLANNED])
            writes = apply_plan(context, plan_id, crms(sources))
            figures["restored"] = sum(writes.written.values())
            finished = session.finish_writes(
                writes,
                figures,
                crms(set()),
                "territory-sync sync",
                plan_id=plan_id,
                changes=changes,
            )
            alert_run(settings, database, finished)  # never raises; bounded by its budget
            return finished
    except BaseException as error:
        session.close(RunStatus.FAILED, dict(figures), str(error))
        if isinstance(error, Exception) and not request.dry_run:
            alert_failed_run(settings, database, session.run_id, figures, error, str(error))
        raise
