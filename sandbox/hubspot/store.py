"""The records of one object type (companies, contacts or deals), their search index and lag.

Records stay the seed objects they were seeded as, indexed by id and kept in id order; nothing
is copied per record, so millions of contacts fit in memory. The store answers list pages from
an id cursor, searches from its own sorted index (`sandbox.hubspot.index`) or a scan, and keeps
what search still shows of records written less than the search delay ago
(`sandbox.hubspot.visibility`). Every method takes the portal's lock, so a request sees one
consistent snapshot across stores.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic

from sandbox.hubspot.index import SearchIndex, union
from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import SearchOverride
from sandbox.hubspot.records import R
from sandbox.hubspot.search import SearchRequest, evaluate
from sandbox.hubspot.visibility import IndexedState, SearchIndexLag

_SEARCH_CACHE_SIZE = 4


class UnknownRecordError(KeyError):
    """A record id the portal does not hold."""

    def __str__(self) -> str:
        return (
            f"no HubSpot company with id {self.args[0]!r}, nor any contact or deal; list company "
            "ids with GET /__sandbox/owners or create records with POST /__sandbox/records"
        )


@dataclass(frozen=True)
class SearchPage(Generic[R]):
    total: int
    results: list[tuple[R, SearchOverride | None]]
    next_offset: int | None


@dataclass
class _CachedMatch(Generic[R]):
    version: int
    valid_until_ms: float
    matched: list[R]


class RecordStore(Generic[R]):
    """Every record of one object type, in id order, with its search index and lag."""

    def __init__(
        self,
        schema: ObjectSchema[R],
        records: Iterable[R],
        *,
        lock: threading.RLock,
        now_ms: Callable[[], int],
        delay_ms: Callable[[], int],
    ) -> None:
        self.schema = schema
        self.lock = lock
        self._now_ms = now_ms
        self._delay_ms = delay_ms
        self._by_id: dict[str, R] = {}
        for record in records:
            if not record.crm_id.isdigit():
                raise ValueError(
                    f"HubSpot {schema.singular} id {record.crm_id!r} is not numeric; "
                    "use sandbox.ids.hubspot_id() to make ids"
                )
            if record.crm_id in self._by_id:
                raise ValueError(f"HubSpot {schema.singular} id {record.crm_id} is seeded twice")
            self._by_id[record.crm_id] = record
        ordered = sorted(self._by_id.values(), key=lambda r: int(r.crm_id))
        self._ids: list[int] = [int(r.crm_id) for r in ordered]
        self._records: list[R] = ordered
        self._archived_ids: list[int] = [int(r.crm_id) for r in ordered if r.deleted]
        self._last_id = self._ids[-1] if self._ids else schema.first_id
        """The highest id ever held: new records count on from it (ids are never reused)."""
        self._lag = SearchIndexLag()
        self._version = 0
        self._search_cache: OrderedDict[str, _CachedMatch[R]] = OrderedDict()
        self._index = SearchIndex()

    # -- reading -------------------------------------------------------------------------------

    def get(self, record_id: str) -> R | None:
        return self._by_id.get(record_id)

    def require(self, record_id: str) -> R:
        record = self._by_id.get(record_id)
        if record is None:
            raise UnknownRecordError(record_id)
        return record

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._by_id

    def records(self) -> list[R]:
        """Every record held, archived ones too, in id order."""
        with self.lock:
            return list(self._records)

    def counts(self) -> tuple[int, int]:
        """(live, archived) records."""
        with self.lock:
            archived = len(self._archived_ids)
            return len(self._records) - archived, archived

    @property
    def pending_in_search(self) -> int:
        """Records whose latest write search does not show yet."""
        return len(self._lag)

    def owners(self) -> dict[str, str | None]:
        """Owner of every record that is not archived."""
        with self.lock:
            return {r.crm_id: r.owner_id for r in self._records if not r.deleted}

    def first_ids(self, count: int) -> list[str]:
        """The first `count` records (not archived) in id order."""
        with self.lock:
            chosen: list[str] = []
            for record in self._records:
                if len(chosen) == count:
                    break
                if not record.deleted:
                    chosen.append(record.crm_id)
            return chosen

    def list_page(
        self, *, limit: int, after: int | None, archived: bool
    ) -> tuple[list[R], int | None]:
        """A page in id order from id `after` on; the cursor is the next id to read, so pages
        stay correct while records are written, created or archived between calls."""
        with self.lock:
            start_at = after if after is not None else -1
            page: list[R] = []
            if archived:
                archived_ids = self._archived_ids
                start = bisect.bisect_left(archived_ids, start_at)
                for position in range(start, len(archived_ids)):
                    if len(page) == limit:
                        return page, int(page[-1].crm_id) + 1
                    page.append(self._by_id[str(archived_ids[position])])
                return page, None
            records = self._records
            for position in range(bisect.bisect_left(self._ids, start_at), len(records)):
                record = records[position]
                if record.deleted:
                    continue
                if len(page) == limit:
                    return page, int(page[-1].crm_id) + 1
                page.append(record)
            return page, None

    def search(self, request: SearchRequest[R]) -> SearchPage[R]:
        """All matches counted, one page returned; results come from the search index's view."""
        with self.lock:
            now = self._now_ms()
            self._index.mark(self._lag.expire(now))
            pending = self._lag.pending()
            if request.key_ranges is not None:
                return self._search_index(request, pending)
            cached = self._search_cache.get(request.cache_key)
            if (
                cached is not None
                and cached.version == self._version
                and now < cached.valid_until_ms
            ):
                matched = cached.matched
                self._search_cache.move_to_end(request.cache_key)
            else:
                matched = evaluate(self._records, pending, request)
                next_change = self._lag.next_change_ms()
                self._search_cache[request.cache_key] = _CachedMatch(
                    self._version, float("inf") if next_change is None else next_change, matched
                )
                while len(self._search_cache) > _SEARCH_CACHE_SIZE:
                    self._search_cache.popitem(last=False)
            end = request.offset + request.limit
            results = [
                (record, _override(pending, record.crm_id))
                for record in matched[request.offset : end]
            ]
            return SearchPage(len(matched), results, end if end < len(matched) else None)

    def _search_index(
        self, request: SearchRequest[R], pending: Mapping[str, IndexedState]
    ) -> SearchPage[R]:
        """A search whose matches are key ranges of the index (`SearchRequest.key_ranges`)."""
        index = self._index
        index.settle(self._records, self._by_id, pending)
        assert request.key_ranges is not None
        spans = union(index.span(low, high) for low, high in request.key_ranges)
        ids, total = index.ids(spans, request.offset, request.limit)
        results = []
        for number in ids:
            record = self._by_id[str(number)]
            results.append((record, _override(pending, record.crm_id)))
        end = request.offset + request.limit
        return SearchPage(total, results, end if end < total else None)

    # -- writing -------------------------------------------------------------------------------

    def _changed(self, record_ids: Iterable[str]) -> None:
        """What search shows of these records may have changed."""
        self._version += 1
        self._index.mark(record_ids)

    def before_change(self, record: R, now_ms: int) -> None:
        """Call before a person or the portal changes `record` (search shows the old state for
        the search delay)."""
        self._lag.before_change(record, now_ms, self._delay_ms())

    def apply_update(self, record: R, values: Mapping[str, str], now_ms: int) -> bool:
        """Write checked property values; bumps the modified time when a value changed.
        Returns whether the update set the owner (also to the owner the record already had)."""
        catalogue = self.schema.properties
        with self.lock:
            before = {name: catalogue[name].render(record) for name in values}
            old_modified, old_owner = record.modified_ms, record.owner_id
            for name, raw in values.items():
                write = catalogue[name].write
                assert write is not None, f"{name} is read-only"
                write(record, raw)
            owner_set = "hubspot_owner_id" in values
            if before == {name: catalogue[name].render(record) for name in values}:
                return owner_set
            self._lag.remember(
                record.crm_id, old_modified, old_owner, True, now_ms, self._delay_ms()
            )
            record.modified_ms = now_ms
            self._changed([record.crm_id])
            return owner_set

    def change_owner(self, record_id: str, owner_id: str | None) -> None:
        """A person reassigning the record in HubSpot's UI: stamps the modified property."""
        with self.lock:
            record = self.require(record_id)
            now = self._now_ms()
            self.before_change(record, now)
            record.owner_id = owner_id or None
            record.modified_ms = now
            self._changed([record_id])

    def edited(self, records: Sequence[R], edit: Callable[[R], None]) -> None:
        """A person changing these records in the UI with `edit`: stamps the modified property."""
        with self.lock:
            now = self._now_ms()
            for record in records:
                self.before_change(record, now)
                edit(record)
                record.modified_ms = now
            self._changed(r.crm_id for r in records)

    def next_id(self) -> str:
        """A fresh id after the highest one ever held."""
        with self.lock:
            self._last_id += 1
            return str(self._last_id)

    def add(self, records: Sequence[R]) -> None:
        """New records (ids from `next_id`, so above every held one); they join search after the
        search delay."""
        with self.lock:
            now = self._now_ms()
            for record in records:
                if self._ids and int(record.crm_id) <= self._ids[-1]:
                    raise ValueError(f"new {self.schema.singular} ids must come from next_id()")
                self._lag.before_change(record, now, self._delay_ms(), is_new=True)
                self._by_id[record.crm_id] = record
                self._ids.append(int(record.crm_id))
                self._records.append(record)
            self._changed(r.crm_id for r in records)

    def delete(self, record_ids: Sequence[str], *, purge: bool) -> int:
        """Archive the records (every id held: check first), bumping their modified time; with
        `purge`, delete them for good. Returns how many were archived (or, with `purge`,
        purged)."""
        with self.lock:
            records = [self.require(record_id) for record_id in record_ids]
            now = self._now_ms()
            count = 0
            for record in records:
                if record.deleted:
                    continue
                self.before_change(record, now)
                record.deleted = True
                record.modified_ms = now
                bisect.insort(self._archived_ids, int(record.crm_id))
                count += 1
            if purge:
                gone = {record.crm_id for record in records}
                for record_id in gone:
                    del self._by_id[record_id]
                self._records = [r for r in self._records if r.crm_id not in gone]
                self._ids = [int(r.crm_id) for r in self._records]
                self._archived_ids = [i for i in self._archived_ids if str(i) not in gone]
                count = len(gone)
                self._index.rebuild_all()
            self._changed(record.crm_id for record in records)
            return count

    def stamp(self, record_ids: Sequence[str], modified_ms: int) -> None:
        """One identical modified time on the records (a HubSpot bulk edit or import)."""
        with self.lock:
            records = [self.require(record_id) for record_id in record_ids]
            now = self._now_ms()
            for record in records:
                self.before_change(record, now)
                record.modified_ms = modified_ms
            self._changed(record.crm_id for record in records)


def _override(pending: Mapping[str, IndexedState], record_id: str) -> SearchOverride | None:
    state = pending.get(record_id) if pending else None
    return None if state is None else state.override()
