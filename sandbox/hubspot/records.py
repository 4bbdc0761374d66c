"""What every record the portal stores has in common, whatever its object type.

Companies, contacts and deals stay the compact seed objects they were seeded as (`SeedAccount`,
`SeedContact`, `SeedOpportunity`); the store, the search index, the index lag and the renderers
only need the fields below, so they are written once against this protocol and typed by the
record type `R` they are used with.
"""

from __future__ import annotations

from typing import Protocol, TypeVar


class CrmRecord(Protocol):
    """A stored HubSpot record: id, owner, timestamps and the archived flag."""

    crm_id: str
    owner_id: str | None
    created_ms: int
    modified_ms: int
    """Milliseconds since the epoch of the object's last-modified property."""
    deleted: bool
    """Archived (HubSpot lists it only with `archived=true`)."""


R = TypeVar("R", bound=CrmRecord)
