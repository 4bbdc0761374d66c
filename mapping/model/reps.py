"""`Rep`: a person who can own accounts, known by email, with their id in each CRM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class Rep(SQLModel, table=True):
    __tablename__ = "reps"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    """Lower case; the key that joins a Salesforce user and a HubSpot owner."""
    name: str | None = None
    salesforce_user_id: str | None = Field(default=None, max_length=18, unique=True)
    salesforce_active: bool | None = None
    hubspot_owner_id: str | None = Field(default=None, max_length=32, unique=True)
    hubspot_active: bool | None = None
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
