"""Batch updates applied and then their answers lost (5xx, dropped connection, stall), fault
schedules, and person edits during a client's back-off, on the HubSpot emulator."""

from __future__ import annotations

import httpx
import pytest
import requests
import urllib3
from hubspot.crm.companies import (
    ApiException,
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    SimplePublicObjectBatchInput,
)

from sandbox.fault_schedule import ScheduledFault
from sandbox.faults import FaultProfile
from sandbox.hubspot import HubSpotPortal
from tests.sandbox.hubspot.conftest import (
    START_MS,
    TOKEN,
    FakeClock,
    PortalFactory,
    client_for,
    make_companies,
)

TIMEOUT = 10


def _owners(*pairs: tuple[str, str]) -> BatchInputSimplePublicObjectBatchInput:
    return BatchInputSimplePublicObjectBatchInput(
        inputs=[
            SimplePublicObjectBatchInput(id=record_id, properties={"hubspot_owner_id": owner})
            for record_id, owner in pairs
        ]
    )


def _update(url: str, *pairs: tuple[str, str], timeout: float = TIMEOUT) -> object:
    batch_api = client_for(url).crm.companies.batch_api
    return batch_api.update(
        batch_input_simple_public_object_batch_input=_owners(*pairs), _request_timeout=timeout
    )


def _update_status(url: str, *pairs: tuple[str, str]) -> int:
    batch_api = client_for(url).crm.companies.batch_api
    try:
        _, status, _ = batch_api.update_with_http_info(
            batch_input_simple_public_object_batch_input=_owners(*pairs), _request_timeout=TIMEOUT
        )
    except ApiException as error:
        return int(error.status)
    return int(status)


def _schedule(portal: HubSpotPortal, *faults: ScheduledFault) -> None:
    portal.set_fault_schedule(faults)


def test_a_batch_update_answered_5xx_after_applying_has_changed_the_owner_and_is_logged(
    serve: PortalFactory,
) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 1, "applied_5xx"))
    record_id = companies[0].crm_id

    with pytest.raises(ApiException) as error:
        _update(url, (record_id, "302"))

    assert error.value.status in (502, 503)
    assert portal.owner_of(record_id) == "302"
    (logged,) = portal.requests.records()
    assert (logged.fault, logged.records_written, logged.owners_written) == (
        "applied_5xx",
        (record_id,),
        ("302",),
    )


def test_answers_lost_as_server_errors_alternate_the_502_page_and_the_503_body(
    serve: PortalFactory,
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies, faults=FaultProfile(applied_5xx=1.0))

    statuses = [_update_status(url, (c.crm_id, "303")) for c in companies]

    assert statuses == [502, 503]
    assert [portal.owner_of(c.crm_id) for c in companies] == ["303", "303"]


def test_a_dropped_answer_is_a_broken_connection_for_the_client_and_the_owner_has_changed(
    serve: PortalFactory,
) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 1, "applied_drop"))
    record_id = companies[0].crm_id

    with pytest.raises(urllib3.exceptions.ProtocolError):
        _update(url, (record_id, "302"))

    assert portal.owner_of(record_id) == "302"
    assert portal.requests.writes_per_record() == {record_id: 1}


def test_a_dropped_answer_is_a_broken_connection_for_requests_too(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies, faults=FaultProfile(applied_drop=1.0))
    body = {"inputs": [{"id": companies[0].crm_id, "properties": {"hubspot_owner_id": "303"}}]}

    with pytest.raises(
        (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    ):
        requests.post(
            f"{url}/crm/v3/objects/companies/batch/update",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=TIMEOUT,
        )

    assert portal.owner_of(companies[0].crm_id) == "303"


def test_a_stall_longer_than_the_client_timeout_times_it_out_and_the_owner_has_changed(
    serve: PortalFactory,
) -> None:
    companies = make_companies(1)
    portal, url = serve(companies, faults=FaultProfile(applied_timeout=1.0, stall_seconds=1.0))

    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        _update(url, (companies[0].crm_id, "302"), timeout=0.2)

    assert portal.owner_of(companies[0].crm_id) == "302"


def test_a_write_sent_again_after_a_lost_answer_counts_two_writes(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 1, "applied_5xx"))
    record_id = companies[0].crm_id

    statuses = [_update_status(url, (record_id, "302")) for _ in range(2)]

    assert statuses[1] == 200 and statuses[0] >= 500
    assert portal.requests.writes_per_record() == {record_id: 2}


def test_a_schedule_strikes_exactly_the_nth_request_of_its_kind_and_only_it(
    serve: PortalFactory,
) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 2, "503"))
    client_for(url).crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    statuses = [_update_status(url, (c.crm_id, "302")) for c in companies]

    assert statuses == [200, 503, 200]
    assert [portal.owner_of(c.crm_id) for c in companies] == ["302", "301", "302"]
    faults = [r.fault for r in portal.requests.records() if r.kind == "batch-update"]
    assert faults == ["", "503", ""]


def test_a_scheduled_429_is_a_rate_limit_refusal_and_changes_nothing(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 1, "429"))

    with pytest.raises(ApiException) as error:
        _update(url, (companies[0].crm_id, "302"))

    assert error.value.status == 429
    assert '"errorType":"RATE_LIMIT"' in error.value.body
    assert portal.owner_of(companies[0].crm_id) == "301"


def test_an_applied_fault_on_a_batch_read_serves_it_and_loses_the_answer(
    serve: PortalFactory,
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-read", 1, "applied_drop"))
    batch_api = client_for(url).crm.companies.batch_api

    with pytest.raises(urllib3.exceptions.ProtocolError):
        batch_api.read(
            batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
                inputs=[{"id": c.crm_id} for c in companies], properties=["hubspot_owner_id"]
            ),
            _request_timeout=TIMEOUT,
        )

    assert portal.limiter.daily_used(portal.now_s()) == 1
    assert portal.requests.records()[-1].fault == "applied_drop"


def test_random_after_write_faults_leave_reads_alone(serve: PortalFactory) -> None:
    _, url = serve(make_companies(2), faults=FaultProfile(applied_drop=1.0))

    page = client_for(url).crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    assert len(page.results) == 2


def test_person_edits_change_exactly_n_companies_to_another_active_owner_and_are_logged(
    serve: PortalFactory, clock: FakeClock
) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    _schedule(portal, ScheduledFault("batch-update", 1, "applied_drop", person_edits=2))
    clock.advance(7)

    with pytest.raises(urllib3.exceptions.ProtocolError):
        _update(url, *[(c.crm_id, "302") for c in companies])

    # After the write each is Bo's (302); the next active owner that is neither 302 nor the one
    # asked for is 303 (304 has left).
    ids = [c.crm_id for c in companies]
    assert [portal.owner_of(i) for i in ids] == ["303", "303", "302"]
    assert portal.requests.person_edits() == {ids[0]: "303", ids[1]: "303"}
    person = portal.requests.records()[-1]
    assert (person.method, person.kind, person.records_written) == (
        "PERSON",
        "person-edit",
        (ids[0], ids[1]),
    )
    assert companies[0].modified_ms == START_MS + 7_000
    assert portal.requests.writes_per_record() == dict.fromkeys(ids, 1)


def test_a_schedule_is_set_and_shown_through_the_control_api(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies)

    response = httpx.put(
        f"{url}/__sandbox/faults",
        json={
            "profile": "latency_ms=1",
            "schedule": [{"kind": "batch-update", "nth": 1, "fault": "applied_5xx"}],
        },
    )
    _update_status(url, (companies[0].crm_id, "302"))

    assert response.status_code == 200
    shown = httpx.get(f"{url}/__sandbox/faults").json()
    assert shown["profile"] == "latency_ms=1.0"
    assert shown["schedule"] == [
        {
            "kind": "batch-update",
            "nth": 1,
            "fault": "applied_5xx",
            "person_edits": 0,
            "struck": True,
        }
    ]
    assert portal.requests.records()[-1].fault == "applied_5xx"


def test_a_malformed_schedule_is_refused_through_the_control_api(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    response = httpx.put(
        f"{url}/__sandbox/faults", json={"schedule": [{"kind": "batch-update", "nth": -1}]}
    )

    assert response.status_code == 400
    assert "nth=-1" in response.json()["error"]


def test_a_request_the_rate_limits_refuse_keeps_its_429_whatever_fault_was_scheduled(
    serve: PortalFactory,
) -> None:
    companies = make_companies(2)
    portal, url = serve(companies, ten_second_limit=1)
    _schedule(portal, ScheduledFault("batch-update", 2, "applied_5xx"))
    _update_status(url, (companies[0].crm_id, "302"))

    status = _update_status(url, (companies[1].crm_id, "302"))

    assert status == 429
    assert portal.owner_of(companies[1].crm_id) == "301"
