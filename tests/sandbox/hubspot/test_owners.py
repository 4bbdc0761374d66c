"""The owners API: paging, the email filter, archived owners, and both forms of the path."""

from __future__ import annotations

import httpx

from sandbox.hubspot import HubSpotPortal
from sandbox.seed import generate_book
from tests.sandbox.hubspot.conftest import TOKEN, PortalFactory, client_for, make_companies

TIMEOUT = 10


def test_owners_page_through_active_owners_in_id_order(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    owners_api = client_for(url).crm.owners.owners_api

    first = owners_api.get_page(limit=2, _request_timeout=TIMEOUT)
    second = owners_api.get_page(limit=2, after=first.paging.next.after, _request_timeout=TIMEOUT)

    assert [o.id for o in first.results] == ["301", "302"]
    assert [o.id for o in second.results] == ["303"]
    assert second.paging is None


def test_email_filter_finds_the_one_owner(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    owners_api = client_for(url).crm.owners.owners_api

    page = owners_api.get_page(email="bo.chen@example.com", _request_timeout=TIMEOUT)

    (owner,) = page.results
    assert (owner.id, owner.first_name, owner.last_name) == ("302", "Bo", "Chen")
    assert owner.user_id == 9002
    assert owner.type == "PERSON"
    assert owner.teams[0].name == "APAC" and owner.teams[0].primary is True


def test_reps_who_left_are_archived_owners_without_a_user_id(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    owners_api = client_for(url).crm.owners.owners_api

    page = owners_api.get_page(archived=True, _request_timeout=TIMEOUT)

    (owner,) = page.results
    assert (owner.id, owner.archived) == ("304", True)
    assert owner.user_id is None
    assert owner.user_id_including_inactive == 9004


def test_owners_answer_with_and_without_the_trailing_slash(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    headers = {"Authorization": f"Bearer {TOKEN}"}

    plain = httpx.get(f"{url}/crm/v3/owners", headers=headers)
    slashed = httpx.get(f"{url}/crm/v3/owners/", headers=headers)

    assert plain.status_code == slashed.status_code == 200
    assert [o["id"] for o in plain.json()["results"]] == ["301", "302", "303"]
    assert plain.json()["results"] == slashed.json()["results"]


def test_owner_requests_are_logged_as_owners(serve: PortalFactory) -> None:
    portal, url = serve(make_companies(1))

    client_for(url).crm.owners.owners_api.get_page(_request_timeout=TIMEOUT)

    assert portal.requests.counts_by_kind() == {"owners": 1}


def test_an_owner_archived_in_the_portal_only_is_listed_as_archived_and_refused_as_owner() -> None:
    book = generate_book(40, 3)
    rep = next(r for r in book.reps if r.active)
    portal = HubSpotPortal(book.reps, book.hubspot)

    portal.archive_owner(rep.hubspot_owner_id)

    owner = portal.owner(rep.hubspot_owner_id)
    assert owner is not None and owner.archived and owner.as_json()["userId"] is None
    assert rep.hubspot_owner_id not in portal.active_owner_ids
    assert rep.active, "the person stays active elsewhere (Salesforce)"
