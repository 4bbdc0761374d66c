"""API tokens: created once (the secret shown to the person, only its hash kept), listed, revoked.

A token is 32 random bytes, URL-safe; the database holds its SHA-256 hash with a name and a role.
Looking a token up hashes the presented secret and compares hashes, so a stolen database does not
hand out working tokens. Revoking a token ends its console sessions (`session_store`) at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from sync.admin_actions import record_admin_action
from sync.store.console_tables import MAX_NAME_LENGTH, TOKENS
from sync.store.database import Database
from territory_sync.errors import ConfigurationError
from web.session_store import EndReason, end_sessions_of_token


class Role(StrEnum):
    VIEWER = "viewer"
    """Reads runs, plans, the audit log, accounts, balance and metrics."""
    ADMIN = "admin"
    """Also creates and applies plans."""


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    role: Role
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "revoked_at": self.revoked_at.isoformat(timespec="seconds")
            if self.revoked_at
            else None,
            "last_used_at": (
                self.last_used_at.isoformat(timespec="seconds") if self.last_used_at else None
            ),
        }


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ConfigurationError(
            "unknown role", given=value, allowed=", ".join(r.value for r in Role)
        ) from None


def create_token(
    database: Database, name: str, role: Role, *, actor: str = "cli"
) -> tuple[ApiToken, str]:
    """Store a new token, with an audit row; returns it with its secret, kept nowhere."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ConfigurationError(f"a token needs a name of 1 to {MAX_NAME_LENGTH} characters")
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        result = connection.execute(
            TOKENS.insert().values(
                name=name, role=role.value, token_hash=hash_secret(secret), created_at=now
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        token_id = int(key[0])
        record_admin_action(
            connection,
            status="token_created",
            actor=actor,
            trigger="cli",
            reason=f"{role.value} token {token_id} ({name}) created by {actor}",
        )
    return ApiToken(token_id, name, role, now, None, None), secret


def list_tokens(database: Database) -> list[ApiToken]:
    with database.engine.connect() as connection:
        return [_token(row) for row in connection.execute(select(TOKENS).order_by(TOKENS.c.id))]


def get_token(database: Database, token_id: int) -> ApiToken | None:
    with database.engine.connect() as connection:
        row = connection.execute(select(TOKENS).where(TOKENS.c.id == token_id)).first()
    return _token(row) if row else None


def revoke_token(database: Database, token_id: int, *, actor: str = "cli") -> ApiToken:
    """Revoke by id (`tokens list` shows ids), ending the console sessions signed in with it in
    the same transaction, with an audit row; revoking twice keeps the first time."""
    token = get_token(database, token_id)
    if token is None:
        raise ConfigurationError(f"there is no token {token_id}; `territory-sync tokens list`")
    if token.revoked_at is None:
        now = datetime.now(UTC)
        with database.engine.begin() as connection:
            connection.execute(update(TOKENS).where(TOKENS.c.id == token_id).values(revoked_at=now))
            end_sessions_of_token(connection, token_id, EndReason.TOKEN_REVOKED, now)
            record_admin_action(
                connection,
                status="token_revoked",
                actor=actor,
                trigger="cli",
                reason=f"{token.role.value} token {token_id} ({token.name}) revoked by {actor}",
            )
    revoked = get_token(database, token_id)
    assert revoked is not None
    return revoked


def authenticate(database: Database, secret: str) -> ApiToken | None:
    """The active token with this secret (and note its use), or None."""
    if not secret or len(secret) > 200:
        return None
    digest = hash_secret(secret)
    with database.engine.begin() as connection:
        row = connection.execute(
            select(TOKENS).where(TOKENS.c.token_hash == digest, TOKENS.c.revoked_at.is_(None))
        ).first()
        if row is None or not secrets.compare_digest(row.token_hash, digest):
            return None
        connection.execute(
            update(TOKENS).where(TOKENS.c.id == row.id).values(last_used_at=datetime.now(UTC))
        )
    return _token(row)
