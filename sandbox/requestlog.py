"""The sandbox's request log: every API request an emulator served, for tests, the demo and benches.

Tests read it to prove claims a user cares about: how many API calls a sync made, and that each
owner was written exactly once. An API request lists in `records_written` every record whose owner
field it set, once applied: also when it set the owner the record already had, and also when its
answer was then lost (`fault` says how), so a write sent twice shows twice in
`writes_per_record()`. Owner changes a scheduled fault makes "as a person" are logged as their own
entries (method `PERSON`, kind `person-edit`) and never count as API writes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

PERSON_METHOD = "PERSON"
PERSON_EDIT_KIND = "person-edit"


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    """The HTTP status answered (for a dropped answer, the one its status line carried); 0 for a
    person edit, which is no HTTP request."""
    at: float
    records_written: tuple[str, ...] = ()
    """Ids of the records whose owner this request set (writes and person edits only)."""
    kind: str = ""
    """A short name for the operation, e.g. `query`, `collections-update`, `batch-update`."""
    fault: str = ""
    """The injected fault that struck the request: `503`, `429`, `applied_5xx`,
    `applied_drop`, `applied_timeout`, or '' for none."""
    owners_written: tuple[str | None, ...] = ()
    """The owner each of `records_written` was given, in the same order."""

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "at": self.at,
            "kind": self.kind,
            "fault": self.fault,
            "records_written": list(self.records_written),
            "owners_written": list(self.owners_written),
        }


@dataclass
class RequestLog:
    """Thread-safe, append-only list of requests with derived counts."""

    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        method: str,
        path: str,
        status: int,
        *,
        kind: str = "",
        records_written: Iterable[str] = (),
        owners_written: Iterable[str | None] = (),
        fault: str = "",
    ) -> None:
        record = RequestRecord(
            method,
            path,
            status,
            time.time(),
            tuple(records_written),
            kind,
            fault,
            tuple(owners_written),
        )
        with self._lock:
            self._records.append(record)

    def add_person_edits(self, path: str, edits: Sequence[tuple[str, str | None]]) -> None:
        """Log owner changes made as a person would make them (record id, new owner)."""
        if edits:
            self.add(
                PERSON_METHOD,
                path,
                0,
                kind=PERSON_EDIT_KIND,
                records_written=[record_id for record_id, _ in edits],
                owners_written=[owner for _, owner in edits],
            )

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def count(self, kind: str | None = None) -> int:
        return sum(1 for r in self.records() if kind is None or r.kind == kind)

    def counts_by_kind(self) -> dict[str, int]:
        return dict(Counter(r.kind for r in self.records()))

    def writes_per_record(self) -> Counter[str]:
        """How many times the API set each record's owner (person edits not included)."""
        counter: Counter[str] = Counter()
        for record in self.records():
            if record.kind != PERSON_EDIT_KIND:
                counter.update(record.records_written)
        return counter

    def person_edits(self) -> dict[str, str | None]:
        """Record id -> the owner the latest person edit gave it."""
        edits: dict[str, str | None] = {}
        for record in self.records():
            if record.kind == PERSON_EDIT_KIND:
                edits.update(zip(record.records_written, record.owners_written, strict=True))
        return edits
