"""Owner write-back for one batch: re-read, decide per record, write the rest in one call, retry
only what failed for a retryable reason.

The re-read (one `queryAll` for the whole batch) is what makes write-back safe to resume: a record
already holding the new owner is reported written without writing it again (an earlier, interrupted
run's write landed), and a record whose owner a person changed since the plan is a conflict left
alone. The write is one sObject Collections update (`allOrNone: false`, so one bad record does not
hold back the others) with `Sforce-Auto-Assign: FALSE`, so Salesforce's assignment rules do not
re-route what was just assigned. Results come back one per record, in input order.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simple_salesforce.api import Salesforce

from connectors.base import OwnerWrite, WriteOutcome, WriteStatus
from connectors.errors import ErrorAction, classify
from connectors.retry import RetryPolicy
from connectors.salesforce_calls import CallSalesforce
from connectors.salesforce_paging import QueryPages, query_records
from connectors.salesforce_settings import (
    AUTO_ASSIGN_HEADER,
    COLLECTION_RECORDS_MAX,
    COLLECTIONS_PATH,
    SOURCE,
)
from connectors.salesforce_soql import owners_queries

DELETED_CODE = "ENTITY_IS_DELETED"
MISSING_CODE = "INVALID_CROSS_REFERENCE_KEY"


@dataclass(frozen=True)
class CurrentOwner:
    owner_id: str | None
    deleted: bool


def read_current(
    call: CallSalesforce, ids: Sequence[str], *, timeout: float
) -> dict[str, CurrentOwner]:
    """Current owner and deleted flag of each id Salesforce still has (recycle bin included)."""
    current: dict[str, CurrentOwner] = {}
    for soql in owners_queries(list(dict.fromkeys(ids))):
        pages = QueryPages(
            call, soql, include_deleted=True, timeout=timeout, what="Salesforce owner read"
        )
        for record in query_records(pages):
            current[str(record["Id"])] = CurrentOwner(
                record.get("OwnerId"), bool(record.get("IsDeleted"))
            )
    return current


def backoff_seconds(policy: RetryPolicy, attempt: int) -> float:
    """The wait before write attempt `attempt + 1`, as the retry policy spaces whole calls."""
    wait = min(policy.max_wait, policy.initial_wait * float(2 ** (attempt - 1)))
    return wait + random.uniform(0, policy.jitter * wait)


def _save_error(result: Any) -> tuple[str, str]:
    errors = result.get("errors") if isinstance(result, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        code = str(first.get("statusCode") or first.get("errorCode") or "UNKNOWN_ERROR")
        return code, str(first.get("message") or "")
    return "UNKNOWN_ERROR", "Salesforce gave no reason for refusing the update"


class OwnerBatchWriter:
    """Writes one batch of owner changes through `call`; see the module docstring."""

    def __init__(
        self,
        call: CallSalesforce,
        *,
        policy: RetryPolicy,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._call = call
        self._policy = policy
        self._timeout = timeout
        self._sleep = sleep

    def _update(self, writes: Sequence[OwnerWrite]) -> list[Any]:
        body = {
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "id": w.external_id, "OwnerId": w.new_owner_id}
                for w in writes
            ],
        }

        def update(client: Salesforce) -> Any:
            return client.restful(
                COLLECTIONS_PATH,
                method="PATCH",
                json=body,
                headers={AUTO_ASSIGN_HEADER: "FALSE"},
                timeout=self._timeout,
            )

        results = self._call("collections-update", "Salesforce owner update", update)
        return list(results) if isinstance(results, list) else []

    def write(
        self,
        writes: Sequence[OwnerWrite],
        current: dict[str, CurrentOwner],
        *,
        respect_manual_changes: bool,
    ) -> list[WriteOutcome]:
        if len(writes) > COLLECTION_RECORDS_MAX:
            raise ValueError(
                f"a Salesforce write batch holds at most {COLLECTION_RECORDS_MAX} records "
                f"(got {len(writes)}); split it by the connector's write_batch_size"
            )
        outcomes: list[WriteOutcome | None] = [None] * len(writes)
        to_write: list[int] = []
        for index, write in enumerate(writes):
            found = current.get(write.external_id)
            if found is None or found.deleted:
                outcomes[index] = WriteOutcome(
                    write.external_id,
                    WriteStatus.FAILED,
                    attempts=0,
                    error_code=DELETED_CODE if found else MISSING_CODE,
                    error_message=(
                        "the account is in Salesforce's recycle bin; it is flagged deleted on the "
                        "next pull"
                        if found
                        else "Salesforce has no account with this id (deleted and purged, or "
                        "merged); it is flagged deleted on the next full pull"
                    ),
                )
            elif found.owner_id == write.new_owner_id:
                outcomes[index] = WriteOutcome(
                    write.external_id,
                    WriteStatus.WRITTEN,
                    attempts=0,
                    current_owner_id=found.owner_id,
                    already_there=True,
                )
            elif found.owner_id != write.expected_owner_id and respect_manual_changes:
                outcomes[index] = WriteOutcome(
                    write.external_id,
                    WriteStatus.CONFLICT,
                    attempts=0,
                    current_owner_id=found.owner_id,
                )
            else:
                to_write.append(index)

        attempt = 0
        while to_write:
            attempt += 1
            if attempt > 1:
                self._sleep(backoff_seconds(self._policy, attempt - 1))
            results = self._update([writes[i] for i in to_write])
            retry: list[int] = []
            for position, index in enumerate(to_write):
                write = writes[index]
                result = results[position] if position < len(results) else None
                if isinstance(result, dict) and result.get("success") is True:
                    outcomes[index] = WriteOutcome(
                        write.external_id,
                        WriteStatus.WRITTEN,
                        attempts=attempt,
                        current_owner_id=write.new_owner_id,
                    )
                    continue
                code, message = _save_error(result)
                action = classify(SOURCE, None, code, message)
                if action == ErrorAction.RETRY and attempt < self._policy.max_attempts:
                    retry.append(index)
                    continue
                outcomes[index] = WriteOutcome(
                    write.external_id,
                    WriteStatus.FAILED,
                    attempts=attempt,
                    current_owner_id=current[write.external_id].owner_id,
                    error_code=code,
                    error_message=message,
                )
            to_write = retry
        return [outcome for outcome in outcomes if outcome is not None]
