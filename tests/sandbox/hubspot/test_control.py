"""The `/__sandbox/` control API: inspect and steer the portal without touching its API limits."""

from __future__ import annotations

import httpx

from tests.sandbox.hubspot.conftest import (
    START_MS,
    TOKEN,
    FakeClock,
    PortalFactory,
    client_for,
    make_companies,
)

TIMEOUT = 10


def test_request_log_lists_api_calls_by_kind_and_can_be_cleared(serve: PortalFactory) -> None:
    _, url = serve(make_companies(2))
    client = client_for(url)
    client.crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)
    client.crm.owners.owners_api.get_page(_request_timeout=TIMEOUT)

    everything = httpx.get(f"{url}/__sandbox/requests").json()
    owners_only = httpx.get(f"{url}/__sandbox/requests", params={"kind": "owners"}).json()
    httpx.delete(f"{url}/__sandbox/requests")

    assert everything["count"] == 2
    assert everything["by_kind"] == {"list": 1, "owners": 1}
    assert owners_only["requests"][0]["path"] == "/crm/v3/owners/"
    assert httpx.get(f"{url}/__sandbox/requests").json()["count"] == 0


def test_control_calls_need_no_token_and_use_no_allowance(serve: PortalFactory) -> None:
    portal, url = serve(make_companies(1), ten_second_limit=1)

    for _ in range(3):
        assert httpx.get(f"{url}/__sandbox/state").status_code == 200

    assert portal.requests.count() == 0
    assert httpx.get(f"{url}/__sandbox/state").json()["api_calls_today"] == 0


def test_owners_map_covers_every_live_company(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    portal.delete_records([companies[2].crm_id])

    owners = httpx.get(f"{url}/__sandbox/owners").json()["owners"]

    assert owners == {companies[0].crm_id: "301", companies[1].crm_id: "301"}


def test_owner_change_by_a_person_moves_the_modified_time_but_is_no_api_write(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    clock.advance(5)

    response = httpx.post(
        f"{url}/__sandbox/owner-changes",
        json={"changes": [{"id": companies[0].crm_id, "owner_id": "303"}]},
    )

    assert response.status_code == 200
    assert portal.owner_of(companies[0].crm_id) == "303"
    assert companies[0].modified_ms == START_MS + 5_000
    assert portal.requests.writes_per_record() == {}


def test_created_records_get_new_ids_and_are_listed(serve: PortalFactory) -> None:
    companies = make_companies(2)
    _, url = serve(companies)

    ids = httpx.post(
        f"{url}/__sandbox/records",
        json={"records": [{"name": "Nordlicht AG", "country": "DE", "employees": 12}]},
    ).json()["ids"]
    page = client_for(url).crm.companies.basic_api.get_page(
        properties=["name", "numberofemployees"], _request_timeout=TIMEOUT
    )

    assert ids == [str(int(companies[-1].crm_id) + 1)]
    assert page.results[-1].id == ids[0]
    assert page.results[-1].properties["numberofemployees"] == "12"


def test_creating_a_record_with_an_unknown_field_says_which_fields_exist(
    serve: PortalFactory,
) -> None:
    _, url = serve(make_companies(1))

    response = httpx.post(f"{url}/__sandbox/records", json={"records": [{"colour": "red"}]})

    assert response.status_code == 400
    assert "colour" in response.json()["error"] and "postal_code" in response.json()["error"]


def test_deleted_records_become_archived_companies(serve: PortalFactory) -> None:
    companies = make_companies(2)
    _, url = serve(companies)

    httpx.post(f"{url}/__sandbox/deletions", json={"ids": [companies[0].crm_id]})
    archived = client_for(url).crm.companies.basic_api.get_page(
        archived=True, _request_timeout=TIMEOUT
    )

    assert [r.id for r in archived.results] == [companies[0].crm_id]


def test_purged_companies_are_gone_from_the_archived_listing_too(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    basic_api = client_for(url).crm.companies.basic_api

    response = httpx.post(
        f"{url}/__sandbox/deletions", json={"ids": [companies[0].crm_id], "purge": True}
    )

    live = basic_api.get_page(_request_timeout=TIMEOUT)
    archived = basic_api.get_page(archived=True, _request_timeout=TIMEOUT)
    assert response.json() == {"count": 1}
    assert [r.id for r in live.results] == [c.crm_id for c in companies[1:]]
    assert archived.results == []
    assert portal.company(companies[0].crm_id) is None


def test_a_company_created_after_a_purge_never_reuses_the_purged_id(serve: PortalFactory) -> None:
    companies = make_companies(2)
    portal, _ = serve(companies)
    portal.delete_records([companies[1].crm_id], purge=True)

    (created,) = portal.create_records([{"name": "Nachfolger GmbH"}])

    assert int(created) > int(companies[1].crm_id)


def test_deleting_an_unknown_id_answers_404_with_advice(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    response = httpx.post(f"{url}/__sandbox/deletions", json={"ids": ["1"]})

    assert response.status_code == 404
    assert "no HubSpot company with id '1'" in response.json()["error"]


def test_mass_update_stamps_one_time_on_more_than_ten_thousand_records(
    serve: PortalFactory,
) -> None:
    companies = make_companies(10_050)
    _, url = serve(companies)

    response = httpx.post(
        f"{url}/__sandbox/mass-update", json={"count": 10_020, "modified_ms": START_MS + 7}
    ).json()

    assert response == {"modified_ms": START_MS + 7, "count": 10_020}
    assert {c.modified_ms for c in companies[:10_020]} == {START_MS + 7}
    assert companies[10_020].modified_ms != START_MS + 7


def test_mass_update_by_ids_defaults_to_now(serve: PortalFactory) -> None:
    companies = make_companies(3)
    _, url = serve(companies)

    response = httpx.post(
        f"{url}/__sandbox/mass-update", json={"ids": [c.crm_id for c in companies[:2]]}
    ).json()

    assert response == {"modified_ms": START_MS, "count": 2}


def test_fault_profile_can_be_read_and_replaced_at_run_time(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    replaced = httpx.put(f"{url}/__sandbox/faults", json={"profile": "rate_429=1"}).json()
    api_status = httpx.get(
        f"{url}/crm/v3/objects/companies", headers={"Authorization": f"Bearer {TOKEN}"}
    ).status_code

    assert replaced["profile"] == "rate_429=1.0"
    assert httpx.get(f"{url}/__sandbox/faults").json()["settings"]["rate_429"] == 1.0
    assert api_status == 429


def test_an_unknown_fault_setting_is_refused_with_the_known_ones(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    response = httpx.put(f"{url}/__sandbox/faults", json={"profile": "tornado=1"})

    assert response.status_code == 400
    assert "known settings" in response.json()["error"]


def test_state_counts_records_owners_and_api_calls(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    portal.delete_records([companies[0].crm_id])
    client_for(url).crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    state = httpx.get(f"{url}/__sandbox/state").json()

    assert (state["records"], state["deleted"]) == (2, 1)
    assert (state["owners"], state["archived_owners"]) == (3, 1)
    assert state["api_calls_today"] == 1
