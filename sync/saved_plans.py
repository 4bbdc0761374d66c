"""Applying a reviewed plan: exactly that plan, or, when it is no longer safe to replay, a new one.

`territory-sync apply PLAN_ID` (and the console's apply button) writes the plan the admin
reviewed; applying it is the explicit decision, so the blast-radius guard rail does not stop it.
A plan that was superseded by a newer plan for an overlapping scope, or has gone stale (older
than `[sync] plan_max_age`, or made with another territory file), is not replayed: a fresh plan
for the same scope is made and saved for review instead (exit code 3), unless `--force` asks for
the old plan as it is. Even then write-back re-reads every owner first: records already holding
the new owner are reported "already there" (not this run's write), and a person's later change is
left alone (under `conflict_policy = "respect"`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update

from connectors.base import CrmConnector
from sync.alerts import alert_failed_run, alert_run
from sync.evaluate import load_rules
from sync.plan import CHANGES, PLANS, count_changes, get_plan, sources_with_changes
from sync.plan_lifetime import staleness
from sync.progress import RunProgress, SilentProgress, watch_connectors, writing_plan
from sync.session import (
    RunSession,
    SyncRequest,
    SyncResult,
    write_context,
)
from sync.store.changes import ChangeState, PlanStatus
from sync.store.database import Database
from sync.store.runs import RunStatus
from sync.writeback import apply_plan
from territory_sync.errors import ConfigurationError, StalePlanError
from territory_sync.logs import run_context
from territory_sync.settings import Settings


def _why_not_replayable(
    settings: Settings, plan: Mapping[str, object], territory_file: str | None
) -> str | None:
    if plan["status"] == PlanStatus.SUPERSEDED.value:
        return f"plan {plan['id']} is superseded ({plan.get('status_reason') or 'retired'})"
    return staleness(plan, settings.sync, load_rules(settings, None, territory_file).fingerprint)


def _revive(database: Database, plan_id: int) -> None:
    """`--force` on a retired plan: its superseded changes are planned again."""
    with database.engine.begin() as connection:
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.plan_id == plan_id, CHANGES.c.state == ChangeState.SUPERSEDED.value)
            .values(state=ChangeState.PLANNED.value)
        )
        connection.execute(
            update(PLANS)
            .where(PLANS.c.id == plan_id)
            .values(status=PlanStatus.DRAFT.value, status_reason="applied with --force")
        )


def _replan(
    settings: Settings,
    database: Database,
    plan: Mapping[str, object],
    request: SyncRequest,
    connectors: Mapping[str, CrmConnector] | None,
    why: str,
) -> StalePlanError:
    from sync.runner import run_sync

    scope = plan.get("scope") or {}
    assert isinstance(scope, dict)
    fresh = run_sync(
        settings,
        database,
        SyncRequest(
            trigger=request.trigger,
            actor=request.actor,
            plan_only=True,
            sources=tuple(scope.get("sources") or ()),
            territory=scope.get("territory"),
            account=scope.get("account"),
            accounts=tuple(scope.get("accounts") or ()),
            only_unowned_or_new=bool(scope.get("only_unowned_or_new")),
        ),
        connectors=connectors,
    )
    return StalePlanError(
        f"{why}: not applied, so its old decisions are not replayed. A fresh plan for the same "
        f"scope is saved as plan {fresh.plan_id} ({fresh.figures.get('planned', 0):,} "
        f"change(s)): review it and `territory-sync apply {fresh.plan_id}`, or apply plan "
        f"{plan['id']} as it is with --force",
        new_plan_id=fresh.plan_id,
    )


def _refuse_unappliable(plan_id: int, plan: dict[str, Any] | None) -> dict[str, Any]:
    """The plan, unless there is none of that id or it is applied (`ConfigurationError`)."""
    if plan is None:
        raise ConfigurationError(
            f"there is no plan {plan_id}; `territory-sync plan` saves one and prints its id "
            "(`territory-sync runs show RUN_ID` names the plan a run made)"
        )
    if plan["status"] == PlanStatus.APPLIED.value:
        raise ConfigurationError(f"plan {plan_id} is applied: it cannot be applied again")
    return plan


def apply_saved_plan(
    settings: Settings,
    database: Database,
    plan_id: int,
    request: SyncRequest,
    *,
    connectors: Mapping[str, CrmConnector] | None = None,
    stop: threading.Event | None = None,
    progress: RunProgress | None = None,
) -> SyncResult:
    """Apply exactly the reviewed plan; see the module docstring for stale and superseded ones.
    The plan's state is checked under the run lock, so no other run changes it meanwhile."""
    progress = progress or SilentProgress()
    # Refused before a run is opened (a plan id that names nothing records nothing); checked
    # again under the run lock, where another run may have applied it meanwhile.
    _refuse_unappliable(plan_id, get_plan(database, plan_id))
    session = RunSession(settings, database, "apply", request, {"plan_id": plan_id})
    figures: dict[str, object] = {"plan_id": plan_id}
    why: str | None = None
    try:
        with run_context(session.run_id):
            plan = _refuse_unappliable(plan_id, get_plan(database, plan_id))
            why = _why_not_replayable(settings, plan, request.territory_file)
            if why is not None and not request.force:
                session.close(RunStatus.STOPPED, dict(figures), f"{why}: not applied")
            else:
                return _apply(
                    settings,
                    database,
                    plan_id,
                    plan,
                    request,
                    session,
                    figures,
                    why,
                    connectors,
                    stop,
                    progress,
                )
    except BaseException as error:
        session.close(RunStatus.FAILED, dict(figures), str(error))
        if isinstance(error, Exception) and not isinstance(error, ConfigurationError):
            alert_failed_run(settings, database, session.run_id, figures, error, str(error))
        raise
    # Re-planning is a run of its own, so it starts once this run has let go of the lock.
    if plan["kind"] != "assign":
        raise StalePlanError(f"{why}: not applied; make a new one")
    raise _replan(settings, database, plan, request, connectors, str(why))


def _apply(
    settings: Settings,
    database: Database,
    plan_id: int,
    plan: Mapping[str, object],
    request: SyncRequest,
    session: RunSession,
    figures: dict[str, object],
    why: str | None,
    connectors: Mapping[str, CrmConnector] | None,
    stop: threading.Event | None,
    progress: RunProgress,
) -> SyncResult:
    if why is not None:
        figures["forced"] = why
    if plan["status"] == PlanStatus.SUPERSEDED.value:
        _revive(database, plan_id)
    enabled = {s for s in ("salesforce", "hubspot") if getattr(settings, s).enabled}
    sources = sorted(set(sources_with_changes(database, plan_id, list(ChangeState))) & enabled)
    crms = session.connectors(sources, connectors)
    watch_connectors(progress, crms)
    context = write_context(settings, database, session.run_id, request, stop, progress)
    progress.phase("write owners", total=count_changes(database, plan_id))
    writing_plan(progress, plan_id)
    writes = apply_plan(context, plan_id, crms)
    finished = session.finish_writes(
        writes, figures, crms, f"territory-sync apply {plan_id}", plan_id=plan_id
    )
    alert_run(settings, database, finished)  # never raises; bounded by its budget
    return finished
