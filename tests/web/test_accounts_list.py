"""The accounts list: every account before anything is typed, fifty a page, filtered by
territory, rep, CRM and "owners disagree between CRMs", with linked records whose owners differ
marked in words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sync.store.database import Database
from tests.web.conftest import sign_in
from tests.web.small_book import DANIEL, account, seed_small_book


def _names(page: str) -> list[str]:
    """The account names in the list, in order."""
    table = page[page.index('id="accounts"') :]
    return re.findall(r'<td class="wrap name"><a href="[^"]+">([^<]+)</a>', table)


def _listed(client: TestClient, database: Database, token: str, **params: str) -> str:
    seed_small_book(database)
    sign_in(client, token)
    answer = client.get("/accounts", params=params)
    assert answer.status_code == 200, answer.text
    text: str = answer.text
    return text


def test_the_list_shows_every_account_by_name_before_anything_is_typed(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token)

    assert "Every account, by name" in page
    assert "Showing 1-6 of 6" in page
    assert _names(page) == [
        "Acme",
        "Acme Corp",
        "Berlin Tech GmbH",
        "Hooli",
        "Initech",
        "Initech Inc",
    ]


def test_the_list_is_paged_fifty_accounts_a_page(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    more = [account("salesforce", f"001MORE{n:03d}", f"Zeta {n:03d}", None) for n in range(54)]
    seed_small_book(database, more)
    sign_in(client, viewer_token)

    second = client.get("/accounts", params={"page": "2"}).text

    assert "Showing 51-60 of 60" in second
    assert _names(second) == [f"Zeta {n:03d}" for n in range(44, 54)]
    assert 'href="/accounts" rel="prev"' in second


def test_filtering_by_crm_lists_only_that_crms_accounts(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token, crm="hubspot")

    assert "Accounts in HubSpot" in page
    assert _names(page) == ["Acme", "Hooli", "Initech Inc"]


def test_filtering_by_rep_lists_the_accounts_the_rep_owns_in_either_crm(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token, rep=DANIEL.upper())

    assert f"Accounts owned by {DANIEL}" in page
    assert _names(page) == ["Acme", "Initech", "Initech Inc"]


def test_filtering_by_territory_lists_the_accounts_the_territory_file_places_there(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token, territory="NA-West")

    assert "Accounts in territory NA-West" in page
    assert _names(page) == ["Acme", "Acme Corp", "Initech", "Initech Inc"]


def test_filtering_by_territory_offers_the_accounts_in_no_territory(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    seed_small_book(
        database, [account("salesforce", "001TOKYO", "Tokyo KK", None, country="JP", region=None)]
    )
    sign_in(client, viewer_token)

    page = client.get("/accounts", params={"territory": "(no territory)"}).text

    assert "that the territory file places in no territory" in page
    assert _names(page) == ["Tokyo KK"]


def test_owners_disagree_lists_the_linked_accounts_whose_owners_are_different_reps(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token, owners_differ="yes")

    assert "Accounts linked in both CRMs with owners who are different reps" in page
    assert "Showing 1-2 of 2" in page
    assert _names(page) == ["Acme", "Acme Corp"]
    assert 'name="owners_differ" value="yes" checked' in page


def test_filters_combine_and_page_links_keep_them(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token, owners_differ="yes", crm="salesforce")

    assert _names(page) == ["Acme Corp"]
    assert "Accounts linked in both CRMs with owners who are different reps, in Salesforce" in page


def test_a_linked_record_whose_owner_differs_is_marked_in_words_not_colour_alone(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    page = _listed(client, database, viewer_token)

    assert page.count('<tr class="owners-differ">') == 2
    assert page.count('<span class="flag owners-differ">owners differ</span>') == 2
    initech = page[page.index(">Initech</a>") :]
    initech = initech[: initech.index("</tr>")]
    assert "HubSpot 9002</a>, owner daniel.okafor@acme-revenue.example" in initech
    assert "owners differ" not in initech


def test_a_crm_that_is_not_one_is_refused_with_what_to_use(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)

    answer = client.get("/accounts", params={"crm": "pipedrive"})

    assert answer.status_code == 422
    assert (
        "crm &#39;pipedrive&#39; is not a CRM here; use one of salesforce, hubspot" in answer.text
    )
    assert 'id="accounts"' not in answer.text


def test_a_very_long_account_name_is_in_a_cell_that_wraps(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    long_name = "Enormous" * 625  # 5,000 characters without a space
    seed_small_book(database, [account("salesforce", "001LONG", long_name, None)])
    sign_in(client, viewer_token)

    page = client.get("/accounts").text
    css = client.get("/static/console.css").text

    assert f'<td class="wrap name"><a href="/accounts/salesforce/001LONG">{long_name}</a>' in page
    assert '<div class="table-scroll">' in page
    assert ".wrap { overflow-wrap: anywhere; }" in css
    assert ".table-scroll { overflow-x: auto;" in css
