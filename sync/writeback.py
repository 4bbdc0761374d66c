"""Write-back: apply a saved plan to the CRMs, batch by batch, exactly once.

Before a batch is sent its changes are committed as `in_flight`; after it returns, each change's
outcome (written, failed, conflict) is committed with its audit row and the stored account's new
owner. A crash between the two leaves `in_flight` changes; the next run resumes them, and the
connector's pre-write read of current owners tells which already landed (they are recorded as
written without a second write). Batches run with bounded concurrency; a stop request (SIGTERM)
lets batches in flight finish and starts no new one.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, update

from connectors.base import CrmConnector, OwnerWrite, WriteOutcome, WriteStatus
from mapping.model.accounts import Account
from sync.audit import AuditRecord, append_audit
from sync.plan import CHANGES, plan_changes, set_plan_status
from sync.store.changes import UNFINISHED_STATES, ChangeState, PlanStatus
from sync.store.database import Database
from territory_sync.errors import ApiBudgetExhaustedError, CrmError
from territory_sync.logs import log_event

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]

_STATE_OF = {
    WriteStatus.WRITTEN: ChangeState.WRITTEN,
    WriteStatus.FAILED: ChangeState.FAILED,
    WriteStatus.CONFLICT: ChangeState.CONFLICT,
}


@dataclass
class WriteFigures:
    written: Counter[str] = field(default_factory=Counter)
    already_there: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    unfinished: Counter[str] = field(default_factory=Counter)
    stopped_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": sum(self.written.values()),
            "already_there": sum(self.already_there.values()),
            "failed": sum(self.failed.values()),
            "conflicts": sum(self.conflicts.values()),
            "unfinished": sum(self.unfinished.values()),
            "by_crm": {
                source: {
                    "written": self.written[source],
                    "failed": self.failed[source],
                    "conflicts": self.conflicts[source],
                    "unfinished": self.unfinished[source],
                }
                for source in sorted(
                    set(self.written)
                    | set(self.failed)
                    | set(self.conflicts)
                    | set(self.unfinished)
                )
            },
            "stopped_reason": self.stopped_reason,
        }


@dataclass
class WriteContext:
    database: Database
    run_id: int
    trigger: str
    actor: str
    respect_manual_changes: bool = True
    concurrency: int = 4
    stop: threading.Event = field(default_factory=threading.Event)
    progress: Callable[[str, int], None] | None = None
    db_lock: threading.Lock = field(default_factory=threading.Lock)
    figures: WriteFigures = field(default_factory=WriteFigures)
    audit_status: dict[ChangeState, str] = field(default_factory=dict)
    """Audit wording per outcome where it differs from the state (a rollback's writes are
    recorded as `rolled_back`, its conflicts as `skipped`)."""


def _mark_in_flight(context: WriteContext, change_ids: Sequence[int]) -> None:
    with context.db_lock, context.database.engine.begin() as connection:
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.id.in_(change_ids))
            .values(
                state=ChangeState.IN_FLIGHT.value,
                attempts=CHANGES.c.attempts + 1,
                updated_at=datetime.now(UTC),
            )
        )


def _record_outcomes(
    context: WriteContext, batch: Sequence[dict[str, Any]], outcomes: Sequence[WriteOutcome]
) -> None:
    now = datetime.now(UTC)
    by_id = {outcome.external_id: outcome for outcome in outcomes}
    audit: list[AuditRecord] = []
    with context.db_lock, context.database.engine.begin() as connection:
        for change in batch:
            outcome = by_id.get(change["external_id"])
            if outcome is None:
                continue  # stays in flight; the next run re-checks it against the CRM
            state = _STATE_OF[outcome.status]
            connection.execute(
                update(CHANGES)
                .where(CHANGES.c.id == change["id"])
                .values(
                    state=state.value,
                    last_error_code=outcome.error_code,
                    last_error_message=outcome.error_message,
                    updated_at=now,
                    written_at=now if state == ChangeState.WRITTEN else None,
                    applied_run_id=context.run_id,
                )
            )
            owner_now = change["new_owner_id"] if state == ChangeState.WRITTEN else None
            owner_now = owner_now or outcome.current_owner_id
            if owner_now is not None:
                connection.execute(
                    update(ACCOUNTS)
                    .where(
                        and_(
                            ACCOUNTS.c.source == change["source"],
                            ACCOUNTS.c.external_id == change["external_id"],
                        )
                    )
                    .values(owner_id=owner_now)
                )
            reason = change["reason"]
            if outcome.already_there:
                reason = f"{reason}; the CRM already held this owner (an earlier attempt landed)"
            elif state == ChangeState.CONFLICT:
                reason = (
                    f"left alone: the owner was changed in the CRM to {outcome.current_owner_id} "
                    "after the plan was made"
                )
            audit.append(
                AuditRecord(
                    run_id=context.run_id,
                    trigger=context.trigger,
                    actor=context.actor,
                    status=context.audit_status.get(state, state.value),
                    source=change["source"],
                    external_id=change["external_id"],
                    account_name=change["account_name"],
                    old_owner_id=change["old_owner_id"],
                    old_owner_email=change["old_owner_email"],
                    new_owner_id=change["new_owner_id"],
                    new_owner_email=change["new_owner_email"],
                    territory=change["territory"],
                    rule=change["rule"],
                    reason=reason,
                    error_code=outcome.error_code,
                    error_message=outcome.error_message,
                    attempts=int(change["attempts"]) + outcome.attempts,
                    change_id=change["id"],
                    at=now,
                )
            )
            counter = {
                ChangeState.WRITTEN: context.figures.written,
                ChangeState.FAILED: context.figures.failed,
                ChangeState.CONFLICT: context.figures.conflicts,
            }[state]
            counter[change["source"]] += 1
            if outcome.already_there:
                context.figures.already_there[change["source"]] += 1
        append_audit(connection, audit)


def _write_batch(
    context: WriteContext, connector: CrmConnector, batch: Sequence[dict[str, Any]]
) -> None:
    if context.stop.is_set():
        context.figures.unfinished[connector.source] += len(batch)
        return
    _mark_in_flight(context, [change["id"] for change in batch])
    writes = [
        OwnerWrite(change["external_id"], change["new_owner_id"], change["old_owner_id"])
        for change in batch
    ]
    try:
        outcomes = connector.write_owner_batch(
            writes, respect_manual_changes=context.respect_manual_changes
        )
    except ApiBudgetExhaustedError as error:
        context.stop.set()
        context.figures.stopped_reason = str(error)
        context.figures.unfinished[connector.source] += len(batch)
        log_event("writeback.stopped", source=connector.source, reason=str(error))
        return
    except CrmError as error:
        # The batch's fate is unknown (it may have landed): it stays in flight for the next run.
        context.figures.unfinished[connector.source] += len(batch)
        with context.db_lock, context.database.engine.begin() as connection:
            connection.execute(
                update(CHANGES)
                .where(CHANGES.c.id.in_([change["id"] for change in batch]))
                .values(last_error_code=error.code or "CRM_ERROR", last_error_message=str(error))
            )
        log_event("writeback.batch_failed", source=connector.source, error=str(error))
        return
    _record_outcomes(context, batch, outcomes)
    if context.progress:
        context.progress(connector.source, len(batch))


def apply_plan(
    context: WriteContext, plan_id: int, connectors: Mapping[str, CrmConnector]
) -> WriteFigures:
    """Write every unfinished change of the plan through the connectors of its CRMs."""
    set_plan_status(context.database, plan_id, PlanStatus.APPLYING)
    pending = plan_changes(context.database, plan_id, UNFINISHED_STATES)
    batches: list[tuple[CrmConnector, list[dict[str, Any]]]] = []
    for source in sorted({change["source"] for change in pending}):
        connector = connectors.get(source)
        changes = [c for c in pending if c["source"] == source]
        if connector is None:
            context.figures.unfinished[source] += len(changes)
            continue
        size = connector.write_batch_size
        batches.extend(
            (connector, changes[start : start + size]) for start in range(0, len(changes), size)
        )
    with ThreadPoolExecutor(max_workers=max(1, context.concurrency)) as pool:
        for future in [pool.submit(_write_batch, context, c, b) for c, b in batches]:
            future.result()
    remaining = plan_changes(context.database, plan_id, UNFINISHED_STATES)
    failed = plan_changes(context.database, plan_id, [ChangeState.FAILED])
    if remaining:
        status = PlanStatus.APPLYING  # resumed by the next run
    elif failed:
        status = PlanStatus.PARTIAL
    else:
        status = PlanStatus.APPLIED
    set_plan_status(context.database, plan_id, status)
    return context.figures
