"""`PullCursor`: where the last committed page of an incremental pull ended, per CRM and object.

A cursor is the pair (modified time, record id) of the last record of a committed page; it only
advances in the same transaction as the page it covers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from mapping.model.columns import JsonColumn, UtcDateTime


class PullCursor(SQLModel, table=True):
    __tablename__ = "pull_cursors"

    source: str = Field(primary_key=True, max_length=16)
    object_name: str = Field(primary_key=True, max_length=32)
    modified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    last_id: str | None = Field(default=None, max_length=64)
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    pulled_fields: list[str] | None = Field(default=None, sa_column=Column(JsonColumn))
    """The extra fields (beyond the connector's defaults) the stored accounts were fully pulled
    with; a territory file needing one more makes the next pull of this CRM a full one."""
