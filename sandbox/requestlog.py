"""The sandbox's request log: every API request an emulator served, for tests, the demo and benches.

Tests read it to prove claims a user cares about: how many API calls a sync made, and that each
owner was written exactly once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int
    at: float
    records_written: tuple[str, ...] = ()
    """Ids of the records whose owner this request changed (writes only)."""
    kind: str = ""
    """A short name for the operation, e.g. `query`, `collections-update`, `batch-update`."""

    def as_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "at": self.at,
            "kind": self.kind,
            "records_written": list(self.records_written),
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
    ) -> None:
        record = RequestRecord(method, path, status, time.time(), tuple(records_written), kind)
        with self._lock:
            self._records.append(record)

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
        """How many times each record's owner was changed through the API."""
        counter: Counter[str] = Counter()
        for record in self.records():
            counter.update(record.records_written)
        return counter
