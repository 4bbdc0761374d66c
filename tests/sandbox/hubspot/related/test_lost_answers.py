"""Deal and contact batch updates applied and then their answers lost (5xx, dropped connection,
stall), fault schedules and person edits, exactly as for companies."""

from __future__ import annotations

import pytest
import urllib3
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput as ContactsBatch
from hubspot.crm.contacts import SimplePublicObjectBatchInput as ContactInput
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.deals import BatchInputSimplePublicObjectBatchInput as DealsBatch
from hubspot.crm.deals import SimplePublicObjectBatchInput as DealInput

from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from tests.sandbox.hubspot.conftest import client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10


def _contact_owners(*pairs: tuple[str, str]) -> ContactsBatch:
    return ContactsBatch(
        inputs=[ContactInput(id=i, properties={"hubspot_owner_id": o}) for i, o in pairs]
    )


def _deal_owners(*pairs: tuple[str, str]) -> DealsBatch:
    return DealsBatch(
        inputs=[DealInput(id=i, properties={"hubspot_owner_id": o}) for i, o in pairs]
    )


def test_a_contacts_batch_update_answered_5xx_after_applying_has_changed_the_owner(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact])
    portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_5xx")])

    with pytest.raises(ContactsApiException) as error:
        client_for(url).crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input=_contact_owners((contact.crm_id, "302")),
            _request_timeout=TIMEOUT,
        )

    assert error.value.status in (502, 503)
    assert portal.owner_of(contact.crm_id) == "302"
    (logged,) = portal.requests.records()
    assert (logged.path, logged.fault, logged.records_written, logged.owners_written) == (
        "/crm/v3/objects/contacts/batch/update",
        "applied_5xx",
        (contact.crm_id,),
        ("302",),
    )


def test_a_dropped_answer_on_a_deals_batch_update_breaks_the_connection_after_the_write(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    portal, url = serve_book(companies, deals=[deal], faults=FaultProfile(applied_drop=1.0))

    with pytest.raises(urllib3.exceptions.ProtocolError):
        client_for(url).crm.deals.batch_api.update(
            batch_input_simple_public_object_batch_input=_deal_owners((deal.crm_id, "303")),
            _request_timeout=TIMEOUT,
        )

    assert portal.owner_of(deal.crm_id) == "303"
    assert portal.requests.writes_per_record() == {deal.crm_id: 1}


def test_a_stalled_contacts_answer_times_the_client_out_after_the_write(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    faults = FaultProfile(applied_timeout=1.0, stall_seconds=1.0)
    portal, url = serve_book(companies, contacts=[contact], faults=faults)

    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        client_for(url).crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input=_contact_owners((contact.crm_id, "302")),
            _request_timeout=0.2,
        )

    assert portal.owner_of(contact.crm_id) == "302"


def test_a_scheduled_503_refuses_a_deals_batch_update_before_anything_changes(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    portal, url = serve_book(companies, deals=[deal])
    portal.set_fault_schedule([ScheduledFault("batch-update", 1, "503")])

    with pytest.raises(DealsApiException) as error:
        client_for(url).crm.deals.batch_api.update(
            batch_input_simple_public_object_batch_input=_deal_owners((deal.crm_id, "302")),
            _request_timeout=TIMEOUT,
        )

    assert error.value.status == 503
    assert portal.owner_of(deal.crm_id) == "301"
    assert portal.requests.writes_per_record() == {}


def test_person_edits_during_a_lost_contacts_answer_reassign_the_named_contacts(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 3)]
    portal, url = serve_book(companies, contacts=contacts)
    portal.set_fault_schedule([ScheduledFault("batch-update", 1, "applied_drop", person_edits=1)])

    with pytest.raises(urllib3.exceptions.ProtocolError):
        client_for(url).crm.contacts.batch_api.update(
            batch_input_simple_public_object_batch_input=_contact_owners(
                *[(c.crm_id, "302") for c in contacts]
            ),
            _request_timeout=TIMEOUT,
        )

    # Written to Bo (302); a person then moves the first to the next active owner, Cy (303).
    assert [portal.owner_of(c.crm_id) for c in contacts] == ["303", "302"]
    assert portal.requests.person_edits() == {contacts[0].crm_id: "303"}
