"""Reconciliation: find records deleted in a CRM behind the product's back, and flag them.

Incremental pulls see deletions only while the CRM still reports them (Salesforce's recycle bin
through `queryAll`); a record purged from the recycle bin, merged away or archived in HubSpot
simply stops being returned. So every so often (weekly by default, `[schedule] reconcile_cron`,
or `territory-sync sync --reconcile`) the ids of every live record are listed as cheaply as the
CRM allows (no other fields) and compared with the store: a stored live account the CRM no longer
lists is flagged deleted, with an audit row, and is never planned again. Accounts first stored
after the listing began are left alone (the listing may have passed their place already).

A listing that would flag more than the blast-radius share of the stored accounts (an empty
answer, a permission change on the integration user) is refused before anything is flagged,
unless allowed explicitly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Table, and_, select, update

from connectors.base import CrmConnector
from mapping.model.accounts import Account
from sync.audit import AuditRecord, append_audit
from sync.store.database import Database
from territory_sync.errors import GuardRailError
from territory_sync.logs import log_event

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
CHUNK = 500


def reconcile_source(
    database: Database,
    connector: CrmConnector,
    *,
    run_id: int | None,
    actor: str,
    max_share: float,
    allow_mass_change: bool = False,
) -> dict[str, int]:
    """List every live id of the connector's CRM and flag stored accounts it lacks as deleted."""
    source = connector.source
    started = datetime.now(UTC)
    seen: set[str] = set()
    for page in connector.list_account_ids():
        seen.update(page)
    with database.engine.connect() as connection:
        stored = connection.execute(
            select(ACCOUNTS.c.external_id, ACCOUNTS.c.name).where(
                ACCOUNTS.c.source == source,
                ACCOUNTS.c.deleted.is_(False),
                ACCOUNTS.c.first_seen_at < started,
            )
        ).all()
    gone = [(external_id, name) for external_id, name in stored if external_id not in seen]
    if stored and len(gone) > max_share * len(stored) and not allow_mass_change:
        raise GuardRailError(
            f"{source} listed {len(seen):,} live records, so {len(gone):,} of the "
            f"{len(stored):,} stored accounts would be flagged deleted, more than the "
            f"{max_share:.0%} blast-radius limit; nothing was flagged. Check the integration "
            "user's access to every record, or rerun with --allow-mass-change"
        )
    for start in range(0, len(gone), CHUNK):
        chunk = gone[start : start + CHUNK]
        with database.engine.begin() as connection:
            connection.execute(
                update(ACCOUNTS)
                .where(
                    and_(
                        ACCOUNTS.c.source == source,
                        ACCOUNTS.c.external_id.in_([external_id for external_id, _ in chunk]),
                    )
                )
                .values(deleted=True)
            )
            append_audit(
                connection,
                [
                    AuditRecord(
                        run_id=run_id,
                        trigger="reconcile",
                        actor=actor,
                        status="flagged_deleted",
                        source=source,
                        external_id=external_id,
                        account_name=name,
                        rule="reconcile",
                        reason=(
                            f"{source} no longer lists this record (deleted, purged or merged "
                            "behind the product's back); flagged deleted, never planned again"
                        ),
                    )
                    for external_id, name in chunk
                ],
            )
    log_event("reconcile.finished", source=source, listed=len(seen), flagged_deleted=len(gone))
    return {"listed": len(seen), "stored": len(stored), "flagged_deleted": len(gone)}
