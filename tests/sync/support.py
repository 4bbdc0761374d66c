"""Small builders for the sync's unit tests: runs, stored accounts, saved plans, a write context."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from mapping.unified import UnifiedAccount
from sync.plan import ProposedChange, plan_changes, save_plan
from sync.runs import open_run
from sync.store.accounts import ACCOUNTS, upsert_accounts
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.writeback import WriteContext

SF = "salesforce"
HS = "hubspot"


def new_run(database: Database, kind: str = "sync", scope: dict[str, Any] | None = None) -> int:
    return open_run(database, kind=kind, trigger="cli", actor="test", scope=scope)


def store_accounts(database: Database, owners: Mapping[tuple[str, str], str | None]) -> None:
    """Accounts in the store as a pull left them: (CRM, id) -> owner id."""
    accounts = [
        UnifiedAccount(source=source, external_id=record, name=f"Company {record}", owner_id=owner)
        for (source, record), owner in owners.items()
    ]
    with database.engine.begin() as connection:
        upsert_accounts(connection, accounts, datetime.now(UTC))


def change(
    record: str,
    old: str | None,
    new: str | None,
    *,
    source: str = SF,
    state: ChangeState = ChangeState.PLANNED,
    reason: str = "NA-West is the only territory whose criteria match.",
) -> ProposedChange:
    return ProposedChange(
        source=source,
        external_id=record,
        account_name=f"Company {record}",
        old_owner_id=old,
        old_owner_email=f"{old}@acme.example" if old else None,
        new_owner_id=new,
        new_owner_email=f"{new}@acme.example" if new else None,
        territory="NA-West",
        rule="only_match/balanced",
        reason=reason,
        state=state,
    )


def saved_plan(
    database: Database,
    changes: Iterable[ProposedChange],
    *,
    run_id: int | None = None,
    kind: str = "assign",
    scope: dict[str, Any] | None = None,
    fingerprint: str | None = "f" * 64,
) -> int:
    return save_plan(
        database,
        run_id=run_id or new_run(database),
        trigger="cli",
        actor="test",
        changes=list(changes),
        kind=kind,
        scope=scope or {"sources": [SF, HS], "territory": None, "account": None},
        territory_fingerprint=fingerprint,
    )


def context(database: Database, **options: Any) -> WriteContext:
    run_id = options.pop("run_id", None) or new_run(database, "apply")
    return WriteContext(database=database, run_id=run_id, trigger="cli", actor="test", **options)


def states(database: Database, plan_id: int) -> dict[str, str]:
    return {c["external_id"]: c["state"] for c in plan_changes(database, plan_id)}


def audit_rows(database: Database, record: str | None = None) -> list[tuple[str, str]]:
    """(status, external id) of every audit row, oldest first (of one record if given)."""
    query = "SELECT status, external_id FROM audit_log"
    params: dict[str, Any] = {}
    if record is not None:
        query += " WHERE external_id = :record"
        params["record"] = record
    with database.engine.connect() as connection:
        return [
            (row[0], row[1]) for row in connection.execute(text(query + " ORDER BY id"), params)
        ]


def stored_account(database: Database, source: str, record: str) -> dict[str, Any]:
    columns = (ACCOUNTS.c.owner_id, ACCOUNTS.c.deleted, ACCOUNTS.c.owner_since)
    with database.engine.connect() as connection:
        row = connection.execute(
            select(*columns).where(ACCOUNTS.c.source == source, ACCOUNTS.c.external_id == record)
        ).one()
    return {"owner_id": row.owner_id, "deleted": bool(row.deleted), "owner_since": row.owner_since}


def mark(database: Database, plan_id: int, record: str, **values: Any) -> None:
    """Put one change of a plan in a given state, as an earlier run left it."""
    sets = ", ".join(f"{key} = :{key}" for key in values)
    with database.engine.begin() as connection:
        connection.execute(
            text(f"UPDATE owner_changes SET {sets} WHERE plan_id = :plan AND external_id = :r"),
            {**values, "plan": plan_id, "r": record},
        )
