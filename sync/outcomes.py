"""What a change becomes once the CRM has answered: one pure decision per change, no I/O.

The connector reports what it found and did for each record (`WriteOutcome`); the change row
knows what this plan did before (`attempts`: write calls already made for it, by this run or an
interrupted one). Together they decide the change's state, its audit row and the owner the store
should now hold:

- the CRM holds the new owner: `written` when this plan's write put it there (now, or an earlier
  attempt whose answer was lost); `skipped` as "already there" when the plan had never sent it
  (another run or a person set it), with no audit row claiming this run changed it;
- a person changed the owner: `conflict`, left alone;
- the CRM refused, or a read confirmed it is not written: `failed`; a record the CRM says is gone
  is flagged deleted in the store so it is never planned again;
- the outcome is unknown: the change stays `in_flight`, unfinished, for the next run to re-check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import WriteOutcome, WriteStatus
from sync.store.changes import ChangeState


@dataclass(frozen=True)
class ChangeDecision:
    state: ChangeState
    figure: str
    """Which count it adds to: written, already_there, failed, conflict, unfinished, held,
    superseded."""
    audit_status: str | None
    """The audit row's status, or None for no audit row."""
    reason: str | None
    attempts: int
    """Write calls made for this change, over every run."""
    owner_now: str | None = None
    """The owner the CRM holds now, as far as known (stored on the account)."""
    error_code: str | None = None
    error_message: str | None = None
    record_gone: bool = False
    lost_answer_stamp: str | None = None
    """Kept on the change while it stays unfinished after a lost answer (see `OwnerWrite`)."""


def _with(reason: str | None, addition: str) -> str:
    return f"{reason} {addition}".strip() if reason else addition


def decide(change: Mapping[str, Any], outcome: WriteOutcome) -> ChangeDecision:
    """The decision for one change after the connector wrote (or checked) its batch. `change` is
    the change as it was before this batch: `in_flight` there means an earlier attempt may have
    been sent (a crash or a lost answer), so finding the new owner is that attempt landing."""
    sent_before = int(change["attempts"] or 0)
    earlier = sent_before or change["state"] == ChangeState.IN_FLIGHT.value
    attempts = sent_before + outcome.attempts
    reason = change["reason"]
    if outcome.status == WriteStatus.WRITTEN:
        if outcome.already_there and not earlier:
            return ChangeDecision(
                ChangeState.SKIPPED,
                "already_there",
                None,
                _with(
                    reason,
                    "The CRM already held this owner when this plan came to write it (another "
                    "run or a person set it), so this plan did not write it.",
                ),
                attempts,
                owner_now=change["new_owner_id"],
                error_code="ALREADY_THERE",
            )
        if outcome.already_there:
            reason = _with(
                reason,
                "An earlier attempt landed (its answer was lost); recorded once, not written "
                "again.",
            )
        return ChangeDecision(
            ChangeState.WRITTEN,
            "written",
            ChangeState.WRITTEN.value,
            reason,
            attempts,
            owner_now=change["new_owner_id"],
        )
    if outcome.status == WriteStatus.CONFLICT:
        why = (
            f"left alone: {outcome.error_message}"
            if outcome.error_message
            else f"left alone: the owner was changed in the CRM to "
            f"{outcome.current_owner_id or 'none'} after the plan was made"
        )
        return ChangeDecision(
            ChangeState.CONFLICT,
            "conflict",
            ChangeState.CONFLICT.value,
            why,
            attempts,
            owner_now=outcome.current_owner_id,
            error_code=outcome.error_code,
        )
    if outcome.status == WriteStatus.UNFINISHED:
        return ChangeDecision(
            ChangeState.IN_FLIGHT,
            "unfinished",
            "unfinished",
            reason,
            attempts,
            error_code=outcome.error_code or "OUTCOME_UNKNOWN",
            error_message=outcome.error_message
            or "the outcome of the write is unknown; the next run re-checks it",
            lost_answer_stamp=outcome.lost_answer_stamp,
        )
    return ChangeDecision(
        ChangeState.FAILED,
        "failed",
        ChangeState.FAILED.value,
        reason,
        attempts,
        owner_now=outcome.current_owner_id,
        error_code=outcome.error_code,
        error_message=outcome.error_message,
        record_gone=outcome.record_gone,
    )


def decide_without_writing(
    change: Mapping[str, Any],
    current: Mapping[str, str | None] | None,
    not_landed: ChangeState,
    why: str,
) -> ChangeDecision:
    """A change that must not be written now (`not_landed`: held or superseded). `current` is the
    CRM's owners read back for in-flight changes (None for changes never sent): an earlier attempt
    that landed is recorded as written, a record gone as failed."""
    attempts = int(change["attempts"] or 0)
    figure = "held" if not_landed == ChangeState.HELD else "superseded"
    audit_status = not_landed.value if not_landed == ChangeState.HELD else None
    if current is None:
        return ChangeDecision(not_landed, figure, audit_status, why, attempts)
    if change["external_id"] not in current:
        # Not read back (gone, or left out of the answer): undecided, re-checked next time.
        return ChangeDecision(
            ChangeState.IN_FLIGHT,
            "unfinished",
            "unfinished",
            change["reason"],
            attempts,
            error_code="NOT_READ",
            error_message="the CRM did not return this record's owner; the next run re-checks it",
            lost_answer_stamp=change.get("lost_answer_stamp"),
        )
    owner = current[change["external_id"]]
    if owner == change["new_owner_id"]:
        return decide(
            change,
            WriteOutcome(change["external_id"], WriteStatus.WRITTEN, 0, owner, already_there=True),
        )
    detail = "" if owner == change["old_owner_id"] else f" (the owner is now {owner or 'none'})"
    return ChangeDecision(not_landed, figure, audit_status, why + detail, attempts, owner_now=owner)
