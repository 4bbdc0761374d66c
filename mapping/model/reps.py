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
    capacity_weight: float | None = None
    updated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    @property
    def active(self) -> bool:
        """Active in every CRM where the rep has a seat. The territory engine reads each CRM's
        status on its own (`RepDirectoryEntry.active_in`): a rep inactive in one CRM still owns
        and is given records in the other."""
        states = [s for s in (self.salesforce_active, self.hubspot_active) if s is not None]
        return bool(states) and all(states)
