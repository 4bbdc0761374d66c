"""Owner write-back for one HubSpot batch: re-read, skip what is settled, write the rest, retry
only what failed for a reason worth retrying, and account for every input exactly once.

Each round reads the current owners of the companies still pending in one batch read and
decides each one: already holding the new owner (written; a resumed run learns here that its
earlier write landed), changed by a person since the plan (a conflict, left alone), gone (failed),
or still to write. The rest are written in one batch update. A 207's per-input errors are
classified by the error table: retryable ones (CONFLICT: the company was being changed by
another request) go round again after a backoff, permanent ones fail with HubSpot's category and
message. An input HubSpot mentions in neither `results` nor `errors` is never assumed written:
the next round's read decides it. Without faults a batch costs one read and one update.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from connectors.base import OwnerWrite, WriteOutcome, WriteStatus
from connectors.errors import ErrorAction, classify
from connectors.hubspot_calls import BatchError, read_owners, update_owners
from connectors.hubspot_client import HubSpotTransport
from connectors.hubspot_settings import SOURCE
from connectors.retry import RetryPolicy

NOT_FOUND = BatchError(
    "OBJECT_NOT_FOUND",
    "the company no longer exists in HubSpot (deleted, archived or merged); nothing was written",
)
NOT_READ = BatchError(
    "NOT_READ", "HubSpot did not return this company's current owner; nothing was written"
)
NOT_CONFIRMED = BatchError(
    "NOT_CONFIRMED", "HubSpot's answer to the update did not mention this company"
)
DUPLICATE = BatchError(
    "DUPLICATE_WRITE", "the same company appears twice in one batch; only the first is written"
)


@dataclass
class _Pending:
    write: OwnerWrite
    attempts: int = 0
    last_error: BatchError | None = None


def backoff_seconds(policy: RetryPolicy, round_number: int) -> float:
    """Exponential backoff with jitter, as the shared retry policy waits between calls."""
    wait = min(policy.max_wait, policy.initial_wait * 2 ** (round_number - 1))
    return float(wait + random.uniform(0, policy.jitter * wait))


def _failed(pending: _Pending, error: BatchError, suffix: str = "") -> WriteOutcome:
    return WriteOutcome(
        pending.write.external_id,
        WriteStatus.FAILED,
        pending.attempts,
        error_code=error.category,
        error_message=error.message + suffix,
    )


def write_owner_batch(
    transport: HubSpotTransport,
    writes: Sequence[OwnerWrite],
    *,
    respect_manual_changes: bool,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> list[WriteOutcome]:
    """Exactly one outcome per write, in input order (see the module docstring)."""
    transport.budget.check()
    outcomes: dict[int, WriteOutcome] = {}
    pending: dict[str, _Pending] = {}
    slot: dict[str, int] = {}
    for index, write in enumerate(writes):
        if write.external_id in pending:
            outcomes[index] = _failed(_Pending(write), DUPLICATE)
            continue
        pending[write.external_id] = _Pending(write)
        slot[write.external_id] = index

    def settle(record_id: str, outcome: WriteOutcome) -> None:
        outcomes[slot[record_id]] = outcome
        del pending[record_id]

    rounds = 0
    while pending:
        if rounds:
            sleep(backoff_seconds(policy, rounds))
        current = read_owners(transport, list(pending))
        to_write: dict[str, str] = {}
        for record_id, item in list(pending.items()):
            write = item.write
            if record_id in current.missing:
                settle(record_id, _failed(item, NOT_FOUND))
            elif record_id not in current.owners:
                item.last_error = NOT_READ
            elif current.owners[record_id] == write.new_owner_id:
                settle(
                    record_id,
                    WriteOutcome(
                        record_id,
                        WriteStatus.WRITTEN,
                        item.attempts,
                        current_owner_id=write.new_owner_id,
                        already_there=item.attempts == 0,
                    ),
                )
            elif respect_manual_changes and current.owners[record_id] != write.expected_owner_id:
                settle(
                    record_id,
                    WriteOutcome(
                        record_id,
                        WriteStatus.CONFLICT,
                        item.attempts,
                        current_owner_id=current.owners[record_id],
                    ),
                )
            else:
                to_write[record_id] = write.new_owner_id
        if not pending or rounds == policy.max_attempts:
            break
        rounds += 1
        if not to_write:
            continue
        result = update_owners(transport, to_write)
        for record_id in to_write:
            item = pending[record_id]
            item.attempts += 1
            error = result.errors.get(record_id)
            if record_id in result.written and error is None:
                settle(
                    record_id,
                    WriteOutcome(
                        record_id,
                        WriteStatus.WRITTEN,
                        item.attempts,
                        current_owner_id=item.write.new_owner_id,
                    ),
                )
            elif error is None:
                item.last_error = NOT_CONFIRMED
            elif classify(SOURCE, None, error.category, error.message) == ErrorAction.RETRY:
                item.last_error = error
            else:
                settle(record_id, _failed(item, error))
    for record_id, item in list(pending.items()):
        error = item.last_error or NOT_CONFIRMED
        settle(record_id, _failed(item, error, f" (still failing after {item.attempts} attempts)"))
    return [outcomes[index] for index in range(len(writes))]
