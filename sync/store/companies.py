"""Store side of cross-CRM linking: recompute `company_links` and record admins' pins and breaks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    table,
    text,
)

from mapping.linking import (
    HUBSPOT,
    SALESFORCE,
    AdminOverride,
    LinkCandidate,
    LinkReport,
    admin_pins,
    link_companies,
)
from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink, LinkOverride, OverrideAction
from sync.store.accounts import live_account_rows
from sync.store.database import take_sqlite_write_lock
from territory_sync.errors import ConfigurationError

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
LINKS: Table = CompanyLink.__table__  # type: ignore[attr-defined]
OVERRIDES: Table = LinkOverride.__table__  # type: ignore[attr-defined]
_LINK_KEY = ("salesforce_id", "hubspot_id", "domain", "origin")
_STAGED = table("company_links_staged", *(column(name) for name in _LINK_KEY))
"""The links just computed, in a temporary table of the connection (never in the migrations)."""
_DOMAIN_KEY = ("source", "domain", "holders", "external_id")
_DOMAINS = table("company_domains_staged", *(column(name) for name in _DOMAIN_KEY))
"""Per CRM and domain (none and empty included): how many live records hold it, and the lowest
id of those (the only one, where one holds it). A temporary table of the connection."""
_CREATE_STAGED = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS company_links_staged (salesforce_id VARCHAR(64), "
    "hubspot_id VARCHAR(64), domain VARCHAR(255), origin VARCHAR(16))",
    "CREATE INDEX IF NOT EXISTS company_links_staged_salesforce "
    "ON company_links_staged (salesforce_id)",
    "CREATE TEMPORARY TABLE IF NOT EXISTS company_domains_staged (source VARCHAR(16), "
    "domain VARCHAR(255), holders INTEGER, external_id VARCHAR(64))",
)
_INDEX_DOMAINS = (
    "CREATE INDEX IF NOT EXISTS company_domains_staged_domain "
    "ON company_domains_staged (domain, source, holders)"
)


def refresh_company_links(connection: Connection, now: datetime | None = None) -> dict[str, int]:
    """Recompute every link from the current accounts and overrides, in the caller's transaction;
    the counts `LinkReport.counts` gives (`link_report` gives the report itself).

    The rules are `mapping.linking`'s, applied in SQL so a run holds no record of the book: the
    admins' pins first (`admin_pins`; only the pinned records are read), then each domain that
    exactly one live record of each CRM has, unless a pin holds one of them or an admin broke
    the pair. The live accounts are grouped by CRM and domain once (`_DOMAINS`); links and
    counts are read from the groups. Only the difference is written: the links computed are
    staged in a temporary table, then the stored links that no longer hold are deleted and the
    new ones inserted. A link that still holds keeps its row and its `linked_at` (when the two
    records were first linked), so a nightly run in which a few accounts changed rewrites a few
    rows.

    On SQLite the database's write lock is taken before anything is read
    (`take_sqlite_write_lock`), so a process writing meanwhile waits instead of failing this.
    """
    now = now or datetime.now(UTC)
    take_sqlite_write_lock(connection, LINKS)
    overrides = _overrides(connection)
    pinned = {
        record
        for o in overrides
        if o.action != OverrideAction.BREAK.value  # as `admin_pins` reads them
        for record in ((SALESFORCE, o.salesforce_id), (HUBSPOT, o.hubspot_id))
    }
    columns = (ACCOUNTS.c.source, ACCOUNTS.c.external_id)
    live = {(row[0], row[1]) for row in live_account_rows(connection, pinned, columns)}
    pins = admin_pins(overrides, lambda source, external_id: (source, external_id) in live)
    for statement in _CREATE_STAGED:
        connection.execute(text(statement))
    connection.execute(
        insert(_DOMAINS).from_select(
            list(_DOMAIN_KEY),
            select(
                ACCOUNTS.c.source, ACCOUNTS.c.domain, func.count(), func.min(ACCOUNTS.c.external_id)
            )
            .where(_LIVE)
            .group_by(ACCOUNTS.c.source, ACCOUNTS.c.domain),
        )
    )
    connection.execute(text(_INDEX_DOMAINS))
    if pins.links:
        connection.execute(
            insert(_STAGED),
            [
                {"salesforce_id": p.salesforce_id, "hubspot_id": p.hubspot_id, "origin": p.origin}
                for p in pins.links
            ],
        )
    pairs, broken = _domain_pairs()
    connection.execute(
        insert(_STAGED).from_select(
            list(_LINK_KEY), pairs.where(~broken).add_columns(literal("domain"))
        )
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
    has_domain = func.coalesce(_DOMAINS.c.domain, "") != ""
    counts = {
        "linked": _scalar(connection, select(func.count()).select_from(_STAGED)),
        "pinned": len(pins.links),
        "without_domain": _scalar(
            connection,
            select(func.coalesce(func.sum(_DOMAINS.c.holders), 0)).where(~has_domain),
        ),
        "ambiguous_domains": _scalar(
            connection, select(func.count()).where(has_domain, _DOMAINS.c.holders > 1)
        ),
        "broken": _scalar(
            connection, select(func.count()).select_from(pairs.where(broken).subquery())
        )
        if pins.breaks
        else 0,
        "stale_pins": len(pins.stale),
    }
    # Dropped, not emptied: on PostgreSQL a temporary table is never vacuumed, so one emptied on a
    # pooled connection would keep its dead rows night after night.
    connection.execute(text("DROP TABLE company_links_staged"))
    connection.execute(text("DROP TABLE company_domains_staged"))
    return counts


def link_report(connection: Connection) -> LinkReport:
    """What linking makes of the stored accounts, record by record (`mapping.linking`): for a
    person's report. It reads every live account; runs use `refresh_company_links`."""
    rows = connection.execute(
        select(ACCOUNTS.c.source, ACCOUNTS.c.external_id, ACCOUNTS.c.domain).where(_LIVE)
    )
    candidates = (
        LinkCandidate(source, external_id, domain) for source, external_id, domain in rows
    )
    return link_companies(candidates, _overrides(connection))


_LIVE = and_(ACCOUNTS.c.deleted.is_(False), ACCOUNTS.c.source.in_((SALESFORCE, HUBSPOT)))


def _overrides(connection: Connection) -> list[AdminOverride]:
    return [
        AdminOverride(sf, hs, action)
        for sf, hs, action in connection.execute(
            select(OVERRIDES.c.salesforce_id, OVERRIDES.c.hubspot_id, OVERRIDES.c.action)
        )
    ]


def _domain_pairs() -> tuple[Select[Any], ColumnElement[bool]]:
    """The (Salesforce id, HubSpot id, domain) of each domain exactly one live record of each CRM
    has, neither of them held by a pin already staged; and the condition "an admin broke it"."""
    sf, hs = _DOMAINS.alias("sf"), _DOMAINS.alias("hs")
    pinned = _STAGED.c.origin == "pinned"
    pairs = (
        select(sf.c.external_id, hs.c.external_id, sf.c.domain)
        .select_from(sf.join(hs, hs.c.domain == sf.c.domain))
        .where(
            sf.c.source == SALESFORCE,
            sf.c.holders == 1,
            sf.c.domain != "",
            hs.c.source == HUBSPOT,
            hs.c.holders == 1,
            # Uncorrelated, so each list of pinned ids is read once, not once per pair.
            sf.c.external_id.not_in(select(_STAGED.c.salesforce_id).where(pinned)),
            hs.c.external_id.not_in(select(_STAGED.c.hubspot_id).where(pinned)),
        )
    )
    broken = exists().where(
        OVERRIDES.c.action == OverrideAction.BREAK.value,
        OVERRIDES.c.salesforce_id == sf.c.external_id,
        OVERRIDES.c.hubspot_id == hs.c.external_id,
    )
    return pairs, broken


def _scalar(connection: Connection, query: Select[Any]) -> int:
    return int(connection.execute(query).scalar_one())


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
