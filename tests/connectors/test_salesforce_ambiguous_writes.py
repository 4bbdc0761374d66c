"""Salesforce owner updates whose answer says nothing reliable (a 503, a read time-out, a body cut
short or of the wrong shape) are never sent again by the transport: the write rounds read the
owner back and decide. Recorded HTTP with `responses`, so each fault is exact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

from connectors.base import BatchStoppedError, OwnerWrite, WriteOutcome, WriteStatus
from connectors.retry import RetryPolicy
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.auth import AccessToken

INSTANCE = "https://acme.my.salesforce.com"
API = f"{INSTANCE}/services/data/v59.0"
QUERY_ALL = f"{API}/queryAll/"
COLLECTIONS = f"{API}/composite/sobjects"
ACCOUNT = "001000000000001AAA"
OLD, NEW = "005000000000001AAA", "005000000000002AAA"
POLICY = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.01, jitter=0)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def connector() -> SalesforceConnector:
    return SalesforceConnector(
        INSTANCE, AccessToken("00D!token"), policy=POLICY, sleep=lambda _seconds: None
    )


def owner_is(owner: str) -> dict[str, Any]:
    record = {"attributes": {"type": "Account"}, "Id": ACCOUNT, "OwnerId": owner}
    return {"totalSize": 1, "done": True, "records": [{**record, "IsDeleted": False}]}


SAVED = [{"id": ACCOUNT, "success": True, "errors": []}]
UNAVAILABLE = [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server temporarily unavailable"}]


def calls(mock: responses.RequestsMock) -> list[str]:
    """The method of every request made, in order ("GET" reads, "PATCH" updates)."""
    return [str(call.request.method) for call in mock.calls]


def write_one() -> WriteOutcome:
    [outcome] = connector().write_owner_batch([OwnerWrite(ACCOUNT, NEW, OLD)])
    return outcome


def test_an_update_answered_503_after_landing_is_written_without_a_second_write(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, status=503, json=UNAVAILABLE)
    mocked.get(QUERY_ALL, json=owner_is(NEW))

    outcome = write_one()

    assert (outcome.status, outcome.attempts, outcome.already_there) == (
        WriteStatus.WRITTEN,
        1,
        False,
    )
    assert calls(mocked) == ["GET", "PATCH", "GET"]


def test_an_update_whose_read_timed_out_and_did_not_land_is_sent_once_more(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, body=requests.exceptions.ReadTimeout("read timed out (60 s)"))
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, json=SAVED)

    outcome = write_one()

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 2)
    assert calls(mocked) == ["GET", "PATCH", "GET", "PATCH"]


def test_a_reset_connection_after_sending_the_update_is_resolved_by_reading_back(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    reset = requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
    mocked.patch(COLLECTIONS, body=reset)
    mocked.get(QUERY_ALL, json=owner_is(NEW))

    outcome = write_one()

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 1)
    assert calls(mocked).count("PATCH") == 1


def test_a_truncated_answer_to_the_update_is_resolved_by_reading_back(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    whole = json.dumps(SAVED)
    mocked.patch(COLLECTIONS, body=whole[: len(whole) // 2], content_type="application/json")
    mocked.get(QUERY_ALL, json=owner_is(NEW))

    outcome = write_one()

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 1)
    assert calls(mocked) == ["GET", "PATCH", "GET"]


def test_an_answer_that_is_not_a_list_of_results_is_resolved_by_reading_back(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, json={"message": "accepted"})
    mocked.get(QUERY_ALL, json=owner_is(NEW))

    outcome = write_one()

    assert (outcome.status, outcome.error_code) == (WriteStatus.WRITTEN, None)
    assert calls(mocked) == ["GET", "PATCH", "GET"]


def test_an_update_refused_by_the_concurrency_limit_is_retried_by_the_transport(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    refusal = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "ConcurrentPerOrgLongTxn"}]
    mocked.patch(COLLECTIONS, status=403, json=refusal)
    mocked.patch(COLLECTIONS, json=SAVED)

    outcome = write_one()

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 1)
    assert calls(mocked) == ["GET", "PATCH", "PATCH"]


def test_an_update_whose_answer_was_lost_and_whose_read_back_fails_stops_the_batch_unfinished(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, body=requests.exceptions.ReadTimeout("read timed out"))
    mocked.get(QUERY_ALL, status=503, json=UNAVAILABLE)

    with pytest.raises(BatchStoppedError) as stopped:
        write_one()
    (outcome,) = stopped.value.outcomes

    assert (outcome.status, outcome.error_code) == (WriteStatus.UNFINISHED, "OUTCOME_UNKNOWN")
    assert "the next run re-checks it" in (outcome.error_message or "")
    assert calls(mocked) == ["GET", "PATCH", "GET", "GET", "GET"]  # the read's own retries


def test_a_lock_error_is_read_again_before_the_record_is_sent_again(
    mocked: responses.RequestsMock,
) -> None:
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    locked = [
        {
            "id": ACCOUNT,
            "success": False,
            "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain lock"}],
        }
    ]
    mocked.patch(COLLECTIONS, json=locked)
    mocked.get(QUERY_ALL, json=owner_is(OLD))
    mocked.patch(COLLECTIONS, json=SAVED)

    outcome = write_one()

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 2)
    assert calls(mocked) == ["GET", "PATCH", "GET", "PATCH"]
