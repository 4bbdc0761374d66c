"""The balance page: revenue with its currency, long rep names that wrap instead of being cut
off, and a table that scrolls in its own box so the page fits a 390 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mapping.unified import UnifiedRep
from sync.store.database import Database
from sync.store.reps import upsert_reps
from tests.end_to_end.conftest import TERRITORIES
from tests.web.conftest import sign_in
from tests.web.small_book import MAYA, account, seed_small_book

LONG_REP = "alexandra.konstantinopoulou-vandenberghe.enterprise@acme-revenue.example"


@pytest.fixture
def long_rep(database: Database, territory_file: Path) -> str:
    """An EMEA member with a 73-character email who owns one German account."""
    seed_small_book(
        database, [account("salesforce", "001KOELN", "Köln AG", "005LONG", country="DE")]
    )
    with database.engine.begin() as connection:
        upsert_reps(connection, [UnifiedRep("salesforce", "005LONG", LONG_REP, None, True)])
    territory_file.write_text(
        TERRITORIES.replace(
            "      - email: lena.fischer@acme-revenue.example\n",
            f"      - email: lena.fischer@acme-revenue.example\n      - email: {LONG_REP}\n",
        ),
        encoding="utf-8",
    )
    return LONG_REP


def _balance(client: TestClient, token: str) -> str:
    sign_in(client, token)
    answer = client.get("/balance")
    assert answer.status_code == 200, answer.text
    text: str = answer.text
    return text


def test_revenue_on_the_balance_page_carries_its_currency(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_small_book(database)

    page = _balance(client, viewer_token)

    assert "revenue in USD" in page
    assert "Revenue per rep (now, USD)" in page
    assert f"<title>{MAYA}: 1,500,000 USD</title>" in page
    members = page[page.index('id="member-targets"') :]
    assert '<td class="num">1,500,000 USD</td>' in members


def test_a_long_rep_name_wraps_in_the_charts_and_keeps_its_whole_name(
    client: TestClient, long_rep: str, viewer_token: str
) -> None:
    page = _balance(client, viewer_token)

    assert '<tspan x="252" dy="0">alexandra.konstantinopoulou-</tspan>' in page
    assert f"<title>{long_rep}: 1</title>" in page
    assert f'<td class="wrap">{long_rep}</td>' in page


def test_the_member_table_scrolls_in_its_own_box_on_a_narrow_screen(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_small_book(database)

    page = _balance(client, viewer_token)
    css = client.get("/static/console.css").text

    assert '<div class="table-scroll">\n<table id="member-targets">' in page
    narrow = css[css.index("@media (max-width: 640px)") :]
    assert "header { flex-wrap: wrap;" in narrow
    assert "header nav { display: flex; flex-wrap: wrap;" in narrow
