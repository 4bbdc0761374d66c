"""The audit log's behaviour: append hash-chained rows, verify the chain, and search it.

Every decision (a change planned, written, failed, in conflict, skipped, rolled back) becomes one
row. Each row's hash covers its content and the previous row's hash, so editing a row breaks its
own hash and deleting one breaks the next row's link; every finished run records the chain's head
(last id and hash) so that removing the newest rows is caught too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, text

from sync.store.audit import AuditEntry
from sync.store.runs import Run

AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
RUNS: Table = Run.__table__  # type: ignore[attr-defined]
GENESIS_HASH = "0" * 64


@dataclass
class AuditRecord:
    """One decision to append; `run_id`, `trigger` and `actor` say who decided and when."""

    run_id: int | None
    trigger: str
    actor: str
    status: str
    source: str | None = None
    external_id: str | None = None
    account_name: str | None = None
    old_owner_id: str | None = None
    old_owner_email: str | None = None
    new_owner_id: str | None = None
    new_owner_email: str | None = None
    territory: str | None = None
    rule: str | None = None
    reason: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 0
    change_id: int | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def for_change(
        cls,
        change: Mapping[str, Any],
        *,
        run_id: int | None,
        trigger: str,
        actor: str,
        status: str,
        reason: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        attempts: int = 0,
        at: datetime | None = None,
    ) -> AuditRecord:
        """The audit row of a decision about one owner change (a stored change row, or any
        mapping with the change's fields); `reason` None keeps the change's own reason."""
        return cls(
            run_id=run_id,
            trigger=trigger,
            actor=actor,
            status=status,
            source=change["source"],
            external_id=change["external_id"],
            account_name=change["account_name"],
            old_owner_id=change["old_owner_id"],
            old_owner_email=change["old_owner_email"],
            new_owner_id=change["new_owner_id"],
            new_owner_email=change["new_owner_email"],
            territory=change["territory"],
            rule=change["rule"],
            reason=change["reason"] if reason is None else reason,
            error_code=error_code,
            error_message=error_message,
            attempts=attempts,
            change_id=change.get("id"),
            at=at or datetime.now(UTC),
        )


HASHED_FIELDS = tuple(f for f in AuditRecord.__dataclass_fields__ if f != "at")


def row_hash(content: dict[str, Any], at: datetime, prev_hash: str) -> str:
    """The hash of one row: its content, its time (UTC, microseconds) and the previous hash."""
    payload = {name: content.get(name) for name in HASHED_FIELDS}
    payload["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload["prev_hash"] = prev_hash
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _lock_chain(connection: Connection) -> None:
    """Serialise appenders so two transactions never chain onto the same previous row."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))


def chain_head(connection: Connection) -> tuple[int | None, str]:
    row = connection.execute(
        select(AUDIT.c.id, AUDIT.c.row_hash).order_by(AUDIT.c.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, GENESIS_HASH)


def append_audit(connection: Connection, records: Sequence[AuditRecord]) -> int:
    """Append rows in the caller's transaction; returns how many were written."""
    if not records:
        return 0
    _lock_chain(connection)
    _, previous = chain_head(connection)
    rows = []
    for record in records:
        content = asdict(record)
        at = content.pop("at")
        digest = row_hash(content, at, previous)
        rows.append({**content, "at": at, "prev_hash": previous, "row_hash": digest})
        previous = digest
    connection.execute(AUDIT.insert(), rows)
    return len(rows)


@dataclass
class VerifyReport:
    rows_checked: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_audit(connection: Connection, *, batch: int = 5000) -> VerifyReport:
    """Walk the whole chain and the heads recorded by runs; name every row that does not fit."""
    problems: list[str] = []
    previous = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    seen: dict[int, str] = {}
    last_id = 0
    columns = [AUDIT.c[name] for name in (*HASHED_FIELDS, "id", "at", "prev_hash", "row_hash")]
    while True:
        rows = connection.execute(
            select(*columns).where(AUDIT.c.id > last_id).order_by(AUDIT.c.id).limit(batch)
        ).mappings()
        chunk = list(rows)
        if not chunk:
            break
        for row in chunk:
            checked += 1
            row_id = int(row["id"])
            if row["prev_hash"] != previous:
                after = f"after row {previous_id}" if previous_id else "at the start"
                problems.append(
                    f"row {row_id}: its link to the previous row is broken "
                    f"(a row {after} was deleted or edited)"
                )
            expected = row_hash(dict(row), row["at"], row["prev_hash"])
            if expected != row["row_hash"]:
                problems.append(f"row {row_id}: its content does not match its hash (edited)")
            previous, previous_id = row["row_hash"], row_id
            seen[row_id] = row["row_hash"]
        last_id = int(chunk[-1]["id"])
    for run_id, figures in connection.execute(select(RUNS.c.id, RUNS.c.figures)):
        head = (figures or {}).get("audit_head")
        if not head or head.get("id") is None:
            continue
        if seen.get(int(head["id"])) != head.get("hash"):
            problems.append(
                f"run {run_id} ended with audit row {head['id']}, which is missing or changed "
                "(rows at the end of the log were deleted or edited)"
            )
    return VerifyReport(checked, problems)
