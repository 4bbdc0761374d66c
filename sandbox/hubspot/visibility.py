"""The lag between a write and its appearance in HubSpot search (eventual consistency).

HubSpot search is served from an index that catches up a few seconds after a write
("changes made by other API calls will take several seconds to propagate to the search
indexing": https://docs.locoia.com/connectors/connectors/hubspot). HubSpot documents no figure
for the lag, so the emulator's delay is configurable (`search_delay_s`). A sync
that writes and then searches for its own writes must cope with that, so the portal keeps, for
each record written within the last `delay`, the state the index still shows, and serves search
from it until the delay has passed. Only records with a pending change cost memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.hubspot.properties import SearchOverride
from sandbox.hubspot.records import CrmRecord


@dataclass(frozen=True, slots=True)
class IndexedState:
    """What search still shows for one record."""

    modified_ms: int
    owner_id: str | None
    searchable: bool
    """False for a record the index does not list yet (new) or any more (archived)."""
    visible_at_ms: int
    """When the live record becomes what search shows."""

    def override(self) -> SearchOverride:
        return SearchOverride(self.modified_ms, self.owner_id)


class SearchIndexLag:
    """Per-record indexed states for records changed less than `delay` ago."""

    def __init__(self) -> None:
        self._pending: dict[str, IndexedState] = {}

    def before_change(
        self, account: CrmRecord, now_ms: int, delay_ms: int, *, is_new: bool = False
    ) -> None:
        """Call before mutating `account`: remembers what the index shows until now + delay."""
        self.remember(
            account.crm_id,
            account.modified_ms,
            account.owner_id,
            not is_new and not account.deleted,
            now_ms,
            delay_ms,
        )

    def remember(
        self,
        record_id: str,
        modified_ms: int,
        owner_id: str | None,
        searchable: bool,
        now_ms: int,
        delay_ms: int,
    ) -> None:
        """Record that `record_id` changed at `now_ms`; until now + delay, search shows the given
        (pre-change) state, or the oldest state not yet indexed if it changed before."""
        if delay_ms <= 0:
            return
        visible_at = now_ms + delay_ms
        previous = self._pending.get(record_id)
        if previous is not None and previous.visible_at_ms > now_ms:
            # Still catching up: the index shows the older state until the latest write lands.
            self._pending[record_id] = IndexedState(
                previous.modified_ms, previous.owner_id, previous.searchable, visible_at
            )
            return
        self._pending[record_id] = IndexedState(modified_ms, owner_id, searchable, visible_at)

    def expire(self, now_ms: int) -> list[str]:
        """Forget states whose delay has passed: search then shows the live record. Returns the
        ids of those records."""
        if not self._pending:
            return []
        done = [key for key, state in self._pending.items() if state.visible_at_ms <= now_ms]
        for key in done:
            del self._pending[key]
        return done

    def pending(self) -> dict[str, IndexedState]:
        return self._pending

    def next_change_ms(self) -> int | None:
        """The earliest time at which what search shows changes by itself."""
        if not self._pending:
            return None
        return min(state.visible_at_ms for state in self._pending.values())

    def __len__(self) -> int:
        return len(self._pending)
