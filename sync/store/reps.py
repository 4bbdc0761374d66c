"""Store side of reps: merge Salesforce users and HubSpot owners into one `Rep` per email."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, select, update

from mapping.model.reps import Rep
from mapping.unified import UnifiedRep

REPS: Table = Rep.__table__  # type: ignore[attr-defined]

_ID_COLUMN = {"salesforce": "salesforce_user_id", "hubspot": "hubspot_owner_id"}
_ACTIVE_COLUMN = {"salesforce": "salesforce_active", "hubspot": "hubspot_active"}


def upsert_reps(connection: Connection, reps: Iterable[UnifiedRep]) -> int:
    """Record each CRM user/owner on the rep with the same (case-insensitive) email."""
    now = datetime.now(UTC)
    existing = {
        email: rep_id for rep_id, email in connection.execute(select(REPS.c.id, REPS.c.email))
    }
    count = 0
    for rep in reps:
        email = rep.email.strip().lower()
        if not email:
            continue
        id_column, active_column = _ID_COLUMN[rep.source], _ACTIVE_COLUMN[rep.source]
        # The CRM id moved to this email: release it from whoever held it before.
        connection.execute(
            update(REPS)
            .where(REPS.c[id_column] == rep.crm_id, REPS.c.email != email)
            .values({id_column: None, active_column: None, "updated_at": now})
        )
        values = {id_column: rep.crm_id, active_column: rep.active, "updated_at": now}
        if rep.name:
            values["name"] = rep.name
        if email in existing:
            connection.execute(update(REPS).where(REPS.c.id == existing[email]).values(values))
        else:
            result = connection.execute(REPS.insert().values(email=email, **values))
            existing[email] = result.inserted_primary_key[0] if result.inserted_primary_key else 0
        count += 1
    return count


def inactive_owner_ids(connection: Connection) -> set[tuple[str, str]]:
    """(CRM, user or owner id) of every CRM user the last pull found deactivated."""
    found: set[tuple[str, str]] = set()
    for source, id_column in _ID_COLUMN.items():
        active = REPS.c[_ACTIVE_COLUMN[source]]
        found.update(
            (source, crm_id)
            for crm_id in connection.execute(
                select(REPS.c[id_column]).where(active.is_(False), REPS.c[id_column].is_not(None))
            ).scalars()
        )
    return found
