"""Vendor exceptions become classified errors decided by Salesforce's own error code and message,
with what to do said in words; a failure without an answer is told apart by whether the request
had left (not sent: safe to repeat) or its answer was lost (a write may have landed)."""

from __future__ import annotations

import http.client
from typing import Any, cast

import pytest
import requests
import urllib3
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from connectors.errors import ANSWER_LOST, CONNECTION_ERROR, ErrorAction
from connectors.salesforce.errors import from_vendor


def refused(message: str) -> SalesforceRefusedRequest:
    body = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": message}]
    return SalesforceRefusedRequest("https://x/query", 403, "query", cast(Any, body))


def test_a_spent_daily_allocation_stops_for_today_and_says_so() -> None:
    error = from_vendor(refused("TotalRequests Limit exceeded."), "Salesforce account query")

    assert error.action == ErrorAction.STOP_FOR_TODAY
    assert "daily API allocation is used up" in str(error)


def test_the_concurrent_request_limit_is_retried() -> None:
    error = from_vendor(refused("ConcurrentPerOrgLongTxn Limit exceeded."), "Salesforce query")

    assert error.action == ErrorAction.RETRY
    assert "daily" not in str(error)


def test_an_expired_session_asks_for_a_new_sign_in() -> None:
    body = [{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]
    expired = SalesforceExpiredSession("https://x", 401, "query", cast(Any, body))
    error = from_vendor(expired, "query")

    assert (error.action, error.code, error.status) == (
        ErrorAction.REAUTHENTICATE,
        "INVALID_SESSION_ID",
        401,
    )


def refused_connection() -> requests.ConnectionError:
    """What requests raises when nothing listens: urllib3's NewConnectionError in MaxRetryError."""
    refused = urllib3.exceptions.NewConnectionError(
        cast(Any, None), "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(cast(Any, None), "/", refused))


def reset_after_sending() -> requests.ConnectionError:
    """What requests raises when the server closes the connection without answering."""
    closed = http.client.RemoteDisconnected("Remote end closed connection without response")
    return requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted.", closed))


def test_a_refused_connection_was_not_sent_and_names_the_setting_to_check() -> None:
    error = from_vendor(refused_connection(), "Salesforce query")

    assert (error.action, error.code, error.may_have_been_applied) == (
        ErrorAction.RETRY,
        CONNECTION_ERROR,
        False,
    )
    assert "SALESFORCE_INSTANCE_URL" in str(error)


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        refused_connection(),
    ],
    ids=["connect time-out", "connection refused"],
)
def test_a_request_that_never_left_is_not_sent(failure: requests.RequestException) -> None:
    error = from_vendor(failure, "Salesforce owner update")

    assert (error.code, error.may_have_been_applied) == (CONNECTION_ERROR, False)


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
        reset_after_sending(),
        requests.exceptions.JSONDecodeError("Expecting value", '[{"id": "001', 12),
    ],
    ids=["read time-out", "body cut short", "closed without answer", "not JSON"],
)
def test_an_answer_lost_after_sending_may_have_been_applied(
    failure: requests.RequestException,
) -> None:
    error = from_vendor(failure, "Salesforce owner update")

    assert (error.action, error.code, error.may_have_been_applied) == (
        ErrorAction.RETRY,
        ANSWER_LOST,
        True,
    )
    assert str(error).startswith("salesforce: Salesforce owner update failed")
