"""Salesforce's side of owner write-back: the read and the update the shared write rounds use.

The read is one `queryAll` per batch (`SELECT Id, OwnerId, IsDeleted ... WHERE Id IN (...)`):
queryAll also returns records in the recycle bin, so a deleted record is told apart from one
deleted and purged, or merged away, which queryAll does not find at all. The update is one sObject
Collections update (`allOrNone: false`, so one bad record does not hold back the others) with
`Sforce-Auto-Assign: FALSE`, so Salesforce's assignment rules do not re-route what was just
assigned; its results come back one per record, in input order. It is sent as a write
(`idempotent=False`): an answer lost or a 5xx raises `AmbiguousWriteError`, and the rounds
(`connectors.owner_writes`) read back instead of sending it again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from simple_salesforce.api import Salesforce

from connectors.base import OwnerWrite, WriteOutcome
from connectors.errors import ANSWER_LOST, AmbiguousWriteError, ErrorAction
from connectors.owner_writes import (
    CurrentOwners,
    RecordError,
    UpdateAnswer,
    record_error,
    write_in_rounds,
)
from connectors.retry import RetryPolicy
from connectors.salesforce.calls import CallSalesforce
from connectors.salesforce.paging import QueryPages, query_records
from connectors.salesforce.settings import (
    AUTO_ASSIGN_HEADER,
    COLLECTION_RECORDS_MAX,
    COLLECTIONS_PATH,
    SOURCE,
)
from connectors.salesforce.soql import owners_queries

DELETED_CODE = "ENTITY_IS_DELETED"
MISSING_CODE = "INVALID_CROSS_REFERENCE_KEY"
ACCOUNT = "Account"


def _in_recycle_bin(sobject: str) -> RecordError:
    return RecordError(
        DELETED_CODE,
        f"the {sobject.lower()} is in Salesforce's recycle bin; it is flagged deleted on the next "
        "pull",
        gone=True,
    )


def _not_found(sobject: str) -> RecordError:
    return RecordError(
        MISSING_CODE,
        f"Salesforce has no {sobject.lower()} with this id (deleted and purged, or merged); it "
        "is flagged deleted on the next full pull",
        gone=True,
    )


# Per-record codes of a SaveResult that mean the record itself is gone (an unknown owner id is
# INVALID_CROSS_REFERENCE_KEY too, so only the recycle bin's code counts here).
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm
GONE_CODES = frozenset({DELETED_CODE})


@dataclass(frozen=True)
class CurrentOwner:
    owner_id: str | None
    deleted: bool
    modified: str | None = None
    """SystemModstamp as Salesforce answered it."""


def read_current(
    call: CallSalesforce, ids: Sequence[str], *, timeout: float, sobject: str = ACCOUNT
) -> dict[str, CurrentOwner]:
    """Current owner and deleted flag of each id Salesforce still has (recycle bin included)."""
    current: dict[str, CurrentOwner] = {}
    for soql in owners_queries(list(dict.fromkeys(ids)), sobject):
        pages = QueryPages(
            call, soql, include_deleted=True, timeout=timeout, what="Salesforce owner read"
        )
        for record in query_records(pages):
            modified = record.get("SystemModstamp")
            current[str(record["Id"])] = CurrentOwner(
                record.get("OwnerId"),
                bool(record.get("IsDeleted")),
                str(modified) if modified is not None else None,
            )
    return current


def read_for_writes(
    call: CallSalesforce, ids: Sequence[str], *, timeout: float, sobject: str = ACCOUNT
) -> CurrentOwners:
    """The rounds' read: owners of live records; recycle-bin and unknown ids as gone."""
    found = read_current(call, ids, timeout=timeout, sobject=sobject)
    current = CurrentOwners()
    gone, in_bin = _not_found(sobject), _in_recycle_bin(sobject)
    for record_id in ids:
        record = found.get(record_id)
        if record is None:
            current.gone[record_id] = gone
        elif record.deleted:
            current.gone[record_id] = in_bin
        else:
            current.owners[record_id] = record.owner_id
            if record.modified is not None:
                current.modified[record_id] = record.modified
    return current


def _save_error(result: dict[str, Any]) -> RecordError:
    errors = result.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        code = str(first.get("statusCode") or first.get("errorCode") or "UNKNOWN_ERROR")
        message = str(first.get("message") or "")
    else:
        code, message = "UNKNOWN_ERROR", "Salesforce refused the update without giving a reason"
    return record_error(SOURCE, code, message, gone_codes=GONE_CODES)


def update_owners(
    call: CallSalesforce, writes: Sequence[OwnerWrite], *, timeout: float, sobject: str = ACCOUNT
) -> UpdateAnswer:
    """One Collections update. "The SaveResult objects are returned in the order in which the
    update requests were specified", so they are matched by position (a failed one may have no
    id): https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html.
    An answer that is not a list of results says nothing of what was written: it is lost."""
    body = {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": sobject}, "id": w.external_id, "OwnerId": w.new_owner_id}
            for w in writes
        ],
    }

    def update(client: Salesforce) -> Any:
        return client.restful(
            COLLECTIONS_PATH,
            method="PATCH",
            json=body,
            headers={AUTO_ASSIGN_HEADER: "FALSE"},
            timeout=timeout,
        )

    results = call("collections-update", "Salesforce owner update", update, idempotent=False)
    if not isinstance(results, list):
        raise AmbiguousWriteError(
            "Salesforce owner update: the answer was not a list of results "
            f"({type(results).__name__})",
            crm=SOURCE,
            status=None,
            code=ANSWER_LOST,
            action=ErrorAction.RETRY,
            applied=True,
        )
    answer = UpdateAnswer()
    for write, result in zip(writes, results, strict=False):
        if not isinstance(result, dict):
            continue  # not mentioned: the next read decides
        if result.get("success") is True:
            answer.written.add(write.external_id)
        else:
            answer.refused[write.external_id] = _save_error(result)
    return answer


def write_owner_batch(
    call: CallSalesforce,
    writes: Sequence[OwnerWrite],
    *,
    respect_manual_changes: bool,
    policy: RetryPolicy,
    timeout: float,
    sleep: Callable[[float], None],
    sobject: str = ACCOUNT,
) -> list[WriteOutcome]:
    """One batch of `sobject` records (Accounts unless told) through the shared write rounds
    (`connectors.owner_writes`)."""
    if len(writes) > COLLECTION_RECORDS_MAX:
        raise ValueError(
            f"a Salesforce write batch holds at most {COLLECTION_RECORDS_MAX} records "
            f"(got {len(writes)}); split it by the connector's write_batch_size"
        )
    return write_in_rounds(
        writes,
        read=lambda ids: read_for_writes(call, ids, timeout=timeout, sobject=sobject),
        update=lambda batch: update_owners(call, batch, timeout=timeout, sobject=sobject),
        respect_manual_changes=respect_manual_changes,
        policy=policy,
        sleep=sleep,
        crm_name="Salesforce",
    )
