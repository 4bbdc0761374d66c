"""Plans: save the owner changes a run intends, each with an idempotency key, and read them back.

A plan is saved before anything is written: a dry run stops there, a reviewed plan waits for
`territory-sync apply`, a plan stopped by a guard rail stays as evidence. Its change rows are built
and inserted `CHUNK` at a time, and read back the same way (`changes_in_chunks`), so saving or
applying a plan holds a chunk's rows in memory, never the whole plan's. Saving a plan adds one
audit row for the whole plan (status `planned`, with its counts), never one per account: an
account's history holds decisions (written, failed, conflict, skipped, held...), made when the plan
is applied; its planned changes are in the plan itself (`territory-sync plan`, `runs show`).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, select, update

from sync.audit import AuditRecord, append_audit
from sync.store.changes import (
    ACCOUNT_OBJECT,
    CHANGE_FIELDS,
    ChangeState,
    OwnerChange,
    Plan,
    PlanStatus,
)
from sync.store.database import Database

PLANS: Table = Plan.__table__  # type: ignore[attr-defined]
CHANGES: Table = OwnerChange.__table__  # type: ignore[attr-defined]
CHUNK = 5_000
ALREADY_THERE_CODE = "ALREADY_THERE"
"""The error code of a change skipped because the record already held its new owner."""
"""Change rows built, inserted or read back at a time."""


@dataclass(frozen=True, slots=True)
class ProposedChange:
    """One owner change, or a decision not to change (state `skipped`, with the reason)."""

    source: str
    external_id: str
    account_name: str | None
    old_owner_id: str | None
    old_owner_email: str | None
    new_owner_id: str | None
    new_owner_email: str | None
    territory: str | None
    rule: str | None
    reason: str | None
    state: ChangeState = ChangeState.PLANNED
    object_name: str = ACCOUNT_OBJECT
    """`account`, or `contact` / `opportunity` for a record that follows its account."""
    parent_external_id: str | None = None
    """For a contact or opportunity: the account (same CRM) whose move it follows."""

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ProposedChange:
        """The change a stored change row holds (planned: its stored state is the row's)."""
        return cls(**{name: row[name] for name in CHANGE_FIELDS}, reason=row["reason"])

    def undoing(self, *, reason: str, state: ChangeState) -> ProposedChange:
        """The change that gives the record back to the owner this one replaced."""
        return replace(
            self,
            old_owner_id=self.new_owner_id,
            old_owner_email=self.new_owner_email,
            new_owner_id=self.old_owner_id,
            new_owner_email=self.old_owner_email,
            rule="rollback",
            reason=reason,
            state=state,
        )


def idempotency_key(plan_id: int, change: ProposedChange) -> str:
    # A related record's kind is part of its key (HubSpot ids are unique per object type only);
    # an account's key is what it always was.
    record = (
        change.external_id
        if change.object_name == ACCOUNT_OBJECT
        else f"{change.object_name}:{change.external_id}"
    )
    text = "|".join(
        [
            str(plan_id),
            change.source,
            record,
            change.old_owner_id or "",
            change.new_owner_id or "",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def save_plan(
    database: Database,
    *,
    run_id: int,
    trigger: str,
    actor: str,
    changes: Iterable[ProposedChange],
    kind: str = "assign",
    scope: dict[str, Any] | None = None,
    figures: dict[str, Any] | None = None,
    guard_rails: dict[str, Any] | None = None,
    territory_fingerprint: str | None = None,
    settle: Callable[[], tuple[dict[str, Any], dict[str, Any]]] | None = None,
) -> int:
    """Store the plan, its changes and their audit row in one transaction; returns its id.
    `changes` is read once, `CHUNK` at a time (a generator is never held whole), to the end
    before the transaction opens (`_spooled`), so the store's write lock is held for the inserts
    alone, not for the planning that produces the changes. A plan whose figures and guard rails
    are known only once its changes have streamed by gives `settle`: called after the last
    change, its (figures, guard rails) replace the plan row's, in the same transaction."""
    chunks = _spooled(changes)
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        result = connection.execute(
            PLANS.insert().values(
                run_id=run_id,
                kind=kind,
                status=PlanStatus.DRAFT.value,
                created_at=now,
                scope=scope or {},
                figures=figures or {},
                guard_rails=guard_rails or {},
                territory_fingerprint=territory_fingerprint,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        plan_id = int(key[0])
        states: Counter[ChangeState] = Counter()
        crms: Counter[str] = Counter()
        for chunk in chunks:
            connection.execute(
                CHANGES.insert(),
                [
                    {
                        "plan_id": plan_id,
                        **{name: getattr(change, name) for name in CHANGE_FIELDS},
                        "reason": change.reason,
                        "idempotency_key": idempotency_key(plan_id, change),
                        "state": change.state.value,
                        "attempts": 0,
                        "updated_at": now,
                    }
                    for change in chunk
                ],
            )
            states.update(change.state for change in chunk)
            crms.update(c.source for c in chunk if c.state == ChangeState.PLANNED)
        if settle is not None:
            settled_figures, settled_guard_rails = settle()
            connection.execute(
                update(PLANS)
                .where(PLANS.c.id == plan_id)
                .values(figures=settled_figures, guard_rails=settled_guard_rails)
            )
        by_crm = ", ".join(f"{count:,} in {source}" for source, count in sorted(crms.items()))
        append_audit(
            connection,
            [
                AuditRecord(
                    run_id=run_id,
                    trigger=trigger,
                    actor=actor,
                    status="planned",
                    rule=f"plan/{kind}",
                    reason=(
                        f"plan {plan_id} saved: {states[ChangeState.PLANNED]:,} owner change(s)"
                        + (f" ({by_crm})" if by_crm else "")
                        + f", {states[ChangeState.SKIPPED]:,} skipped; scope "
                        + json.dumps(scope or {}, sort_keys=True)
                    ),
                    at=now,
                )
            ],
        )
    return plan_id


def _spooled(changes: Iterable[ProposedChange]) -> Iterator[list[ProposedChange]]:
    """Read `changes` to the end now, `CHUNK` at a time, into an unnamed temporary file, and give
    them back chunk by chunk: memory holds one chunk, and whatever produces the changes (reading
    the book back, planning) has finished before the caller opens its write transaction. The
    file is this process's own and is deleted when read or dropped."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the reader, or on failure here)
    count = 0
    remaining = iter(changes)
    try:
        while chunk := list(islice(remaining, CHUNK)):
            pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
            count += 1
        spool.seek(0)
    except BaseException:
        spool.close()
        raise

    def read_back() -> Iterator[list[ProposedChange]]:
        with spool:
            for _ in range(count):
                chunk: list[ProposedChange] = pickle.load(spool)  # this process's own file
                yield chunk

    return read_back()


def set_plan_status(database: Database, plan_id: int, status: PlanStatus) -> None:
    with database.engine.begin() as connection:
        connection.execute(update(PLANS).where(PLANS.c.id == plan_id).values(status=status.value))


def get_plan(database: Database, plan_id: int) -> dict[str, Any] | None:
    with database.engine.connect() as connection:
        row = connection.execute(select(PLANS).where(PLANS.c.id == plan_id)).mappings().first()
        return dict(row) if row else None


def plan_changes(
    database: Database,
    plan_id: int,
    states: Sequence[ChangeState] | None = None,
    *,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The plan's change rows (in `states`, if given), in id order; the first `limit` only, if
    given (a plan's rows are read whole only where a plan is known to be small, or with
    `changes_in_chunks`)."""
    query = select(CHANGES).where(CHANGES.c.plan_id == plan_id).order_by(CHANGES.c.id)
    if states:
        query = query.where(CHANGES.c.state.in_([s.value for s in states]))
    if limit is not None:
        query = query.limit(limit)
    with database.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def count_changes(
    database: Database, plan_id: int, states: Sequence[ChangeState] | None = None
) -> int:
    """How many change rows the plan has (in `states`, if given), counted by the database."""
    query = select(func.count()).select_from(CHANGES).where(CHANGES.c.plan_id == plan_id)
    if states:
        query = query.where(CHANGES.c.state.in_([s.value for s in states]))
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


class StoredPlanChanges:
    """A saved plan's changes, read from the store `CHUNK` rows at a time each time it is
    iterated: what a run's result hands on instead of holding the whole plan. Each comes with
    the state it has when read (planned, or skipped for a change not to be written, including
    one found already there by write-back); written ones read as planned."""

    def __init__(self, database: Database, plan_id: int) -> None:
        self.database, self.plan_id = database, plan_id

    def __iter__(self) -> Iterator[ProposedChange]:
        every = list(ChangeState)
        for chunk in changes_in_chunks(self.database, self.plan_id, every):
            for row in chunk:
                change = ProposedChange.from_row(row)
                if row["state"] == ChangeState.SKIPPED.value:
                    change = replace(change, state=ChangeState.SKIPPED)
                yield change

    def __len__(self) -> int:
        return count_changes(self.database, self.plan_id)

    def __repr__(self) -> str:
        return f"StoredPlanChanges(plan {self.plan_id})"


def changes_in_chunks(
    database: Database,
    plan_id: int,
    states: Sequence[ChangeState],
    *,
    source: str | None = None,
    object_name: str | None = None,
    chunk: int = CHUNK,
    unapplied: bool = False,
) -> Iterator[list[dict[str, Any]]]:
    """The plan's changes in `states` (of one CRM and one kind of record if given; with
    `unapplied`, only those no run has decided yet), in id order, `chunk` rows at a time. Each
    chunk is read when the previous one has been handed on, after the last id seen: a change
    decided meanwhile is not read again, and one left unfinished waits for the next
    application."""
    query = select(CHANGES).where(
        CHANGES.c.plan_id == plan_id, CHANGES.c.state.in_([s.value for s in states])
    )
    if source is not None:
        query = query.where(CHANGES.c.source == source)
    if object_name is not None:
        query = query.where(CHANGES.c.object_name == object_name)
    if unapplied:
        query = query.where(CHANGES.c.applied_run_id.is_(None))
    last = 0
    while True:
        with database.engine.connect() as connection:
            rows = [
                dict(row)
                for row in connection.execute(
                    query.where(CHANGES.c.id > last).order_by(CHANGES.c.id).limit(chunk)
                ).mappings()
            ]
        if not rows:
            return
        last = rows[-1]["id"]
        yield rows
        if len(rows) < chunk:
            return


def sources_with_changes(
    database: Database, plan_id: int, states: Sequence[ChangeState]
) -> list[str]:
    """The CRMs the plan has changes in `states` for, sorted."""
    return sorted({source for source, _ in kinds_with_changes(database, plan_id, states)})


def kinds_with_changes(
    database: Database, plan_id: int, states: Sequence[ChangeState]
) -> list[tuple[str, str]]:
    """(CRM, kind of record) pairs the plan has changes in `states` for: accounts first, then
    contacts and opportunities, each by CRM."""
    with database.engine.connect() as connection:
        pairs = connection.execute(
            select(CHANGES.c.source, CHANGES.c.object_name)
            .distinct()
            .where(
                CHANGES.c.plan_id == plan_id,
                CHANGES.c.state.in_([s.value for s in states]),
            )
        ).all()
    return sorted(
        ((str(source), str(kind)) for source, kind in pairs),
        key=lambda pair: (pair[1] != ACCOUNT_OBJECT, pair[1], pair[0]),
    )


def parent_states(
    database: Database, plan_id: int, source: str, account_ids: Sequence[str]
) -> dict[str, str]:
    """The state of the plan's change of each of these accounts (absent: the plan has none);
    one found already holding its new owner reads as written."""
    found: dict[str, str] = {}
    ids = list(dict.fromkeys(account_ids))
    with database.engine.connect() as connection:
        for start in range(0, len(ids), 500):
            rows = connection.execute(
                select(CHANGES.c.external_id, CHANGES.c.state, CHANGES.c.last_error_code).where(
                    CHANGES.c.plan_id == plan_id,
                    CHANGES.c.source == source,
                    CHANGES.c.object_name == ACCOUNT_OBJECT,
                    CHANGES.c.external_id.in_(ids[start : start + 500]),
                )
            )
            for record, state, code in rows:
                # An account found already with its new owner did move: it counts as written.
                moved = state == ChangeState.SKIPPED.value and code == ALREADY_THERE_CODE
                found[str(record)] = ChangeState.WRITTEN.value if moved else str(state)
    return found


def has_changes(database: Database, plan_id: int, states: Sequence[ChangeState]) -> bool:
    """Whether the plan has any change in `states`."""
    with database.engine.connect() as connection:
        found = connection.execute(
            select(CHANGES.c.id)
            .where(CHANGES.c.plan_id == plan_id, CHANGES.c.state.in_([s.value for s in states]))
            .limit(1)
        ).first()
    return found is not None
