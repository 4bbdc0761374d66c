"""Associations v4 batch reads between companies and their contacts and deals: both HubSpot-defined
types, per-record paging, ids without associations in a 207, the input limit, the labels and the
burst limit."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hubspot.crm.associations.v4 import (
    ApiException,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)

from tests.sandbox.hubspot.conftest import TOKEN, client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _request(*inputs: tuple[str, str | None]) -> BatchInputPublicFetchAssociationsBatchRequest:
    return BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=i, after=after) for i, after in inputs]
    )


def _read(url: str, from_type: str, to_type: str, *inputs: tuple[str, str | None]) -> Any:
    return client_for(url).crm.associations.v4.batch_api.get_page_with_http_info(
        from_type, to_type, _request(*inputs), _request_timeout=TIMEOUT
    )


def _types(target: Any) -> list[tuple[str, int, str | None]]:
    return [(t.category, t.type_id, t.label) for t in target.association_types]


def test_a_deal_lists_its_company_with_the_unlabeled_and_the_primary_type(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(2)
    deal = make_deal(1, companies[1])
    _, url = serve_book(companies, deals=[deal])

    data, status, _ = _read(url, "deals", "companies", (deal.crm_id, None))

    assert status == 200
    (result,) = data.results
    assert result._from.id == deal.crm_id
    (target,) = result.to
    assert target.to_object_id == companies[1].crm_id
    assert _types(target) == [("HUBSPOT_DEFINED", 341, None), ("HUBSPOT_DEFINED", 5, "Primary")]
    assert result.paging is None


def test_a_contact_lists_its_company_with_types_279_and_1(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    _, url = serve_book(companies, contacts=[contact])

    data, _, _ = _read(url, "contacts", "companies", (contact.crm_id, None))

    assert _types(data.results[0].to[0]) == [
        ("HUBSPOT_DEFINED", 279, None),
        ("HUBSPOT_DEFINED", 1, "Primary"),
    ]


def test_a_company_lists_its_deals_with_types_342_and_6_and_to_object_ids_as_numbers(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(2)
    deals = [make_deal(n, companies[n % 2]) for n in range(1, 5)]
    _, url = serve_book(companies, deals=deals)

    body = httpx.post(
        f"{url}/crm/v4/associations/companies/deals/batch/read",
        headers=AUTH,
        json={"inputs": [{"id": companies[0].crm_id}]},
    ).json()

    (result,) = body["results"]
    assert [t["toObjectId"] for t in result["to"]] == [int(deals[1].crm_id), int(deals[3].crm_id)]
    assert [a["typeId"] for a in result["to"][0]["associationTypes"]] == [342, 6]


def test_a_company_pages_its_contacts_five_hundred_at_a_time_per_record(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(2)
    contacts = [make_contact(n, companies[0]) for n in range(1, 1_201)]
    contacts.append(make_contact(1_201, companies[1]))
    _, url = serve_book(companies, contacts=contacts)
    big, small = companies[0].crm_id, companies[1].crm_id

    pages: list[list[str]] = []
    after: str | None = None
    while True:
        data, _, _ = _read(url, "companies", "contacts", (big, after), (small, None))
        first = data.results[0]
        pages.append([t.to_object_id for t in first.to])
        assert data.results[1].paging is None
        if first.paging is None:
            break
        after = first.paging.next.after

    assert [len(page) for page in pages] == [500, 500, 200]
    assert [i for page in pages for i in page] == [c.crm_id for c in contacts[:1_200]]


def test_ids_without_associations_are_left_out_and_reported_one_error_each_in_a_207(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(2)
    deal = make_deal(1, companies[0])
    _, url = serve_book(companies, deals=[deal])

    data, status, _ = _read(
        url,
        "companies",
        "deals",
        (companies[0].crm_id, None),
        (companies[1].crm_id, None),
        ("10000000999", None),
    )

    assert status == 207
    assert [r._from.id for r in data.results] == [companies[0].crm_id]
    assert data.num_errors == 2
    first = data.errors[0]
    assert (first.category, first.sub_category) == (
        "OBJECT_NOT_FOUND",
        "crm.associations.NO_ASSOCIATIONS_FOUND",
    )
    assert first.message == f"No deal is associated with company {companies[1].crm_id}."
    assert first.context == {
        "fromObjectId": [companies[1].crm_id],
        "fromObjectType": ["company"],
        "toObjectType": ["deal"],
    }
    assert data.errors[1].context["fromObjectId"] == ["10000000999"]


def test_archived_contacts_are_not_among_a_companys_associations(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 4)]
    portal, url = serve_book(companies, contacts=contacts)
    portal.delete_records([contacts[1].crm_id])

    data, _, _ = _read(url, "companies", "contacts", (companies[0].crm_id, None))

    assert [t.to_object_id for t in data.results[0].to] == [
        contacts[0].crm_id,
        contacts[2].crm_id,
    ]


def test_a_contact_created_in_process_is_associated_with_its_company(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(1, companies[0])]
    portal, url = serve_book(companies, contacts=contacts)
    _read(url, "companies", "contacts", (companies[0].crm_id, None))

    (new_id,) = portal.create_contacts([{"account_id": companies[0].crm_id, "first_name": "Ny"}])
    data, _, _ = _read(url, "companies", "contacts", (companies[0].crm_id, None))

    assert [t.to_object_id for t in data.results[0].to] == [contacts[0].crm_id, new_id]


def test_more_than_one_thousand_inputs_are_refused_with_a_400(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies)
    inputs = [(str(10_000_000_000 + n), None) for n in range(1_001)]

    with pytest.raises(ApiException) as caught:
        _read(url, "companies", "contacts", *inputs)

    assert caught.value.status == 400
    assert "at most 1000" in caught.value.body


def test_a_cursor_the_sandbox_did_not_make_is_refused(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, contacts=[make_contact(1, companies[0])])

    with pytest.raises(ApiException) as caught:
        _read(url, "companies", "contacts", (companies[0].crm_id, "not-a-cursor"))

    assert caught.value.status == 400


def test_an_unknown_object_type_is_refused_as_hubspot_does(serve_book: BookFactory) -> None:
    _, url = serve_book(make_companies(1))

    response = httpx.post(
        f"{url}/crm/v4/associations/widgets/companies/batch/read",
        headers=AUTH,
        json={"inputs": []},
    )

    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: widgets"


def test_labels_list_the_unlabeled_and_the_primary_type_of_each_direction(
    serve_book: BookFactory,
) -> None:
    _, url = serve_book(make_companies(1))
    definitions_api = client_for(url).crm.associations.v4.schema.definitions_api

    to_deals = definitions_api.get_all("companies", "deals", _request_timeout=TIMEOUT)
    to_companies = definitions_api.get_all("contacts", "companies", _request_timeout=TIMEOUT)

    assert [(t.type_id, t.label) for t in to_deals.results] == [(342, None), (6, "Primary")]
    assert [(t.type_id, t.label) for t in to_companies.results] == [(279, None), (1, "Primary")]


def test_associations_reads_count_against_the_burst_limit(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    portal, url = serve_book(companies, deals=[deal], ten_second_limit=1)
    _read(url, "deals", "companies", (deal.crm_id, None))

    with pytest.raises(ApiException) as caught:
        _read(url, "deals", "companies", (deal.crm_id, None))

    assert caught.value.status == 429
    assert portal.requests.counts_by_kind() == {"associations-read": 2}
