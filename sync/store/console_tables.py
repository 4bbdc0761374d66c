"""The admin console's tables: API tokens and browser sessions.

They live with the rest of the store (not in `web/`) so that the migrations, which sit with the
store, can see every table without reaching up into the console; `web.token_store` and
`web.session_store` hold what the console does with them.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint
from sqlmodel import SQLModel

from mapping.model.columns import UtcDateTime

MAX_NAME_LENGTH = 100
"""The longest token name."""

TOKENS = Table(
    "api_tokens",
    SQLModel.metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
    Column("last_used_at", UtcDateTime()),
    UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    Index("ix_api_tokens_name", "name"),
)


SESSIONS = Table(
    "console_sessions",
    SQLModel.metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "token_id",
        Integer,
        ForeignKey("api_tokens.id", name="fk_console_sessions_token_id_api_tokens"),
        nullable=False,
    ),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime()),
    Column("end_reason", String(32)),
    Index("ix_console_sessions_token_id", "token_id"),
)
