"""Each connector outcome becomes exactly one decision about the change, without guessing."""

from __future__ import annotations

from typing import Any

from connectors.base import WriteOutcome, WriteStatus
from sync.outcomes import decide, decide_without_writing
from sync.store.changes import ChangeState


def stored(attempts: int = 0) -> dict[str, Any]:
    return {
        "external_id": "A1",
        "old_owner_id": "005OLD",
        "new_owner_id": "005NEW",
        "attempts": attempts,
        "state": "planned",
        "reason": "NA-West is the only territory whose criteria match.",
    }


def test_a_write_made_by_this_call_is_written_and_audited() -> None:
    decision = decide(stored(), WriteOutcome("A1", WriteStatus.WRITTEN, 1, "005NEW"))
    assert (decision.state, decision.audit_status, decision.attempts) == (
        ChangeState.WRITTEN,
        "written",
        1,
    )


def test_the_new_owner_found_before_this_plan_ever_sent_it_is_already_there_without_audit() -> None:
    decision = decide(
        stored(0), WriteOutcome("A1", WriteStatus.WRITTEN, 0, "005NEW", already_there=True)
    )
    assert decision.state == ChangeState.SKIPPED
    assert decision.figure == "already_there"
    assert decision.audit_status is None


def test_the_new_owner_found_after_an_earlier_attempt_is_that_attempt_landing() -> None:
    decision = decide(
        stored(1), WriteOutcome("A1", WriteStatus.WRITTEN, 0, "005NEW", already_there=True)
    )
    assert decision.state == ChangeState.WRITTEN
    assert decision.reason is not None and "earlier attempt landed" in decision.reason


def test_a_change_left_in_flight_by_a_crash_counts_as_sent_when_the_new_owner_is_found() -> None:
    crashed = {**stored(0), "state": "in_flight"}
    decision = decide(
        crashed, WriteOutcome("A1", WriteStatus.WRITTEN, 0, "005NEW", already_there=True)
    )
    assert decision.state == ChangeState.WRITTEN


def test_an_unknown_outcome_keeps_the_change_in_flight() -> None:
    decision = decide(
        stored(), WriteOutcome("A1", WriteStatus.UNFINISHED, 1, error_code="ANSWER_LOST")
    )
    assert decision.state == ChangeState.IN_FLIGHT
    assert decision.audit_status == "unfinished"


def test_a_gone_record_fails_and_is_flagged() -> None:
    outcome = WriteOutcome("A1", WriteStatus.FAILED, 0, error_code="X", record_gone=True)
    assert decide(stored(), outcome).record_gone


def test_a_held_change_never_sent_is_held() -> None:
    decision = decide_without_writing(stored(), None, ChangeState.HELD, "writes off")
    assert (decision.state, decision.audit_status) == (ChangeState.HELD, "held")


def test_an_in_flight_change_read_back_at_the_new_owner_is_written() -> None:
    decision = decide_without_writing(
        stored(1), {"A1": "005NEW"}, ChangeState.SUPERSEDED, "plan too old"
    )
    assert decision.state == ChangeState.WRITTEN


def test_a_superseded_change_gets_no_audit_row_of_its_own() -> None:
    decision = decide_without_writing(
        stored(1), {"A1": "005OLD"}, ChangeState.SUPERSEDED, "plan too old"
    )
    assert (decision.state, decision.audit_status) == (ChangeState.SUPERSEDED, None)
