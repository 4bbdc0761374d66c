"""Reading companies: the list endpoint's paging, properties and archived flag, and batch read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hubspot.crm.companies import ApiException, BatchReadInputSimplePublicObjectId

from tests.sandbox.hubspot.conftest import (
    TOKEN,
    PortalFactory,
    client_for,
    make_companies,
    make_company,
)

TIMEOUT = 10


def test_get_page_walks_every_company_once_in_id_order_across_pages(serve: PortalFactory) -> None:
    companies = make_companies(25)
    _, url = serve(companies)
    basic_api = client_for(url).crm.companies.basic_api

    seen: list[str] = []
    pages = 0
    after = None
    while True:
        page = basic_api.get_page(limit=10, after=after, _request_timeout=TIMEOUT)
        pages += 1
        seen.extend(result.id for result in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == [c.crm_id for c in companies]
    assert pages == 3


def test_next_link_repeats_the_query_with_the_new_cursor(serve: PortalFactory) -> None:
    _, url = serve(make_companies(3))
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(limit=2, properties=["name"], _request_timeout=TIMEOUT)

    link = page.paging.next.link
    assert link.startswith(f"{url}/crm/v3/objects/companies?")
    assert "properties=name" in link and f"after={page.paging.next.after}" in link


def test_cursor_stays_valid_when_a_record_on_the_next_page_is_archived(
    serve: PortalFactory,
) -> None:
    companies = make_companies(6)
    portal, url = serve(companies)
    basic_api = client_for(url).crm.companies.basic_api

    first = basic_api.get_page(limit=3, _request_timeout=TIMEOUT)
    portal.delete_records([companies[3].crm_id])
    second = basic_api.get_page(limit=3, after=first.paging.next.after, _request_timeout=TIMEOUT)

    assert [r.id for r in second.results] == [companies[4].crm_id, companies[5].crm_id]


def test_requested_properties_come_back_as_strings_with_null_for_blank(
    serve: PortalFactory,
) -> None:
    _, url = serve([make_company(1, city=None, employees=42)])
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(properties=["city", "numberofemployees"], _request_timeout=TIMEOUT)

    properties = page.results[0].properties
    assert properties["numberofemployees"] == "42"
    assert properties["city"] is None
    assert properties["hs_lastmodifieddate"].endswith("Z")


def test_comma_separated_properties_are_read_like_repeated_ones(serve: PortalFactory) -> None:
    _, url = serve([make_company(1)])
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(properties=["country,zip", "hubspot_owner_id"])

    assert {"country", "zip", "hubspot_owner_id"} <= set(page.results[0].properties)


def test_unknown_requested_properties_are_left_out(serve: PortalFactory) -> None:
    _, url = serve([make_company(1)])
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(properties=["name", "no_such_property"], _request_timeout=TIMEOUT)

    assert "no_such_property" not in page.results[0].properties
    assert page.results[0].properties["name"] == "Company 1"


def test_without_properties_the_default_set_is_returned(serve: PortalFactory) -> None:
    _, url = serve([make_company(1)])
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(_request_timeout=TIMEOUT)

    assert set(page.results[0].properties) == {
        "createdate",
        "domain",
        "hs_lastmodifieddate",
        "hs_object_id",
        "name",
    }


def test_archived_companies_are_listed_only_when_archived_is_true(serve: PortalFactory) -> None:
    companies = make_companies(4)
    portal, url = serve(companies)
    portal.delete_records([companies[1].crm_id])
    basic_api = client_for(url).crm.companies.basic_api

    live = basic_api.get_page(archived=False, _request_timeout=TIMEOUT)
    archived = basic_api.get_page(archived=True, _request_timeout=TIMEOUT)

    assert companies[1].crm_id not in [r.id for r in live.results]
    assert [r.id for r in archived.results] == [companies[1].crm_id]
    assert archived.results[0].archived is True
    assert archived.results[0].archived_at is not None


def test_archived_flag_is_read_in_any_case(serve: PortalFactory) -> None:
    companies = make_companies(2)
    portal, url = serve(companies)
    portal.delete_records([companies[0].crm_id])

    response = httpx.get(
        f"{url}/crm/v3/objects/companies",
        params={"archived": "TRUE"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )

    assert [r["id"] for r in response.json()["results"]] == [companies[0].crm_id]


def test_limit_above_one_hundred_is_served_as_one_hundred(serve: PortalFactory) -> None:
    _, url = serve(make_companies(120))
    basic_api = client_for(url).crm.companies.basic_api

    page = basic_api.get_page(limit=500, _request_timeout=TIMEOUT)

    assert len(page.results) == 100
    assert page.paging is not None


def test_get_by_id_answers_404_object_not_found_for_an_unknown_id(serve: PortalFactory) -> None:
    _, url = serve([make_company(1)])
    basic_api = client_for(url).crm.companies.basic_api

    with pytest.raises(ApiException) as caught:
        basic_api.get_by_id("99", _request_timeout=TIMEOUT)

    assert caught.value.status == 404
    assert '"category":"OBJECT_NOT_FOUND"' in caught.value.body


def test_batch_read_reports_missing_ids_in_a_207(serve: PortalFactory) -> None:
    companies = make_companies(2)
    _, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api
    request = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": companies[0].crm_id}, {"id": "12345"}],
        properties=["name"],
        properties_with_history=[],
    )

    data, status, _ = batch_api.read_with_http_info(
        batch_read_input_simple_public_object_id=request, _request_timeout=TIMEOUT
    )

    assert status == 207
    assert [r.id for r in data.results] == [companies[0].crm_id]
    assert data.errors[0].category == "OBJECT_NOT_FOUND"
    assert data.errors[0].context == {"ids": ["12345"]}


def test_an_id_only_listing_pages_through_every_company_100_at_a_time(serve: PortalFactory) -> None:
    companies = make_companies(250)
    portal, url = serve(companies)

    pages: list[dict[str, Any]] = []
    params: dict[str, str] = {"limit": "100", "properties": "hs_object_id"}
    while True:
        response = httpx.get(
            f"{url}/crm/v3/objects/companies",
            params=params,
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        page = response.json()
        pages.append(page)
        if "paging" not in page:
            break
        params["after"] = page["paging"]["next"]["after"]

    results = [r for page in pages for r in page["results"]]
    assert [len(page["results"]) for page in pages] == [100, 100, 50]
    assert [r["id"] for r in results] == [c.crm_id for c in companies]
    assert set(results[0]["properties"]) == {"hs_object_id", "createdate", "hs_lastmodifieddate"}
    assert portal.requests.counts_by_kind() == {"list": 3}
