"""The scorecard page: attainment bars and a trend line per territory, drawn on the server, with
every name from the territory file or the CRMs escaped, and a problem shown, not a crash."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from sync.store.database import Database
from tests.sync.scorecard_support import TERRITORIES, seed_book
from tests.web.conftest import sign_in

HOSTILE = '<img src=x onerror="alert(1)">West'


def test_the_scorecard_page_draws_attainment_bars_and_a_trend_line_per_territory(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    seed_book(database, territory_file)
    sign_in(client, viewer_token)

    page = client.get("/scorecard", params={"period": "2026-Q4"})

    assert page.status_code == 200
    assert '<a href="/scorecard">Scorecard</a>' in page.text
    assert "<h2>NA-West · 2026-Q4</h2>" in page.text
    assert page.text.count('class="bars attainment"') == 1
    assert page.text.count('class="lines"') == 1
    assert "<title>NA-West: bookings: 72%</title>" in page.text
    assert "maya.chen@acme-revenue.example: bookings: 120%" in page.text
    assert "1 opportunity in CHF was left out" in page.text


def test_names_from_the_territory_file_are_escaped_in_the_table_and_the_charts(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    seed_book(database, territory_file, TERRITORIES.replace("name: NA-West", f"name: '{HOSTILE}'"))
    sign_in(client, viewer_token)

    page = client.get("/scorecard", params={"period": "2026-Q4"}).text

    assert HOSTILE not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;West" in page  # by Jinja
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;West: bookings" in page  # in the SVG


def test_a_period_that_cannot_be_read_is_shown_as_a_problem(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    seed_book(database, territory_file)
    sign_in(client, viewer_token)

    page = client.get("/scorecard", params={"period": "soon"})

    assert page.status_code == 200
    assert "&#39;soon&#39; is not a period: write 2026-Q4 (a quarter)" in page.text
    assert "<svg" not in page.text


def test_a_territory_file_without_goals_says_how_to_add_them(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)

    page = client.get("/scorecard").text

    assert "sets no goals: add goals:" in page
