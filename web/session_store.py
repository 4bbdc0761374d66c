"""Console sessions: one row per browser sign-in, so that signing out or revoking a token ends it.

The browser's cookie carries only a random session id (signed, see `auth`); the table keeps the
id's SHA-256 hash, so a copy of the database opens no session. A session ends when the person signs
out, when its token is revoked, after `IDLE_TIMEOUT` without a request, and at the latest
`ABSOLUTE_LIFETIME` after sign-in; an ended session is never accepted again. Rows of sessions that
ended more than `KEEP_ENDED` ago are deleted at the next sign-in, so the table stays small.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    or_,
    select,
)
from sqlalchemy import update as sql_update

from mapping.model.columns import utc_now
from sync.store.console_tables import SESSIONS
from sync.store.database import Database

IDLE_TIMEOUT = timedelta(hours=1)
ABSOLUTE_LIFETIME = timedelta(hours=12)
SEEN_EVERY = timedelta(minutes=1)
"""How stale `last_seen_at` may be before a request writes it again (not one write per request)."""
KEEP_ENDED = timedelta(days=30)


class EndReason(StrEnum):
    SIGNED_OUT = "signed_out"
    TOKEN_REVOKED = "token_revoked"
    IDLE = "idle"
    """No request for `IDLE_TIMEOUT`."""
    EXPIRED = "expired"
    """`ABSOLUTE_LIFETIME` after sign-in."""
    REPLACED = "replaced"
    """The same browser signed in again."""


@dataclass(frozen=True)
class ConsoleSession:
    id: str
    """The SHA-256 hash of the id in the cookie."""
    token_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    end_reason: str | None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _session(row: Any) -> ConsoleSession:
    return ConsoleSession(
        id=row.id,
        token_id=row.token_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
    )


def start_session(
    database: Database, token_id: int, *, now: datetime | None = None
) -> tuple[ConsoleSession, str]:
    """A new session for the token; returns it with the secret id for the cookie (not kept)."""
    now = now or utc_now()
    secret = secrets.token_urlsafe(32)
    session = ConsoleSession(
        id=_hash(secret),
        token_id=token_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_LIFETIME,
        ended_at=None,
        end_reason=None,
    )
    long_ago = now - KEEP_ENDED
    with database.engine.begin() as connection:
        connection.execute(
            delete(SESSIONS).where(
                or_(SESSIONS.c.ended_at < long_ago, SESSIONS.c.expires_at < long_ago)
            )
        )
        connection.execute(
            SESSIONS.insert().values(
                id=session.id,
                token_id=token_id,
                created_at=now,
                last_seen_at=now,
                expires_at=session.expires_at,
            )
        )
    return session, secret


def _end(connection: Connection, session_id: str, reason: EndReason, now: datetime) -> None:
    connection.execute(
        sql_update(SESSIONS)
        .where(SESSIONS.c.id == session_id, SESSIONS.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason.value)
    )


def live_session(
    database: Database, secret: str, *, now: datetime | None = None
) -> ConsoleSession | None:
    """The session with this secret id while it lives (and note the request), else None.

    A session found idle or past its lifetime is ended here, with that reason."""
    if not secret or len(secret) > 200:
        return None
    now = now or utc_now()
    session_id = _hash(secret)
    with database.engine.begin() as connection:
        row = connection.execute(select(SESSIONS).where(SESSIONS.c.id == session_id)).first()
        if row is None:
            return None
        session = _session(row)
        if session.ended:
            return None
        if now >= session.expires_at:
            _end(connection, session_id, EndReason.EXPIRED, now)
            return None
        if now - session.last_seen_at >= IDLE_TIMEOUT:
            _end(connection, session_id, EndReason.IDLE, now)
            return None
        if now - session.last_seen_at >= SEEN_EVERY:
            connection.execute(
                sql_update(SESSIONS).where(SESSIONS.c.id == session_id).values(last_seen_at=now)
            )
    return session


def end_session(
    database: Database, secret: str, reason: EndReason, *, now: datetime | None = None
) -> None:
    """End the session with this secret id (nothing happens if it has ended already)."""
    with database.engine.begin() as connection:
        _end(connection, _hash(secret), reason, now or utc_now())


def end_sessions_of_token(
    connection: Connection, token_id: int, reason: EndReason, now: datetime
) -> int:
    """End every live session of a token, in the caller's transaction; returns how many."""
    result = connection.execute(
        sql_update(SESSIONS)
        .where(SESSIONS.c.token_id == token_id, SESSIONS.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason.value)
    )
    return int(result.rowcount or 0)


def sessions_of_token(database: Database, token_id: int) -> list[ConsoleSession]:
    """A token's sessions, oldest first (ended ones included until they are deleted)."""
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(SESSIONS)
            .where(SESSIONS.c.token_id == token_id)
            .order_by(SESSIONS.c.created_at, SESSIONS.c.id)
        )
        return [_session(row) for row in rows]
