"""`OwnerHold`: a record a person took out of the product's hands by changing its owner mid-run.

When write-back finds that a person changed a record's owner after the plan was made (a
conflict), the person's choice is kept from then on: later runs leave that record alone while it
still has that owner, and report it. The hold ends when the owner changes again (anyone may have
decided anew) or when an admin releases it (`territory-sync holds release`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class OwnerHold(SQLModel, table=True):
    __tablename__ = "owner_holds"
    __table_args__ = (Index("ix_owner_holds_record", "source", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    account_name: str | None = None
    owner_id: str | None = Field(default=None, max_length=64)
    """The owner the person set: the hold lasts while the record keeps it."""
    planned_owner_id: str | None = Field(default=None, max_length=64)
    """The owner the plan wanted, for the report."""
    run_id: int | None = Field(default=None, foreign_key="runs.id")
    change_id: int | None = None
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    released_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    released_because: str | None = None
