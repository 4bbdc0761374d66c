"""Write-back: apply a plan's changes to the CRMs, batch by batch, exactly once.

Before a batch is sent its changes are committed as `in_flight`; after it returns, each change's
decision (see `sync.outcomes`) is committed with its audit row and the stored account's owner. A
crash between the two leaves `in_flight` changes; the next run resumes them, and the connector's
read of current owners tells which already landed (recorded as written without a second write).
A write whose answer was lost and could not be read back stays `in_flight` as unfinished.

Switches hold here, for new, resumed and saved plans alike: a CRM whose writes are switched off
(`enabled = false` or `write_owners = false`) gets no write; its planned changes are `held`, and
its in-flight ones are only read back (a write that landed before the switch was turned off is
recorded as written, the rest held).

Batches run with bounded concurrency. A stop request (Ctrl-C, SIGTERM) lets batches in flight
finish and starts no new one; so do a spent API budget, credentials the CRM refuses and a CRM
that cannot be reached: those stop the run (exit code 5) with the reason.
"""

from __future__ import annotations

import contextvars
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, bindparam, case, update

from connectors.base import (
    BatchStoppedError,
    CrmConnector,
    OwnerWrite,
    OwnerWriter,
    PullsRelated,
    WriteOutcome,
    WriteStatus,
)
from mapping.model.accounts import Account
from sync.audit import AuditRecord, append_audit
from sync.holds import open_holds
from sync.outcomes import ChangeDecision, decide, decide_without_writing
from sync.plan import (
    CHANGES,
    CHUNK,
    changes_in_chunks,
    get_plan,
    has_changes,
    kinds_with_changes,
    parent_states,
    set_plan_status,
)
from sync.rollback_plan import mark_rolled_back
from sync.store.changes import ACCOUNT_OBJECT, UNFINISHED_STATES, ChangeState, PlanStatus
from sync.store.database import Database
from sync.store.related import TABLES as RELATED_TABLES
from territory_sync.errors import (
    CrmError,
)
from territory_sync.logs import log_event

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
ROLLBACK_AUDIT_STATUS = {ChangeState.WRITTEN: "rolled_back", ChangeState.CONFLICT: "skipped"}
"""A rollback plan's writes are recorded as `rolled_back`, its conflicts as `skipped`: decided by
the plan's kind, so a rollback resumed by a later run keeps its wording."""


@dataclass
class WriteFigures:
    """What write-back did, per CRM."""

    written: Counter[str] = field(default_factory=Counter)
    already_there: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    unfinished: Counter[str] = field(default_factory=Counter)
    held: Counter[str] = field(default_factory=Counter)
    superseded: Counter[str] = field(default_factory=Counter)
    """Changes of retired plans, not written (a newer plan decides those records)."""
    deleted: Counter[str] = field(default_factory=Counter)
    """Records the CRM said no longer exist: flagged deleted in the store, never planned again."""
    why_unfinished: Counter[str] = field(default_factory=Counter)
    """Reason -> number of changes left unfinished for it."""
    why_held: Counter[str] = field(default_factory=Counter)
    related: dict[str, Counter[str]] = field(default_factory=dict)
    """Contacts and opportunities, apart from the accounts counted above: "salesforce contact"
    -> outcome (written, already_there, failed, conflict, unfinished, held, superseded,
    skipped) -> count."""
    stopped_reason: str | None = None
    """Why write-back stopped early (API budget, credentials, CRM unreachable)."""
    interrupted: bool = False
    """A stop was requested (Ctrl-C, SIGTERM) before every batch was sent."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(
        self, decision: ChangeDecision, source: str, object_name: str = ACCOUNT_OBJECT
    ) -> None:
        with self._lock:
            if decision.figure == "unfinished":
                self.why_unfinished[decision.error_message or "outcome unknown"] += 1
            if decision.figure == "held":
                self.why_held[decision.reason or "writes switched off"] += 1
            if object_name != ACCOUNT_OBJECT:
                kind = self.related.setdefault(f"{source} {object_name}", Counter())
                kind[decision.figure] += 1
                return
            counter = {
                "written": self.written,
                "already_there": self.already_there,
                "failed": self.failed,
                "conflict": self.conflicts,
                "unfinished": self.unfinished,
                "held": self.held,
                "superseded": self.superseded,
            }.get(decision.figure)
            if counter is not None:
                counter[source] += 1
            if decision.record_gone:
                self.deleted[source] += 1

    def leave_unfinished(
        self, source: str, amount: int, why: str, object_name: str = ACCOUNT_OBJECT
    ) -> None:
        with self._lock:
            if object_name == ACCOUNT_OBJECT:
                self.unfinished[source] += amount
            else:
                self.related.setdefault(f"{source} {object_name}", Counter())["unfinished"] += (
                    amount
                )
            self.why_unfinished[why] += amount

    def related_total(self, figure: str) -> int:
        """Contacts and opportunities with this outcome, in every CRM."""
        return sum(counter[figure] for counter in self.related.values())

    def stop(self, reason: str) -> None:
        with self._lock:
            self.stopped_reason = self.stopped_reason or reason

    def as_dict(self) -> dict[str, Any]:
        counters = {
            "written": self.written,
            "already_there": self.already_there,
            "failed": self.failed,
            "conflicts": self.conflicts,
            "unfinished": self.unfinished,
            "held": self.held,
            "superseded": self.superseded,
            "deleted": self.deleted,
        }
        sources = sorted(set().union(*counters.values()))
        return {
            **{name: sum(counter.values()) for name, counter in counters.items()},
            "by_crm": {
                source: {name: counter[source] for name, counter in counters.items()}
                for source in sources
            },
            "related": {kind: dict(counter) for kind, counter in sorted(self.related.items())},
            "why_unfinished": dict(self.why_unfinished.most_common()),
            "why_held": dict(self.why_held.most_common()),
            "stopped_reason": self.stopped_reason,
            "interrupted": self.interrupted,
        }


@dataclass
class WriteContext:
    database: Database
    run_id: int
    trigger: str
    actor: str
    respect_manual_changes: bool = True
    concurrency: int = 4
    writes_off: Mapping[str, str] = field(default_factory=dict)
    """CRM -> why its owner writes are switched off (absent: writes allowed)."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set by a signal handler or the console: no new batch starts."""
    progress: Callable[[str, int], None] | None = None
    db_lock: threading.Lock = field(default_factory=threading.Lock)
    figures: WriteFigures = field(default_factory=WriteFigures)
    _halted: threading.Event = field(default_factory=threading.Event, repr=False)
    """Set when write-back itself must stop (budget, credentials, CRM unreachable)."""

    def should_stop(self) -> bool:
        return self.stop.is_set() or self._halted.is_set()


def _mark_in_flight(context: WriteContext, change_ids: Sequence[int]) -> None:
    with context.db_lock, context.database.engine.begin() as connection:
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.id.in_(change_ids))
            .values(state=ChangeState.IN_FLIGHT.value, updated_at=datetime.now(UTC))
        )


_STORE_DECISION = (
    update(CHANGES)
    .where(CHANGES.c.id == bindparam("change_id"))
    .values(
        state=bindparam("new_state"),
        attempts=bindparam("new_attempts"),
        last_error_code=bindparam("error_code"),
        last_error_message=bindparam("error_message"),
        lost_answer_stamp=bindparam("stamp"),
        updated_at=bindparam("now"),
        written_at=bindparam("written"),
        applied_run_id=bindparam("run"),
    )
)
_RECORD = and_(
    ACCOUNTS.c.source == bindparam("record_source"),
    ACCOUNTS.c.external_id == bindparam("record_id"),
)
_STORE_OWNER = (
    update(ACCOUNTS)
    .where(_RECORD)
    .values(
        owner_id=bindparam("owner"),
        owner_since=case(
            (ACCOUNTS.c.owner_id.is_not_distinct_from(bindparam("owner")), ACCOUNTS.c.owner_since),
            else_=bindparam("owner_at", type_=ACCOUNTS.c.owner_since.type),
        ),
    )
)
_STORE_GONE = update(ACCOUNTS).where(_RECORD).values(deleted=True)


def _related_owner(table: Table) -> tuple[Any, Any]:
    """The owner update and the deletion of a stored contact or opportunity."""
    record = and_(
        table.c.source == bindparam("record_source"),
        table.c.external_id == bindparam("record_id"),
    )
    return (
        update(table).where(record).values(owner_id=bindparam("owner")),
        update(table).where(record).values(deleted=True),
    )


_STORE_RELATED = {name: _related_owner(table) for name, table in RELATED_TABLES.items()}


@dataclass
class _DecisionRows:
    """A batch's statements' parameters: each change's decision, the owners and the deletions
    to store, per kind of record."""

    states: list[dict[str, Any]] = field(default_factory=list)
    owners: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gone: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _decision_rows(
    context: WriteContext,
    batch: Sequence[Mapping[str, Any]],
    decisions: Sequence[ChangeDecision],
    now: datetime,
) -> _DecisionRows:
    """What `_store_decisions` writes for the batch (built before the database lock is taken:
    the batches wait for each other's statements only)."""
    rows = _DecisionRows()
    for change, decision in zip(batch, decisions, strict=True):
        rows.states.append(
            {
                "change_id": change["id"],
                "new_state": decision.state.value,
                "new_attempts": decision.attempts,
                "error_code": decision.error_code,
                "error_message": decision.error_message,
                "stamp": decision.lost_answer_stamp,
                "now": now,
                "written": now if decision.state == ChangeState.WRITTEN else change["written_at"],
                "run": context.run_id,
            }
        )
        record = {"record_source": change["source"], "record_id": change["external_id"]}
        kind = change["object_name"]
        if decision.record_gone:
            rows.gone.setdefault(kind, []).append(record)
        elif decision.owner_now is not None:
            owner = {**record, "owner": decision.owner_now}
            if kind == ACCOUNT_OBJECT:
                owner["owner_at"] = now
            rows.owners.setdefault(kind, []).append(owner)
    return rows


def _store_decisions(connection: Connection, rows: _DecisionRows) -> None:
    """Each change's decision and the stored record's owner (or its deletion): one statement
    per kind of row for the whole batch (executemany), in the caller's transaction."""
    if rows.states:
        connection.execute(_STORE_DECISION, rows.states)
    for kind, owners in rows.owners.items():
        connection.execute(
            _STORE_OWNER if kind == ACCOUNT_OBJECT else _STORE_RELATED[kind][0], owners
        )
    for kind, gone in rows.gone.items():
        connection.execute(_STORE_GONE if kind == ACCOUNT_OBJECT else _STORE_RELATED[kind][1], gone)


def record_decisions(
    context: WriteContext,
    batch: Sequence[Mapping[str, Any]],
    decisions: Sequence[ChangeDecision],
    *,
    audit_status: Mapping[ChangeState, str],
    hold_conflicts: bool = False,
) -> None:
    """Commit each change's decision, the stored account's owner and the audit rows, together;
    with `hold_conflicts`, a conflict also opens a hold keeping the person's owner
    (`sync.holds`). The rows are built first; only their statements are made under the
    database lock."""
    now = datetime.now(UTC)
    rows = _decision_rows(context, batch, decisions, now)
    audit = [
        AuditRecord.for_change(
            change,
            run_id=context.run_id,
            trigger=context.trigger,
            actor=context.actor,
            status=audit_status.get(decision.state, decision.audit_status),
            reason=decision.reason,
            error_code=decision.error_code,
            error_message=decision.error_message,
            attempts=decision.attempts,
            at=now,
        )
        for change, decision in zip(batch, decisions, strict=True)
        if decision.audit_status is not None
    ]
    conflicts = [
        (change, decision.owner_now)
        for change, decision in zip(batch, decisions, strict=True)
        if hold_conflicts
        and decision.state == ChangeState.CONFLICT
        and change["object_name"] == ACCOUNT_OBJECT
    ]
    with context.db_lock, context.database.engine.begin() as connection:
        _store_decisions(connection, rows)
        append_audit(connection, audit)
        open_holds(connection, context.run_id, conflicts)
    # Counted once committed (a failed commit raises first): the figures say what is stored.
    for change, decision in zip(batch, decisions, strict=True):
        context.figures.count(decision, change["source"], change["object_name"])


def _write_batch(
    context: WriteContext,
    connector: OwnerWriter,
    batch: Sequence[Mapping[str, Any]],
    audit_status: Mapping[ChangeState, str],
    hold_conflicts: bool,
    respect: bool,
) -> None:
    source = connector.source
    if context.should_stop():
        if context.stop.is_set():
            context.figures.interrupted = True
        context.figures.leave_unfinished(
            source,
            len(batch),
            context.figures.stopped_reason or "stopped before this batch",
            batch[0]["object_name"],
        )
        return
    _mark_in_flight(context, [change["id"] for change in batch])
    writes = [
        OwnerWrite(
            change["external_id"],
            change["new_owner_id"],
            change["old_owner_id"],
            lost_answer_stamp=change["lost_answer_stamp"],
        )
        for change in batch
    ]
    try:
        outcomes = connector.write_owner_batch(
            writes, respect_manual_changes=context.respect_manual_changes or respect
        )
    except BatchStoppedError as stopped:
        # Stopped part-way (budget spent, credentials refused, CRM gone): keep what was decided.
        _record_outcomes(context, batch, stopped.outcomes, audit_status, hold_conflicts)
        _halt(context, source, stopped.cause)
        return
    except CrmError as error:
        # Refused before anything was sent: nothing of this batch is in the CRM.
        _back_to_planned(context, batch, error)
        _halt(context, source, error)
        return
    _record_outcomes(context, batch, outcomes, audit_status, hold_conflicts)
    if context.progress:
        context.progress(source, len(batch))


def _record_outcomes(
    context: WriteContext,
    batch: Sequence[Mapping[str, Any]],
    outcomes: Sequence[WriteOutcome],
    audit_status: Mapping[ChangeState, str],
    hold_conflicts: bool,
) -> None:
    by_id = {outcome.external_id: outcome for outcome in outcomes}
    decisions = [
        decide(change, by_id.get(change["external_id"]) or _missing(change)) for change in batch
    ]
    record_decisions(
        context, batch, decisions, audit_status=audit_status, hold_conflicts=hold_conflicts
    )


def _halt(context: WriteContext, source: str, error: BaseException) -> None:
    """Nothing more is written in this run: the reason is the run's outcome (exit code 5)."""
    context._halted.set()
    context.figures.stop(str(error))
    log_event("writeback.stopped", source=source, reason=str(error))


def _back_to_planned(
    context: WriteContext, batch: Sequence[Mapping[str, Any]], error: CrmError
) -> None:
    """A batch the CRM refused before anything was sent goes back to `planned` (or stays in
    flight where an earlier run's attempt is still undecided), for the next run."""
    message = f"not sent: {error}; the next run tries again"
    context.figures.leave_unfinished(
        batch[0]["source"], len(batch), message, batch[0]["object_name"]
    )
    with context.db_lock, context.database.engine.begin() as connection:
        for state in (ChangeState.PLANNED, ChangeState.IN_FLIGHT):
            ids = [c["id"] for c in batch if c["state"] == state.value]
            if ids:
                connection.execute(
                    update(CHANGES)
                    .where(CHANGES.c.id.in_(ids))
                    .values(
                        state=state.value,
                        last_error_code=error.code or "NOT_SENT",
                        last_error_message=message,
                        applied_run_id=context.run_id,
                    )
                )


def _missing(change: Mapping[str, Any]) -> WriteOutcome:
    return WriteOutcome(
        change["external_id"],
        WriteStatus.UNFINISHED,
        0,
        error_code="NO_OUTCOME",
        error_message="the connector reported no outcome for this record; re-checked next run",
    )


def _leave_in_flight(
    context: WriteContext, batch: Sequence[Mapping[str, Any]], error: CrmError
) -> None:
    """A batch whose call failed as a whole: it may have landed, so it stays in flight."""
    message = f"the outcome is unknown ({error}); the next run re-checks it"
    context.figures.leave_unfinished(
        batch[0]["source"], len(batch), message, batch[0]["object_name"]
    )
    with context.db_lock, context.database.engine.begin() as connection:
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.id.in_([change["id"] for change in batch]))
            .values(
                last_error_code=error.code or "CRM_ERROR",
                last_error_message=message,
                applied_run_id=context.run_id,
            )
        )


def settle_without_writing(
    context: WriteContext,
    connector: OwnerWriter | None,
    changes: Sequence[Mapping[str, Any]],
    *,
    not_landed: ChangeState,
    reason: str,
    audit_status: Mapping[ChangeState, str],
) -> None:
    """Decide changes that must not be written (writes switched off, plan retired): planned ones
    get `not_landed`; in-flight ones are read back first, since an earlier attempt may have
    landed. Without a connector (the CRM is disabled) in-flight changes stay in flight."""
    in_flight = [c for c in changes if c["state"] == ChangeState.IN_FLIGHT.value]
    planned = [c for c in changes if c["state"] != ChangeState.IN_FLIGHT.value]
    decided: list[tuple[Mapping[str, Any], ChangeDecision]] = [
        (change, decide_without_writing(change, None, not_landed, reason)) for change in planned
    ]
    if in_flight and connector is None:
        context.figures.leave_unfinished(
            in_flight[0]["source"],
            len(in_flight),
            f"{reason}; an earlier attempt may have landed: re-checked once the CRM is enabled",
            in_flight[0]["object_name"],
        )
    elif in_flight and connector is not None:
        try:
            current = connector.read_owners([c["external_id"] for c in in_flight])
        except CrmError as error:
            _leave_in_flight(context, in_flight, error)
        else:
            decided.extend(
                (change, decide_without_writing(change, current, not_landed, reason))
                for change in in_flight
            )
    if decided:
        record_decisions(
            context,
            [change for change, _ in decided],
            [decision for _, decision in decided],
            audit_status=audit_status,
        )


def _record_skipped(
    context: WriteContext, plan_id: int, audit_status: Mapping[ChangeState, str]
) -> None:
    """The plan's decisions not to write (a rep with no id in that CRM, say) become audit rows
    when the plan is applied, once: a dry run leaves no per-account rows."""
    for skipped in changes_in_chunks(
        context.database, plan_id, [ChangeState.SKIPPED], unapplied=True
    ):
        record_decisions(
            context,
            skipped,
            [
                ChangeDecision(
                    ChangeState.SKIPPED, "skipped", "skipped", c["reason"], int(c["attempts"] or 0)
                )
                for c in skipped
            ],
            audit_status=audit_status,
        )


def _audit_wording(plan: Mapping[str, Any]) -> Mapping[ChangeState, str]:
    return ROLLBACK_AUDIT_STATUS if plan["kind"] == "rollback" else {}


def writer_for(connector: CrmConnector | None, object_name: str) -> OwnerWriter | None:
    """Who writes `object_name` records in the connector's CRM: the connector itself for
    accounts, its related writer for contacts and opportunities (None: it writes none)."""
    if connector is None or object_name == ACCOUNT_OBJECT:
        return connector
    if isinstance(connector, PullsRelated):
        return connector.related_writer(object_name)
    return None


def _waiting_for_accounts(
    context: WriteContext,
    plan_id: int,
    changes: list[dict[str, Any]],
    audit_status: Mapping[ChangeState, str],
) -> list[dict[str, Any]]:
    """Of these contacts or opportunities, those whose account's change is written, to be
    written now. Those whose account's change is still unfinished wait for the run that
    finishes it (left planned); those whose account was not moved (a person kept it, the
    write failed, was held or superseded) are skipped: they stay with their owner."""
    source = changes[0]["source"]
    states = parent_states(
        context.database, plan_id, source, [c["parent_external_id"] for c in changes]
    )
    ready, waiting, left = [], [], []
    for change in changes:
        state = states.get(change["parent_external_id"])
        if state == ChangeState.WRITTEN.value:
            ready.append(change)
        elif state in (ChangeState.PLANNED.value, ChangeState.IN_FLIGHT.value):
            waiting.append(change)
        else:
            left.append((change, state))
    if waiting:
        context.figures.leave_unfinished(
            source,
            len(waiting),
            "waiting for their account's change, still unfinished",
            waiting[0]["object_name"],
        )
    if left:
        record_decisions(
            context,
            [change for change, _ in left],
            [
                ChangeDecision(
                    ChangeState.SKIPPED,
                    "skipped",
                    "skipped",
                    f"not moved: its account {change['parent_external_id']} was not moved "
                    f"({state or 'no change'}), so it stays with its owner",
                    int(change["attempts"] or 0),
                )
                for change, state in left
            ],
            audit_status=audit_status,
        )
    return ready


def _pending_batches(
    context: WriteContext,
    plan_id: int,
    connectors: Mapping[str, CrmConnector],
    audit_status: Mapping[ChangeState, str],
    *,
    related: bool,
    follow_accounts: bool,
) -> Iterator[tuple[OwnerWriter, list[dict[str, Any]]]]:
    """The plan's unfinished changes of accounts (or, with `related`, of contacts and
    opportunities) as write batches, CRM by CRM, read a chunk at a time as the batches are
    taken; changes of a CRM whose writes are off are settled here without writing. With
    `follow_accounts`, a related record is written only once its account's change is
    (`_waiting_for_accounts`)."""
    for source, object_name in kinds_with_changes(context.database, plan_id, UNFINISHED_STATES):
        if (object_name != ACCOUNT_OBJECT) != related:
            continue
        connector = connectors.get(source)
        writer = writer_for(connector, object_name)
        off = context.writes_off.get(source)
        if off is None and writer is None:
            continue
        size = writer.write_batch_size if writer is not None else 1
        # Whole batches to a chunk: chunking never adds a write call.
        chunk = max(1, CHUNK // size) * size
        for changes in changes_in_chunks(
            context.database,
            plan_id,
            UNFINISHED_STATES,
            source=source,
            object_name=object_name,
            chunk=chunk,
        ):
            if off is not None:
                settle_without_writing(
                    context,
                    writer,
                    changes,
                    not_landed=ChangeState.HELD,
                    reason=f"not written: {off}",
                    audit_status=audit_status,
                )
                continue
            assert writer is not None
            if related and follow_accounts:
                changes = _waiting_for_accounts(context, plan_id, changes, audit_status)
            for start in range(0, len(changes), size):
                yield writer, changes[start : start + size]


def apply_plan(
    context: WriteContext, plan_id: int, connectors: Mapping[str, CrmConnector]
) -> WriteFigures:
    """Write every unfinished change of the plan for the CRMs in `connectors` (changes of other
    CRMs wait for a run that includes them), holding those whose CRM's writes are off.

    Accounts first, then (once every account batch is done) the contacts and opportunities that
    follow them. Changes are read a chunk at a time while earlier batches are being written,
    and at most twice `concurrency` batches wait at once, so memory does not grow with the
    plan."""
    plan = get_plan(context.database, plan_id)
    assert plan is not None, f"plan {plan_id} does not exist"
    audit_status = _audit_wording(plan)
    hold_conflicts = plan["kind"] == "assign" and context.respect_manual_changes
    # A rollback never overwrites a later change, whatever `conflict_policy` says.
    respect = plan["kind"] == "rollback"
    set_plan_status(context.database, plan_id, PlanStatus.APPLYING)
    _record_skipped(context, plan_id, audit_status)
    workers = max(1, context.concurrency)
    for related in (False, True):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            waiting: deque[Future[None]] = deque()
            try:
                batches = _pending_batches(
                    context,
                    plan_id,
                    connectors,
                    audit_status,
                    related=related,
                    # A rollback restores a contact only together with its account: if a person
                    # has changed the account since, its contacts stay as they are too.
                    follow_accounts=plan["kind"] in ("assign", "rollback"),
                )
                for writer, batch in batches:
                    waiting.append(
                        pool.submit(
                            # Each batch runs in a copy of this context: its log lines carry
                            # the run id.
                            contextvars.copy_context().run,
                            _write_batch,
                            context,
                            writer,
                            batch,
                            audit_status,
                            hold_conflicts,
                            respect,
                        )
                    )
                    while len(waiting) > 2 * workers:
                        waiting.popleft().result()
            finally:
                # Every batch handed to the pool finishes (its outcomes committed) before this
                # returns or raises.
                wait(waiting)
            for future in waiting:
                future.result()
    if plan["kind"] == "rollback":
        mark_rolled_back(context.database, plan)
    finish_plan_status(context.database, plan_id)
    return context.figures


def finish_plan_status(database: Database, plan_id: int) -> PlanStatus:
    """Applying while changes remain unfinished (resumed by the next run); partial when some
    failed or are held; applied when every change is settled."""
    if has_changes(database, plan_id, UNFINISHED_STATES):
        status = PlanStatus.APPLYING
    elif has_changes(database, plan_id, [ChangeState.FAILED, ChangeState.HELD]):
        status = PlanStatus.PARTIAL
    else:
        status = PlanStatus.APPLIED
    set_plan_status(database, plan_id, status)
    return status
