"""Eventual consistency: a write shows in search only once the index has caught up."""

from __future__ import annotations

from typing import Any

from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInput,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
)

from sandbox.faults import FaultProfile
from tests.sandbox.hubspot.conftest import (
    START_MS,
    FakeClock,
    PortalFactory,
    client_for,
    make_companies,
)

TIMEOUT = 10


def _owned_by(owner_id: str) -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[Filter(property_name="hubspot_owner_id", operator="EQ", value=owner_id)]
            )
        ],
        properties=["hubspot_owner_id"],
        limit=100,
    )


def _ids(search_api: Any, request: PublicObjectSearchRequest) -> list[str]:
    response = search_api.do_search(public_object_search_request=request, _request_timeout=TIMEOUT)
    return [r.id for r in response.results]


def test_written_owner_is_invisible_to_search_until_the_delay_passes(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(2)
    _, url = serve(companies, search_delay_s=3.0)
    client = client_for(url)
    batch_api, search_api = client.crm.companies.batch_api, client.crm.companies.search_api
    target = companies[0].crm_id

    batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=[SimplePublicObjectBatchInput(id=target, properties={"hubspot_owner_id": "302"})]
        ),
        _request_timeout=TIMEOUT,
    )

    clock.advance(2.9)
    assert _ids(search_api, _owned_by("302")) == []
    assert target in _ids(search_api, _owned_by("301"))
    clock.advance(0.2)
    assert _ids(search_api, _owned_by("302")) == [target]
    assert target not in _ids(search_api, _owned_by("301"))


def test_stale_search_results_show_what_the_index_holds(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(1)
    portal, url = serve(companies, search_delay_s=5.0)
    search_api = client_for(url).crm.companies.search_api
    old_modified = companies[0].modified_ms
    clock.advance(1)

    portal.change_owner_as_person(companies[0].crm_id, "303")
    (result,) = search_api.do_search(
        public_object_search_request=_owned_by("301"), _request_timeout=TIMEOUT
    ).results

    assert result.properties["hubspot_owner_id"] == "301"
    assert int(result.updated_at.timestamp() * 1000) == old_modified


def test_new_records_join_search_after_the_delay(serve: PortalFactory, clock: FakeClock) -> None:
    portal, url = serve(make_companies(1), search_delay_s=2.0)
    search_api = client_for(url).crm.companies.search_api

    (new_id,) = portal.create_records([{"name": "Fresh GmbH", "owner_id": "302"}])

    assert _ids(search_api, _owned_by("302")) == []
    clock.advance(2)
    assert _ids(search_api, _owned_by("302")) == [new_id]


def test_the_fault_profile_delay_applies_when_set(serve: PortalFactory, clock: FakeClock) -> None:
    companies = make_companies(1)
    portal, url = serve(companies, faults=FaultProfile(search_delay_s=1.0))
    search_api = client_for(url).crm.companies.search_api

    portal.change_owner_as_person(companies[0].crm_id, "302")

    assert _ids(search_api, _owned_by("302")) == []
    clock.advance(1)
    assert _ids(search_api, _owned_by("302")) == [companies[0].crm_id]


def test_without_a_delay_writes_are_searchable_at_once(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api

    portal.change_owner_as_person(companies[0].crm_id, "302")

    assert _ids(search_api, _owned_by("302")) == [companies[0].crm_id]
    assert companies[0].modified_ms == START_MS


def test_archived_record_leaves_search_only_after_the_delay(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies, search_delay_s=2.0)
    search_api = client_for(url).crm.companies.search_api

    portal.delete_records([companies[0].crm_id])

    assert companies[0].crm_id in _ids(search_api, _owned_by("301"))
    clock.advance(2)
    assert _ids(search_api, _owned_by("301")) == [companies[1].crm_id]
