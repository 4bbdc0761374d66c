"""Company links stored in the database, with admins' pins and breaks, on both databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, insert
from sqlmodel import Session, select

from mapping.model.accounts import Account
from mapping.model.companies import CompanyLink, LinkOverride, OverrideAction
from mapping.unified import UnifiedAccount
from sync.store.accounts import upsert_accounts
from sync.store.companies import (
    clear_link_override,
    link_report,
    refresh_company_links,
    set_link_override,
)
from sync.store.database import Database
from territory_sync.errors import ConfigurationError

NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def book(database: Database) -> Database:
    accounts = [
        UnifiedAccount("salesforce", "001ACME", domain="acme.com"),
        UnifiedAccount("hubspot", "9001", domain="acme.com"),
        UnifiedAccount("salesforce", "001INIT", domain="initech.com"),
        UnifiedAccount("hubspot", "9002", domain="initech.io"),
        UnifiedAccount("salesforce", "001GONE", domain="gone.com", deleted=True),
        UnifiedAccount("hubspot", "9003", domain="gone.com"),
    ]
    with database.engine.begin() as connection:
        upsert_accounts(connection, accounts, NOW)
    return database


def links(database: Database) -> set[tuple[str, str, str]]:
    with Session(database.engine) as session:
        return {
            (r.salesforce_id, r.hubspot_id, r.origin) for r in session.exec(select(CompanyLink))
        }


def test_refreshing_links_stores_one_link_per_shared_live_domain(book: Database) -> None:
    with book.engine.begin() as connection:
        refresh_company_links(connection)
    assert links(book) == {("001ACME", "9001", "domain")}


def test_a_pin_set_by_an_admin_survives_the_next_refresh(book: Database) -> None:
    with book.engine.begin() as connection:
        set_link_override(connection, "001INIT", "9002", OverrideAction.PIN, "ana@example.com")
        refresh_company_links(connection)
        refresh_company_links(connection)
    assert links(book) == {("001ACME", "9001", "domain"), ("001INIT", "9002", "pinned")}


def test_clearing_a_break_lets_the_domain_link_again(book: Database) -> None:
    with book.engine.begin() as connection:
        set_link_override(connection, "001ACME", "9001", OverrideAction.BREAK, "ana@example.com")
        refresh_company_links(connection)
    assert links(book) == set()
    with book.engine.begin() as connection:
        assert clear_link_override(connection, "001ACME", "9001") is True
        refresh_company_links(connection)
    assert links(book) == {("001ACME", "9001", "domain")}


def link_rows(database: Database) -> dict[tuple[str, str], tuple[int | None, datetime]]:
    with Session(database.engine) as session:
        return {
            (r.salesforce_id, r.hubspot_id): (r.id, r.linked_at)
            for r in session.exec(select(CompanyLink))
        }


def test_a_link_that_still_holds_keeps_its_row_and_when_it_was_made(book: Database) -> None:
    with book.engine.begin() as connection:
        refresh_company_links(connection, NOW)
    first = link_rows(book)
    with book.engine.begin() as connection:
        refresh_company_links(connection, datetime(2026, 3, 2, tzinfo=UTC))
    assert link_rows(book) == first


def test_pinning_a_linked_record_to_another_partner_replaces_its_link(book: Database) -> None:
    with book.engine.begin() as connection:
        refresh_company_links(connection)
        set_link_override(connection, "001ACME", "9002", OverrideAction.PIN, "ana@example.com")
        refresh_company_links(connection)
    # 9001 lost its only partner by domain to the pin; 9002 is pinned to ACME.
    assert links(book) == {("001ACME", "9002", "pinned")}


def test_pinning_a_record_that_was_never_pulled_is_refused(book: Database) -> None:
    with book.engine.begin() as connection, pytest.raises(ConfigurationError, match="001NOPE"):
        set_link_override(connection, "001NOPE", "9001", OverrideAction.PIN, "ana@example.com")


def test_a_process_that_writes_while_links_are_computed_waits_for_them(book: Database) -> None:
    """Another process writes an account just after the refresh has read the accounts: on SQLite
    it is made to wait (here it does not wait, so it is refused), and the refresh completes."""
    if not book.is_sqlite:
        pytest.skip("PostgreSQL's transactions read committed rows: nothing to interleave")
    assert book.sqlite_path is not None
    other = sqlite3.connect(book.sqlite_path, timeout=0, isolation_level=None)
    refused = []

    def write_from_another_process(
        _conn: object, _cursor: object, statement: str, *_: object
    ) -> None:
        if "FROM accounts" in statement and not refused:
            try:
                other.execute("UPDATE accounts SET name = 'Renamed' WHERE external_id = '9003'")
                refused.append(False)
            except sqlite3.OperationalError as exc:
                refused.append("database is locked" in str(exc))

    event.listen(book.engine, "after_cursor_execute", write_from_another_process)
    try:
        with book.engine.begin() as connection:
            refresh_company_links(connection)
    finally:
        event.remove(book.engine, "after_cursor_execute", write_from_another_process)
        other.close()
    assert refused == [True]
    assert links(book) == {("001ACME", "9001", "domain")}


SF_IDS = [f"001{letter}" for letter in "ABCDE"]
HS_IDS = [str(n) for n in range(9001, 9006)]
DOMAINS = [None, "", "acme.com", "globex.com", "initech.com"]


@st.composite
def stored_books(draw: st.DrawFn) -> tuple[list[UnifiedAccount], dict[tuple[str, str], str]]:
    """Accounts of both CRMs sharing a few domains (some deleted, some without one), and admins'
    pins and breaks, some naming records that are gone or were never pulled."""
    accounts = [
        UnifiedAccount(
            source,
            external_id,
            domain=draw(st.sampled_from(DOMAINS)),
            deleted=draw(st.booleans()) and draw(st.booleans()),
        )
        for source, ids in (("salesforce", SF_IDS), ("hubspot", HS_IDS))
        for external_id in draw(st.lists(st.sampled_from(ids), unique=True))
    ]
    overrides = draw(
        st.dictionaries(
            st.tuples(st.sampled_from([*SF_IDS, "001Z"]), st.sampled_from([*HS_IDS, "9999"])),
            st.sampled_from(["pin", "break"]),
            max_size=4,
        )
    )
    return accounts, overrides


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(stored_books())
@example(  # a domain two Salesforce accounts share links neither to the HubSpot company
    (
        [
            UnifiedAccount("salesforce", "001A", domain="acme.com"),
            UnifiedAccount("salesforce", "001B", domain="acme.com"),
            UnifiedAccount("hubspot", "9001", domain="acme.com"),
        ],
        {},
    )
)
def test_links_made_in_sql_are_the_links_and_counts_of_the_linking_rules(
    database: Database, drawn: tuple[list[UnifiedAccount], dict[tuple[str, str], str]]
) -> None:
    accounts, overrides = drawn
    with database.engine.begin() as connection:
        for table in (CompanyLink, LinkOverride, Account):
            connection.execute(delete(table))
        upsert_accounts(connection, accounts, NOW)
        for (salesforce_id, hubspot_id), action in overrides.items():
            connection.execute(
                insert(LinkOverride).values(
                    salesforce_id=salesforce_id,
                    hubspot_id=hubspot_id,
                    action=action,
                    actor="test",
                    created_at=NOW,
                )
            )

    with database.engine.begin() as connection:
        counts = refresh_company_links(connection)
        expected = link_report(connection)

    assert counts == expected.counts()
    assert {(s, h, o) for s, h, o in links(database)} == {
        (link.salesforce_id, link.hubspot_id, link.origin) for link in expected.links
    }
