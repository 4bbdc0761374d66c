"""HubSpot's error answers become classified errors that say what to do."""

from __future__ import annotations

import json

from hubspot.crm.companies import ApiException
from hubspot.crm.owners import ApiException as OwnersApiException

from connectors.errors import ErrorAction
from connectors.hubspot_client import api_error


def answer(status: int, body: bytes | str, **headers: str) -> ApiException:
    error = ApiException(status=status, reason="reason")
    error.body, error.headers = body, headers
    return error


def test_a_daily_limit_429_stops_for_today() -> None:
    body = {
        "status": "error",
        "message": "You have reached your daily limit.",
        "policyName": "DAILY",
    }
    error = api_error(answer(429, json.dumps(body).encode(), **{"Retry-After": "3600"}))
    assert (error.action, error.code, error.retry_after) == (
        ErrorAction.STOP_FOR_TODAY,
        "DAILY",
        3600.0,
    )


def test_a_ten_second_429_is_retried_after_its_retry_after() -> None:
    body = {"status": "error", "policyName": "TEN_SECONDLY_ROLLING", "errorType": "RATE_LIMIT"}
    error = api_error(answer(429, json.dumps(body).encode(), **{"retry-after": "2"}))
    assert (error.action, error.retry_after) == (ErrorAction.RETRY, 2.0)


def test_an_html_bad_gateway_page_is_retried() -> None:
    error = api_error(answer(502, b"<html><body>502 Bad Gateway</body></html>"))
    assert error.action == ErrorAction.RETRY
    assert "502" in str(error)


def test_an_owners_api_error_is_classified_like_a_companies_one() -> None:
    error = OwnersApiException(status=401, reason="Unauthorized")
    error.body, error.headers = b'{"category": "INVALID_AUTHENTICATION"}', {}
    classified = api_error(error)
    assert classified.action == ErrorAction.REAUTHENTICATE
    assert "set HUBSPOT_ACCESS_TOKEN" in str(classified)


def test_a_validation_error_is_permanent_and_keeps_hubspots_message() -> None:
    body = {
        "status": "error",
        "category": "VALIDATION_ERROR",
        "message": "Property values were not valid",
    }
    error = api_error(answer(400, json.dumps(body)))
    assert (error.action, error.code) == (ErrorAction.PERMANENT, "VALIDATION_ERROR")
    assert "Property values were not valid" in str(error)
