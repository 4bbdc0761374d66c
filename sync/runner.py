"""A sync run, start to finish: lock, unfinished plans, pull, link, evaluate, plan, guard rails,
the admin's yes, write, audit.

`run_sync` is the one implementation behind `territory-sync sync` and `plan`, the nightly
schedule and the admin console. In order:

1. take the run lock and record the run;
2. look at plans whose application did not finish (a crash, a stop): a fresh one is finished
   in this run, a stale one (older than `[sync] plan_max_age`, or made with another territory
   file) is retired, its in-flight changes settled by reading them back (never by writing);
3. pull the CRMs (with the fields the territory file uses): each CRM's reps and accounts, then
   its related records (contacts, opportunities or deals). Several CRMs are pulled side by side,
   each on a thread of its own, in one phase ("pull salesforce and hubspot"), so the faster one's
   pull hides behind the other's rate limit (`sync.run_pulls`); a run of one CRM pulls it on the
   run's thread ("pull salesforce", "pull salesforce contacts"...). Then reconcile deletions if
   asked, link companies across the CRMs (a quick assignment then finds its new and unowned
   records: `sync.quick_assign`) and evaluate the territory file
   (`sync.evaluate.evaluate_for_run`: the columnar engine where it applies, else the reference);
4. plan the changes (leaving out records an unfinished plan being finished already covers) and
   stream them into the saved plan a chunk at a time, adding up on the way what the guard rails
   and the notification read (the whole list is never held); check the guard rails on those
   totals, store the verdict and figures with the plan, retire older draft plans it supersedes;
5. a dry run or a saved plan stops here; so does a guard rail; otherwise the caller's `confirm`
   is asked (the command line shows the plan and asks) before anything is written;
6. finish the unfinished plans, then write this plan; record the outcome, and the scorecards'
   snapshot of the territories with goals (`sync.scorecards.snapshot_after_run`).

Once the outcome is recorded (finished, stopped by a guard rail or by the admin's no, failed),
its alerts are recorded and sent (`sync.alerts.alert_run`), within a time budget; they never
fail the run.

A stop request (Ctrl-C, SIGTERM) ends the pull between pages and write-back between batches;
the run is then `interrupted`, and the next run finishes the work. A CRM's pull that fails stops
the other's at its next page (the pages read so far are kept, as they are after any stop) and the
run fails with that first error, as it would have had the CRMs been pulled one after the other.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from connectors.base import CrmConnector
from mapping.territories.assignment import TERRITORY_RULES
from mapping.territories.facts import SOURCES
from sync.admin_actions import record_fingerprint_changes
from sync.alerts import alert_failed_run, alert_run
from sync.companies import live_owner_ids
from sync.connect import enabled_sources, writes_enabled
from sync.evaluate import evaluate_for_run, load_rules
from sync.guard_rails import GuardRailVerdict, PlanTally, check_guard_rails
from sync.holds import active_holds, end_outdated_holds
from sync.notify import RepMoves, notify, summary_message
from sync.plan import ProposedChange, StoredPlanChanges, save_plan
from sync.plan_lifetime import (
    plans_being_applied,
    records_of,
    staleness,
    supersede_older_plans,
)
from sync.planner import PlanFigures, Planner, Scope
from sync.progress import (
    RunProgress,
    SilentProgress,
    watch_connectors,
    writing_plan,
)
from sync.pull_fields import run_fields
from sync.quick_assign import quick_assign_records
from sync.reconcile import reconcile_source
from sync.related_changes import RelatedPlanner
from sync.retire import retire_unfinished
from sync.run_pulls import RunPulls, check_stop
from sync.scorecards import snapshot_after_run
from sync.session import (
    PlanPreview,
    RunSession,
    SyncRequest,
    SyncResult,
    api_calls,
    write_context,
)
from sync.store.companies import refresh_company_links
from sync.store.database import Database
from sync.store.runs import RunStatus
from sync.writeback import apply_plan
from territory_sync.errors import (
    ConfigurationError,
    ExitCode,
    RunInterruptedError,
    TerritorySyncError,
)
from territory_sync.logs import log_event, run_context
from territory_sync.settings import Settings

__all__ = ["SyncRequest", "SyncResult", "run_sync"]


def plan_figures(figures: PlanFigures) -> dict[str, Any]:
    """The plan's figures as a run records them; CRMs in their usual order (Salesforce first) and
    territories by changes, then name, territory rules in the engine's order, whatever order
    the book was planned in."""
    return {
        "companies": figures.companies,
        "evaluated": figures.evaluated,
        "book_records": figures.book_records,
        "planned": figures.planned,
        "planned_by_crm": {s: figures.by_crm[s] for s in SOURCES if s in figures.by_crm},
        "skipped": figures.skipped,
        "unchanged": figures.unchanged,
        "ties": figures.ties,
        "unassigned": figures.unassigned,
        "writes_disabled": figures.writes_disabled,
        "resuming": figures.resuming,
        "kept_for_person": figures.kept_for_person,
        "changes_by_territory": dict(
            sorted(figures.by_territory.items(), key=lambda item: (-item[1], item[0]))
        ),
        "territory_rules": {
            rule: figures.by_rule[rule] for rule in TERRITORY_RULES if rule in figures.by_rule
        },
        "tie_examples": figures.tie_examples,
    }


def _lookback(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.sync.lookback_seconds)


def _unfinished_plans(
    settings: Settings, database: Database, fingerprint: str
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    """Plans being applied, split into those to finish and those too stale to replay."""
    fresh: list[dict[str, Any]] = []
    stale: list[tuple[dict[str, Any], str]] = []
    for plan in plans_being_applied(database):
        reason = (
            plan["status_reason"] or "retired"
            if plan["status"] == "superseded"
            else staleness(plan, settings.sync, fingerprint)
        )
        if reason is None:
            fresh.append(plan)
        else:
            stale.append((plan, reason))
    return fresh, stale


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
    stop = stop or threading.Event()
    sources = enabled_sources(settings, request.sources or None)
    scope = Scope(request.territory, request.account, request.accounts, request.only_unowned_or_new)
    session = RunSession(
        settings,
        database,
        "plan" if request.plan_only else "sync",
        request,
        {"sources": sources, **scope.as_dict(), "full": request.full},
    )
    run_id = session.run_id
    writing = not (request.dry_run or request.plan_only)
    figures: dict[str, Any] = {}
    crms: Mapping[str, CrmConnector] = {}
    fingerprint: str | None = None
    try:
        with run_context(run_id):
            log_event("run.started", kind="sync", trigger=request.trigger, actor=request.actor)
            if request.on_run_opened is not None:
                request.on_run_opened(run_id)
            wanted = load_rules(settings, None, request.territory_file)
            fingerprint = wanted.fingerprint
            with database.engine.begin() as connection:
                figures["changed_since_last_run"] = record_fingerprint_changes(
                    connection,
                    run_id=run_id,
                    actor=request.actor,
                    trigger=request.trigger,
                    config_fingerprint=settings.fingerprint(),
                    territory_fingerprint=fingerprint,
                    territory_file=wanted.source_name,
                )
            crms = session.connectors(sources, connectors)
            watch_connectors(progress, crms)
            context = write_context(settings, database, run_id, request, stop, progress)

            resumable, stale = _unfinished_plans(settings, database, fingerprint)
            figures["unfinished_plans"] = {
                "finished_here": [plan["id"] for plan in resumable],
                "retired": {str(plan["id"]): reason for plan, reason in stale},
            }
            if writing:
                for plan, reason in stale:
                    retire_unfinished(context, plan, reason, crms)

            extra_fields = run_fields(wanted, crms, every_crm=not request.sources)
            pulls = RunPulls(
                database,
                crms,
                wanted.settings,
                full=request.full,
                lookback=_lookback(settings),
                run_id=run_id,
                trigger=request.trigger,
                actor=request.actor,
                extra_fields=extra_fields,
            )
            if len(sources) == 1:
                (source,) = sources
                check_stop(stop, f"before pulling {source}")
                progress.phase(f"pull {source}")
                pulled = {source: pulls.pull(source, progress=progress, stop=stop)}
            else:
                pulled = pulls.side_by_side(sources, progress=progress, stop=stop)
            figures["pulled"] = sum(p["pulled"] for p in pulled.values())
            figures["pull"] = pulled
            if request.reconcile:
                figures["reconciled"] = {}
                for source in sources:
                    check_stop(stop, f"before reconciling {source}")
                    progress.phase(f"reconcile {source}")
                    figures["reconciled"][source] = reconcile_source(
                        database,
                        crms[source],
                        run_id=run_id,
                        actor=request.actor,
                        max_share=settings.sync.blast_radius,
                        allow_mass_change=request.allow_mass_change,
                    )
            check_stop(stop, "before planning")
            progress.phase("link companies")
            with database.engine.begin() as connection:
                # Linked in SQL: the run holds no record of the book, only the counts.
                figures["links"] = refresh_company_links(connection)
            if scope.only_unowned_or_new:  # a quick assignment: new and unowned records only
                quick = quick_assign_records(database, sources, run_id=run_id)
                scope = scope.with_candidates(quick.records)
                figures["quick_assign"] = quick.as_dict()
            progress.phase("evaluate territories")
            evaluated = evaluate_for_run(settings, database, request.territory_file)
            rules, reps = evaluated.rules, evaluated.reps
            if scope.territory is not None and scope.territory not in rules.territories:
                raise ConfigurationError(
                    f"there is no territory {scope.territory!r} in {rules.source_name}",
                    allowed=", ".join(rules.territories),
                )
            scope = scope.with_subtree(rules)
            writable = {s for s in sources if writes_enabled(settings, s)}
            exclude = records_of(database, [plan["id"] for plan in resumable])
            holds = active_holds(database) if context.respect_manual_changes else {}
            if writing:
                end_outdated_holds(database, holds, live_owner_ids(database, holds))
            planner = Planner(
                reps,
                sources=sources,
                writable=writable,
                scope=scope,
                exclude=exclude,
                holds=holds,
            )
            # The plan streams into the store part by part; what the guard rails, the figures
            # and the notification need of it is added up on the way (never the whole list).
            tally, moves = PlanTally(), RepMoves()
            related = RelatedPlanner(database, rules.settings.related, reps)
            settled: list[GuardRailVerdict] = []

            def planned_changes() -> Iterator[ProposedChange]:
                for owner_ids, decided in evaluated.parts(planner):
                    yield from planner.changes(owner_ids, decided)

            def settle() -> tuple[dict[str, Any], dict[str, Any]]:
                settled.append(
                    check_guard_rails(
                        tally,
                        planner.figures.book_records,
                        blast_radius=settings.sync.blast_radius,
                        rep_change_flag=settings.sync.rep_change_flag,
                        allow_mass_change=request.allow_mass_change,
                    )
                )
                return (
                    {**plan_figures(planner.figures), "related_records": related.figures.as_dict()},
                    settled[0].as_dict(),
                )

            plan_id = save_plan(
                database,
                run_id=run_id,
                trigger=request.trigger,
                actor=request.actor,
                changes=related.following(moves.counting(tally.counting(planned_changes()))),
                scope={"sources": sources, **scope.as_dict()},
                territory_fingerprint=rules.fingerprint,
                settle=settle,
            )
            planned, verdict = planner.figures, settled[0]
            figures.update(plan_figures(planned))
            figures["related_records"] = related.figures.as_dict()
            figures["territory_warnings"] = list(rules.warnings)
            figures["territories_without_active_member"] = (
                evaluated.territories_without_active_member()
            )
            if evaluated.rebalanced is not None:
                figures["rebalance"] = evaluated.rebalanced.as_dict()
            figures["guard_rails"] = verdict.as_dict()
            figures["plan_id"] = plan_id
            figures["superseded_plans"] = supersede_older_plans(database, plan_id)
            resuming = {
                plan["id"]: count
                for plan in resumable
                if (count := len(records_of(database, [plan["id"]])))
            }
            figures["resuming_changes"] = sum(resuming.values())
            changes = StoredPlanChanges(database, plan_id)
            result_args: dict[str, Any] = {
                "run_id": run_id,
                "plan_id": plan_id,
                "verdict": verdict,
                "changes": changes,
            }

            def stop_here(status: RunStatus, exit_code: int, message: str) -> SyncResult:
                figures["api_calls"] = api_calls(crms)
                session.close(status, figures, message, rules.fingerprint)
                stopped = SyncResult(
                    status=status,
                    exit_code=exit_code,
                    figures=figures,
                    message=message,
                    **result_args,
                )
                if writing:  # a guard rail, or the admin's no; never a dry run or a plan
                    alert_run(settings, database, stopped)
                return stopped

            if not writing:
                word = "dry run" if request.dry_run else "plan saved"
                message = f"{word}: nothing written; apply with `territory-sync apply {plan_id}`"
                if not verdict.allowed:
                    message = f"{word}: nothing written. {verdict.would_stop(plan_id)}"
                return stop_here(RunStatus.SUCCEEDED, ExitCode.OK, message)
            if not verdict.allowed:
                return stop_here(
                    RunStatus.STOPPED,
                    ExitCode.GUARD_RAIL,
                    verdict.message.replace("PLAN_ID", str(plan_id)),
                )
            if request.confirm is not None and (verdict.changes or resuming):
                preview = PlanPreview(run_id, plan_id, figures, verdict, resuming)
                if not request.confirm(preview):
                    return stop_here(
                        RunStatus.STOPPED,
                        ExitCode.OK,
                        f"not confirmed: nothing written; the plan is saved as plan {plan_id} "
                        f"(`territory-sync apply {plan_id}` applies it)",
                    )
            check_stop(stop, "before writing")
            for resumed in resumable:
                progress.phase(f"finish plan {resumed['id']}", total=resuming.get(resumed["id"]))
                writing_plan(progress, resumed["id"])
                apply_plan(context, resumed["id"], crms)
            progress.phase("write owners", total=planned.planned)
            writing_plan(progress, plan_id)
            writes = apply_plan(context, plan_id, crms)
            finished = session.finish_writes(
                writes,
                figures,
                crms,
                "territory-sync sync",
                plan_id=plan_id,
                territory_fingerprint=rules.fingerprint,
                verdict=verdict,
                changes=changes,
            )
            # A quick assignment every few minutes that changed nothing takes no snapshot (a
            # whole evaluation of the book) and posts no summary.
            quiet = request.only_unowned_or_new and not sum(writes.written.values())
            if not quiet:
                snapshot_after_run(settings, database, run_id, rules)  # never raises: logged
            log_event("run.finished", status=finished.status.value)
            if not quiet:
                notify(summary_message(run_id, finished.status.value, figures, moves))
            alert_run(settings, database, finished)  # never raises; bounded by its budget
            return finished
    except RunInterruptedError as error:
        figures["api_calls"] = api_calls(crms)
        session.close(RunStatus.INTERRUPTED, figures, str(error), fingerprint)
        raise
    except TerritorySyncError as error:
        figures["api_calls"] = api_calls(crms)
        session.close(RunStatus.FAILED, figures, str(error))
        alert_failed_run(settings, database, run_id, figures, error, str(error))
        raise
    except BaseException as error:
        session.close(RunStatus.FAILED, figures, f"{type(error).__name__}: {error}")
        if isinstance(error, Exception):
            alert_failed_run(
                settings, database, run_id, figures, error, f"{type(error).__name__}: {error}"
            )
        raise
