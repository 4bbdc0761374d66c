"""HubSpot's error answers become classified errors that say what to do; a failure without an
answer is told apart by whether the request had left (not sent) or its answer was lost (a write
may have landed)."""

from __future__ import annotations

import http.client
import json
from typing import Any, cast

import pytest
import urllib3
from hubspot.crm.companies import ApiException
from hubspot.crm.owners import ApiException as OwnersApiException

from connectors.errors import ANSWER_LOST, CONNECTION_ERROR, ErrorAction
from connectors.hubspot.client import api_error, connection_error


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


def test_a_refused_connection_was_not_sent_and_names_the_setting_to_check() -> None:
    refused = urllib3.exceptions.NewConnectionError(
        cast(Any, None), "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    error = connection_error(refused, "http://127.0.0.1:9", 60)
    assert (error.action, error.code, error.may_have_been_applied) == (
        ErrorAction.RETRY,
        CONNECTION_ERROR,
        False,
    )
    assert "HUBSPOT_BASE_URL" in str(error)


@pytest.mark.parametrize(
    "failure",
    [
        urllib3.exceptions.NewConnectionError(cast(Any, None), "Connection refused"),
        urllib3.exceptions.NameResolutionError("api.hubapi.com", cast(Any, None), OSError()),
        urllib3.exceptions.ConnectTimeoutError(cast(Any, None), "connect timed out"),
        urllib3.exceptions.MaxRetryError(
            cast(Any, None), "/", urllib3.exceptions.NewConnectionError(cast(Any, None), "refused")
        ),
    ],
    ids=["refused", "DNS failure", "connect time-out", "refused inside MaxRetryError"],
)
def test_a_request_that_never_left_is_not_sent(failure: Exception) -> None:
    error = connection_error(failure, "https://api.hubapi.com", 60)
    assert (error.code, error.may_have_been_applied) == (CONNECTION_ERROR, False)


@pytest.mark.parametrize(
    "failure",
    [
        urllib3.exceptions.ReadTimeoutError(cast(Any, None), "/", "read timed out"),
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.RemoteDisconnected("closed without response")
        ),
        urllib3.exceptions.IncompleteRead(120, 380),
    ],
    ids=["read time-out", "closed after sending", "body cut short"],
)
def test_an_answer_lost_after_sending_may_have_been_applied(failure: Exception) -> None:
    error = connection_error(failure, "https://api.hubapi.com", 60)
    assert (error.action, error.code, error.may_have_been_applied) == (
        ErrorAction.RETRY,
        ANSWER_LOST,
        True,
    )


def test_a_read_time_out_says_how_long_was_waited() -> None:
    failure = urllib3.exceptions.ReadTimeoutError(cast(Any, None), "/", "read timed out")
    assert "within 60 s" in str(connection_error(failure, "https://api.hubapi.com", 60))
