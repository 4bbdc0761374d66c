"""Batch reads and owner writes of deals and contacts: 200 when all succeed, 207 per-input
failures, whole-batch refusals, the request log and the burst limit, as for companies."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput as ContactsBatch
from hubspot.crm.contacts import SimplePublicObjectBatchInput as ContactInput
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import BatchInputSimplePublicObjectBatchInput as DealsBatch
from hubspot.crm.deals import BatchReadInputSimplePublicObjectId
from hubspot.crm.deals import SimplePublicObjectBatchInput as DealInput

from tests.sandbox.hubspot.conftest import START_MS, FakeClock, client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10


def _contacts(*pairs: tuple[str, dict[str, str]]) -> ContactsBatch:
    return ContactsBatch(inputs=[ContactInput(id=i, properties=p) for i, p in pairs])


def _deals(*pairs: tuple[str, dict[str, str]]) -> DealsBatch:
    return DealsBatch(inputs=[DealInput(id=i, properties=p) for i, p in pairs])


def test_a_deals_batch_read_answers_207_for_missing_and_archived_ids(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0]) for n in range(1, 4)]
    portal, url = serve_book(companies, deals=deals)
    portal.delete_records([deals[1].crm_id])
    request = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": d.crm_id} for d in deals] + [{"id": "30000000777"}],
        properties=["hubspot_owner_id", "dealstage"],
        properties_with_history=[],
    )

    data, status, _ = client_for(url).crm.deals.batch_api.read_with_http_info(
        batch_read_input_simple_public_object_id=request, _request_timeout=TIMEOUT
    )

    assert status == 207
    assert [r.id for r in data.results] == [deals[0].crm_id, deals[2].crm_id]
    assert data.results[0].properties["dealstage"] == "qualifiedtobuy"
    error = data.errors[0]
    assert error.category == "OBJECT_NOT_FOUND"
    assert error.context == {"ids": [deals[1].crm_id, "30000000777"]}
    assert "DEAL" in error.message


def test_a_contacts_batch_update_changes_owners_and_stamps_lastmodifieddate(
    serve_book: BookFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 3)]
    portal, url = serve_book(companies, contacts=contacts)
    clock.advance(60)

    data, status, _ = client_for(url).crm.contacts.batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_contacts(
            (contacts[0].crm_id, {"hubspot_owner_id": "302"}),
            (contacts[1].crm_id, {"hubspot_owner_id": "303"}),
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 200
    assert [portal.owner_of(c.crm_id) for c in contacts] == ["302", "303"]
    assert contacts[0].modified_ms == START_MS + 60_000
    result = data.results[0].properties
    assert result["hubspot_owner_id"] == "302"
    assert result["lastmodifieddate"] == "2024-05-01T12:01:00.000Z"


def test_an_unknown_owner_fails_only_its_deal_in_a_207(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0]) for n in range(1, 3)]
    portal, url = serve_book(companies, deals=deals)

    data, status, _ = client_for(url).crm.deals.batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_deals(
            (deals[0].crm_id, {"hubspot_owner_id": "999"}),
            (deals[1].crm_id, {"hubspot_owner_id": "302"}),
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.errors[0].category == "VALIDATION_ERROR"
    assert data.errors[0].context == {"ids": [deals[0].crm_id]}
    assert "INVALID_OWNER_ID" in data.errors[0].message
    assert [portal.owner_of(d.crm_id) for d in deals] == ["301", "302"]


def test_an_archived_owner_is_refused_on_a_contact_like_an_unknown_one(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact])

    data, status, _ = client_for(url).crm.contacts.batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_contacts(
            (contact.crm_id, {"hubspot_owner_id": "304"})
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.errors[0].category == "VALIDATION_ERROR"
    assert portal.owner_of(contact.crm_id) == "301"


def test_an_archived_contact_fails_its_input_as_object_not_found(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 3)]
    portal, url = serve_book(companies, contacts=contacts)
    portal.delete_records([contacts[0].crm_id])

    data, status, _ = client_for(url).crm.contacts.batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_contacts(
            *[(c.crm_id, {"hubspot_owner_id": "302"}) for c in contacts]
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.errors[0].category == "OBJECT_NOT_FOUND"
    assert data.errors[0].context == {"ids": [contacts[0].crm_id]}
    assert "CONTACT" in data.errors[0].message
    assert portal.owner_of(contacts[1].crm_id) == "302"


def test_a_read_only_deal_property_refuses_the_whole_batch(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0]) for n in range(1, 3)]
    portal, url = serve_book(companies, deals=deals)

    with pytest.raises(DealsApiException) as caught:
        client_for(url).crm.deals.batch_api.update(
            batch_input_simple_public_object_batch_input=_deals(
                (deals[0].crm_id, {"hubspot_owner_id": "302"}),
                (deals[1].crm_id, {"hs_is_closed_won": "true"}),
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400
    assert "READ_ONLY_VALUE" in caught.value.body
    assert portal.owner_of(deals[0].crm_id) == "301"


def test_a_written_stage_moves_the_closed_flags(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    _, url = serve_book(companies, deals=[deal])

    data = client_for(url).crm.deals.batch_api.update(
        batch_input_simple_public_object_batch_input=_deals(
            (deal.crm_id, {"dealstage": "closedwon", "closedate": "2026-04-15"})
        ),
        _request_timeout=TIMEOUT,
    )

    assert data.results[0].properties["dealstage"] == "closedwon"
    assert (deal.closed, deal.won) == (True, True)
    read = client_for(url).crm.deals.basic_api.get_by_id(
        deal.crm_id, properties=["hs_is_closed_won", "closedate"], _request_timeout=TIMEOUT
    )
    assert (read.properties["hs_is_closed_won"], read.properties["closedate"]) == (
        "true",
        "2026-04-15T00:00:00Z",
    )


def test_more_than_one_hundred_contact_inputs_are_refused_whole(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 102)]
    portal, url = serve_book(companies, contacts=contacts)

    with pytest.raises(ContactsApiException) as caught:
        client_for(url).crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input=_contacts(
                *[(c.crm_id, {"hubspot_owner_id": "302"}) for c in contacts]
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400
    assert json.loads(caught.value.body)["category"] == "VALIDATION_ERROR"
    assert all(portal.owner_of(c.crm_id) == "301" for c in contacts)


def test_the_request_log_names_every_deal_whose_owner_the_request_set(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0]) for n in range(1, 4)]
    portal, url = serve_book(companies, deals=deals)

    client_for(url).crm.deals.batch_api.update(
        batch_input_simple_public_object_batch_input=_deals(
            (deals[0].crm_id, {"hubspot_owner_id": "302"}),
            (deals[1].crm_id, {"hubspot_owner_id": "301"}),
            (deals[2].crm_id, {"dealname": "Renamed"}),
        ),
        _request_timeout=TIMEOUT,
    )

    (record,) = portal.requests.records()
    assert (record.kind, record.path) == ("batch-update", "/crm/v3/objects/deals/batch/update")
    assert record.records_written == (deals[0].crm_id, deals[1].crm_id)
    assert record.owners_written == ("302", "301")


def test_contact_writes_count_against_the_burst_limit_shared_with_companies(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact], ten_second_limit=1)
    client = client_for(url)
    client.crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    with pytest.raises(ContactsApiException) as caught:
        client.crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input=_contacts(
                (contact.crm_id, {"hubspot_owner_id": "302"})
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 429
    assert portal.owner_of(contact.crm_id) == "301"
