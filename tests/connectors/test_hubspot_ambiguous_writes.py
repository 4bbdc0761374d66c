"""HubSpot's transport never sends a batch update again when the answer says nothing reliable
(a 5xx, a body that is not JSON): it raises `AmbiguousWriteError` for the write rounds, which read
the owners back (see test_hubspot_lost_answers.py). Reads are retried as before. The transport is
given a stand-in for a generated API method that answers exactly as scripted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hubspot.crm.companies import ApiException

from connectors.base import ApiUsage
from connectors.budget import ApiBudget
from connectors.errors import ANSWER_LOST, AmbiguousWriteError
from connectors.hubspot.client import HubSpotApis, HubSpotTransport
from connectors.rate_limit import SlidingWindowLimiter
from connectors.retry import RetryPolicy
from tests.connectors.test_hubspot_support import hubspot

__all__ = ["hubspot"]

POLICY = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.01, jitter=0)
UPDATE_CALL = "connectors.hubspot.writes.update_owners"


@dataclass
class RawAnswer:
    status: int
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Scripted:
    """A stand-in for a generated `*_with_http_info` method: answers (or raises) in turn."""

    answers: list[RawAnswer | Exception]
    calls: int = 0

    def __call__(self, **_params: Any) -> RawAnswer:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if isinstance(answer, Exception):
            raise answer
        return answer


def transport() -> HubSpotTransport:
    return HubSpotTransport(
        HubSpotApis(companies=None, search=None, batch=None, owners=None, properties=None),
        base_url="https://api.hubapi.com",
        timeout_seconds=60,
        policy=POLICY,
        burst_limiter=SlidingWindowLimiter(1_000, 1.0),
        search_limiter=SlidingWindowLimiter(1_000, 1.0),
        usage=ApiUsage(),
        budget=ApiBudget("hubspot"),
    )


def bad_gateway() -> ApiException:
    error = ApiException(status=502, reason="Bad Gateway")
    error.body, error.headers = b"<html><body>502 Bad Gateway</body></html>", {}
    return error


COMPLETE = RawAnswer(200, b'{"status": "COMPLETE", "results": []}')


def test_a_write_answered_200_with_a_body_that_is_not_json_is_not_sent_again() -> None:
    method = Scripted([RawAnswer(200, b'{"status": "COMPL'), COMPLETE])

    with pytest.raises(AmbiguousWriteError) as raised:
        transport().call("batch-update", method, idempotent=False)

    assert method.calls == 1
    assert raised.value.code == ANSWER_LOST


def test_a_read_answered_200_with_a_body_that_is_not_json_is_retried() -> None:
    method = Scripted([RawAnswer(200, b"<html>maintenance</html>"), COMPLETE])

    response = transport().call("batch-read", method)

    assert (method.calls, response.status) == (2, 200)


def test_a_write_answered_502_is_not_sent_again() -> None:
    method = Scripted([bad_gateway(), COMPLETE])

    with pytest.raises(AmbiguousWriteError) as raised:
        transport().call("batch-update", method, idempotent=False)

    assert (method.calls, raised.value.status) == (1, 502)
