"""Reading deals and contacts: list paging, properties as HubSpot renders them, reads by id and
the properties API, through hubspot-api-client."""

from __future__ import annotations

import httpx
import pytest
from hubspot.crm.deals import ApiException as DealsApiException

from tests.sandbox.hubspot.conftest import TOKEN, client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_deal_pages_walk_every_live_deal_once_in_id_order(serve_book: BookFactory) -> None:
    companies = make_companies(2)
    deals = [make_deal(n, companies[n % 2]) for n in range(1, 26)]
    portal, url = serve_book(companies, deals=deals)
    portal.delete_records([deals[4].crm_id])
    basic_api = client_for(url).crm.deals.basic_api

    seen: list[str] = []
    after = None
    while True:
        page = basic_api.get_page(limit=10, after=after, _request_timeout=TIMEOUT)
        seen.extend(result.id for result in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after

    assert seen == [d.crm_id for d in deals if d is not deals[4]]


def test_contact_pages_hold_at_most_one_hundred_and_end_without_paging(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 251)]
    portal, url = serve_book(companies, contacts=contacts)

    sizes: list[int] = []
    params = {"limit": "500", "properties": "hs_object_id"}
    while True:
        page = httpx.get(f"{url}/crm/v3/objects/contacts", params=params, headers=AUTH).json()
        sizes.append(len(page["results"]))
        if "paging" not in page:
            break
        params["after"] = page["paging"]["next"]["after"]

    assert sizes == [100, 100, 50]
    assert portal.requests.counts_by_kind() == {"list": 3}


def test_archived_contacts_are_listed_only_when_archived_is_true(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 4)]
    portal, url = serve_book(companies, contacts=contacts)
    portal.delete_records([contacts[1].crm_id])
    basic_api = client_for(url).crm.contacts.basic_api

    live = basic_api.get_page(archived=False, _request_timeout=TIMEOUT)
    archived = basic_api.get_page(archived=True, _request_timeout=TIMEOUT)

    assert [r.id for r in live.results] == [contacts[0].crm_id, contacts[2].crm_id]
    assert [r.id for r in archived.results] == [contacts[1].crm_id]
    assert archived.results[0].archived is True


def test_a_deal_reads_its_stage_closed_flags_close_date_amount_owner_and_creator_user(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0], stage="closedwon", amount=2500, created_by="302")
    _, url = serve_book(companies, deals=[deal])
    names = [
        "dealname",
        "amount",
        "dealstage",
        "pipeline",
        "closedate",
        "hs_is_closed",
        "hs_is_closed_won",
        "hubspot_owner_id",
        "hs_created_by_user_id",
    ]

    read = client_for(url).crm.deals.basic_api.get_by_id(
        deal.crm_id, properties=names, _request_timeout=TIMEOUT
    )

    assert {name: read.properties[name] for name in names} == {
        "dealname": "Deal 1",
        "amount": "2500",
        "dealstage": "closedwon",
        "pipeline": "default",
        "closedate": "2026-03-31T00:00:00Z",
        "hs_is_closed": "true",
        "hs_is_closed_won": "true",
        "hubspot_owner_id": "301",
        "hs_created_by_user_id": "9002",
    }
    assert {"createdate", "hs_lastmodifieddate", "hs_object_id"} <= set(read.properties)


def test_closed_flags_follow_the_stage(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deals = [
        make_deal(1, companies[0], stage="contractsent", amount=None),
        make_deal(2, companies[0], stage="closedlost"),
    ]
    _, url = serve_book(companies, deals=deals)

    page = client_for(url).crm.deals.basic_api.get_page(
        properties=["hs_is_closed", "hs_is_closed_won", "amount"], _request_timeout=TIMEOUT
    )

    flags = [
        (r.properties["hs_is_closed"], r.properties["hs_is_closed_won"], r.properties["amount"])
        for r in page.results
    ]
    assert flags == [("false", "false", None), ("true", "false", "2000")]


def test_a_contact_names_its_primary_company_and_keeps_lastmodifieddate(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0], owner_id=None)
    _, url = serve_book(companies, contacts=[contact])

    page = client_for(url).crm.contacts.basic_api.get_page(
        properties=["associatedcompanyid", "hubspot_owner_id", "email"], _request_timeout=TIMEOUT
    )

    properties = page.results[0].properties
    assert properties["associatedcompanyid"] == companies[0].crm_id
    assert properties["hubspot_owner_id"] is None
    assert properties["email"] == "person1@example.com"
    assert "lastmodifieddate" in properties
    assert "hs_lastmodifieddate" not in properties


def test_without_properties_contacts_return_their_default_set(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, contacts=[make_contact(1, companies[0])])

    page = client_for(url).crm.contacts.basic_api.get_page(_request_timeout=TIMEOUT)

    assert set(page.results[0].properties) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


def test_reading_an_unknown_deal_answers_404_object_not_found(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, deals=[make_deal(1, companies[0])])
    basic_api = client_for(url).crm.deals.basic_api

    with pytest.raises(DealsApiException) as caught:
        basic_api.get_by_id("30000000099", _request_timeout=TIMEOUT)

    assert caught.value.status == 404
    assert '"category":"OBJECT_NOT_FOUND"' in caught.value.body


def test_a_company_id_is_no_deal(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, deals=[make_deal(1, companies[0])])

    response = httpx.get(f"{url}/crm/v3/objects/deals/{companies[0].crm_id}", headers=AUTH)

    assert response.status_code == 404


def test_the_properties_api_lists_deal_properties_with_the_derived_ones_read_only(
    serve_book: BookFactory,
) -> None:
    _, url = serve_book(make_companies(1))
    core_api = client_for(url).crm.properties.core_api

    listed = core_api.get_all(object_type="deals", _request_timeout=TIMEOUT)

    by_name = {p.name: p for p in listed.results}
    assert by_name["hs_is_closed"].modification_metadata.read_only_value is True
    assert by_name["hs_is_closed_won"].modification_metadata.read_only_value is True
    assert by_name["hubspot_owner_id"].modification_metadata.read_only_value is False
    assert by_name["dealstage"].group_name == "dealinformation"
    assert "closedwon" in [o.value for o in by_name["dealstage"].options]


def test_the_properties_api_lists_contact_properties(serve_book: BookFactory) -> None:
    _, url = serve_book(make_companies(1))
    core_api = client_for(url).crm.properties.core_api

    listed = core_api.get_all(object_type="contacts", _request_timeout=TIMEOUT)

    names = {p.name for p in listed.results}
    assert {
        "hs_object_id",
        "email",
        "firstname",
        "lastname",
        "hubspot_owner_id",
        "createdate",
        "lastmodifieddate",
        "associatedcompanyid",
    } == names
