"""An in-memory CRM behind the connector interface, for unit tests of the sync's core.

It holds owners per record and answers `write_owner_batch` as the real connectors do (read, then
decide per record: already there, conflict, gone, or write), and lets a test script exactly what
goes wrong: a whole-batch error, an outcome the connector cannot decide, a person's edit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from connectors.base import (
    AccountPage,
    ApiUsage,
    CrmUser,
    OwnerWrite,
    PullMode,
    PullPosition,
    WriteOutcome,
    WriteStatus,
)


@dataclass
class FakeCrm:
    source: str
    owners: dict[str, str | None] = field(default_factory=dict)
    write_batch_size: int = 200
    usage: ApiUsage = field(default_factory=ApiUsage)
    fields: frozenset[str] = frozenset()
    writes: list[tuple[str, str]] = field(default_factory=list)
    """(record id, owner) of every owner this fake wrote, in order."""
    batches: int = 0
    raise_on_batch: dict[int, Exception] = field(default_factory=dict)
    """Batch number (1-based) -> error raised instead of answering."""
    unfinished: set[str] = field(default_factory=set)
    """Records whose write lands but whose outcome the connector reports as unknown."""
    before_batch: Callable[[int], None] | None = None

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        return iter(())

    def pull_reps(self) -> list[CrmUser]:
        return []

    def account_field_names(self) -> frozenset[str]:
        return self.fields

    def list_account_ids(self) -> Iterator[list[str]]:
        yield sorted(self.owners)

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        return {i: self.owners[i] for i in external_ids if i in self.owners}

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        self.batches += 1
        if self.before_batch is not None:
            self.before_batch(self.batches)
        if self.batches in self.raise_on_batch:
            raise self.raise_on_batch[self.batches]
        outcomes = []
        for write in writes:
            record = write.external_id
            if record not in self.owners:
                outcomes.append(
                    WriteOutcome(
                        record,
                        WriteStatus.FAILED,
                        0,
                        error_code="ENTITY_IS_DELETED",
                        error_message="gone",
                        record_gone=True,
                    )
                )
                continue
            now = self.owners[record]
            if now == write.new_owner_id:
                outcomes.append(
                    WriteOutcome(record, WriteStatus.WRITTEN, 0, now, already_there=True)
                )
            elif now != write.expected_owner_id and respect_manual_changes:
                outcomes.append(WriteOutcome(record, WriteStatus.CONFLICT, 0, now))
            else:
                self.owners[record] = write.new_owner_id
                self.writes.append((record, write.new_owner_id))
                if record in self.unfinished:
                    outcomes.append(
                        WriteOutcome(
                            record,
                            WriteStatus.UNFINISHED,
                            1,
                            error_code="ANSWER_LOST",
                            error_message="the answer was lost and the owner could not be read",
                        )
                    )
                else:
                    outcomes.append(
                        WriteOutcome(record, WriteStatus.WRITTEN, 1, write.new_owner_id)
                    )
        return outcomes
