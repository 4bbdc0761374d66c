"""The shared write rounds, against a small in-memory CRM whose update can be told to lose its
answer (before or after applying), lock records, leave records out, or whose read can fail.

Every retry goes through a read: a write is never sent again without first learning that the
record still holds the old owner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

from connectors.base import BatchStoppedError, OwnerWrite, WriteOutcome, WriteStatus
from connectors.errors import ANSWER_LOST, AmbiguousWriteError, ErrorAction
from connectors.owner_writes import (
    CurrentOwners,
    RecordError,
    UpdateAnswer,
    write_in_rounds,
)
from connectors.retry import RetryPolicy
from territory_sync.errors import ApiBudgetExhaustedError, CrmUnavailableError

POLICY = RetryPolicy(max_attempts=3, initial_wait=1.0, max_wait=8.0, jitter=0)
LOCKED = RecordError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access", retryable=True)
INACTIVE = RecordError("INACTIVE_OWNER_OR_USER", "operation performed with inactive user")
DELETED = RecordError("ENTITY_IS_DELETED", "entity is deleted", gone=True)
PURGED = RecordError("INVALID_CROSS_REFERENCE_KEY", "deleted and purged, or merged", gone=True)


def lost_answer() -> AmbiguousWriteError:
    return AmbiguousWriteError(
        "owner update failed: no answer within 60 s",
        crm="fake",
        status=None,
        code=ANSWER_LOST,
        action=ErrorAction.RETRY,
        applied=True,
    )


@dataclass
class Update:
    """What the fake CRM does with one update call."""

    apply: bool = True
    """Change the owners (of the records not refused or left out)."""
    lose_answer: bool = False
    refuse: dict[str, RecordError] = field(default_factory=dict)
    leave_out: set[str] = field(default_factory=set)


@dataclass
class FakeCrm:
    owners: dict[str, str | None]
    gone: dict[str, RecordError] = field(default_factory=dict)
    updates: list[Update] = field(default_factory=list)
    """One entry per update call, in order; calls past the list apply and answer."""
    failing_reads: set[int] = field(default_factory=set)
    """Read numbers (1 for the first) that fail after their retries."""
    unread: set[str] = field(default_factory=set)
    """Ids every read leaves out."""
    reads: list[list[str]] = field(default_factory=list)
    sent: list[list[str]] = field(default_factory=list)
    writes_per_record: dict[str, int] = field(default_factory=dict)

    def read(self, ids: Sequence[str]) -> CurrentOwners:
        self.reads.append(list(ids))
        if len(self.reads) in self.failing_reads:
            raise CrmUnavailableError("owner read failed (503) (after 6 attempts)", crm="fake")
        current = CurrentOwners()
        for record_id in ids:
            if record_id in self.gone:
                current.gone[record_id] = self.gone[record_id]
            elif record_id in self.owners and record_id not in self.unread:
                current.owners[record_id] = self.owners[record_id]
        return current

    def update(self, writes: Sequence[OwnerWrite]) -> UpdateAnswer:
        self.sent.append([w.external_id for w in writes])
        plan = self.updates[len(self.sent) - 1] if len(self.sent) <= len(self.updates) else Update()
        answer = UpdateAnswer()
        for write in writes:
            record_id = write.external_id
            if record_id in plan.refuse:
                answer.refused[record_id] = plan.refuse[record_id]
                continue
            if plan.apply:
                self.owners[record_id] = write.new_owner_id
                self.writes_per_record[record_id] = self.writes_per_record.get(record_id, 0) + 1
            if record_id not in plan.leave_out and plan.apply:
                answer.written.add(record_id)
        if plan.lose_answer:
            raise lost_answer()
        return answer


def run(
    crm: FakeCrm,
    writes: Sequence[OwnerWrite],
    *,
    respect_manual_changes: bool = True,
    sleep: Callable[[float], None] | None = None,
    policy: RetryPolicy = POLICY,
) -> list[WriteOutcome]:
    slept: list[float] = []
    return write_in_rounds(
        writes,
        read=crm.read,
        update=crm.update,
        respect_manual_changes=respect_manual_changes,
        policy=policy,
        sleep=sleep or slept.append,
        crm_name="Fake CRM",
    )


def move(record_id: str, to: str = "new", expected: str | None = "old") -> OwnerWrite:
    return OwnerWrite(record_id, to, expected)


def test_without_faults_a_batch_costs_one_read_and_one_update() -> None:
    crm = FakeCrm({"a": "old", "b": "old", "c": "old"})

    outcomes = run(crm, [move("a"), move("b"), move("c")])

    assert [(o.status, o.attempts, o.already_there) for o in outcomes] == [
        (WriteStatus.WRITTEN, 1, False)
    ] * 3
    assert (len(crm.reads), len(crm.sent)) == (1, 1)


def test_a_record_already_holding_the_new_owner_is_written_without_an_update() -> None:
    crm = FakeCrm({"a": "new"})

    [outcome] = run(crm, [move("a")])

    assert (outcome.status, outcome.attempts, outcome.already_there) == (
        WriteStatus.WRITTEN,
        0,
        True,
    )
    assert crm.sent == []


def test_a_write_that_landed_before_its_answer_was_lost_is_written_without_a_second_write() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, updates=[Update(apply=True, lose_answer=True)])

    outcomes = run(crm, [move("a"), move("b")])

    assert [(o.status, o.attempts, o.already_there) for o in outcomes] == [
        (WriteStatus.WRITTEN, 1, False)
    ] * 2
    assert (len(crm.reads), len(crm.sent)) == (2, 1)
    assert crm.writes_per_record == {"a": 1, "b": 1}


def test_a_write_whose_answer_was_lost_and_that_did_not_land_is_sent_once_more() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(apply=False, lose_answer=True)])

    [outcome] = run(crm, [move("a")])

    assert (outcome.status, outcome.attempts) == (WriteStatus.WRITTEN, 2)
    assert crm.sent == [["a"], ["a"]]
    assert crm.writes_per_record == {"a": 1}


def test_a_person_s_change_during_the_back_off_is_a_conflict_left_alone() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(apply=False, lose_answer=True)])

    def person_changes_the_owner(_seconds: float) -> None:
        crm.owners["a"] = "chosen-by-a-person"

    [outcome] = run(crm, [move("a")], sleep=person_changes_the_owner)

    assert (outcome.status, outcome.current_owner_id) == (
        WriteStatus.CONFLICT,
        "chosen-by-a-person",
    )
    assert crm.owners["a"] == "chosen-by-a-person"
    assert len(crm.sent) == 1


def test_a_person_s_change_is_written_over_when_manual_changes_are_not_respected() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(apply=False, lose_answer=True)])

    def person_changes_the_owner(_seconds: float) -> None:
        crm.owners["a"] = "chosen-by-a-person"

    [outcome] = run(crm, [move("a")], respect_manual_changes=False, sleep=person_changes_the_owner)

    assert (outcome.status, crm.owners["a"]) == (WriteStatus.WRITTEN, "new")


def test_a_locked_record_is_read_again_before_it_is_sent_again() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, updates=[Update(refuse={"b": LOCKED})])

    outcomes = run(crm, [move("a"), move("b")])

    assert [(o.status, o.attempts) for o in outcomes] == [
        (WriteStatus.WRITTEN, 1),
        (WriteStatus.WRITTEN, 2),
    ]
    assert crm.reads == [["a", "b"], ["b"]]
    assert crm.sent == [["a", "b"], ["b"]]


def test_a_record_locked_on_every_attempt_fails_after_a_last_read_confirms_the_old_owner() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(refuse={"a": LOCKED})] * 3)

    [outcome] = run(crm, [move("a")])

    assert (outcome.status, outcome.error_code, outcome.attempts) == (
        WriteStatus.FAILED,
        "UNABLE_TO_LOCK_ROW",
        3,
    )
    assert outcome.error_message == (
        "not written after 3 attempts; the owner is still old; last error: "
        "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access"
    )
    assert (len(crm.sent), len(crm.reads)) == (3, 4)


def test_rounds_wait_by_the_shared_backoff() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(refuse={"a": LOCKED})] * 3)
    slept: list[float] = []

    run(crm, [move("a")], sleep=slept.append)

    assert slept == [1.0, 2.0, 4.0]


def test_an_answer_lost_and_a_read_back_that_fails_stop_the_batch_with_the_record_unfinished() -> (
    None
):
    crm = FakeCrm({"a": "old"}, updates=[Update(lose_answer=True)], failing_reads={2})

    with pytest.raises(BatchStoppedError) as stopped:
        run(crm, [move("a")])

    [outcome] = stopped.value.outcomes

    assert (outcome.status, outcome.attempts, outcome.error_code) == (
        WriteStatus.UNFINISHED,
        1,
        "OUTCOME_UNKNOWN",
    )
    message = outcome.error_message or ""
    assert "unknown" in message and "the next run re-checks it" in message
    assert "reading the owner back failed" in message
    assert "nothing was written" not in message


def test_a_record_the_crm_never_returns_is_unfinished_never_failed() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, unread={"b"})

    outcomes = run(crm, [move("a"), move("b")])

    assert [o.status for o in outcomes] == [WriteStatus.WRITTEN, WriteStatus.UNFINISHED]
    assert "the next run re-checks it" in (outcomes[1].error_message or "")
    assert len(crm.reads) == POLICY.max_attempts + 1


def test_a_record_the_answer_leaves_out_is_decided_by_the_next_read() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, updates=[Update(leave_out={"b"})])

    outcomes = run(crm, [move("a"), move("b")])

    assert [(o.status, o.attempts, o.already_there) for o in outcomes] == [
        (WriteStatus.WRITTEN, 1, False)
    ] * 2
    assert (crm.reads, crm.sent) == ([["a", "b"], ["b"]], [["a", "b"]])


def test_a_permanent_refusal_fails_with_the_crm_s_reason_and_is_not_read_again() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, updates=[Update(refuse={"a": INACTIVE})])

    outcomes = run(crm, [move("a"), move("b")])

    assert (outcomes[0].status, outcomes[0].error_code, outcomes[0].error_message) == (
        WriteStatus.FAILED,
        "INACTIVE_OWNER_OR_USER",
        "operation performed with inactive user",
    )
    assert outcomes[1].status == WriteStatus.WRITTEN
    assert len(crm.reads) == 1


def test_a_record_gone_before_the_write_fails_as_gone_without_an_update() -> None:
    crm = FakeCrm({"a": "old"}, gone={"b": DELETED, "c": PURGED})

    outcomes = run(crm, [move("a"), move("b"), move("c")])

    assert [(o.status, o.record_gone, o.error_code) for o in outcomes] == [
        (WriteStatus.WRITTEN, False, None),
        (WriteStatus.FAILED, True, "ENTITY_IS_DELETED"),
        (WriteStatus.FAILED, True, "INVALID_CROSS_REFERENCE_KEY"),
    ]
    assert crm.sent == [["a"]]


def test_a_record_the_update_says_is_gone_fails_as_gone() -> None:
    crm = FakeCrm({"a": "old"}, updates=[Update(refuse={"a": DELETED})])

    [outcome] = run(crm, [move("a")])

    assert (outcome.status, outcome.record_gone, outcome.attempts) == (
        WriteStatus.FAILED,
        True,
        1,
    )


def test_exactly_one_outcome_per_input_in_input_order_and_a_duplicate_is_written_once() -> None:
    crm = FakeCrm(
        {"a": "new", "b": "old", "c": "other", "d": "old"},
        gone={"e": DELETED},
        updates=[Update(refuse={"d": INACTIVE})],
    )
    writes = [move("e"), move("d"), move("c"), move("b"), move("a"), move("b")]

    outcomes = run(crm, writes)

    assert [o.external_id for o in outcomes] == ["e", "d", "c", "b", "a", "b"]
    assert [o.status for o in outcomes] == [
        WriteStatus.FAILED,
        WriteStatus.FAILED,
        WriteStatus.CONFLICT,
        WriteStatus.WRITTEN,
        WriteStatus.WRITTEN,
        WriteStatus.FAILED,
    ]
    assert outcomes[5].error_code == "DUPLICATE_WRITE"
    assert crm.writes_per_record == {"b": 1}


def test_a_first_read_that_fails_raises_because_nothing_was_written() -> None:
    crm = FakeCrm({"a": "old"}, failing_reads={1})

    with pytest.raises(CrmUnavailableError):
        run(crm, [move("a")])

    assert crm.sent == []


def test_a_first_update_refused_outright_raises_because_nothing_was_written() -> None:
    crm = FakeCrm({"a": "old"})

    def refused(_writes: Sequence[OwnerWrite]) -> UpdateAnswer:
        raise CrmUnavailableError("throttled (after 6 attempts)", crm="fake")

    with pytest.raises(CrmUnavailableError):
        write_in_rounds(
            [move("a")],
            read=crm.read,
            update=refused,
            respect_manual_changes=True,
            policy=POLICY,
            sleep=lambda _s: None,
            crm_name="Fake CRM",
        )


def test_a_later_update_refused_outright_stops_the_batch_keeping_what_was_decided() -> None:
    crm = FakeCrm({"a": "old", "b": "old"}, updates=[Update(refuse={"b": LOCKED})])
    calls: list[int] = []

    def then_unavailable(writes: Sequence[OwnerWrite]) -> UpdateAnswer:
        calls.append(1)
        if len(calls) > 1:
            raise CrmUnavailableError("throttled (after 6 attempts)", crm="fake")
        return crm.update(writes)

    with pytest.raises(BatchStoppedError) as stopped:
        write_in_rounds(
            [move("a"), move("b")],
            read=crm.read,
            update=then_unavailable,
            respect_manual_changes=True,
            policy=POLICY,
            sleep=lambda _s: None,
            crm_name="Fake CRM",
        )

    outcomes = stopped.value.outcomes
    assert [o.status for o in outcomes] == [WriteStatus.WRITTEN, WriteStatus.UNFINISHED]
    assert isinstance(stopped.value.cause, CrmUnavailableError)


def test_a_spent_daily_allocation_after_something_was_sent_stops_the_batch_keeping_outcomes() -> (
    None
):
    crm = FakeCrm({"a": "old"}, updates=[Update(lose_answer=True)])
    reads: list[int] = []

    def read(ids: Sequence[str]) -> CurrentOwners:
        reads.append(1)
        if len(reads) > 1:
            raise ApiBudgetExhaustedError("daily API calls used", crm="fake")
        return crm.read(ids)

    with pytest.raises(BatchStoppedError) as stopped:
        write_in_rounds(
            [move("a")],
            read=read,
            update=crm.update,
            respect_manual_changes=True,
            policy=POLICY,
            sleep=lambda _s: None,
            crm_name="Fake CRM",
        )

    assert isinstance(stopped.value.cause, ApiBudgetExhaustedError)
    assert [o.status for o in stopped.value.outcomes] == [WriteStatus.UNFINISHED]
