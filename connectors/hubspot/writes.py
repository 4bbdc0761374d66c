"""HubSpot's side of owner write-back: the read and the update the shared write rounds use.

The read is one batch read of `hubspot_owner_id` for the companies still pending (a 207 names
the ones that do not exist: OBJECT_NOT_FOUND, deleted, archived or merged away); the update is one
batch update. A 207's per-input errors are classified by the error table: CONFLICT (the company
was being changed by another request) goes round again through a read, the others fail with
HubSpot's category and message. An input HubSpot mentions in neither `results` nor `errors`, and
an answer lost or a 5xx to the whole update (`AmbiguousWriteError`), are never assumed written or
not written: the next round's read decides (`connectors.owner_writes`). Without faults a batch
costs one read and one update.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from connectors.base import OwnerWrite, WriteOutcome
from connectors.hubspot.calls import NOT_FOUND_CATEGORY, read_owners, update_owners
from connectors.hubspot.client import HubSpotTransport
from connectors.hubspot.settings import COMPANIES, SOURCE, HubSpotObject
from connectors.owner_writes import (
    CurrentOwners,
    RecordError,
    UpdateAnswer,
    record_error,
    write_in_rounds,
)
from connectors.retry import RetryPolicy

NOT_FOUND = RecordError(
    NOT_FOUND_CATEGORY,
    "the company no longer exists in HubSpot (deleted, archived or merged)",
    gone=True,
)

GONE_CATEGORIES = frozenset({NOT_FOUND_CATEGORY})


def _not_found(noun: str) -> RecordError:
    return RecordError(
        NOT_FOUND_CATEGORY,
        f"the {noun} no longer exists in HubSpot (deleted, archived or merged)",
        gone=True,
    )


def read_for_writes(
    transport: HubSpotTransport, ids: Sequence[str], kind: HubSpotObject = COMPANIES
) -> CurrentOwners:
    """The rounds' read: owners of the records read, and those HubSpot says do not exist."""
    found = read_owners(
        transport, ids, object_type=kind.object_type, modified_property=kind.modified_property
    )
    gone = NOT_FOUND if kind is COMPANIES else _not_found(kind.noun)
    return CurrentOwners(
        owners=dict(found.owners),
        gone={record_id: gone for record_id in found.missing},
        modified=dict(found.modified),
    )


def update_for_writes(
    transport: HubSpotTransport, writes: Sequence[OwnerWrite], kind: HubSpotObject = COMPANIES
) -> UpdateAnswer:
    """The rounds' update: one batch update, its 207 errors classified per record."""
    result = update_owners(
        transport, {w.external_id: w.new_owner_id for w in writes}, object_type=kind.object_type
    )
    return UpdateAnswer(
        written=set(result.written),
        refused={
            record_id: record_error(
                SOURCE, error.category, error.message, gone_codes=GONE_CATEGORIES
            )
            for record_id, error in result.errors.items()
        },
    )


def write_owner_batch(
    transport: HubSpotTransport,
    writes: Sequence[OwnerWrite],
    *,
    respect_manual_changes: bool,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
    kind: HubSpotObject = COMPANIES,
) -> list[WriteOutcome]:
    """Exactly one outcome per write, in input order (see the module docstring); of companies
    unless `kind` says contacts or deals."""
    transport.budget.check()
    return write_in_rounds(
        writes,
        read=lambda ids: read_for_writes(transport, ids, kind),
        update=lambda batch: update_for_writes(transport, batch, kind),
        respect_manual_changes=respect_manual_changes,
        policy=policy,
        sleep=sleep,
        crm_name="HubSpot",
    )
