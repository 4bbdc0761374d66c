"""A sync run, start to finish: lock, resume, pull, link, evaluate, plan, guard rails, write, audit.

`run_sync` is the one implementation behind `territory-sync sync` and `plan`, the nightly
schedule and the admin console; `apply_saved_plan` applies a reviewed plan; `rollback_run` undoes
a run. Each holds the run lock for its whole length and records itself as a run with figures.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.base import CrmConnector
from sync.connect import build_connectors, enabled_sources, writes_enabled
from sync.evaluate import evaluate_store
from sync.guard_rails import GuardRailVerdict, check_guard_rails
from sync.lock import RunLock
from sync.notify import notify, summary_message
from sync.plan import ProposedChange, get_plan, plan_changes, save_plan, unfinished_plans
from sync.planner import PlanFigures, Scope, build_changes
from sync.progress import RunProgress, SilentProgress
from sync.pull import pull_source
from sync.rollback import mark_rolled_back, rollback_changes
from sync.runs import close_run, mark_interrupted_runs, open_run
from sync.store.changes import ChangeState, PlanStatus
from sync.store.companies import refresh_company_links
from sync.store.database import Database, open_database
from sync.store.runs import RunStatus
from sync.writeback import WriteContext, WriteFigures, apply_plan
from territory_sync.errors import ConfigurationError, ExitCode, TerritorySyncError
from territory_sync.logs import log_event, run_context
from territory_sync.settings import Settings, load_settings


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
    allow_mass_change: bool = False
    territory_file: str | None = None


@dataclass
class SyncResult:
    run_id: int
    status: RunStatus
    exit_code: int
    figures: dict[str, Any]
    plan_id: int | None = None
    verdict: GuardRailVerdict | None = None
    message: str = ""
    changes: list[ProposedChange] = field(default_factory=list)


def _write_context(
    settings: Settings,
    database: Database,
    run_id: int,
    request: SyncRequest,
    stop: threading.Event | None,
    progress: RunProgress,
) -> WriteContext:
    return WriteContext(
        database=database,
        run_id=run_id,
        trigger=request.trigger,
        actor=request.actor,
        respect_manual_changes=settings.sync.conflict_policy == "respect",
        concurrency=settings.sync.concurrency,
        stop=stop or threading.Event(),
        progress=lambda _source, amount: progress.advance(amount),
    )


def _rep_moves(changes: Sequence[ProposedChange]) -> dict[str, dict[str, list[str]]]:
    moves: dict[str, dict[str, list[str]]] = {}
    for change in changes:
        if change.state != ChangeState.PLANNED:
            continue
        label = change.account_name or change.external_id
        if change.new_owner_email:
            moves.setdefault(change.new_owner_email, {}).setdefault("gained", []).append(label)
        if change.old_owner_email:
            moves.setdefault(change.old_owner_email, {}).setdefault("lost", []).append(label)
    return moves


def _plan_figures(figures: PlanFigures) -> dict[str, Any]:
    return {
        "companies": figures.companies,
        "evaluated": figures.evaluated,
        "book_records": figures.book_records,
        "planned": figures.planned,
        "skipped": figures.skipped,
        "unchanged": figures.unchanged,
        "ties": figures.ties,
        "unassigned": figures.unassigned,
        "writes_disabled": figures.writes_disabled,
        "changes_by_territory": dict(figures.by_territory.most_common()),
        "territory_rules": dict(figures.by_rule),
        "tie_examples": figures.tie_examples,
    }


def _status_after_writes(writes: WriteFigures) -> tuple[RunStatus, int]:
    data = writes.as_dict()
    if writes.stopped_reason:
        return RunStatus.STOPPED, ExitCode.CRM_UNAVAILABLE
    if data["failed"] or data["unfinished"]:
        return RunStatus.PARTIAL, ExitCode.CHANGES_FAILED
    return RunStatus.SUCCEEDED, ExitCode.OK


def _api_calls(connectors: Mapping[str, CrmConnector]) -> dict[str, Any]:
    return {
        source: {
            "calls": connector.usage.calls,
            "by_kind": dict(connector.usage.calls_by_kind),
            "daily_used": connector.usage.daily_used,
            "daily_limit": connector.usage.daily_limit,
        }
        for source, connector in connectors.items()
    }


class _RunSession:
    """The lock, the run row and the run context, opened and closed together."""

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

    def close(
        self,
        status: RunStatus,
        figures: dict[str, Any],
        message: str | None = None,
        territory_fingerprint: str | None = None,
    ) -> None:
        figures["duration_seconds"] = round(time.monotonic() - self.started, 2)
        try:
            close_run(
                self.database,
                self.run_id,
                status=status,
                figures=figures,
                message=message,
                territory_fingerprint=territory_fingerprint,
            )
        finally:
            self.lock.release()


def run_sync(
    settings: Settings,
    database: Database,
    request: SyncRequest,
    *,
    connectors: Mapping[str, CrmConnector] | None = None,
    stop: threading.Event | None = None,
    progress: RunProgress | None = None,
) -> SyncResult:
    """One sync run; raises RunLockedError (exit 4) when another run holds the lock."""
    progress = progress or SilentProgress()
    sources = enabled_sources(settings, request.sources or None)
    scope = Scope(request.territory, request.account)
    session = _RunSession(
        settings,
        database,
        "plan" if request.plan_only else "sync",
        request,
        {"sources": sources, **scope.as_dict(), "full": request.full},
    )
    run_id = session.run_id
    figures: dict[str, Any] = {}
    crms: Mapping[str, CrmConnector] = {}
    try:
        with run_context(run_id):
            log_event("run.started", kind="sync", trigger=request.trigger, actor=request.actor)
            crms = connectors or build_connectors(settings, sources)
            write_context = _write_context(settings, database, run_id, request, stop, progress)
            resumed = 0
            if not (request.dry_run or request.plan_only):
                for plan_id in unfinished_plans(database):
                    progress.phase(f"resume plan {plan_id}")
                    apply_plan(write_context, plan_id, crms)
                    resumed += 1
            pulled: dict[str, Any] = {}
            for source in sources:
                progress.phase(f"pull {source}")
                result = pull_source(
                    database,
                    crms[source],
                    full=request.full,
                    lookback=_lookback(settings),
                    run_id=run_id,
                    trigger=request.trigger,
                    actor=request.actor,
                    progress=progress.advance,
                )
                pulled[source] = {
                    "mode": result.mode,
                    "pulled": result.pulled,
                    "skipped_malformed": result.skipped,
                    "flagged_deleted": result.flagged_deleted,
                    "reps": result.reps,
                }
            figures["pulled"] = sum(p["pulled"] for p in pulled.values())
            figures["pull"] = pulled
            figures["resumed_plans"] = resumed
            progress.phase("link companies")
            with database.engine.begin() as connection:
                links = refresh_company_links(connection)
            figures["links"] = links.counts()
            progress.phase("evaluate territories")
            evaluated = evaluate_store(settings, database, request.territory_file)
            rules, reps, book = evaluated.rules, evaluated.reps, evaluated.book
            assignments = evaluated.evaluation.assignments
            if scope.territory is not None and scope.territory not in rules.territories:
                raise ConfigurationError(
                    f"there is no territory {scope.territory!r} in {rules.source_name}",
                    allowed=", ".join(rules.territories),
                )
            writable = {s for s in sources if writes_enabled(settings, s)}
            changes, plan_figures = build_changes(
                book, assignments, reps, sources=sources, writable=writable, scope=scope
            )
            figures.update(_plan_figures(plan_figures))
            figures["territory_warnings"] = list(rules.warnings)
            verdict = check_guard_rails(
                changes,
                plan_figures.book_records,
                blast_radius=settings.sync.blast_radius,
                rep_change_flag=settings.sync.rep_change_flag,
                allow_mass_change=request.allow_mass_change,
            )
            figures["guard_rails"] = verdict.as_dict()
            plan_id = save_plan(
                database,
                run_id=run_id,
                trigger=request.trigger,
                actor=request.actor,
                changes=changes,
                scope={"sources": sources, **scope.as_dict()},
                figures=_plan_figures(plan_figures),
                guard_rails=verdict.as_dict(),
                territory_fingerprint=rules.fingerprint,
            )
            figures["plan_id"] = plan_id
            result_args: dict[str, Any] = {
                "run_id": run_id,
                "plan_id": plan_id,
                "verdict": verdict,
                "changes": changes,
            }
            if request.dry_run or request.plan_only:
                figures["api_calls"] = _api_calls(crms)
                word = "dry run" if request.dry_run else "plan saved"
                message = f"{word}: nothing written; apply with `territory-sync apply {plan_id}`"
                session.close(RunStatus.SUCCEEDED, figures, message, rules.fingerprint)
                return SyncResult(
                    status=RunStatus.SUCCEEDED,
                    exit_code=ExitCode.OK,
                    figures=figures,
                    message=message,
                    **result_args,
                )
            if not verdict.allowed:
                figures["api_calls"] = _api_calls(crms)
                session.close(RunStatus.STOPPED, figures, verdict.message, rules.fingerprint)
                return SyncResult(
                    status=RunStatus.STOPPED,
                    exit_code=ExitCode.GUARD_RAIL,
                    figures=figures,
                    message=verdict.message,
                    **result_args,
                )
            progress.phase("write owners", total=plan_figures.planned)
            writes = apply_plan(write_context, plan_id, crms)
            figures.update(writes.as_dict())
            figures["api_calls"] = _api_calls(crms)
            status, exit_code = _status_after_writes(writes)
            message = writes.stopped_reason or f"{status.value}"
            session.close(status, figures, message, rules.fingerprint)
            log_event("run.finished", status=status.value)
            notify(summary_message(run_id, status.value, figures, _rep_moves(changes)))
            return SyncResult(
                status=status, exit_code=exit_code, figures=figures, message=message, **result_args
            )
    except TerritorySyncError as error:
        figures["api_calls"] = _api_calls(crms)
        session.close(RunStatus.FAILED, figures, str(error))
        raise
    except BaseException as error:
        session.close(RunStatus.FAILED, figures, f"{type(error).__name__}: {error}")
        raise


def _lookback(settings: Settings) -> Any:
    from datetime import timedelta

    return timedelta(seconds=settings.sync.lookback_seconds)


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
    """Apply exactly the reviewed plan (no guard rail: applying it is the explicit decision)."""
    progress = progress or SilentProgress()
    plan = get_plan(database, plan_id)
    if plan is None:
        raise ConfigurationError(f"there is no plan {plan_id}; `territory-sync runs` lists runs")
    if plan["status"] in (PlanStatus.APPLIED.value, PlanStatus.SUPERSEDED.value):
        raise ConfigurationError(f"plan {plan_id} is {plan['status']}: it cannot be applied again")
    sources = sorted({c["source"] for c in plan_changes(database, plan_id)})
    session = _RunSession(settings, database, "apply", request, {"plan_id": plan_id})
    figures: dict[str, Any] = {"plan_id": plan_id}
    try:
        with run_context(session.run_id):
            crms = connectors or build_connectors(settings, sources)
            context = _write_context(settings, database, session.run_id, request, stop, progress)
            progress.phase("write owners", total=len(plan_changes(database, plan_id)))
            writes = apply_plan(context, plan_id, crms)
            figures.update(writes.as_dict())
            figures["api_calls"] = _api_calls(crms)
            status, exit_code = _status_after_writes(writes)
            session.close(status, figures, writes.stopped_reason or status.value)
            return SyncResult(session.run_id, status, exit_code, figures, plan_id=plan_id)
    except BaseException as error:
        session.close(RunStatus.FAILED, figures, str(error))
        raise


def rollback_run(
    settings: Settings,
    database: Database,
    undo_run_id: int,
    request: SyncRequest,
    *,
    connectors: Mapping[str, CrmConnector] | None = None,
    progress: RunProgress | None = None,
) -> SyncResult:
    """Restore the owners `undo_run_id` replaced; a dry run only saves and shows the plan."""
    progress = progress or SilentProgress()
    changes = rollback_changes(database, undo_run_id)
    session = _RunSession(settings, database, "rollback", request, {"undo_run": undo_run_id})
    figures: dict[str, Any] = {"undo_run": undo_run_id}
    try:
        with run_context(session.run_id):
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
                session.close(RunStatus.SUCCEEDED, figures, "dry run: nothing written")
                return SyncResult(
                    session.run_id,
                    RunStatus.SUCCEEDED,
                    ExitCode.OK,
                    figures,
                    plan_id,
                    None,
                    "dry run: nothing written",
                    changes,
                )
            sources = sorted({c.source for c in changes if c.state == ChangeState.PLANNED})
            crms = connectors or build_connectors(settings, sources)
            context = _write_context(settings, database, session.run_id, request, None, progress)
            context.audit_status = {
                ChangeState.WRITTEN: "rolled_back",
                ChangeState.CONFLICT: "skipped",
            }
            progress.phase("restore owners", total=figures["planned"])
            writes = apply_plan(context, plan_id, crms)
            figures["restored"] = mark_rolled_back(database, undo_run_id, plan_id)
            figures.update(writes.as_dict())
            figures["api_calls"] = _api_calls(crms)
            status, exit_code = _status_after_writes(writes)
            session.close(status, figures, status.value)
            return SyncResult(
                session.run_id, status, exit_code, figures, plan_id, None, status.value, changes
            )
    except BaseException as error:
        session.close(RunStatus.FAILED, figures, str(error))
        raise


def run_sync_from_config(
    request: SyncRequest,
    *,
    config_path: str | None = None,
    database_url: str | None = None,
    stop: threading.Event | None = None,
) -> SyncResult:
    """For the scheduler: load settings and database, then `run_sync`."""
    overrides = {"database": {"url": database_url}} if database_url else None
    settings = load_settings(config_path, overrides=overrides)
    database = open_database(settings.database_url)
    try:
        return run_sync(settings, database, request, stop=stop)
    finally:
        database.dispose()
