"""Owner write-back in rounds, the same for every CRM: decide by reading, never re-send blindly.

A CRM takes part through two callables: `read(ids)`, the current owner of each record and the
records gone, and `update(writes)`, which says per record "written", "refused (code, message)"
or nothing at all, and raises `AmbiguousWriteError` when its answer was lost or was an error
after which the update may have been applied (5xx, 408). `write_in_rounds` then runs rounds:

1. Read the current owner of every record still pending (one read for the batch).
2. Decide each one: it holds the new owner -> written (`already_there` when this call had not sent
   it yet; otherwise this call's write landed); it holds neither the planned old owner nor the new
   one while manual changes are respected -> a conflict, left alone (a person changed it, perhaps
   during the back-off); it is gone -> failed with `record_gone`; it still holds the old owner ->
   send it (again).
3. One update for the records to send. A per-record retryable refusal (a lock) and an answer that
   leaves the update's effect unknown both go round again *through the read*; a permanent refusal
   fails the record with the CRM's reason.

After the last allowed write attempt there is always one more read to decide what that attempt
did. A record whose outcome still cannot be decided (the read itself failed after its retries, or
the CRM keeps leaving it out of its answers) is `UNFINISHED`: never failed, never "nothing was
written"; the next run re-checks it. A record fails for a retryable reason only when a read after
the last attempt confirmed the old owner is still there. Exactly one outcome per input, in input
order; without faults a batch costs one read and one update.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from connectors.base import BatchStoppedError, OwnerWrite, WriteOutcome, WriteStatus
from connectors.errors import AmbiguousWriteError, ErrorAction, classify
from connectors.retry import RetryPolicy, backoff_seconds
from territory_sync.errors import CrmError

DUPLICATE_CODE = "DUPLICATE_WRITE"
CHANGED_WHILE_UNCLEAR = "CHANGED_WHILE_ANSWER_LOST"
"""A conflict: the record changed while the answer to a write of it was lost."""
NOT_WRITTEN_CODE_FALLBACK = "NOT_WRITTEN"
OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"
"""The error code of an `UNFINISHED` outcome."""


@dataclass(frozen=True)
class RecordError:
    """A CRM's reason for one record: what it said and what it means for the write."""

    code: str
    message: str
    retryable: bool = False
    """Worth another attempt (after a read): a lock or a concurrent change."""
    gone: bool = False
    """The record no longer exists: deleted, merged or purged."""


def record_error(crm: str, code: str, message: str, *, gone_codes: Collection[str]) -> RecordError:
    """A per-record refusal classified by the shared error table (`connectors.errors`)."""
    return RecordError(
        code,
        message,
        retryable=classify(crm, None, code, message) == ErrorAction.RETRY,
        gone=code in gone_codes,
    )


@dataclass
class CurrentOwners:
    """What one read found: the owner of every record read, and the records gone. An id in
    neither could not be read this time."""

    owners: dict[str, str | None] = field(default_factory=dict)
    gone: dict[str, RecordError] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)
    """When each record last changed, as the CRM stamps it (compared, never parsed)."""


@dataclass
class UpdateAnswer:
    """What one update's answer said: the records it wrote and the ones it refused. An id in
    neither was not mentioned; the next read decides it."""

    written: set[str] = field(default_factory=set)
    refused: dict[str, RecordError] = field(default_factory=dict)


ReadOwners = Callable[[Sequence[str]], CurrentOwners]
UpdateOwners = Callable[[Sequence[OwnerWrite]], UpdateAnswer]


@dataclass
class _Pending:
    index: int
    write: OwnerWrite
    attempts: int = 0
    """Update calls that carried this write."""
    last_code: str | None = None
    last_error: str | None = None
    """Why the last attempt did not settle it (a refusal, an answer lost, left out)."""
    unclear: bool = False
    """An update carrying this write may have been applied: its answer was lost."""
    modified_when_sent: str | None = None
    """The record's modified stamp as read just before the last update was sent."""

    def note(self, code: str, text: str) -> None:
        self.last_code, self.last_error = code, text


def _ambiguous_code(error: AmbiguousWriteError) -> str:
    if error.code:
        return error.code
    return f"HTTP_{error.status}" if error.status else "ANSWER_LOST"


class _Rounds:
    """The state of one `write_in_rounds` call: pending writes and the outcomes decided."""

    def __init__(self, writes: Sequence[OwnerWrite], crm_name: str) -> None:
        self.crm_name = crm_name
        self.outcomes: list[WriteOutcome | None] = [None] * len(writes)
        self.pending: dict[str, _Pending] = {}
        for index, write in enumerate(writes):
            if write.external_id in self.pending:
                self.outcomes[index] = WriteOutcome(
                    write.external_id,
                    WriteStatus.FAILED,
                    0,
                    error_code=DUPLICATE_CODE,
                    error_message="the same record appears twice in one batch; only the first "
                    "is written",
                )
            else:
                item = _Pending(index, write)
                if write.lost_answer_stamp is not None:
                    # An earlier run lost this write's answer: keep deciding it as unclear.
                    item.unclear, item.modified_when_sent = True, write.lost_answer_stamp
                self.pending[write.external_id] = item

    def settle(self, item: _Pending, outcome: WriteOutcome) -> None:
        self.outcomes[item.index] = outcome
        del self.pending[item.write.external_id]

    def written(self, item: _Pending, *, already_there: bool) -> None:
        self.settle(
            item,
            WriteOutcome(
                item.write.external_id,
                WriteStatus.WRITTEN,
                item.attempts,
                current_owner_id=item.write.new_owner_id,
                already_there=already_there,
            ),
        )

    def failed(
        self,
        item: _Pending,
        code: str,
        message: str,
        *,
        owner: str | None = None,
        gone: bool = False,
    ) -> None:
        self.settle(
            item,
            WriteOutcome(
                item.write.external_id,
                WriteStatus.FAILED,
                item.attempts,
                current_owner_id=owner,
                error_code=code,
                error_message=message,
                record_gone=gone,
            ),
        )

    def unfinished(self, item: _Pending, why: str) -> None:
        sent = (
            f"after {item.attempts} attempt{'s' if item.attempts != 1 else ''}"
            if item.attempts
            else "(no update was sent for it)"
        )
        last = f"; last error: {item.last_error}" if item.last_error else ""
        self.settle(
            item,
            WriteOutcome(
                item.write.external_id,
                WriteStatus.UNFINISHED,
                item.attempts,
                error_code=OUTCOME_UNKNOWN,
                error_message=(
                    f"whether {self.crm_name} holds the new owner {item.write.new_owner_id} is "
                    f"unknown {sent}: {why}{last}; the next run re-checks it"
                ),
                lost_answer_stamp=item.modified_when_sent if item.unclear else None,
            ),
        )

    def all_unfinished(self, why: str) -> None:
        for item in list(self.pending.values()):
            self.unfinished(item, why)

    def results(self) -> list[WriteOutcome]:
        assert all(outcome is not None for outcome in self.outcomes)
        return [outcome for outcome in self.outcomes if outcome is not None]


def write_in_rounds(
    writes: Sequence[OwnerWrite],
    *,
    read: ReadOwners,
    update: UpdateOwners,
    respect_manual_changes: bool,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    crm_name: str,
) -> list[WriteOutcome]:
    """Exactly one outcome per write, in input order (see the module docstring).

    At most `policy.max_attempts` updates carry any one record, and at most one more read than
    that is made; rounds are spaced by the shared backoff, slept through `sleep`, and after a
    lost answer by at least `policy.lost_answer_wait` seconds, so a write the CRM is still
    applying has time to land before it is read back. A `CrmError` before anything was sent
    raises as it is (nothing was written); one after something was sent raises
    `BatchStoppedError` with every outcome (those not yet decided are unfinished), so the caller
    keeps what was decided and stops."""
    rounds = _Rounds(writes, crm_name)
    sent_any = False
    reads = 0
    answer_lost = False
    while rounds.pending:
        if reads:
            pause = backoff_seconds(policy, reads)
            sleep(max(pause, policy.lost_answer_wait) if answer_lost else pause)
            answer_lost = False
        reads += 1
        last_read = reads > policy.max_attempts
        try:
            current = read(list(rounds.pending))
        except CrmError as error:
            if not sent_any:
                raise
            rounds.all_unfinished(f"reading the owner back failed ({error})")
            raise BatchStoppedError(rounds.results(), error) from error
        to_send = _decide(rounds, current, respect_manual_changes, policy, last_read)
        if not to_send:
            continue
        first_update, sent_any = not sent_any, True
        for item in to_send:
            item.attempts += 1
        for item in to_send:
            item.modified_when_sent = current.modified.get(item.write.external_id)
        try:
            answer = update([item.write for item in to_send])
        except AmbiguousWriteError as error:
            answer_lost = True
            for item in to_send:
                item.unclear = True
                item.note(_ambiguous_code(error), f"the update's answer was unclear ({error})")
            continue
        except CrmError as error:
            if first_update:
                raise  # refused before anything changed: nothing of this batch was written
            for item in to_send:
                item.note(error.code or NOT_WRITTEN_CODE_FALLBACK, str(error))
            rounds.all_unfinished(f"the update failed ({error})")
            raise BatchStoppedError(rounds.results(), error) from error
        _take_answer(rounds, to_send, answer)
    return rounds.results()


def _decide(
    rounds: _Rounds,
    current: CurrentOwners,
    respect_manual_changes: bool,
    policy: RetryPolicy,
    last_read: bool,
) -> list[_Pending]:
    """Settle what the read decides; the records still holding the old owner are to be sent."""
    to_send: list[_Pending] = []
    for record_id, item in list(rounds.pending.items()):
        write = item.write
        if record_id in current.gone:
            gone = current.gone[record_id]
            rounds.failed(item, gone.code, gone.message, gone=True)
        elif record_id not in current.owners:
            if last_read:
                rounds.unfinished(
                    item, f"{rounds.crm_name} did not return the record's current owner"
                )
            else:
                item.note("NOT_READ", f"{rounds.crm_name} did not return the current owner")
        elif current.owners[record_id] == write.new_owner_id:
            rounds.written(item, already_there=item.attempts == 0)
        elif respect_manual_changes and current.owners[record_id] != write.expected_owner_id:
            rounds.settle(
                item,
                WriteOutcome(
                    record_id,
                    WriteStatus.CONFLICT,
                    item.attempts,
                    current_owner_id=current.owners[record_id],
                ),
            )
        elif (
            respect_manual_changes
            and item.unclear
            and item.modified_when_sent is not None
            and current.modified.get(record_id) != item.modified_when_sent
        ):
            # The old owner is back, yet the record changed since this write was sent: the write
            # may have landed and been undone by a person. Sending it again could overwrite them.
            rounds.settle(
                item,
                WriteOutcome(
                    record_id,
                    WriteStatus.CONFLICT,
                    item.attempts,
                    current_owner_id=current.owners[record_id],
                    error_code=CHANGED_WHILE_UNCLEAR,
                    error_message=(
                        f"the record changed in {rounds.crm_name} while the answer to this write "
                        "was lost, and holds the old owner again: a person may have changed it, "
                        "so it is left alone"
                    ),
                ),
            )
        elif (last_read or item.attempts >= policy.max_attempts) and item.unclear:
            # An answer was lost: the write may still be in the CRM's hands. Never a failure on
            # a guess: the next run reads it again.
            rounds.unfinished(
                item, f"{rounds.crm_name} still shows the old owner after a lost answer"
            )
        elif last_read or item.attempts >= policy.max_attempts:
            owner = current.owners[record_id]
            rounds.failed(
                item,
                item.last_code or NOT_WRITTEN_CODE_FALLBACK,
                f"not written after {item.attempts} attempts; the owner is still {owner}; "
                f"last error: {item.last_error or 'none'}",
                owner=owner,
            )
        else:
            to_send.append(item)
    return to_send


def _take_answer(rounds: _Rounds, sent: list[_Pending], answer: UpdateAnswer) -> None:
    for item in sent:
        record_id = item.write.external_id
        refusal = answer.refused.get(record_id)
        if refusal is None and record_id in answer.written:
            rounds.written(item, already_there=False)
        elif refusal is None:
            item.note(
                "NOT_CONFIRMED",
                f"{rounds.crm_name}'s answer to the update did not mention this record",
            )
        elif refusal.gone:
            rounds.failed(item, refusal.code, refusal.message, gone=True)
        elif refusal.retryable:
            item.note(refusal.code, f"{refusal.code}: {refusal.message}")
        else:
            rounds.failed(item, refusal.code, refusal.message)
