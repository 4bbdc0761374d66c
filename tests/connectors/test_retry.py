"""The shared retry policy: reads are retried on every transient error; a write is retried only
on errors known to have been refused before anything changed, and an answer that leaves its
effect unknown raises `AmbiguousWriteError` at once. One backoff for every wait."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.errors import (
    ANSWER_LOST,
    CONNECTION_ERROR,
    AmbiguousWriteError,
    CrmCallError,
    call_error,
)
from connectors.retry import RetryPolicy, backoff_seconds, call_with_retry
from territory_sync.errors import CrmAuthenticationError, CrmUnavailableError

NO_WAIT = RetryPolicy(max_attempts=4, initial_wait=0, max_wait=0, jitter=0)


def failing(*errors: CrmCallError) -> tuple[Callable[[], str], list[int]]:
    """An operation that raises `errors` in turn, then answers "done"; and its call count."""
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "done"

    return operation, calls


def server_unavailable() -> CrmCallError:
    return call_error("salesforce", 503, "SERVER_UNAVAILABLE", "Salesforce update failed (503)")


def answer_lost() -> CrmCallError:
    return call_error("hubspot", None, ANSWER_LOST, "no answer from HubSpot within 60 s")


def test_a_read_answered_503_is_retried() -> None:
    operation, calls = failing(server_unavailable())

    assert call_with_retry(operation, policy=NO_WAIT, what="read") == "done"
    assert len(calls) == 2


def test_a_read_whose_answer_was_lost_is_retried() -> None:
    operation, calls = failing(answer_lost())

    assert call_with_retry(operation, policy=NO_WAIT, what="read") == "done"
    assert len(calls) == 2


def test_a_write_answered_503_is_not_sent_again_and_says_it_may_have_landed() -> None:
    operation, calls = failing(server_unavailable())

    with pytest.raises(AmbiguousWriteError) as raised:
        call_with_retry(operation, policy=NO_WAIT, what="update", idempotent=False)

    assert len(calls) == 1
    assert (raised.value.status, raised.value.code) == (503, "SERVER_UNAVAILABLE")
    assert raised.value.may_have_been_applied


def test_a_write_whose_answer_was_lost_is_not_sent_again() -> None:
    operation, calls = failing(answer_lost())

    with pytest.raises(AmbiguousWriteError):
        call_with_retry(operation, policy=NO_WAIT, what="update", idempotent=False)

    assert len(calls) == 1


@pytest.mark.parametrize(
    "refusal",
    [
        call_error("hubspot", 429, "TEN_SECONDLY_ROLLING", "throttled", retry_after=0),
        call_error("hubspot", 429, "RATE_LIMIT", "throttled without Retry-After"),
        call_error(
            "salesforce",
            403,
            "REQUEST_LIMIT_EXCEEDED",
            "ConcurrentPerOrgLongTxn Limit exceeded.",
        ),
        call_error("salesforce", None, CONNECTION_ERROR, "connection refused"),
    ],
    ids=["429 with Retry-After", "429 without", "concurrency limit", "not sent"],
)
def test_a_write_refused_before_anything_changed_is_retried_by_the_transport(
    refusal: CrmCallError,
) -> None:
    operation, calls = failing(refusal)

    assert call_with_retry(operation, policy=NO_WAIT, what="update", idempotent=False) == "done"
    assert len(calls) == 2


def test_a_write_answered_401_signs_in_again_and_is_sent_again() -> None:
    operation, calls = failing(call_error("salesforce", 401, "INVALID_SESSION_ID", "expired"))
    renewed: list[int] = []

    result = call_with_retry(
        operation,
        policy=NO_WAIT,
        what="update",
        idempotent=False,
        reauthenticate=lambda: renewed.append(1),
    )

    assert (result, len(calls), len(renewed)) == ("done", 2, 1)


def test_a_fresh_session_refused_again_signs_in_once_more_while_each_refused_one_is_new() -> None:
    expired = call_error("salesforce", 401, "INVALID_SESSION_ID", "expired")
    operation, calls = failing(expired, expired)
    renewed: list[int] = []

    def renew() -> bool:
        renewed.append(1)
        return True

    result = call_with_retry(operation, policy=NO_WAIT, what="query", reauthenticate=renew)

    assert (result, len(calls), len(renewed)) == ("done", 3, 2)


def test_the_same_session_refused_twice_ends_the_call() -> None:
    refused = call_error("salesforce", 401, "INVALID_SESSION_ID", "refused")
    operation, calls = failing(refused, refused, refused)
    answers = iter([True, False])

    with pytest.raises(CrmAuthenticationError):
        call_with_retry(
            operation, policy=NO_WAIT, what="query", reauthenticate=lambda: next(answers)
        )

    assert len(calls) == 2


def test_a_write_throttled_on_every_attempt_ends_as_unavailable() -> None:
    throttled = call_error("hubspot", 429, "TEN_SECONDLY_ROLLING", "throttled")
    operation, calls = failing(*[throttled] * 10)

    with pytest.raises(CrmUnavailableError, match="after 4 attempts"):
        call_with_retry(operation, policy=NO_WAIT, what="update", idempotent=False)

    assert len(calls) == 4


def test_the_backoff_doubles_from_the_initial_wait_up_to_the_maximum() -> None:
    policy = RetryPolicy(initial_wait=0.5, max_wait=3.0, jitter=0)

    waits = [backoff_seconds(policy, attempt) for attempt in range(1, 6)]

    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_adds_at_most_its_share_of_the_wait() -> None:
    policy = RetryPolicy(initial_wait=1.0, max_wait=30.0, jitter=0.5)

    waits = [backoff_seconds(policy, 2) for _ in range(200)]

    assert all(2.0 <= wait <= 3.0 for wait in waits)


def test_a_retry_after_longer_than_the_backoff_is_waited_for() -> None:
    slept: list[float] = []
    throttled = call_error("hubspot", 429, "TEN_SECONDLY_ROLLING", "throttled", retry_after=7)
    operation, _ = failing(throttled)
    policy = RetryPolicy(max_attempts=3, initial_wait=0.5, max_wait=30, jitter=0)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tenacity.nap.time.sleep", slept.append)
        call_with_retry(operation, policy=policy, what="read")

    assert slept == [7.0]
