"""The error table, row by row: what to do about each CRM error, and whether a write that met it
may have been applied (and so must be resolved by reading, never by sending it again)."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from connectors.errors import (
    ANSWER_LOST,
    CONNECTION_ERROR,
    ERROR_RULES,
    ErrorAction,
    ErrorRule,
    call_error,
    classify,
    matching_rule,
    may_have_been_applied,
)


class Case(NamedTuple):
    crm: str
    status: int | None
    code: str | None
    message: str | None
    action: ErrorAction
    applied: bool


RETRY, PERMANENT = ErrorAction.RETRY, ErrorAction.PERMANENT
CASES: dict[str, Case] = {
    "not sent (refused, DNS, connect time-out)": Case(
        "salesforce", None, CONNECTION_ERROR, None, RETRY, False
    ),
    "answer lost after sending": Case("hubspot", None, ANSWER_LOST, None, RETRY, True),
    "salesforce session expired": Case(
        "salesforce", 401, "INVALID_SESSION_ID", None, ErrorAction.REAUTHENTICATE, False
    ),
    "salesforce daily allocation spent": Case(
        "salesforce",
        403,
        "REQUEST_LIMIT_EXCEEDED",
        "TotalRequests Limit exceeded.",
        ErrorAction.STOP_FOR_TODAY,
        False,
    ),
    "salesforce concurrency limit": Case(
        "salesforce",
        403,
        "REQUEST_LIMIT_EXCEEDED",
        "ConcurrentPerOrgLongTxn Limit exceeded.",
        RETRY,
        False,
    ),
    "salesforce query time-out": Case("salesforce", 400, "QUERY_TIMEOUT", None, RETRY, False),
    "salesforce server unavailable": Case(
        "salesforce", 503, "SERVER_UNAVAILABLE", None, RETRY, True
    ),
    "salesforce record locked": Case("salesforce", None, "UNABLE_TO_LOCK_ROW", None, RETRY, False),
    "salesforce owner inactive": Case(
        "salesforce", None, "INACTIVE_OWNER_OR_USER", None, PERMANENT, False
    ),
    "salesforce unknown id": Case(
        "salesforce", None, "INVALID_CROSS_REFERENCE_KEY", None, PERMANENT, False
    ),
    "salesforce record deleted": Case(
        "salesforce", None, "ENTITY_IS_DELETED", None, PERMANENT, False
    ),
    "salesforce validation rule": Case(
        "salesforce", None, "FIELD_CUSTOM_VALIDATION_EXCEPTION", None, PERMANENT, False
    ),
    "hubspot daily limit": Case("hubspot", 429, "DAILY", None, ErrorAction.STOP_FOR_TODAY, False),
    "hubspot burst limit": Case("hubspot", 429, "TEN_SECONDLY_ROLLING", None, RETRY, False),
    "hubspot token rejected": Case(
        "hubspot", 401, "INVALID_AUTHENTICATION", None, ErrorAction.REAUTHENTICATE, False
    ),
    "hubspot record busy": Case("hubspot", None, "CONFLICT", None, RETRY, False),
    "hubspot invalid value": Case("hubspot", 400, "VALIDATION_ERROR", None, PERMANENT, False),
    "hubspot record not found": Case("hubspot", None, "OBJECT_NOT_FOUND", None, PERMANENT, False),
    "any throttled": Case("salesforce", 429, None, None, RETRY, False),
    "any request time-out": Case("hubspot", 408, None, None, RETRY, True),
    "any server error": Case("hubspot", 500, None, None, RETRY, True),
    "any bad gateway": Case("hubspot", 502, None, None, RETRY, True),
    "any service unavailable": Case("hubspot", 503, None, None, RETRY, True),
    "any gateway time-out": Case("salesforce", 504, None, None, RETRY, True),
    "any other 5xx": Case("hubspot", 501, None, None, PERMANENT, True),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_row_says_what_to_do_and_whether_a_write_may_have_landed(case: Case) -> None:
    assert classify(case.crm, case.status, case.code, case.message) == case.action
    assert may_have_been_applied(case.crm, case.status, case.code, case.message) is case.applied


def test_every_row_of_the_table_is_covered_by_a_case() -> None:
    matched: set[ErrorRule] = set()
    for case in CASES.values():
        rule = matching_rule(case.crm, case.status, case.code, case.message)
        assert rule is not None
        matched.add(rule)

    assert matched == set(ERROR_RULES)


def test_an_error_the_table_does_not_name_is_permanent_and_was_not_applied() -> None:
    assert classify("hubspot", 400, "SOMETHING_NEW") == ErrorAction.PERMANENT
    assert may_have_been_applied("hubspot", 400, "SOMETHING_NEW") is False


def test_a_classified_error_carries_whether_a_write_may_have_landed() -> None:
    lost = call_error("hubspot", None, ANSWER_LOST, "the answer was lost")
    refused = call_error("hubspot", 429, "TEN_SECONDLY_ROLLING", "throttled")

    assert (lost.action, lost.may_have_been_applied) == (ErrorAction.RETRY, True)
    assert (refused.action, refused.may_have_been_applied) == (ErrorAction.RETRY, False)
