"""The portal's in-process methods on deals and contacts: reading them, a person's changes
(stamping the modified property, no API write), creations counting on from each object's highest
id, archives, purges and bulk stamps, and a seeded book served whole."""

from __future__ import annotations

import httpx
import pytest

from sandbox.hubspot import HubSpotPortal
from sandbox.hubspot.associations import KINDS
from sandbox.seed import generate_book
from tests.sandbox.hubspot.conftest import START_MS, TOKEN, FakeClock, client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10


def test_contacts_and_deals_are_read_in_process_by_id_and_as_lists(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in (2, 1)]
    deal = make_deal(1, companies[0])
    portal, _ = serve_book(companies, contacts=contacts, deals=[deal])

    assert portal.contacts() == [contacts[1], contacts[0]]
    assert portal.deals() == [deal]
    assert portal.contact(contacts[0].crm_id) is contacts[0]
    assert portal.deal(deal.crm_id) is deal
    assert portal.deal(contacts[0].crm_id) is None


def test_owner_of_reads_companies_contacts_and_deals(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0], owner_id="302")
    deal = make_deal(1, companies[0], owner_id="303")
    portal, _ = serve_book(companies, contacts=[contact], deals=[deal])

    owners = [portal.owner_of(i) for i in (companies[0].crm_id, contact.crm_id, deal.crm_id)]

    assert owners == ["301", "302", "303"]


def test_a_persons_owner_change_on_a_contact_stamps_lastmodifieddate_and_is_no_api_write(
    serve_book: BookFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact])
    clock.advance(5)

    portal.change_owner_as_person(contact.crm_id, "303")
    read = client_for(url).crm.contacts.basic_api.get_by_id(
        contact.crm_id, properties=["hubspot_owner_id"], _request_timeout=TIMEOUT
    )

    assert read.properties["hubspot_owner_id"] == "303"
    assert read.properties["lastmodifieddate"] == "2024-05-01T12:00:05.000Z"
    assert portal.requests.writes_per_record() == {}


def test_a_deal_owner_changed_through_the_control_api_stamps_hs_lastmodifieddate(
    serve_book: BookFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    portal, url = serve_book(companies, deals=[deal])
    clock.advance(9)

    response = httpx.post(
        f"{url}/__sandbox/owner-changes", json={"changes": [{"id": deal.crm_id, "owner_id": "302"}]}
    )

    assert response.status_code == 200
    assert portal.owner_of(deal.crm_id) == "302"
    assert deal.modified_ms == START_MS + 9_000


def test_new_contacts_and_deals_count_on_from_the_highest_id_of_their_object(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in (1, 7)]
    portal, _ = serve_book(companies, contacts=contacts)

    contact_ids = portal.create_contacts([{"email": "a@example.com"}, {"email": "b@example.com"}])
    deal_ids = portal.create_deals([{"account_id": companies[0].crm_id, "owner_id": "302"}])

    assert contact_ids == ["20000000008", "20000000009"]
    assert deal_ids == ["30000000001"]
    new_deal = portal.deal(deal_ids[0])
    assert new_deal is not None
    assert (new_deal.stage, new_deal.created_by, new_deal.closed) == (
        "appointmentscheduled",
        "302",
        False,
    )


def test_a_deal_created_for_no_company_of_the_portal_is_refused(serve_book: BookFactory) -> None:
    portal, _ = serve_book(make_companies(1))

    with pytest.raises(ValueError, match="no company of this portal"):
        portal.create_deals([{"account_id": "10000000999"}])


def test_contacts_created_through_the_control_api_come_back_with_their_ids(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    portal, url = serve_book(companies)

    response = httpx.post(
        f"{url}/__sandbox/records",
        json={"object": "contacts", "records": [{"account_id": companies[0].crm_id}]},
    )

    (new_id,) = response.json()["ids"]
    assert portal.owners_by_record("contacts") == {new_id: None}


def test_archived_deals_leave_the_live_list_and_purged_contacts_every_read(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    deal = make_deal(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact], deals=[deal])

    archived = portal.delete_records([deal.crm_id])
    purged = portal.delete_records([contact.crm_id], purge=True)

    assert (archived, purged) == (1, 1)
    assert deal.deleted
    assert portal.contact(contact.crm_id) is None
    auth = {"Authorization": f"Bearer {TOKEN}"}
    listed = httpx.get(f"{url}/crm/v3/objects/deals?archived=true", headers=auth).json()
    assert [r["id"] for r in listed["results"]] == [deal.crm_id]


def test_deleting_an_unknown_id_changes_nothing_for_the_known_ones(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deal = make_deal(1, companies[0])
    portal, _ = serve_book(companies, deals=[deal])

    with pytest.raises(KeyError):
        portal.delete_records([deal.crm_id, "30000000999"])

    assert not deal.deleted


def test_a_mass_update_stamps_one_time_on_contacts_and_deals_alike(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0]) for n in range(1, 3)]
    deal = make_deal(1, companies[0])
    portal, _ = serve_book(companies, contacts=contacts, deals=[deal])

    stamp = portal.mass_update([contacts[0].crm_id, deal.crm_id, contacts[1].crm_id], START_MS)

    assert stamp == START_MS
    assert [r.modified_ms for r in (*contacts, deal)] == [START_MS] * 3


def test_an_id_seeded_for_two_objects_is_refused() -> None:
    companies = make_companies(1)
    twin = make_contact(1, companies[0], crm_id=companies[0].crm_id)

    with pytest.raises(ValueError, match="unique across companies, contacts and deals"):
        HubSpotPortal([], companies, contacts=[twin])


def test_a_seeded_book_serves_every_contact_and_deal_with_its_company_and_creator() -> None:
    book = generate_book(40, seed=4)
    portal = HubSpotPortal(
        book.reps, book.hubspot, contacts=book.hubspot_contacts, deals=book.hubspot_deals
    )
    users = {rep.hubspot_owner_id: rep.hubspot_user_id for rep in book.reps}
    deal = book.hubspot_deals[0]
    schema = portal.deal_store.schema

    rendered = schema.render(deal, ("hs_created_by_user_id", "hs_is_closed_won"))["properties"]

    assert portal.state()["contacts"] == {"records": len(book.hubspot_contacts), "deleted": 0}
    assert portal.state()["deals"] == {"records": len(book.hubspot_deals), "deleted": 0}
    assert rendered == {
        "hs_created_by_user_id": str(users[str(deal.created_by)]),
        "hs_is_closed_won": "true" if deal.won else "false",
    }
    to_contacts = KINDS[("companies", "contacts")]
    for company in book.hubspot:
        page = portal.associations.page(to_contacts, company.crm_id, 0, 500)
        listed = [] if page is None else [str(i) for i in page[0]]
        assert listed == [c.crm_id for c in book.hubspot_contacts if c.account_id == company.crm_id]
