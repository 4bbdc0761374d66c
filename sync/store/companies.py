"""Store side of cross-CRM linking: recompute `company_links` and record admins' pins and breaks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, Table, delete, insert, select

from mapping.linking import AdminOverride, LinkCandidate, LinkReport, link_companies
from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink, LinkOverride, OverrideAction
from territory_sync.errors import ConfigurationError

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
LINKS: Table = CompanyLink.__table__  # type: ignore[attr-defined]
OVERRIDES: Table = LinkOverride.__table__  # type: ignore[attr-defined]
_LINKS_PER_INSERT = 5_000
"""Link rows built and inserted at a time (a row dict per link of the whole book is not held)."""


def refresh_company_links(connection: Connection, now: datetime | None = None) -> LinkReport:
    """Recompute every link from the current accounts and overrides, in the caller's transaction."""
    now = now or datetime.now(UTC)
    rows = connection.execute(
        select(ACCOUNTS.c.source, ACCOUNTS.c.external_id, ACCOUNTS.c.domain).where(
            ACCOUNTS.c.deleted.is_(False)
        )
    )
    candidates = (
        LinkCandidate(source, external_id, domain) for source, external_id, domain in rows
    )
    overrides = [
        AdminOverride(sf, hs, action)
        for sf, hs, action in connection.execute(
            select(OVERRIDES.c.salesforce_id, OVERRIDES.c.hubspot_id, OVERRIDES.c.action)
        )
    ]
    report = link_companies(candidates, overrides)
    connection.execute(delete(LINKS))
    for start in range(0, len(report.links), _LINKS_PER_INSERT):
        connection.execute(
            insert(LINKS),
            [
                {
                    "salesforce_id": link.salesforce_id,
                    "hubspot_id": link.hubspot_id,
                    "domain": link.domain,
                    "origin": link.origin,
                    "linked_at": now,
                }
                for link in report.links[start : start + _LINKS_PER_INSERT]
            ],
        )
    return report


def set_link_override(
    connection: Connection,
    salesforce_id: str,
    hubspot_id: str,
    action: OverrideAction,
    actor: str,
    reason: str | None = None,
) -> None:
    """Pin two records together or break their link; replaces an earlier decision on the pair."""
    for source, external_id in (("salesforce", salesforce_id), ("hubspot", hubspot_id)):
        found = connection.execute(
            select(ACCOUNTS.c.id).where(
                ACCOUNTS.c.source == source, ACCOUNTS.c.external_id == external_id
            )
        ).first()
        if found is None:
            raise ConfigurationError(
                f"no {source} record with id {external_id!r} has been pulled; "
                "run a sync first or check the id"
            )
    if action == OverrideAction.PIN:
        # A record can be pinned to one partner only: drop its other pins.
        connection.execute(
            delete(OVERRIDES).where(
                OVERRIDES.c.action == OverrideAction.PIN.value,
                (OVERRIDES.c.salesforce_id == salesforce_id)
                | (OVERRIDES.c.hubspot_id == hubspot_id),
            )
        )
    connection.execute(
        delete(OVERRIDES).where(
            OVERRIDES.c.salesforce_id == salesforce_id, OVERRIDES.c.hubspot_id == hubspot_id
        )
    )
    connection.execute(
        insert(OVERRIDES).values(
            salesforce_id=salesforce_id,
            hubspot_id=hubspot_id,
            action=action.value,
            actor=actor,
            reason=reason,
            created_at=datetime.now(UTC),
        )
    )


def clear_link_override(connection: Connection, salesforce_id: str, hubspot_id: str) -> bool:
    """Forget an admin's decision on a pair; linking goes back to domains. True if one existed."""
    result = connection.execute(
        delete(OVERRIDES).where(
            OVERRIDES.c.salesforce_id == salesforce_id, OVERRIDES.c.hubspot_id == hubspot_id
        )
    )
    return bool(result.rowcount)
