"""The one small interface the sync uses to talk to a CRM, and the records that cross it.

A connector pulls accounts page by page (`pull_accounts`), pulls the people who can own them
(`pull_reps`, as `CrmUser`s), reads current owners (`read_owners`) and writes owners in batches
(`write_owner_batch`). Records cross this boundary in the CRM's own terms (`RawAccount` in the
CRM's field names, `CrmUser`); the sync turns them into unified records (`mapping.fields` for
accounts). Nothing here knows of territories or of the unified model.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class PullPosition:
    """Where an incremental pull stands: the modified time and id of the last committed record.

    `record_id` None means "every record modified at `modified_at` or later still to come".
    """

    modified_at: datetime
    record_id: str | None = None


@dataclass(frozen=True)
class RawAccount:
    """One CRM record as pulled, in the CRM's own field names: an account, or a contact or
    opportunity (`PullsRelated`)."""

    source: str
    external_id: str
    modified_at: datetime | None
    deleted: bool
    fields: dict[str, Any]


@dataclass(frozen=True)
class CrmUser:
    """A person who can own records in one CRM: a Salesforce User or a HubSpot owner."""

    source: str
    crm_id: str
    """The id an owner field holds (Salesforce User Id, HubSpot owner `id`)."""
    email: str
    name: str | None
    active: bool
    """False for deactivated users and archived owners (people who left)."""


@dataclass
class AccountPage:
    """A page of pulled records and the position to store once the page is committed."""

    records: list[RawAccount]
    position: PullPosition | None
    """None for pages of a pull that cannot resume part-way (the position comes with the last)."""
    final: bool = False


class PullMode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"


@dataclass(frozen=True)
class OwnerWrite:
    """One owner change to make: set `new_owner_id` where the owner is still `expected_owner_id`."""

    external_id: str
    new_owner_id: str
    expected_owner_id: str | None
    lost_answer_stamp: str | None = None
    """Set when an earlier attempt's answer was lost: the record's modified stamp just before that
    attempt was sent. If the record holds the old owner but a different stamp, something changed
    it since (perhaps a person undoing the write): it is a conflict, not sent again."""


class WriteStatus(StrEnum):
    WRITTEN = "written"
    """The CRM holds the new owner and this write (or an earlier attempt of it) put it there."""
    FAILED = "failed"
    """The CRM refused the write for a reason retrying cannot fix, or kept refusing it; a read
    confirmed that the owner is not the new one. Nothing of this write is in the CRM."""
    CONFLICT = "conflict"
    """The owner is neither the old nor the new one: a person (or another system) changed it."""
    UNFINISHED = "unfinished"
    """The outcome could not be decided: the answer to a write was lost and the owner could not
    be read back. Never reported as failed or written; the next run re-checks it."""


@dataclass(frozen=True)
class WriteOutcome:
    external_id: str
    status: WriteStatus
    attempts: int
    current_owner_id: str | None = None
    """The owner found in the CRM (for conflicts: the one a person set)."""
    error_code: str | None = None
    error_message: str | None = None
    already_there: bool = False
    """The CRM already held the new owner before this call wrote anything (an earlier attempt
    landed, or someone else set it): the caller knows which from its own records."""
    record_gone: bool = False
    """The CRM says the record no longer exists (deleted, merged or purged): never plan it again."""
    lost_answer_stamp: str | None = None
    """For UNFINISHED outcomes after a lost answer: the stamp to pass back in `OwnerWrite` next
    time (see there)."""


class BatchStoppedError(Exception):
    """A write batch stopped part-way for a reason that stops the run (API budget spent,
    credentials refused, CRM unreachable): `outcomes` decides every write of the batch (those not
    decided are UNFINISHED), `cause` is the product error to report."""

    def __init__(self, outcomes: list[WriteOutcome], cause: Exception) -> None:
        super().__init__(str(cause))
        self.outcomes = outcomes
        self.cause = cause


@dataclass
class ApiUsage:
    """API calls made by this connector and what the CRM reports of its daily allocation."""

    calls: int = 0
    calls_by_kind: dict[str, int] = field(default_factory=dict)
    daily_used: int | None = None
    daily_limit: int | None = None

    def count(self, kind: str) -> None:
        self.calls += 1
        self.calls_by_kind[kind] = self.calls_by_kind.get(kind, 0) + 1


class CrmConnector(Protocol):
    source: str
    write_batch_size: int
    usage: ApiUsage

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        """Pages of accounts: all live ones (full), or those modified since `since` (incremental,
        deleted ones included and flagged where the CRM can list them by time: HubSpot cannot,
        and leaves deletions to full pulls), oldest first where the CRM allows. `extra_fields`
        (names the CRM has, see `account_field_names`) are pulled beside the default fields."""
        ...

    def account_field_names(self) -> frozenset[str]:
        """Every field (property) name the CRM's account object has, as its metadata API
        describes it (Salesforce describe, HubSpot properties); read once per connector."""
        ...

    def list_account_ids(self) -> Iterator[list[str]]:
        """The ids of every live account, page by page, as cheaply as the CRM allows (no other
        fields): what a reconciliation compares the store against."""
        ...

    def pull_reps(self) -> list[CrmUser]:
        """Everyone who can own accounts, active or not, with their email."""
        ...

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        """Current owner of each record (records that no longer exist are left out)."""
        ...

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        """Write one batch (at most `write_batch_size`): re-read owners, skip conflicts, write the
        rest, retry what failed for a retryable reason; exactly one outcome per write. Raises a
        product `CrmError` only when nothing of the batch was sent, and `BatchStoppedError` (with
        every outcome) when a stopping error came after something was sent."""
        ...


class OwnerWriter(Protocol):
    """What write-back needs of a CRM for one kind of record: its batch size, a read of current
    owners and the batch write (see `CrmConnector`, which is one, for accounts)."""

    source: str
    write_batch_size: int

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]: ...

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]: ...


@runtime_checkable
class PullsRelated(Protocol):
    """A connector that also pulls the records that hang off accounts (contacts, opportunities:
    `mapping.unified.RELATED_OBJECTS`) and writes their owners."""

    def pull_related(
        self,
        object_name: str,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        fields: Sequence[str] = (),
        optional_fields: Sequence[str] = (),
    ) -> Iterator[AccountPage]:
        """Pages of `object_name` records with the same cursor discipline as `pull_accounts`,
        with `fields` (and `optional_fields` where the CRM has them); each record's fields name
        its account (`mapping.related`)."""
        ...

    def related_writer(self, object_name: str) -> OwnerWriter:
        """Owner reads and batch writes for `object_name` records, exactly once as for
        accounts (same rounds, retries and faults), sharing the connector's usage and limits."""
        ...


@runtime_checkable
class ExpectsAccounts(Protocol):
    """A connector that chooses how to read a pull by how many accounts the CRM holds (HubSpot
    lists every company instead of searching when most changed); the sync tells it the store's
    count of live accounts before an incremental pull."""

    def expect_accounts(self, count: int) -> None: ...
