"""An account's page reads that account's company, not the book, and says when its rep is only
indicative."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert

from sync.companies import ACCOUNTS, REPS
from sync.store.database import Database
from tests.web.conftest import bearer, sign_in

BOOK_SIZE = 400
MAYA = "maya.chen@acme-revenue.example"
MEMBERS = ("maya.chen", "daniel.okafor", "rachel.goldberg", "oliver.bennett", "lena.fischer")
"""Every member of the test territory file, known to both the file and the store."""


def _account(external_id: str, owner_id: str | None, name: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "source": "salesforce",
        "external_id": external_id,
        "name": name,
        "country": "US",
        "region": "US-CA",
        "owner_id": owner_id,
        "deleted": False,
        "raw": {},
        "first_seen_at": now,
        "last_seen_at": now,
    }


def _seed_book(database: Database) -> None:
    """`BOOK_SIZE` unowned West-coast accounts and one owned by Maya (a NA-West member)."""
    with database.engine.begin() as connection:
        connection.execute(
            insert(REPS),
            [
                {
                    "email": f"{name}@acme-revenue.example",
                    "salesforce_user_id": f"005{name.split('.')[0].upper()}",
                    "salesforce_active": True,
                    "updated_at": datetime.now(UTC),
                }
                for name in MEMBERS
            ],
        )
        connection.execute(
            insert(ACCOUNTS),
            [_account(f"001BOOK{n:07d}", None, f"Book {n}") for n in range(BOOK_SIZE)]
            + [_account("001MAYA0000001", "005MAYA", "Maya's Own")],
        )


@pytest.fixture
def account_rows_read(database: Database) -> Iterator[list[str]]:
    """Every row the console fetches from the accounts table, by its statement (SQLite)."""
    if database.dialect != "sqlite":
        pytest.skip("rows are counted through the SQLite driver's row factory")
    statements: dict[int, str] = {}
    fetched: list[str] = []

    def remember(_conn: Any, cursor: Any, statement: str, *_rest: Any) -> None:
        statements[id(cursor)] = " ".join(statement.split())

    def count(cursor: Any, row: tuple[Any, ...]) -> tuple[Any, ...]:
        statement = statements.get(id(cursor), "")
        if "FROM accounts" in statement:
            fetched.append(statement)
        return row

    def on_checkout(dbapi_connection: Any, *_rest: Any) -> None:
        dbapi_connection.row_factory = count

    database.engine.dispose()
    event.listen(database.engine, "before_cursor_execute", remember)
    event.listen(database.engine, "checkout", on_checkout)
    try:
        yield fetched
    finally:
        event.remove(database.engine, "checkout", on_checkout)
        event.remove(database.engine, "before_cursor_execute", remember)
        database.engine.dispose()


def test_an_accounts_page_reads_its_own_rows_and_not_the_book(
    client: TestClient, database: Database, viewer_token: str, account_rows_read: list[str]
) -> None:
    _seed_book(database)
    assert client.get("/api/balance", headers=bearer(viewer_token)).status_code == 200
    assert len(account_rows_read) >= BOOK_SIZE  # the balance does read the whole book
    account_rows_read.clear()

    answer = client.get("/api/accounts/salesforce/001BOOK0000007", headers=bearer(viewer_token))
    assert answer.status_code == 200, answer.text
    assert answer.json()["explain"]["decision"]["territory"] == "NA-West"
    assert 1 <= len(account_rows_read) <= 4

    account_rows_read.clear()
    sign_in(client, viewer_token)
    assert client.get("/accounts/salesforce/001BOOK0000007").status_code == 200
    assert 1 <= len(account_rows_read) <= 4


def test_a_rep_dealt_by_balancing_is_marked_indicative(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    _seed_book(database)
    detail = client.get(
        "/api/accounts/salesforce/001BOOK0000007", headers=bearer(viewer_token)
    ).json()
    decision = detail["explain"]["decision"]
    assert decision["rep_rule"] == "balanced"
    assert decision["rep_indicative"] is True
    assert "indicative" in detail["explain"]["note"]


def test_an_owner_who_keeps_the_account_is_decided_as_a_run_decides(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    _seed_book(database)
    detail = client.get(
        "/api/accounts/salesforce/001MAYA0000001", headers=bearer(viewer_token)
    ).json()
    decision = detail["explain"]["decision"]
    assert (decision["rep_email"], decision["rep_rule"]) == (MAYA, "sticky")
    assert decision["rep_indicative"] is False
    assert detail["explain"]["note"] is None


def test_the_account_page_says_the_dealt_rep_is_indicative(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    _seed_book(database)
    sign_in(client, viewer_token)
    page = client.get("/accounts/salesforce/001BOOK0000007").text
    assert 'id="rep-indicative"' in page and "The rep shown is indicative" in page
