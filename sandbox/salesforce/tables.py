"""One sObject's records in the org: the seed objects themselves in id order, an index by id and,
for records that hang off an account (contacts, opportunities), an index by account id.

The indexes hold references to the seed objects, never copies, so a query filtered by
`Id IN (...)` or `AccountId IN (...)` looks its records up instead of scanning millions. An
account's related records are kept as one tuple (no spare capacity, unlike a list).
"""

from __future__ import annotations

import gc
from bisect import insort
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Generic, Protocol, TypeVar

from sandbox.ids import salesforce_id
from sandbox.salesforce.fields import SObjectType

FIRST_NEW_RECORD_NUMBER = 10**12
"""Records created at run time are numbered from here, far above any seeded record."""


class OrgRecord(Protocol):
    """What every owned record (SeedAccount, SeedContact, SeedOpportunity) has."""

    crm_id: str
    owner_id: str | None
    modified_ms: int
    deleted: bool


R = TypeVar("R", bound=OrgRecord)


def _crm_id(record: OrgRecord) -> str:
    return record.crm_id


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """The indexes hold no reference cycles; pausing the cycle collector while millions of
    entries are made saves it from walking the growing heap again and again (4x faster)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class RecordTable(Generic[R]):
    """The records of one sObject, deleted ones too, kept in id order. Not locked: the org holds
    its lock around every change."""

    def __init__(
        self,
        sobject: SObjectType,
        records: Iterable[R],
        *,
        account_of: Callable[[R], str | None] | None = None,
    ) -> None:
        self.sobject = sobject
        self._account_of = account_of
        self._by_account: dict[str, tuple[R, ...]] = {}
        self._next_number = FIRST_NEW_RECORD_NUMBER
        with _cycle_collector_paused():
            self.records: list[R] = sorted(records, key=_crm_id)
            """In id order; treat as read-only."""
            self._by_id = {record.crm_id: record for record in self.records}
            if account_of is not None:
                grouped: dict[str, list[R]] = {}
                for record in self.records:
                    account_id = account_of(record)
                    if account_id is not None:
                        grouped.setdefault(account_id, []).append(record)
                self._by_account = {key: tuple(group) for key, group in grouped.items()}

    def __len__(self) -> int:
        return len(self.records)

    @property
    def indexed_by_account(self) -> bool:
        return self._account_of is not None

    def get(self, record_id: str) -> R | None:
        return self._by_id.get(record_id)

    def require(self, record_id: str) -> R:
        record = self._by_id.get(record_id)
        if record is None:
            raise KeyError(f"no {self.sobject.name} with id {record_id!r} in this org")
        return record

    def of_account(self, account_id: str) -> tuple[R, ...]:
        """The records whose AccountId is `account_id`, in id order (deleted ones too)."""
        return self._by_account.get(account_id, ())

    def new_id(self) -> str:
        """An id no record of this table has, with the sObject's key prefix."""
        while True:
            self._next_number += 1
            record_id = salesforce_id(self.sobject.key_prefix, self._next_number)
            if record_id not in self._by_id:
                return record_id

    def add(self, record: R) -> None:
        if self.records and record.crm_id < self.records[-1].crm_id:
            insort(self.records, record, key=_crm_id)
        else:
            self.records.append(record)
        self._by_id[record.crm_id] = record
        account_id = self._account_of(record) if self._account_of is not None else None
        if account_id is not None:
            group = (*self._by_account.get(account_id, ()), record)
            self._by_account[account_id] = tuple(sorted(group, key=_crm_id))

    def purge(self, record_ids: Iterable[str]) -> int:
        """Remove records for good (emptied from the recycle bin); returns how many went."""
        gone = {record_id for record_id in record_ids if record_id in self._by_id}
        if not gone:
            return 0
        self.records = [record for record in self.records if record.crm_id not in gone]
        for record_id in gone:
            record = self._by_id.pop(record_id)
            account_id = self._account_of(record) if self._account_of is not None else None
            if account_id is not None:
                kept = tuple(r for r in self.of_account(account_id) if r.crm_id != record_id)
                if kept:
                    self._by_account[account_id] = kept
                else:
                    del self._by_account[account_id]
        return len(gone)
