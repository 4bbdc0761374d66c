"""The territory pages: each territory's criteria in words, its owner members with their accounts,
account and revenue totals in the reporting currency, charts drawn on the server, long names that
wrap."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from sync.store.database import Database
from tests.end_to_end.conftest import TERRITORIES
from tests.web.conftest import sign_in
from tests.web.small_book import DANIEL, MAYA, seed_small_book

DACH = """\
version: 1
territories:
  - name: DACH-Enterprise
    criteria:
      country: [DE, AT, CH]
      employees: {min: 500}
  - name: Customers
    criteria:
      any:
        - {field: Type, equals: Customer}
        - not: {industry: [software]}
"""


def _page(client: TestClient, database: Database, token: str, path: str) -> str:
    seed_small_book(database)
    sign_in(client, token)
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    text: str = answer.text
    return text


def _row(page: str, name: str) -> str:
    """The table row of territory `name` on the territories page."""
    start = page.index(f">{name}</a>")
    return page[start : page.index("</tr>", start)]


def test_each_territory_reads_its_criteria_in_words_inherited_ones_named(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/territories")

    assert "country in [US, CA]" in _row(page, "NA")
    assert (
        "country in [US, CA] (from NA); region in [US-CA, US-WA, US-OR, US-NV, US-AZ, US-UT, "
        "US-CO]" in _row(page, "NA-West")
    )


def test_bands_and_combined_criteria_read_as_words(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    territory_file.write_text(DACH, encoding="utf-8")

    page = _page(client, database, viewer_token, "/territories")

    assert "country in [DE, AT, CH]; employees at least 500" in _row(page, "DACH-Enterprise")
    assert "any of (Type equals &#34;Customer&#34; or not (industry in [software]))" in _row(
        page, "Customers"
    )


def test_the_territories_page_totals_accounts_and_revenue_with_the_currency(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/territories")

    west = _row(page, "NA-West")
    assert '<a href="/accounts?territory=NA-West">2</a>' in west
    assert "1,750,000 USD" in west
    assert "In all: <strong>4</strong> accounts, revenue <strong>2,150,000 USD</strong>." in page


def test_the_territory_files_reporting_currency_is_the_one_shown(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    territory_file.write_text(
        TERRITORIES.replace("  unmatched: keep_owner\n", "  reporting_currency: EUR\n"),
        encoding="utf-8",
    )

    page = _page(client, database, viewer_token, "/territories")

    assert "1,750,000 EUR" in _row(page, "NA-West")
    assert "Revenue per territory (EUR)" in page


def test_a_territory_page_lists_its_owner_members_with_the_accounts_they_own(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/territories/NA-West")

    members = page[page.index('id="territory-members"') :]
    maya = members[members.index(MAYA) : members.index("</tr>", members.index(MAYA))]
    daniel = members[members.index(DANIEL) : members.index("</tr>", members.index(DANIEL))]
    assert '<td class="num">1</td><td class="num">50%</td>' in maya
    assert "1,500,000 USD" in maya
    assert "250,000 USD" in daniel
    assert '<dd id="territory-revenue">1,750,000 USD</dd>' in page
    assert '<a href="/accounts?territory=NA-West">2 accounts</a>' in page


def test_a_territory_page_says_its_criteria_in_words(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/territories/EMEA")

    assert (
        '<dd class="wrap" id="territory-criteria">country in [GB, IE, DE, AT, CH, FR, NL, BE]</dd>'
        in page
    )


def test_a_territory_page_draws_its_accounts_and_revenue_per_owner(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/territories/NA-West")

    assert page.count("<svg") == 2
    assert f"<title>{MAYA}: 1</title>" in page
    assert f"<title>{MAYA}: 1,500,000 USD</title>" in page
    assert "Revenue per owner (NA-West, USD)" in page


def test_a_territory_the_file_does_not_have_is_not_found(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)

    answer = client.get("/territories/Atlantis", headers={"accept": "text/html"})

    assert answer.status_code == 404
    assert "There is no territory &#39;Atlantis&#39; in the territory file" in answer.text
    assert "/territories lists them" in answer.text


def test_a_long_territory_name_wraps_on_the_page_and_in_the_charts(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    long_name = "North America West Coast Enterprise Accounts " * 5
    long_name = long_name.strip()
    territory_file.write_text(
        TERRITORIES.replace("name: NA-West", f"name: {long_name}"), encoding="utf-8"
    )

    listing = _page(client, database, viewer_token, "/territories")
    page = client.get(f"/territories/{long_name}").text

    assert '<td class="wrap name"><a href="/territories/North%20America' in listing
    assert f'<h1 class="wrap">Territory {long_name}</h1>' in page
    assert '<tspan x="252" dy="0">North America West Coast Enterprise</tspan>' in listing
    assert '<tspan x="252" dy="14">Accounts North America West Coast</tspan>' in listing
    assert f"<title>{long_name}: 2</title>" in listing


def test_the_navigation_leads_to_the_territories(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _page(client, database, viewer_token, "/accounts")

    assert '<a href="/territories">Territories</a>' in page


def test_a_territory_file_that_cannot_be_used_is_shown_as_a_problem(
    client: TestClient, database: Database, territory_file: Path, viewer_token: str
) -> None:
    territory_file.write_text("version: 1\nterritories: [{name: X, criteria: {colour: red}}]\n")
    sign_in(client, viewer_token)

    answer = client.get("/territories")

    assert answer.status_code == 422
    assert '<p class="problem" role="alert">the territory file cannot be used:' in answer.text
