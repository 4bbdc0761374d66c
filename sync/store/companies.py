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
_DELETE_CHUNK = 500
"""Link rows deleted per statement (well under SQLite's and PostgreSQL's parameter limits)."""


def refresh_company_links(connection: Connection, now: datetime | None = None) -> LinkReport:
    """Recompute every link from the current accounts and overrides, in the caller's transaction.

    Only the difference is written: links that no longer hold are deleted, new ones inserted, and
    a link that still holds keeps its row and its `linked_at` (when the two records were first
    linked). A nightly run in which a few accounts changed rewrites a few rows, not the table.
    """
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
    wanted = {
        (link.salesforce_id, link.hubspot_id, link.domain, link.origin): link
        for link in report.links
    }
    stored = {
        (sf, hs, domain, origin): row_id
        for row_id, sf, hs, domain, origin in connection.execute(
            select(
                LINKS.c.id,
                LINKS.c.salesforce_id,
                LINKS.c.hubspot_id,
                LINKS.c.domain,
                LINKS.c.origin,
            )
        )
    }
    gone = [row_id for key, row_id in stored.items() if key not in wanted]
    for start in range(0, len(gone), _DELETE_CHUNK):
        connection.execute(delete(LINKS).where(LINKS.c.id.in_(gone[start : start + _DELETE_CHUNK])))
    added = [link for key, link in wanted.items() if key not in stored]
    if added:
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
                for link in added
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
