"""`Alert`: one alert the product decided to send, to one recipient on one channel, and how
sending it went.

A row is made before anything is sent (the table is an outbox): `pending` until a channel
accepted it (`sent`, with `sent_at`), or `failed` when the channel refused it for good or too
many attempts failed. Every attempt counts in `attempts`, and the latest error is kept in
`last_error`, in the product's own words (never a webhook URL, a password or a token).

`channel` is `email` or `webhook:<name>` (`webhook:rep` for a rep's own webhook); `recipient` is
an email address or a channel's name, never a URL. `dedup_key` is unique: the same alert (a run,
an event, a recipient) is recorded, and so sent, once. Built by migration 0010.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class AlertStatus(StrEnum):
    PENDING = "pending"
    """Not delivered yet: the next run (or `territory-sync alerts send`) tries again."""
    SENT = "sent"
    FAILED = "failed"
    """Refused for good by its channel, or given up on after too many attempts."""


class Alert(SQLModel, table=True):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("dedup_key", name="uq_alerts_dedup_key"),
        Index("ix_alerts_status", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    run_id: int | None = None
    event: str = Field(max_length=64)
    channel: str = Field(max_length=64)
    recipient: str = Field(max_length=320)
    dedup_key: str = Field(max_length=128)
    subject: str = Field(max_length=255)
    body: str = Field(sa_column=Column(Text(), nullable=False))
    status: str = Field(max_length=16)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
