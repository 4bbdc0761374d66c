"""Signed checkpoints of the audit chain's head, kept outside the database.

A checkpoint is one JSON line: the chain's row count, last row id and last hash, the id of the
key that signed it, the time, the run that recorded it (if any), and an HMAC-SHA256 over all of
those by `TERRITORY_SYNC_AUDIT_KEY`:

    {"checkpoint": "territory-sync audit chain", "count": 1204, "last_id": 1204,
     "last_hash": "9f...", "key_id": "3c1d...", "at": "2026-03-01T02:00:07.123456Z",
     "run_id": 42, "signature": "51..."}

Every run appends one to the checkpoint file (`[audit] checkpoint_file`) and records it in its
figures as `audit_head`; `territory-sync audit checkpoint` writes one on demand, to a file, to
standard output or to the run webhook. Whoever can write to the database but not to where the
checkpoints are kept cannot remove the newest rows unnoticed: `audit verify --checkpoint FILE`
checks the log against the latest line. A checkpoint is only signed for a head that verifies
(its signature, and the log's last row), so a tampered head is never blessed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from sync.audit import AUDIT, EMPTY_HEAD, ChainHead, locked_head_row, read_chain_head
from sync.audit_keys import AuditKey, AuditKeyring, audit_keyring
from sync.notify import notify
from sync.store.database import Database
from territory_sync.errors import AuditIntegrityError, TerritorySyncError
from territory_sync.logs import log_event
from territory_sync.settings import Settings

CHECKPOINT_TAG = "territory-sync audit chain"
CHECKPOINT_PURPOSE = "audit checkpoint"
CHECKPOINT_SUFFIX = ".audit-checkpoints"
CHECKPOINT_FILE_BESIDE_CONFIG = "territory-sync.audit-checkpoints"


def _utc_text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Checkpoint:
    """A signed head: the log held `count` rows, ending with row `last_id` hashed `last_hash`."""

    count: int
    last_id: int | None
    last_hash: str
    key_id: str
    at: str
    run_id: int | None
    signature: str

    def signed_fields(self) -> dict[str, Any]:
        return {
            "checkpoint": CHECKPOINT_TAG,
            "count": self.count,
            "last_id": self.last_id,
            "last_hash": self.last_hash,
            "key_id": self.key_id,
            "at": self.at,
            "run_id": self.run_id,
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.signed_fields(), "signature": self.signature}

    def line(self) -> str:
        return json.dumps(self.as_json(), sort_keys=False, separators=(", ", ": "))

    def signature_valid(self, keyring: AuditKeyring) -> bool:
        key = keyring.get(self.key_id)
        return key is not None and key.signed(
            CHECKPOINT_PURPOSE, self.signed_fields(), self.signature
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        """A checkpoint from its JSON form; ValueError saying what is missing or malformed."""
        if data.get("checkpoint") != CHECKPOINT_TAG:
            raise ValueError(f'it is not a checkpoint (no "checkpoint": "{CHECKPOINT_TAG}")')
        try:
            last_id = data["last_id"]
            run_id = data.get("run_id")
            return cls(
                count=int(data["count"]),
                last_id=None if last_id is None else int(last_id),
                last_hash=str(data["last_hash"]),
                key_id=str(data["key_id"]),
                at=str(data["at"]),
                run_id=None if run_id is None else int(run_id),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"a field is missing or malformed ({error})") from error


def sign_checkpoint(
    head: ChainHead, key: AuditKey, *, run_id: int | None = None, at: datetime | None = None
) -> Checkpoint:
    unsigned = Checkpoint(
        count=head.count,
        last_id=head.last_id,
        last_hash=head.last_hash,
        key_id=key.key_id,
        at=_utc_text(at or datetime.now(UTC)),
        run_id=run_id,
        signature="",
    )
    return replace(unsigned, signature=key.sign(CHECKPOINT_PURPOSE, unsigned.signed_fields()))


def checked_head(connection: Connection, keyring: AuditKeyring) -> ChainHead:
    """The stored chain head, once it is shown to fit: signed by a known key (or, before the
    first keyed append, the upgrade's unsigned head) and naming the log's real last row.
    `AuditIntegrityError` otherwise."""
    verify_hint = "run `territory-sync audit verify`"
    head = locked_head_row(connection)  # no append moves the head while it is compared
    last = connection.execute(
        select(AUDIT.c.seq, AUDIT.c.id, AUDIT.c.row_hash, AUDIT.c.key_id)
        .order_by(AUDIT.c.seq.desc())
        .limit(1)
    ).first()
    if head is None:
        if last is None:
            return EMPTY_HEAD
        raise AuditIntegrityError(f"the audit chain's head row is missing; {verify_hint}")
    if head.key_id is not None and not head.signature_valid(keyring):
        raise AuditIntegrityError(
            f"the audit chain's head does not carry a valid signature by a known key (it was "
            f"edited, or its key is not in TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS); {verify_hint}"
        )
    found = (
        (int(last[0]), int(last[1]), last[2], last[3])
        if last
        else (0, None, EMPTY_HEAD.last_hash, None)
    )
    if found != (head.count, head.last_id, head.last_hash, head.key_id):
        raise AuditIntegrityError(
            f"the audit chain's head (row {head.last_id}, {head.count:,} rows) does not match "
            f"the log's last row (row {found[1]}, position {found[0]:,}); {verify_hint}"
        )
    return head


def current_checkpoint(connection: Connection, *, run_id: int | None = None) -> Checkpoint:
    """A checkpoint of the chain as it stands, signed by the current key."""
    keyring = audit_keyring("signing an audit checkpoint")
    return sign_checkpoint(checked_head(connection, keyring), keyring.current, run_id=run_id)


def checkpoint_file(settings: Settings, database: Database) -> Path:
    """`[audit] checkpoint_file`, or the default place for this database."""
    if settings.audit.checkpoint_file.strip():
        return settings.resolve_path(settings.audit.checkpoint_file.strip())
    return default_checkpoint_file(database) or settings.base_dir / CHECKPOINT_FILE_BESIDE_CONFIG


def default_checkpoint_file(database: Database) -> Path | None:
    """Beside an SQLite file; None for PostgreSQL, whose default is beside the configuration."""
    path = database.sqlite_path
    return path.with_name(path.name + CHECKPOINT_SUFFIX) if path else None


def append_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append one line and make it durable; OSError when the file cannot be written."""
    with path.open("a", encoding="utf-8") as file:
        file.write(checkpoint.line() + "\n")
        file.flush()
        os.fsync(file.fileno())


def post_checkpoint(checkpoint: Checkpoint) -> bool:
    """Send to the run webhook (`TERRITORY_SYNC_WEBHOOK_URL`); True when it was accepted."""
    text = (
        f"territory-sync audit checkpoint: {checkpoint.count:,} rows, last row "
        f"{checkpoint.last_id}, hash {checkpoint.last_hash[:16]}..., key {checkpoint.key_id}"
    )
    return notify({"text": text, "checkpoint": checkpoint.as_json()})


@dataclass(frozen=True)
class LatestCheckpoint:
    """The last line of a checkpoint file: a checkpoint, or why it is not one."""

    path: Path
    line_number: int
    checkpoint: Checkpoint | None
    error: str | None = None


def latest_checkpoint(path: Path) -> LatestCheckpoint | None:
    """The file's last non-empty line, read line by line (constant memory); None when the file
    holds none. `TerritorySyncError` naming the file when it cannot be read."""
    last: tuple[int, str] | None = None
    try:
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, start=1):
                if line.strip():
                    last = (number, line)
    except OSError as error:
        raise TerritorySyncError(
            f"cannot read the checkpoint file {path}: {error.strerror or error}"
        ) from error
    if last is None:
        return None
    number, line = last
    try:
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("it is not a JSON object")
        return LatestCheckpoint(path, number, Checkpoint.from_json(data))
    except ValueError as error:
        return LatestCheckpoint(path, number, None, f"line {number} is not a checkpoint: {error}")


def record_run_checkpoint(
    connection: Connection, run_id: int, path: Path | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a closing run records: the signed head for its figures (`audit_head`) and what
    became of the checkpoint line (`audit_checkpoint`). Never raises: a checkpoint that cannot
    be signed or written is logged and reported."""
    try:
        checkpoint = current_checkpoint(connection, run_id=run_id)
    except TerritorySyncError as error:
        head = read_chain_head(connection) or EMPTY_HEAD
        log_event("audit.checkpoint_failed", run_id=run_id, error=str(error))
        return head.fields(), {"written": False, "error": f"not signed: {error}"}
    if path is None:
        return checkpoint.as_json(), {"written": False, "error": "no checkpoint file configured"}
    try:
        append_checkpoint(path, checkpoint)
    except OSError as error:
        log_event("audit.checkpoint_failed", run_id=run_id, file=str(path), error=str(error))
        return checkpoint.as_json(), {
            "written": False,
            "file": str(path),
            "error": f"cannot write the checkpoint file: {error.strerror or error}",
        }
    return checkpoint.as_json(), {"written": True, "file": str(path)}
