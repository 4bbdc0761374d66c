"""Company links stored in the database, with admins' pins and breaks, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from mapping.model.companies import CompanyLink, OverrideAction
from mapping.unified import UnifiedAccount
from sync.store.accounts import upsert_accounts
from sync.store.companies import clear_link_override, refresh_company_links, set_link_override
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
