"""Searching deals and contacts: the incremental walk on each object's modified property (contacts'
`lastmodifieddate`), ties on one timestamp, the 10,000-result window, the shared search rate
limit, the index lag and the inconsistent modes, answered from each object's sorted index."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.deals import ApiException as DealsApiException

from sandbox.hubspot import HubSpotPortal, HubSpotPortalConfig
from sandbox.hubspot.contacts import CONTACTS
from sandbox.hubspot.search import parse_search_request
from tests.sandbox.hubspot.conftest import START_MS, FakeClock, client_for, make_companies
from tests.sandbox.hubspot.related.conftest import BookFactory, make_contact, make_deal

TIMEOUT = 10
CONTACT_MODIFIED = "lastmodifieddate"
DEAL_MODIFIED = "hs_lastmodifieddate"
ID = "hs_object_id"


def _filter(name: str, operator: str, value: int | str) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def _body(
    filters: list[dict[str, str]], sort: str, *, limit: int = 200, after: int = 0
) -> dict[str, Any]:
    return {
        "filterGroups": [{"filters": filters}] if filters else [],
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "properties": ["hubspot_owner_id"],
        "limit": limit,
        "after": str(after),
    }


def _ids(response: Any) -> list[str]:
    return [r.id for r in response.results]


def test_a_contacts_walk_through_one_shared_timestamp_pages_by_id_and_misses_none(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0], modified_ms=START_MS) for n in range(1, 451)]
    _, url = serve_book(companies, contacts=contacts)
    search_api = client_for(url).crm.contacts.search_api

    seen: list[str] = []
    last = 0
    while True:
        filters = [_filter(CONTACT_MODIFIED, "EQ", START_MS), _filter(ID, "GT", last)]
        response = search_api.do_search(
            public_object_search_request=_body(filters, ID), _request_timeout=TIMEOUT
        )
        seen.extend(_ids(response))
        if not response.results:
            break
        last = int(response.results[-1].id)

    assert seen == [c.crm_id for c in contacts]


def test_contacts_sorted_by_lastmodifieddate_keep_id_order_within_a_timestamp(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    stamps = [START_MS + 1000, START_MS, START_MS + 1000, START_MS]
    contacts = [make_contact(n, companies[0], modified_ms=t) for n, t in enumerate(stamps, 1)]
    _, url = serve_book(companies, contacts=contacts)

    response = client_for(url).crm.contacts.search_api.do_search(
        public_object_search_request=_body(
            [_filter(CONTACT_MODIFIED, "GTE", START_MS)], CONTACT_MODIFIED
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [contacts[i].crm_id for i in (1, 3, 0, 2)]
    assert response.total == 4
    assert response.results[0].properties[CONTACT_MODIFIED] == "2024-05-01T12:00:00.000Z"


def test_a_contacts_filter_on_hs_lastmodifieddate_gets_the_generic_400(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, contacts=[make_contact(1, companies[0])])

    with pytest.raises(ContactsApiException) as caught:
        client_for(url).crm.contacts.search_api.do_search(
            public_object_search_request=_body([_filter(DEAL_MODIFIED, "GTE", 0)], ID),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400
    assert "There was a problem with the request." in caught.value.body


def test_paging_past_ten_thousand_deals_is_refused_while_total_counts_all(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0], modified_ms=START_MS) for n in range(1, 10_101)]
    _, url = serve_book(companies, deals=deals)
    search_api = client_for(url).crm.deals.search_api
    pinned = [_filter(DEAL_MODIFIED, "EQ", START_MS)]

    last_allowed = search_api.do_search(
        public_object_search_request=_body(pinned, DEAL_MODIFIED, after=9_800),
        _request_timeout=TIMEOUT,
    )
    with pytest.raises(DealsApiException) as caught:
        search_api.do_search(
            public_object_search_request=_body(pinned, DEAL_MODIFIED, after=10_000),
            _request_timeout=TIMEOUT,
        )

    assert last_allowed.total == 10_100
    assert _ids(last_allowed)[-1] == deals[9_999].crm_id
    assert last_allowed.paging.next.after == "10000"
    assert caught.value.status == 400


def test_deals_past_the_cap_on_one_timestamp_are_reached_by_restarting_from_the_last_id(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    deals = [make_deal(n, companies[0], modified_ms=START_MS) for n in range(1, 10_101)]
    _, url = serve_book(companies, deals=deals)
    search_api = client_for(url).crm.deals.search_api
    last = deals[9_999].crm_id

    rest = search_api.do_search(
        public_object_search_request=_body(
            [_filter(DEAL_MODIFIED, "EQ", START_MS), _filter(ID, "GT", last)], ID
        ),
        _request_timeout=TIMEOUT,
    )

    assert rest.total == 100
    assert _ids(rest) == [d.crm_id for d in deals[10_000:]][:200]


def test_deals_filter_on_their_derived_closed_flag(serve_book: BookFactory) -> None:
    companies = make_companies(1)
    deals = [
        make_deal(1, companies[0], stage="closedwon"),
        make_deal(2, companies[0]),
        make_deal(3, companies[0], stage="closedlost"),
    ]
    _, url = serve_book(companies, deals=deals)

    response = client_for(url).crm.deals.search_api.do_search(
        public_object_search_request=_body([_filter("hs_is_closed", "EQ", "true")], ID),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [deals[0].crm_id, deals[2].crm_id]


def test_contact_and_company_searches_share_the_portals_per_second_limit(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    _, url = serve_book(companies, contacts=[make_contact(1, companies[0])], search_per_second=1)
    client = client_for(url)
    client.crm.companies.search_api.do_search(
        public_object_search_request=_body([], ID), _request_timeout=TIMEOUT
    )

    with pytest.raises(ContactsApiException) as caught:
        client.crm.contacts.search_api.do_search(
            public_object_search_request=_body([], ID), _request_timeout=TIMEOUT
        )

    assert caught.value.status == 429
    assert '"policyName":"SECONDLY"' in caught.value.body


def test_a_contact_owner_written_shows_in_search_only_after_the_delay(
    serve_book: BookFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    contact = make_contact(1, companies[0])
    portal, url = serve_book(companies, contacts=[contact], search_delay_s=3.0)
    search_api = client_for(url).crm.contacts.search_api
    owned_by_302 = _body([_filter("hubspot_owner_id", "EQ", "302")], ID)

    portal.change_owner_as_person(contact.crm_id, "302")

    assert _ids(search_api.do_search(public_object_search_request=owned_by_302)) == []
    clock.advance(3)
    assert _ids(search_api.do_search(public_object_search_request=owned_by_302)) == [contact.crm_id]


def test_gt_includes_boundary_applies_to_contacts_lastmodifieddate(
    serve_book: BookFactory,
) -> None:
    companies = make_companies(1)
    contacts = [make_contact(n, companies[0], modified_ms=START_MS) for n in range(1, 3)]
    portal, url = serve_book(companies, contacts=contacts)
    portal.set_search_inconsistency("gt_includes_boundary")

    response = client_for(url).crm.contacts.search_api.do_search(
        public_object_search_request=_body(
            [_filter(CONTACT_MODIFIED, "GT", START_MS)], CONTACT_MODIFIED
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [c.crm_id for c in contacts]


def test_contact_walks_are_answered_from_the_index_as_a_scan_would_answer_them() -> None:
    rng = random.Random(5)
    clock = FakeClock()
    companies = make_companies(3)
    contacts = [
        make_contact(n, companies[n % 3], modified_ms=START_MS + 1000 * rng.randrange(8))
        for n in range(1, 300)
    ]
    config = HubSpotPortalConfig(clock=clock, search_delay_s=2.0)
    portal = HubSpotPortal([], companies, contacts=contacts, config=config)
    store = portal.contact_store
    for _ in range(40):
        stamp = START_MS + 1000 * rng.randrange(8)
        pick = rng.choice(contacts).crm_id
        body = {
            "filterGroups": [
                {
                    "filters": [
                        _filter(CONTACT_MODIFIED, "EQ", stamp),
                        _filter(ID, "GT", rng.choice(contacts).crm_id),
                    ]
                },
                {"filters": [_filter(CONTACT_MODIFIED, "GT", stamp)]},
            ],
            "sorts": [{"propertyName": CONTACT_MODIFIED, "direction": "ASCENDING"}],
            "limit": rng.choice([10, 200]),
        }
        indexed = parse_search_request(body, schema=CONTACTS)
        scanned = replace(indexed, key_ranges=None)
        assert indexed.key_ranges is not None
        by_index, by_scan = store.search(indexed), store.search(scanned)
        assert (by_index.total, [r.crm_id for r, _ in by_index.results]) == (
            by_scan.total,
            [r.crm_id for r, _ in by_scan.results],
        )
        clock.advance(rng.choice([0.5, 1.5, 3.0]))
        portal.change_owner_as_person(pick, rng.choice(["301", "302", None]))
