"""Builders for tests of related records: stored contacts and opportunities, their changes, and a
fake CRM that writes them (`FakeCrmWithRelated`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from connectors.base import AccountPage, PullMode, PullPosition
from mapping.unified import UnifiedContact, UnifiedOpportunity
from sync.plan import ProposedChange
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.store.related import TABLES, upsert_related
from tests.sync.fakes import FakeCrm
from tests.sync.support import SF


def store_contacts(
    database: Database, contacts: dict[str, tuple[str, str | None]], source: str = SF
) -> None:
    """Contacts in the store: id -> (account id, owner id)."""
    with database.engine.begin() as connection:
        upsert_related(
            connection,
            "contact",
            [
                UnifiedContact(source, cid, account, owner, f"{cid}@x.example")
                for cid, (account, owner) in contacts.items()
            ],
            datetime.now(UTC),
        )


def store_opportunities(
    database: Database,
    opportunities: dict[str, tuple[str, str | None, bool, str]],
    source: str = SF,
) -> None:
    """Opportunities in the store: id -> (account id, owner id, closed, stage)."""
    with database.engine.begin() as connection:
        upsert_related(
            connection,
            "opportunity",
            [
                UnifiedOpportunity(
                    source, oid, account, owner, name=f"Deal {oid}", stage=stage, is_closed=closed
                )
                for oid, (account, owner, closed, stage) in opportunities.items()
            ],
            datetime.now(UTC),
        )


def stored_related_owner(
    database: Database, object_name: str, record: str, source: str = SF
) -> str | None:
    table = TABLES[object_name]
    with database.engine.connect() as connection:
        owner = connection.execute(
            select(table.c.owner_id).where(table.c.source == source, table.c.external_id == record)
        ).scalar_one()
    return None if owner is None else str(owner)


def related_change(
    record: str,
    account: str,
    old: str | None,
    new: str,
    *,
    object_name: str = "contact",
    source: str = SF,
) -> ProposedChange:
    return ProposedChange(
        source=source,
        object_name=object_name,
        external_id=record,
        parent_external_id=account,
        account_name=f"Company {account}",
        old_owner_id=old,
        old_owner_email=f"{old}@acme.example" if old else None,
        new_owner_id=new,
        new_owner_email=f"{new}@acme.example",
        territory="NA-West",
        rule="contacts:owned_by_previous_owner",
        reason=f"{record} follows its account {account}",
        state=ChangeState.PLANNED,
    )


@dataclass
class FakeCrmWithRelated(FakeCrm):
    """A `FakeCrm` for accounts whose contacts and opportunities are fakes of their own."""

    related: dict[str, FakeCrm] = field(default_factory=dict)

    def pull_related(
        self,
        object_name: str,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        fields: Sequence[str] = (),
        optional_fields: Sequence[str] = (),
    ) -> Iterator[AccountPage]:
        return iter(())

    def related_writer(self, object_name: str) -> Any:
        return self.related[object_name]
