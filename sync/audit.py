"""The audit log's chain: append rows signed in a keyed hash chain, serialised by the chain head.

Every decision (a change planned, written, failed, in conflict, skipped, rolled back) becomes one
row. Each row's hash is an HMAC-SHA256, keyed by `TERRITORY_SYNC_AUDIT_KEY`, over its content, its
time, its place in the chain (`seq`) and the previous row's hash: editing a row breaks its own
hash, deleting one leaves a gap, and nobody without the key can recompute the chain after an edit.
Every append locks the one-row chain head first and updates it in the same transaction, so two
writers can never chain onto the same row. The first row signed by a new key is a `key_rotated`
row linking to the previous segment's head. Verifying lives in `sync.audit_verify`; signed
checkpoints of the head, kept outside the database, in `sync.audit_checkpoint`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from sync.audit_keys import AuditKey, AuditKeyring, canonical_json, current_audit_key
from sync.store.audit import AuditChainHead, AuditEntry
from sync.store.changes import ACCOUNT_OBJECT, CHANGE_FIELDS
from sync.store.database import take_sqlite_write_lock
from territory_sync.logs import log_event

AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
HEAD: Table = AuditChainHead.__table__  # type: ignore[attr-defined]
GENESIS_HASH = "0" * 64
KEY_ROTATED = "key_rotated"

# Statuses the product writes outside any run (admin actions: a hold released, a link pinned or
# broken, an API token created or revoked, a key rotation first seen by one of them). A row with
# no run id is accepted by verify only when its status begins with one of these; add a prefix
# here when a new admin action writes audit rows.
OUTSIDE_RUN_STATUS_PREFIXES = ("hold_", "link_", "token_", KEY_ROTATED)


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
    """The account's name; for a contact or opportunity, the name of the account it follows."""
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
    object_name: str | None = None
    """`contact` or `opportunity` for a record that followed its account; None for an account."""
    parent_external_id: str | None = None
    """For a contact or opportunity: the account (same CRM) whose move it followed."""
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
        fields = {name: change[name] for name in CHANGE_FIELDS}
        if fields["object_name"] == ACCOUNT_OBJECT:
            fields["object_name"] = None
        return cls(
            run_id=run_id,
            trigger=trigger,
            actor=actor,
            status=status,
            **fields,
            reason=change["reason"] if reason is None else reason,
            error_code=error_code,
            error_message=error_message,
            attempts=attempts,
            change_id=change.get("id"),
            at=at or datetime.now(UTC),
        )


HASHED_FIELDS = tuple(f for f in AuditRecord.__dataclass_fields__ if f != "at")
OMITTED_WHEN_EMPTY = frozenset({"object_name", "parent_external_id"})
"""Fields added after rows were first signed: hashed only when set, so a row about an account
(and every row written before they existed) hashes exactly as it always did."""
ROW_PURPOSE = "audit row"
HEAD_PURPOSE = "audit chain head"


def _row_payload(content: Mapping[str, Any], at: datetime, prev_hash: str) -> dict[str, Any]:
    payload = {
        name: content.get(name)
        for name in HASHED_FIELDS
        if name not in OMITTED_WHEN_EMPTY or content.get(name) is not None
    }
    payload["at"] = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload["prev_hash"] = prev_hash
    return payload


def legacy_row_hash(content: Mapping[str, Any], at: datetime, prev_hash: str) -> str:
    """The unkeyed SHA-256 of rows written before keyed hashing: content, time, previous hash."""
    return hashlib.sha256(canonical_json(_row_payload(content, at, prev_hash))).hexdigest()


def keyed_row_hash(
    key: AuditKey, content: Mapping[str, Any], at: datetime, prev_hash: str, seq: int
) -> str:
    """A row's HMAC: every recorded field, its time (UTC, microseconds), the previous hash, its
    place in the chain and the id of the key that signs it."""
    payload = _row_payload(content, at, prev_hash)
    payload["seq"] = seq
    payload["key_id"] = key.key_id
    return key.sign(ROW_PURPOSE, payload)


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends: how many rows it holds, the last row's id and hash, its key."""

    count: int
    last_id: int | None
    last_hash: str
    key_id: str | None
    signature: str | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "key_id": self.key_id,
        }

    def signed_by(self, key: AuditKey) -> ChainHead:
        return replace(self, signature=key.sign(HEAD_PURPOSE, self.fields()))

    def signature_valid(self, keyring: AuditKeyring) -> bool:
        key = keyring.get(self.key_id)
        return key is not None and key.signed(HEAD_PURPOSE, self.fields(), self.signature)


EMPTY_HEAD = ChainHead(count=0, last_id=None, last_hash=GENESIS_HASH, key_id=None)


def read_chain_head(connection: Connection, *, for_update: bool = False) -> ChainHead | None:
    """The head row as stored (None when the row is missing); `for_update` locks it."""
    query = select(HEAD).where(HEAD.c.id == 1)
    row = connection.execute(query.with_for_update() if for_update else query).mappings().first()
    if row is None:
        return None
    return ChainHead(
        count=int(row["row_count"]),
        last_id=row["last_id"],
        last_hash=row["last_hash"],
        key_id=row["key_id"],
        signature=row["signature"],
    )


def _head_from_log(connection: Connection) -> ChainHead:
    row = connection.execute(
        select(AUDIT.c.seq, AUDIT.c.id, AUDIT.c.row_hash, AUDIT.c.key_id)
        .order_by(AUDIT.c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return EMPTY_HEAD
    log_event("audit.head_rebuilt", last_id=row[1], count=row[0])
    return ChainHead(count=int(row[0]), last_id=row[1], last_hash=row[2], key_id=row[3])


def locked_head_row(connection: Connection) -> ChainHead | None:
    """The head row, locked until the caller's transaction ends (None when it is missing).

    On SQLite the database's write lock is taken first (`take_sqlite_write_lock`, waiting for any
    other writer) before anything is read, so the head read next is the latest one. On
    PostgreSQL `SELECT ... FOR UPDATE` locks the row.
    """
    take_sqlite_write_lock(connection, HEAD)
    return read_chain_head(connection, for_update=True)


def lock_chain_head(connection: Connection) -> ChainHead:
    """The head, locked until the caller's transaction ends, so appends are serialised; a
    missing head row (a database emptied by hand) is rebuilt from the log's last row."""
    head = locked_head_row(connection)
    if head is not None:
        return head
    rebuilt = _head_from_log(connection)
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(
        dialect_insert(HEAD)
        .values(
            id=1,
            row_count=rebuilt.count,
            last_id=rebuilt.last_id,
            last_hash=rebuilt.last_hash,
            key_id=rebuilt.key_id,
        )
        .on_conflict_do_nothing()
    )
    head = read_chain_head(connection, for_update=True)
    assert head is not None
    return head


def save_chain_head(connection: Connection, head: ChainHead, key: AuditKey) -> ChainHead:
    """Store `head` signed by `key`; returns it signed."""
    signed = head.signed_by(key)
    connection.execute(
        update(HEAD)
        .where(HEAD.c.id == 1)
        .values(
            row_count=signed.count,
            last_id=signed.last_id,
            last_hash=signed.last_hash,
            key_id=signed.key_id,
            signature=signed.signature,
        )
    )
    return signed


def rotation_record(head: ChainHead, key: AuditKey, first: AuditRecord) -> AuditRecord:
    """The row that opens a new key's segment, written with the first records it signs."""
    before = (
        f"signed by key {head.key_id}"
        if head.key_id
        else "written before keyed signing (plain SHA-256, protected against naive edits only)"
    )
    return AuditRecord(
        run_id=first.run_id,
        trigger=first.trigger,
        actor=first.actor,
        status=KEY_ROTATED,
        rule="audit_key",
        reason=(
            f"audit key {key.key_id} signs the rows from here on; the {head.count:,} rows "
            f"before it, up to row {head.last_id}, were {before}"
        ),
        at=first.at,
    )


def signed_rows(
    key: AuditKey, head: ChainHead, records: Sequence[AuditRecord]
) -> tuple[list[dict[str, Any]], ChainHead]:
    """The rows to insert after `head` (a `key_rotated` row first when `key` is not the head's
    key), and the head after them (its `last_id` still the old one: the database assigns ids)."""
    if head.count and head.key_id != key.key_id and records:
        records = [rotation_record(head, key, records[0]), *records]
    previous, seq = head.last_hash, head.count
    rows = []
    for record in records:
        content = {name: getattr(record, name) for name in HASHED_FIELDS}  # all plain values
        at = record.at
        seq += 1
        digest = keyed_row_hash(key, content, at, previous, seq)
        rows.append(
            {
                **content,
                "at": at,
                "seq": seq,
                "key_id": key.key_id,
                "prev_hash": previous,
                "row_hash": digest,
            }
        )
        previous = digest
    return rows, ChainHead(count=seq, last_id=head.last_id, last_hash=previous, key_id=key.key_id)


def append_audit(connection: Connection, records: Sequence[AuditRecord]) -> int:
    """Append rows in the caller's transaction, chained and signed; returns how many of
    `records` were written. Needs `TERRITORY_SYNC_AUDIT_KEY` (`MissingCredentialError` naming it
    when unset); holds the chain head's lock until the caller's transaction ends."""
    if not records:
        return 0
    key = current_audit_key("appending to the audit log")
    head = lock_chain_head(connection)
    rows, after = signed_rows(key, head, records)
    connection.execute(AUDIT.insert(), rows)
    last_id = connection.execute(select(AUDIT.c.id).where(AUDIT.c.seq == after.count)).scalar_one()
    save_chain_head(connection, replace(after, last_id=int(last_id)), key)
    return len(records)
