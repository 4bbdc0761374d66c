"""The search index: every searchable record of one object type in (last-modified, id) order, as
search shows it, so that a search on modified-time and id ranges is answered by bisection, not a
scan. Each object type (companies, contacts, deals) has its own index, on its own last-modified
property (`hs_lastmodifieddate`, or contacts' `lastmodifieddate`).

HubSpot answers search from an index that is not the record store (writes show in it seconds
later: `sandbox.hubspot.visibility`). The emulator keeps one too: a sorted list of
`(modified_ms, id)` keys, the modified time being the one search still shows for a record whose
latest write is not indexed yet. The portal marks a record dirty whenever what search shows of
it may change (a write, an archive, a creation, a lag that expired); the index settles the dirty
records before each search, one by one when they are few, by sorting everything again when they
are many (a bulk edit or import).

`ranges` turns a request's filter groups into position ranges in this order when every filter is
on the last-modified property or `hs_object_id` with EQ, GT, GTE, LT, LTE or BETWEEN, and a group
that leaves ids open or pins one timestamp; other requests are evaluated by a scan.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping

from sandbox.hubspot.records import CrmRecord
from sandbox.hubspot.visibility import IndexedState

Key = tuple[int, int]
LOWEST_ID = -1
HIGHEST_ID = 1 << 62
EVERY_KEY: tuple[Key, Key] = ((-(1 << 62), LOWEST_ID), (1 << 62, HIGHEST_ID))
_REBUILD_SHARE = 16
"""Sort everything again when more than 1/16 of the index is dirty."""


def shown_key(account: CrmRecord | None, state: IndexedState | None) -> Key | None:
    """Where search shows `account` now: None when it is not searchable (archived, or created
    and not indexed yet)."""
    if account is None:
        return None
    if state is not None:
        return (state.modified_ms, int(account.crm_id)) if state.searchable else None
    return None if account.deleted else (account.modified_ms, int(account.crm_id))


class SearchIndex:
    """Sorted `(modified_ms, id)` keys of every searchable record of one object type."""

    def __init__(self) -> None:
        self._keys: list[Key] = []
        self._key_of: dict[int, Key] = {}
        self._dirty: set[str] = set()
        self._built = False

    def mark(self, record_ids: Iterable[str]) -> None:
        """What search shows of these records may have changed."""
        self._dirty.update(record_ids)

    def rebuild_all(self) -> None:
        """Everything is dirty (records purged or seeded)."""
        self._built = False

    def settle(
        self,
        accounts: Iterable[CrmRecord],
        by_id: Mapping[str, CrmRecord],
        pending: Mapping[str, IndexedState],
    ) -> None:
        """Bring the index up to date with what search shows."""
        if not self._built or len(self._dirty) * _REBUILD_SHARE > max(len(self._keys), 1):
            keys = (shown_key(a, pending.get(a.crm_id)) for a in accounts)
            self._keys = sorted(k for k in keys if k is not None)
            self._key_of = {k[1]: k for k in self._keys}
            self._dirty.clear()
            self._built = True
            return
        for record_id in self._dirty:
            key = shown_key(by_id.get(record_id), pending.get(record_id))
            old = self._key_of.get(int(record_id))
            if old == key:
                continue
            if old is not None:
                del self._keys[bisect.bisect_left(self._keys, old)]
                del self._key_of[old[1]]
            if key is not None:
                bisect.insort(self._keys, key)
                self._key_of[key[1]] = key
        self._dirty.clear()

    def span(self, low: Key, high: Key) -> tuple[int, int]:
        """Positions [start, end) of the keys from `low` to `high`, both included."""
        return bisect.bisect_left(self._keys, low), bisect.bisect_right(self._keys, high)

    def ids(self, spans: list[tuple[int, int]], offset: int, limit: int) -> tuple[list[int], int]:
        """The ids at positions `offset` to `offset + limit` of the union of `spans` (sorted,
        disjoint), and the union's size."""
        total = sum(end - start for start, end in spans)
        chosen: list[int] = []
        skip = offset
        for start, end in spans:
            if len(chosen) >= limit:
                break
            size = end - start
            if skip >= size:
                skip -= size
                continue
            first = start + skip
            skip = 0
            last = min(end, first + limit - len(chosen))
            chosen.extend(key[1] for key in self._keys[first:last])
        return chosen, total

    def __len__(self) -> int:
        return len(self._keys)


# -- filter groups as ranges -------------------------------------------------------------

Bounds = tuple[float, float]
"""An inclusive range of one property's values (-inf/inf for open ends)."""


def _tighten(bounds: Bounds, operator: str, value: float, high: float | None) -> Bounds | None:
    low, top = bounds
    if operator == "EQ":
        low, top = max(low, value), min(top, value)
    elif operator == "GT":
        low = max(low, math.floor(value) + 1)
    elif operator == "GTE":
        low = max(low, math.ceil(value))
    elif operator == "LT":
        top = min(top, math.ceil(value) - 1)
    elif operator == "LTE":
        top = min(top, math.floor(value))
    elif operator == "BETWEEN" and high is not None:
        low, top = max(low, math.ceil(value)), min(top, math.floor(high))
    else:
        return None
    return low, top


RangeFilter = tuple[str, str, float, float | None]
"""(property, operator, value, high value for BETWEEN), values as numbers."""


def group_key_range(
    filters: list[RangeFilter], modified: str, record_id: str
) -> tuple[Key, Key] | bool | None:
    """One filter group as a key range: the range, False when it matches nothing, None when it
    is not one range in (modified, id) order."""
    everything: Bounds = (-math.inf, math.inf)
    bounds = {modified: everything, record_id: everything}
    for name, operator, value, high in filters:
        tightened = _tighten(bounds[name], operator, value, high)
        if tightened is None:
            return None
        bounds[name] = tightened
    (m_low, m_high), (i_low, i_high) = bounds[modified], bounds[record_id]
    if m_low > m_high or i_low > i_high or (m_low == m_high and not float(m_low).is_integer()):
        return False
    ids_open = i_low == -math.inf and i_high == math.inf
    if m_low != m_high and not ids_open:
        return None
    low_id = LOWEST_ID if i_low == -math.inf else int(i_low)
    high_id = HIGHEST_ID if i_high == math.inf else int(i_high)
    low_m = EVERY_KEY[0][0] if m_low == -math.inf else int(m_low)
    high_m = EVERY_KEY[1][0] if m_high == math.inf else int(m_high)
    return (low_m, low_id), (high_m, high_id)


def union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Position ranges merged into sorted disjoint ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
