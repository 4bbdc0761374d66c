"""Vendor exceptions become classified errors decided by Salesforce's own error code and message,
with what to do said in words."""

from __future__ import annotations

from typing import Any, cast

import requests
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceRefusedRequest

from connectors.errors import CONNECTION_ERROR, ErrorAction
from connectors.salesforce_errors import from_vendor


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


def test_no_answer_at_all_is_retried() -> None:
    error = from_vendor(requests.ConnectionError("connection refused"), "Salesforce query")

    assert (error.action, error.code) == (ErrorAction.RETRY, CONNECTION_ERROR)
    assert "SALESFORCE_INSTANCE_URL" in str(error)
