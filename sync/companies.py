"""Build what the territory engine evaluates from the store: one `CompanyFacts` per business.

Linked Salesforce and HubSpot records become one company with two records; every other live
account is a company of its own. Each record's owner id is resolved to the rep's email, so the
engine works with people, not CRM ids. The unified values come from the columns the field
registry lists (`mapping.registry`), and registered fields kept raw are normalised from the raw
fields here. Only the raw fields the territory file refers to are kept, which bounds memory
whatever the CRMs hold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from sqlalchemy import Connection, Table, and_, false, or_, select

from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink
from mapping.model.reps import Rep
from mapping.registry import raw_kept_fields, raw_kept_values
from mapping.territories.facts import (
    HUBSPOT,
    SALESFORCE,
    CompanyFacts,
    FirstTouch,
    RecordFacts,
    RepDirectoryEntry,
    column_fields,
)
from sync.store.accounts import IDS_PER_QUERY, live_account_rows
from sync.store.database import Database
from sync.store.related import OPPORTUNITIES
from territory_sync.errors import InternalError

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
LINKS: Table = CompanyLink.__table__  # type: ignore[attr-defined]
REPS: Table = Rep.__table__  # type: ignore[attr-defined]
_NO_VALUES: Mapping[str, object] = MappingProxyType({})


@dataclass
class RepIndex:
    """Who is who across the CRMs, as the last pull knows it."""

    email_by_owner: dict[tuple[str, str], str] = field(default_factory=dict)
    owner_by_email: dict[tuple[str, str], str] = field(default_factory=dict)
    directory: dict[str, RepDirectoryEntry] = field(default_factory=dict)

    def email_of(self, source: str, owner_id: str | None) -> str | None:
        return self.email_by_owner.get((source, owner_id)) if owner_id else None

    def owner_id_of(self, source: str, email: str | None) -> str | None:
        return self.owner_by_email.get((source, email)) if email else None


def load_rep_index(database: Database) -> RepIndex:
    """Every rep of the last pull. Status is per CRM: a rep is active in the CRMs whose seat is
    active (`salesforce_active`, `hubspot_active`; None means no seat there), so archiving a
    HubSpot owner moves their HubSpot companies only."""
    index = RepIndex()
    with database.engine.connect() as connection:
        for rep in connection.execute(select(REPS)).mappings():
            email = rep["email"]
            for source, id_column in (
                (SALESFORCE, "salesforce_user_id"),
                (HUBSPOT, "hubspot_owner_id"),
            ):
                if rep[id_column]:
                    index.email_by_owner[(source, rep[id_column])] = email
                    index.owner_by_email[(source, email)] = rep[id_column]
            index.directory[email] = RepDirectoryEntry(
                email=email,
                active_in=frozenset(
                    source
                    for source, active_column in (
                        (SALESFORCE, "salesforce_active"),
                        (HUBSPOT, "hubspot_active"),
                    )
                    if rep[active_column]
                ),
                has_salesforce_id=rep["salesforce_user_id"] is not None,
                has_hubspot_id=rep["hubspot_owner_id"] is not None,
            )
    return index


@dataclass
class CompanyBook:
    """The companies to evaluate, and each record's CRM owner id (the engine works by email)."""

    companies: list[CompanyFacts]
    owner_ids: dict[tuple[str, str], str | None]


def _record_columns() -> list[str]:
    """The columns a record's facts are read from: its key, owner and raw fields, and the
    unified fields with a column that territory files test (`mapping.registry`)."""
    return ["source", "external_id", *column_fields(), "owner_id", "owner_since", "raw"]


def _facts_reader(reps: RepIndex, keep: set[str] | None) -> Callable[[Any], RecordFacts]:
    """Turns a row of `_record_columns()` into the record's facts (the lists are read once)."""
    names = column_fields()
    read_values = attrgetter(*names)
    kept_raw = any(f.territory for f in raw_kept_fields())

    def facts(row: Any) -> RecordFacts:
        raw = row.raw or {}
        values = dict(zip(names, read_values(row), strict=True))
        extra = raw_kept_values(row.source, raw, values) if kept_raw else _NO_VALUES
        if keep is not None:
            raw = {k: v for k, v in raw.items() if k in keep}
        return RecordFacts(
            source=row.source,
            external_id=row.external_id,
            current_owner_email=reps.email_of(row.source, row.owner_id),
            raw=raw,
            extra=extra,
            owner_since=row.owner_since,
            **values,
        )

    return facts


def _company(pair: tuple[RecordFacts, ...]) -> CompanyFacts:
    """The company of a record and its linked one (Salesforce first), or of one record."""
    key = "|".join(f"{r.source}:{r.external_id}" for r in pair)
    return CompanyFacts(key, pair)


def load_companies(
    database: Database,
    reps: RepIndex,
    raw_fields: Collection[str] | None = None,
    *,
    first_touch: bool = False,
) -> CompanyBook:
    """Every live account, grouped into companies by the current cross-CRM links; with
    `first_touch`, each record with its earliest opportunity (`attach_first_touch`)."""
    keep = set(raw_fields) if raw_fields is not None else None
    records: dict[tuple[str, str], RecordFacts] = {}
    owner_ids: dict[tuple[str, str], str | None] = {}
    columns = [ACCOUNTS.c[name] for name in _record_columns()]
    facts = _facts_reader(reps, keep)
    with database.engine.connect() as connection:
        rows = connection.execution_options(yield_per=5000).execute(
            select(*columns).where(ACCOUNTS.c.deleted.is_(False))
        )
        for row in rows:
            owner_ids[(row.source, row.external_id)] = row.owner_id
            records[(row.source, row.external_id)] = facts(row)
        links = list(connection.execute(select(LINKS.c.salesforce_id, LINKS.c.hubspot_id)))
        if first_touch:
            attach_first_touch(connection, reps, records)
    companies: list[CompanyFacts] = []
    for salesforce_id, hubspot_id in links:
        first = records.pop(("salesforce", salesforce_id), None)
        second = records.pop(("hubspot", hubspot_id), None)
        pair = tuple(r for r in (first, second) if r is not None)
        if pair:
            companies.append(_company(pair))
    for record in records.values():
        companies.append(_company((record,)))
    return CompanyBook(companies, owner_ids)


def companies_by_record_ids(
    database: Database,
    reps: RepIndex,
    record_ids: Sequence[tuple[int, int]],
    raw_fields: Collection[str] | None = None,
) -> CompanyBook:
    """The companies of the given records, as `load_companies` builds them, one per pair of
    store ids (a record's and its linked record's, -1 for none), in the order given. Raises
    `InternalError` when one of the records is not live (the pairs come from the same store
    moments before, under the run lock)."""
    keep = set(raw_fields) if raw_fields is not None else None
    wanted = sorted({i for pair in record_ids for i in pair if i >= 0})
    facts = _facts_reader(reps, keep)
    found: dict[int, RecordFacts] = {}
    owner_ids: dict[tuple[str, str], str | None] = {}
    columns = [ACCOUNTS.c.id, *(ACCOUNTS.c[name] for name in _record_columns())]
    with database.engine.connect() as connection:
        for start in range(0, len(wanted), IDS_PER_QUERY):
            rows = connection.execute(
                select(*columns).where(
                    ACCOUNTS.c.deleted.is_(False),
                    ACCOUNTS.c.id.in_(wanted[start : start + IDS_PER_QUERY]),
                )
            )
            for row in rows:
                owner_ids[(row.source, row.external_id)] = row.owner_id
                found[row.id] = facts(row)
    companies = []
    for pair in record_ids:
        records = tuple(found[i] for i in pair if i >= 0 and i in found)
        if len(records) != sum(1 for i in pair if i >= 0):
            raise InternalError(
                f"the store's records {list(pair)} were read as one business for the territory "
                "engine but are no longer live; nothing was written. Run the command again"
            )
        companies.append(_company(records))
    return CompanyBook(companies, owner_ids)


def live_owner_ids(
    database: Database, records: Collection[tuple[str, str]]
) -> dict[tuple[str, str], str | None]:
    """The CRM owner id of each of `records` (CRM, id) that is live in the store."""
    columns = (ACCOUNTS.c.source, ACCOUNTS.c.external_id, ACCOUNTS.c.owner_id)
    with database.engine.connect() as connection:
        rows = live_account_rows(connection, records, columns)
        return {(source, external_id): owner for source, external_id, owner in rows}


def store_ids_of(database: Database, records: Collection[tuple[str, str]]) -> list[int]:
    """The store's ids of those of `records` (CRM, id) that are live in the store."""
    with database.engine.connect() as connection:
        return [row[0] for row in live_account_rows(connection, records, (ACCOUNTS.c.id,))]


def load_company(
    database: Database,
    reps: RepIndex,
    source: str,
    external_id: str,
    raw_fields: Collection[str] | None = None,
    *,
    first_touch: bool = False,
) -> CompanyBook:
    """The company one record belongs to (the record and the one linked to it, the live ones),
    as `load_companies` builds it, in a book of its own: empty when neither is live. Reads those
    two rows and their link only, whatever the size of the book."""
    keep = set(raw_fields) if raw_fields is not None else None
    linked_by = LINKS.c.salesforce_id if source == SALESFORCE else LINKS.c.hubspot_id
    with database.engine.connect() as connection:
        link = connection.execute(
            select(LINKS.c.salesforce_id, LINKS.c.hubspot_id).where(linked_by == external_id)
        ).first()
        wanted = (
            [(SALESFORCE, link.salesforce_id), (HUBSPOT, link.hubspot_id)]
            if link is not None
            else [(source, external_id)]
        )
        rows = connection.execute(
            select(*(ACCOUNTS.c[name] for name in _record_columns())).where(
                ACCOUNTS.c.deleted.is_(False),
                or_(
                    *(
                        and_(ACCOUNTS.c.source == crm, ACCOUNTS.c.external_id == record_id)
                        for crm, record_id in wanted
                    )
                ),
            )
        ).all()
        found = {(row.source, row.external_id): row for row in rows}
        facts = _facts_reader(reps, keep)
        pair = tuple(facts(found[key]) for key in wanted if key in found)
        if first_touch:
            attach_first_touch(
                connection, reps, {(r.source, r.external_id): r for r in pair}, narrow=True
            )
    owner_ids = {key: found[key].owner_id for key in wanted if key in found}
    return CompanyBook([_company(pair)] if pair else [], owner_ids)


def attach_first_touch(
    connection: Connection,
    reps: RepIndex,
    records: Mapping[tuple[str, str], RecordFacts],
    *,
    narrow: bool = False,
) -> None:
    """Give each record its earliest live opportunity (`RecordFacts.first_touch`): who owns it
    and who opened it, as emails; tied when another opened at the same moment has another owner.
    Reads every opportunity in (account, created) order, or with `narrow` those of `records`
    only."""
    query = (
        select(
            OPPORTUNITIES.c.source,
            OPPORTUNITIES.c.account_external_id,
            OPPORTUNITIES.c.external_id,
            OPPORTUNITIES.c.owner_id,
            OPPORTUNITIES.c.created_by,
            OPPORTUNITIES.c.created_at,
        )
        .where(
            OPPORTUNITIES.c.deleted.is_(False),
            OPPORTUNITIES.c.created_at.is_not(None),
            OPPORTUNITIES.c.account_external_id.is_not(None),
        )
        .order_by(
            OPPORTUNITIES.c.source,
            OPPORTUNITIES.c.account_external_id,
            OPPORTUNITIES.c.created_at,
            OPPORTUNITIES.c.external_id,
        )
    )
    if narrow:
        query = query.where(
            or_(
                *(
                    and_(
                        OPPORTUNITIES.c.source == source,
                        OPPORTUNITIES.c.account_external_id == record_id,
                    )
                    for source, record_id in records
                )
            )
            if records
            else false()
        )
    rows = connection.execution_options(yield_per=5000).execute(query)
    for source, account, opportunity, owner, creator, created in rows:
        record = records.get((source, account))
        if record is None:
            continue
        touch = FirstTouch(
            opportunity, created, reps.email_of(source, owner), reps.email_of(source, creator)
        )
        seen = record.first_touch
        record.first_touch = touch if seen is None else seen.earlier(touch)
