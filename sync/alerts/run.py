"""The alerts of a run: build them from its outcome, record them once, deliver what is pending.

`alert_run` is the one call a run makes once its outcome is recorded (finished, stopped or
failed). It builds the alerts of the events `[alerts] events` lists for the destinations
`[alerts]` names, records them (`outbox.record`: once per dedup key), then sends every pending
alert, this run's and those an earlier outage left, within `send_budget_seconds`. With no
destination configured it does nothing at all (not even read the store). It never raises:
anything that goes wrong is logged (`alerts.failed`) and the run's outcome stands.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sync.alerts.channels import Channels, audience_of
from sync.alerts.delivery import DeliveryPolicy, DeliveryReport, deliver_pending
from sync.alerts.messages import (
    BELOW_GOAL_PACE,
    BOOK_CHANGED,
    NEW_OPPORTUNITY,
    NO_ELIGIBLE_MEMBER,
    Audience,
    OutgoingAlert,
    addressed,
    below_goal_pace,
    book_changed,
    no_eligible_member,
    opportunity_digest,
    run_problems,
)
from sync.alerts.outbox import record
from sync.alerts.run_facts import new_opportunities, written_moves
from sync.session import SyncResult
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode
from territory_sync.logs import log_event, scrub
from territory_sync.settings import AlertsSettings, Settings


def plans_written_by(result: SyncResult) -> list[int]:
    """The plans whose changes the run may have written: its own and those it finished."""
    plan_id = result.plan_id if result.plan_id is not None else result.figures.get("plan_id")
    finished = (result.figures.get("unfinished_plans") or {}).get("finished_here") or []
    return [int(p) for p in (plan_id, *finished) if p is not None]


def run_alerts(
    settings: AlertsSettings, database: Database, result: SyncResult, audience: Audience
) -> list[OutgoingAlert]:
    """Every alert the run's outcome calls for, addressed."""
    events = set(settings.events)
    figures: Mapping[str, Any] = result.figures
    run_id, status = result.run_id, str(result.status)
    alerts: list[OutgoingAlert] = []
    if BOOK_CHANGED in events:
        plans = plans_written_by(result)
        moves = written_moves(database, run_id, plans, names_per_rep=settings.accounts_listed)
        alerts += book_changed(run_id, status, figures, moves, audience)
    if NEW_OPPORTUNITY in events:
        for email, opportunities in sorted(new_opportunities(database, run_id).items()):
            digest = opportunity_digest(run_id, email, opportunities, settings.accounts_listed)
            alerts += addressed(digest, audience.of_rep(email))
    if NO_ELIGIBLE_MEMBER in events:
        without: Mapping[str, Sequence[str]] = (
            figures.get("territories_without_active_member") or {}
        )
        warnings: Sequence[str] = figures.get("territory_warnings") or []
        unowned = no_eligible_member(run_id, without, warnings)
        if unowned is not None:
            alerts += addressed(unowned, audience.admins)
    for problem in run_problems(
        run_id,
        status,
        result.exit_code,
        result.message,
        figures,
        conflicts_threshold=settings.conflicts_threshold,
    ):
        if problem.event in events:
            alerts += addressed(problem, audience.admins)
    return alerts


def deliver(settings: AlertsSettings, database: Database) -> DeliveryReport:
    """Send the pending alerts (`territory-sync alerts send`, and every run)."""
    return deliver_pending(database, Channels(settings), DeliveryPolicy.of(settings))


def alert_run(settings: Settings, database: Database, result: SyncResult) -> None:
    """Record and send the run's alerts; never raises (a failure is logged, the run stands)."""
    try:
        audience = audience_of(settings.alerts)
        if not audience.anyone:
            return  # no destination configured: nothing to build, nothing could be sent
        channels = Channels(settings.alerts)
        recorded = record(database, run_alerts(settings.alerts, database, result, audience))
        report = deliver_pending(database, channels, DeliveryPolicy.of(settings.alerts))
        log_event(
            "alerts.finished",
            run_id=result.run_id,
            recorded=recorded,
            sent=report.sent,
            pending=report.pending,
            failed=report.failed,
            not_tried=report.not_tried,
        )
    except Exception as error:
        log_event(
            "alerts.failed",
            level=logging.ERROR,
            run_id=result.run_id,
            error=type(error).__name__,
            message=scrub(str(error)),
        )


def record_below_goal_pace(
    settings: Settings,
    database: Database,
    territories: Sequence[tuple[str, float, float]],
    *,
    period: str,
    run_id: int | None = None,
    on: date | None = None,
) -> int:
    """Record, for the admins, the territories below `[alerts] goal_pace_percent` of their goal
    pace: each `(territory, attainment, pace)` as `messages.below_goal_pace` reads them (for the
    scorecards to call). Sent by the next delivery pass (the run's `alert_run`, or `alerts
    send`); once per period and day (`on`, today unless told), however many runs find it.
    Returns how many alerts were recorded; never raises."""
    try:
        audience = audience_of(settings.alerts)
        if BELOW_GOAL_PACE not in settings.alerts.events or not audience.admins:
            return 0
        notice = below_goal_pace(
            territories,
            percent=settings.alerts.goal_pace_percent,
            period=period,
            run_id=run_id,
            on=(on or datetime.now(UTC).date()).isoformat(),
        )
        if notice is None:
            return 0
        Channels(settings.alerts)  # its webhook variables are secrets before anything is stored
        return record(database, addressed(notice, audience.admins))
    except Exception as error:
        log_event(
            "alerts.failed",
            level=logging.ERROR,
            run_id=run_id,
            error=type(error).__name__,
            message=scrub(str(error)),
        )
        return 0


def alert_failed_run(
    settings: Settings,
    database: Database,
    run_id: int,
    figures: dict[str, Any],
    error: Exception,
    message: str,
) -> None:
    """`alert_run` for a run that ended on `error` (recorded as failed with `message`)."""
    exit_code = getattr(error, "exit_code", ExitCode.CHANGES_FAILED)
    result = SyncResult(run_id, RunStatus.FAILED, exit_code, figures, message=message)
    alert_run(settings, database, result)
