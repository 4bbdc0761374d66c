"""Authentication, the rate limits and their headers, and injected throttling and server errors."""

from __future__ import annotations

import json

import httpx
import pytest
from hubspot.crm.companies import ApiException, PublicObjectSearchRequest
from hubspot.crm.companies.exceptions import UnauthorizedException

from sandbox.faults import FaultProfile
from tests.sandbox.hubspot.conftest import (
    TOKEN,
    FakeClock,
    PortalFactory,
    client_for,
    make_companies,
)

TIMEOUT = 10


def test_wrong_token_answers_401_invalid_authentication(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    basic_api = client_for(url, token="pat-na1-not-a-real-token").crm.companies.basic_api

    with pytest.raises(UnauthorizedException) as caught:
        basic_api.get_page(_request_timeout=TIMEOUT)

    body = json.loads(caught.value.body)
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["correlationId"]
    assert body["message"].startswith("Authentication credentials not found.")


def test_missing_token_answers_401_and_is_not_counted(serve: PortalFactory) -> None:
    portal, url = serve(make_companies(1))

    response = httpx.get(f"{url}/crm/v3/objects/companies")

    assert response.status_code == 401
    assert portal.state()["api_calls_today"] == 0


def test_successful_responses_report_the_remaining_allowance(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1), ten_second_limit=190, daily_limit=625_000)
    basic_api = client_for(url).crm.companies.basic_api

    basic_api.get_page(_request_timeout=TIMEOUT)
    _, _, headers = basic_api.get_page_with_http_info(_request_timeout=TIMEOUT)

    assert headers["X-HubSpot-RateLimit-Max"] == "190"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "188"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["X-HubSpot-RateLimit-Daily"] == "625000"
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "624998"
    assert headers["X-HubSpot-RateLimit-Secondly"] == "19"


def test_exhausted_ten_second_window_answers_429_with_readable_headers(
    serve: PortalFactory,
) -> None:
    _, url = serve(make_companies(1), ten_second_limit=5)
    basic_api = client_for(url).crm.companies.basic_api
    for _ in range(5):
        basic_api.get_page(_request_timeout=TIMEOUT)

    with pytest.raises(ApiException) as caught:
        basic_api.get_page(_request_timeout=TIMEOUT)

    error = caught.value
    assert error.status == 429
    assert error.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert int(error.headers["Retry-After"]) >= 1
    body = json.loads(error.body)
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."


def test_window_frees_up_once_ten_seconds_have_passed(
    serve: PortalFactory, clock: FakeClock
) -> None:
    _, url = serve(make_companies(1), ten_second_limit=2)
    basic_api = client_for(url).crm.companies.basic_api
    basic_api.get_page(_request_timeout=TIMEOUT)
    basic_api.get_page(_request_timeout=TIMEOUT)

    clock.advance(10.001)

    assert basic_api.get_page(_request_timeout=TIMEOUT).results


def test_each_token_has_its_own_ten_second_window(serve: PortalFactory) -> None:
    other = "pat-na1-99999999-8888-4777-8666-555544443333"
    _, url = serve(make_companies(1), ten_second_limit=1, access_tokens=(TOKEN, other))
    client_for(url).crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    page = client_for(url, token=other).crm.companies.basic_api.get_page(_request_timeout=TIMEOUT)

    assert page.results


def test_search_has_its_own_per_second_limit_with_policy_secondly(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1), search_per_second=5)
    search_api = client_for(url).crm.companies.search_api
    request = PublicObjectSearchRequest(filter_groups=[], limit=1)
    for _ in range(5):
        search_api.do_search(public_object_search_request=request, _request_timeout=TIMEOUT)

    with pytest.raises(ApiException) as caught:
        search_api.do_search(public_object_search_request=request, _request_timeout=TIMEOUT)

    assert caught.value.status == 429
    assert json.loads(caught.value.body)["policyName"] == "SECONDLY"


def test_search_responses_carry_no_rate_limit_headers(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    search_api = client_for(url).crm.companies.search_api

    _, status, headers = search_api.do_search_with_http_info(
        public_object_search_request=PublicObjectSearchRequest(filter_groups=[], limit=1),
        _request_timeout=TIMEOUT,
    )

    assert status == 200
    assert not [name for name in headers if name.lower().startswith("x-hubspot-ratelimit")]


def test_exhausted_daily_allowance_answers_429_daily(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1), daily_limit=3)
    basic_api = client_for(url).crm.companies.basic_api
    for _ in range(3):
        basic_api.get_page(_request_timeout=TIMEOUT)

    with pytest.raises(ApiException) as caught:
        basic_api.get_page(_request_timeout=TIMEOUT)

    body = json.loads(caught.value.body)
    assert (caught.value.status, body["policyName"]) == (429, "DAILY")
    assert caught.value.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_daily_allowance_resets_at_midnight(serve: PortalFactory, clock: FakeClock) -> None:
    _, url = serve(make_companies(1), daily_limit=1)
    basic_api = client_for(url).crm.companies.basic_api
    basic_api.get_page(_request_timeout=TIMEOUT)

    clock.advance(24 * 3600)

    assert basic_api.get_page(_request_timeout=TIMEOUT).results


def test_daily_allocation_fault_overrides_the_daily_limit(serve: PortalFactory) -> None:
    portal, _ = serve(make_companies(1), faults=FaultProfile(daily_allocation=42))

    assert portal.state()["limits"] == {
        "daily": 42,
        "ten_second": 100_000,
        "search_per_second": 100_000,
    }


def test_throttle_fault_answers_429_and_changes_nothing(serve: PortalFactory) -> None:
    companies = make_companies(1)
    portal, url = serve(companies, faults=FaultProfile(rate_429=1.0))

    response = httpx.post(
        f"{url}/crm/v3/objects/companies/batch/update",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"inputs": [{"id": companies[0].crm_id, "properties": {"hubspot_owner_id": "302"}}]},
    )

    assert response.status_code == 429
    assert response.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    assert portal.owner_of(companies[0].crm_id) == "301"
    assert portal.state()["api_calls_today"] == 0


def test_server_error_fault_alternates_an_html_502_and_a_json_503(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1), faults=FaultProfile(rate_5xx=1.0))
    headers = {"Authorization": f"Bearer {TOKEN}"}

    first = httpx.get(f"{url}/crm/v3/objects/companies", headers=headers)
    second = httpx.get(f"{url}/crm/v3/objects/companies", headers=headers)

    assert first.status_code == 502
    assert first.headers["content-type"].startswith("text/html")
    assert second.status_code == 503
    assert second.json()["status"] == "error"


def test_faults_are_reproducible_for_a_seed(serve: PortalFactory) -> None:
    def statuses() -> list[int]:
        _, url = serve(make_companies(1), faults=FaultProfile(rate_429=0.5))
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            return [http.get("/crm/v3/objects/companies").status_code for _ in range(12)]

    first = statuses()

    assert statuses() == first
    assert {200, 429} == set(first)
