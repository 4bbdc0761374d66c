"""Batch owner writes: 200 when all succeed, 207 per-input failures, whole-batch refusals."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.companies import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
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


def _batch(*pairs: tuple[str, dict[str, str]]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[SimplePublicObjectBatchInput(id=i, properties=p) for i, p in pairs]
    )


def test_all_inputs_succeeding_answer_200_and_change_owner_and_modified_time(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api
    clock.advance(60)

    data, status, _ = batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_batch(
            (companies[0].crm_id, {"hubspot_owner_id": "302"}),
            (companies[1].crm_id, {"hubspot_owner_id": "303"}),
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 200
    assert data.status == "COMPLETE"
    assert [portal.owner_of(c.crm_id) for c in companies] == ["302", "303"]
    assert companies[0].modified_ms == START_MS + 60_000
    assert data.results[0].properties["hubspot_owner_id"] == "302"


def test_unknown_owner_fails_only_its_input_in_a_207(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    data, status, _ = batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_batch(
            (companies[0].crm_id, {"hubspot_owner_id": "302"}),
            (companies[1].crm_id, {"hubspot_owner_id": "999"}),
            (companies[2].crm_id, {"hubspot_owner_id": "303"}),
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.num_errors == 1
    error = data.errors[0]
    assert (error.status, error.category) == ("error", "VALIDATION_ERROR")
    assert error.context == {"ids": [companies[1].crm_id]}
    assert "INVALID_OWNER_ID" in error.message
    assert sorted(r.id for r in data.results) == [companies[0].crm_id, companies[2].crm_id]
    assert [portal.owner_of(c.crm_id) for c in companies] == ["302", "301", "303"]


def test_archived_owner_is_refused_like_an_unknown_one(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    data, status, _ = batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_batch(
            (companies[0].crm_id, {"hubspot_owner_id": "304"})
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.errors[0].category == "VALIDATION_ERROR"
    assert portal.owner_of(companies[0].crm_id) == "301"


def test_unknown_company_fails_its_input_as_object_not_found(serve: PortalFactory) -> None:
    companies = make_companies(1)
    _, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    data, status, _ = batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_batch(
            (companies[0].crm_id, {"hubspot_owner_id": "302"}),
            ("424242", {"hubspot_owner_id": "302"}),
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.errors[0].category == "OBJECT_NOT_FOUND"
    assert data.errors[0].context == {"ids": ["424242"]}


def test_more_than_one_hundred_inputs_are_refused_whole(serve: PortalFactory) -> None:
    companies = make_companies(101)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    with pytest.raises(ApiException) as caught:
        batch_api.update(
            batch_input_simple_public_object_batch_input=_batch(
                *[(c.crm_id, {"hubspot_owner_id": "302"}) for c in companies]
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400
    assert json.loads(caught.value.body)["category"] == "VALIDATION_ERROR"
    assert all(portal.owner_of(c.crm_id) == "301" for c in companies)


def test_unknown_property_refuses_the_whole_batch(serve: PortalFactory) -> None:
    companies = make_companies(2)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    with pytest.raises(ApiException) as caught:
        batch_api.update(
            batch_input_simple_public_object_batch_input=_batch(
                (companies[0].crm_id, {"hubspot_owner_id": "302"}),
                (companies[1].crm_id, {"territory": "EMEA"}),
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400
    assert "PROPERTY_DOESNT_EXIST" in caught.value.body
    assert portal.owner_of(companies[0].crm_id) == "301"


def test_duplicate_ids_refuse_the_whole_batch(serve: PortalFactory) -> None:
    companies = make_companies(1)
    _, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api
    record_id = companies[0].crm_id

    with pytest.raises(ApiException) as caught:
        batch_api.update(
            batch_input_simple_public_object_batch_input=_batch(
                (record_id, {"hubspot_owner_id": "302"}), (record_id, {"hubspot_owner_id": "303"})
            ),
            _request_timeout=TIMEOUT,
        )

    assert caught.value.status == 400


def test_request_log_names_every_company_whose_owner_the_request_set_even_to_the_same_owner(
    serve: PortalFactory,
) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    batch_api = client_for(url).crm.companies.batch_api

    batch_api.update(
        batch_input_simple_public_object_batch_input=_batch(
            (companies[0].crm_id, {"hubspot_owner_id": "302"}),
            (companies[1].crm_id, {"hubspot_owner_id": "301"}),
            (companies[2].crm_id, {"do_not_reassign": "true"}),
        ),
        _request_timeout=TIMEOUT,
    )

    (record,) = portal.requests.records()
    assert record.kind == "batch-update"
    assert record.records_written == (companies[0].crm_id, companies[1].crm_id)
    assert record.owners_written == ("302", "301")


def test_lock_fault_fails_inputs_with_a_retryable_conflict_and_writes_nothing_for_them(
    serve: PortalFactory,
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies, faults=FaultProfile(lock_errors=1.0))
    batch_api = client_for(url).crm.companies.batch_api
    before = [c.modified_ms for c in companies]

    data, status, _ = batch_api.update_with_http_info(
        batch_input_simple_public_object_batch_input=_batch(
            *[(c.crm_id, {"hubspot_owner_id": "302"}) for c in companies]
        ),
        _request_timeout=TIMEOUT,
    )

    assert status == 207
    assert data.results == []
    assert data.errors[0].category == "CONFLICT"
    assert data.errors[0].context == {"ids": [c.crm_id for c in companies]}
    assert [c.modified_ms for c in companies] == before
    assert all(portal.owner_of(c.crm_id) == "301" for c in companies)
