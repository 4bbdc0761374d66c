"""Store side of cross-CRM linking: recompute `company_links` and record admins' pins and breaks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    column,
    delete,
    exists,
    insert,
    literal,
    select,
    table,
    text,
)

from mapping.linking import AdminOverride, LinkCandidate, LinkReport, link_companies
from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink, LinkOverride, OverrideAction
from territory_sync.errors import ConfigurationError

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
LINKS: Table = CompanyLink.__table__  # type: ignore[attr-defined]
OVERRIDES: Table = LinkOverride.__table__  # type: ignore[attr-defined]
_LINKS_PER_INSERT = 5_000
"""Link rows built and staged at a time (a row dict per link of the whole book is not held)."""
_LINK_KEY = ("salesforce_id", "hubspot_id", "domain", "origin")
_STAGED = table("company_links_staged", *(column(name) for name in _LINK_KEY))
"""The links just computed, in a temporary table of the connection (never in the migrations)."""
_CREATE_STAGED = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS company_links_staged (salesforce_id VARCHAR(64), "
    "hubspot_id VARCHAR(64), domain VARCHAR(255), origin VARCHAR(16))"
)
_INDEX_STAGED = (
    "CREATE INDEX IF NOT EXISTS company_links_staged_salesforce "
    "ON company_links_staged (salesforce_id)"
)


def refresh_company_links(connection: Connection, now: datetime | None = None) -> LinkReport:
    """Recompute every link from the current accounts and overrides, in the caller's transaction.

    Only the difference is written: the links computed are staged in a temporary table (a chunk
    at a time), then the stored links that no longer hold are deleted and the new ones inserted,
    in SQL. A link that still holds keeps its row and its `linked_at` (when the two records were
    first linked), so a nightly run in which a few accounts changed rewrites a few rows.
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
    connection.execute(text(_CREATE_STAGED))
    connection.execute(text(_INDEX_STAGED))
    for start in range(0, len(report.links), _LINKS_PER_INSERT):
        connection.execute(
            insert(_STAGED),
            [
                {
                    "salesforce_id": link.salesforce_id,
                    "hubspot_id": link.hubspot_id,
                    "domain": link.domain,
                    "origin": link.origin,
                }
                for link in report.links[start : start + _LINKS_PER_INSERT]
            ],
        )
    connection.execute(delete(LINKS).where(~exists().where(_same_link())))
    staged_columns = [_STAGED.c[name] for name in _LINK_KEY]
    connection.execute(
        insert(LINKS).from_select(
            [*_LINK_KEY, "linked_at"],
            select(*staged_columns, literal(now, LINKS.c.linked_at.type)).where(
                ~exists().where(_same_link())
            ),
        )
    )
    # Dropped, not emptied: on PostgreSQL a temporary table is never vacuumed, so one emptied on a
    # pooled connection would keep its dead rows night after night.
    connection.execute(text("DROP TABLE company_links_staged"))
    return report


def _same_link() -> ColumnElement[bool]:
    """A stored link and a staged one are the same: both records, the domain and the origin."""
    return and_(
        LINKS.c.salesforce_id == _STAGED.c.salesforce_id,
        LINKS.c.hubspot_id == _STAGED.c.hubspot_id,
        LINKS.c.domain.is_not_distinct_from(_STAGED.c.domain),
        LINKS.c.origin == _STAGED.c.origin,
    )


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
