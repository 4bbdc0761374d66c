"""HubSpot batch updates whose answer says nothing reliable are never sent again by the
transport; the write rounds read the owners back and decide.

The transport tests give it a generated-method stand-in that answers exactly as scripted; the
write-back tests run against the emulator, with the update call wrapped so that its answer is
lost before or after it lands (the emulator itself always answers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hubspot.crm.companies import ApiException

from connectors.base import ApiUsage, OwnerWrite, WriteStatus
from connectors.budget import ApiBudget
from connectors.errors import ANSWER_LOST, AmbiguousWriteError, ErrorAction
from connectors.hubspot_calls import UpdateResult, update_owners
from connectors.hubspot_client import HubSpotApis, HubSpotTransport
from connectors.rate_limit import SlidingWindowLimiter
from connectors.retry import RetryPolicy
from tests.connectors.test_hubspot_support import ACTIVE_OWNERS, StartRig, companies, hubspot

__all__ = ["hubspot"]

POLICY = RetryPolicy(max_attempts=3, initial_wait=0.001, max_wait=0.01, jitter=0)
UPDATE_CALL = "connectors.hubspot_writeback.update_owners"


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


# --- write-back against the emulator ------------------------------------------------------


def lost() -> AmbiguousWriteError:
    return AmbiguousWriteError(
        "no answer from HubSpot within 60 s",
        crm="hubspot",
        status=None,
        code=ANSWER_LOST,
        action=ErrorAction.RETRY,
        applied=True,
    )


Update = Callable[[HubSpotTransport, dict[str, str]], UpdateResult]


def moves(ids: list[str], owner_of: Callable[[str], str | None]) -> list[OwnerWrite]:
    writes = []
    for record_id in ids:
        current = owner_of(record_id)
        target = ACTIVE_OWNERS[(ACTIVE_OWNERS.index(current or ACTIVE_OWNERS[0]) + 1) % 3]
        writes.append(OwnerWrite(record_id, target, current))
    return writes


def test_a_batch_applied_then_answer_lost_is_written_without_a_second_write(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = hubspot(companies(20))
    update: Update = update_owners

    def lands_then_loses_the_answer(t: HubSpotTransport, owners: dict[str, str]) -> UpdateResult:
        update(t, owners)
        raise lost()

    monkeypatch.setattr(UPDATE_CALL, lands_then_loses_the_answer)
    writes = moves([c.crm_id for c in companies(20)], rig.portal.owner_of)

    outcomes = rig.connect(retry_policy=POLICY).write_owner_batch(writes)

    assert {(o.status, o.attempts, o.already_there) for o in outcomes} == {
        (WriteStatus.WRITTEN, 1, False)
    }
    assert set(rig.portal.requests.writes_per_record().values()) == {1}
    assert rig.portal.requests.counts_by_kind() == {"batch-read": 2, "batch-update": 1}


def test_a_batch_whose_answer_was_lost_before_it_landed_is_sent_once_more(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = hubspot(companies(20))
    update: Update = update_owners
    asked: list[int] = []

    def first_lost_unsent(t: HubSpotTransport, owners: dict[str, str]) -> UpdateResult:
        asked.append(len(owners))
        if len(asked) == 1:
            raise lost()
        return update(t, owners)

    monkeypatch.setattr(UPDATE_CALL, first_lost_unsent)
    writes = moves([c.crm_id for c in companies(20)], rig.portal.owner_of)

    outcomes = rig.connect(retry_policy=POLICY).write_owner_batch(writes)

    assert {(o.status, o.attempts) for o in outcomes} == {(WriteStatus.WRITTEN, 2)}
    assert asked == [20, 20]
    assert set(rig.portal.requests.writes_per_record().values()) == {1}


def test_a_person_s_change_during_the_back_off_is_a_conflict(
    hubspot: StartRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = hubspot(companies(3))
    record = companies(3)[0].crm_id
    [write] = moves([record], rig.portal.owner_of)
    person_s_choice = next(
        o for o in ACTIVE_OWNERS if o not in (write.expected_owner_id, write.new_owner_id)
    )

    def lost_unsent(_t: HubSpotTransport, _owners: dict[str, str]) -> UpdateResult:
        raise lost()

    monkeypatch.setattr(UPDATE_CALL, lost_unsent)
    connector = rig.connect(
        retry_policy=POLICY,
        sleep=lambda _seconds: rig.portal.change_owner_as_person(record, person_s_choice),
    )

    [outcome] = connector.write_owner_batch([write])

    assert (outcome.status, outcome.current_owner_id) == (WriteStatus.CONFLICT, person_s_choice)
    assert rig.portal.owner_of(record) == person_s_choice
    assert rig.portal.requests.count("batch-update") == 0
