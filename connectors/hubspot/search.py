"""Every company modified since a position, exactly once, in a bounded number of searches.

HubSpot's search is the only endpoint that filters on `hs_lastmodifieddate`, and it is hemmed in:
one sort rule per request, 200 results a page, never past the 10,000th result of a query, up to
5 filter groups (ORed) of up to 10 filters (ANDed), and records sharing a timestamp come in no
guaranteed order (https://developers.hubspot.com/docs/api-reference/search/guide#limitations;
https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api).

So the walk never pages by offset. It keeps a frontier in (modified, id) order and every request
asks for what lies beyond it (a keyset walk), sorted by `hs_lastmodifieddate` ascending:
`hs_lastmodifieddate >= t` while only some ids at `t` are known (those are skipped), or
`(hs_lastmodifieddate = t AND hs_object_id > id) OR hs_lastmodifieddate > t` once every company
at `t` up to `id` is read. No query reaches the 10,000 cap, and a record changed during the walk
cannot shift the records behind it out of a page (it moves to the end, where the walk meets it
again with its new values). When a page's worth of companies share one timestamp the sort cannot
get past it, so the walk goes through that timestamp alone by id (`hs_lastmodifieddate = t AND
hs_object_id > last_id` sorted by `hs_object_id`), for any number of companies stamped with one
identical time (a bulk edit or import).

Resuming from `(t, id)` with a lookback asks for `(= t AND id > last) OR > t` and, as a third
filter group of the same request, `t - lookback <= hs_lastmodifieddate < t`: search is eventually
consistent (a write shows in search seconds later), so the companies just before the position
are read again, and a run with nothing new costs one search.

Progress: every search must return a company beyond the frontier that the walk has not read, or
be the last (short) page. An answer that does neither (HubSpot answering the EQ and the range
filters of one timestamp inconsistently would otherwise send the walk round in circles) ends the
walk with a `stalled` page saying why; the connector then lists the window instead. Records an
answer holds that are not beyond the frontier are left out.

Positions (`ChangedPage.modified_ms`, `last_id`): `(t, id)` means every company at or before
`(t, id)` in (modified, id) order has been read; `(t, None)` means every company modified before
`t` has been read. Mid-walk pages of the modified-sorted walk give `(t, None)` (ties at `t` may
still follow); pages of a walk by id, and the last page once it has seen every company at its
last timestamp, give `(t, id)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors.hubspot.records import epoch_ms, modified_at
from connectors.hubspot.settings import ID_PROPERTY, MODIFIED_PROPERTY, SOURCE
from territory_sync.errors import CrmRequestError
from territory_sync.times import from_epoch_ms

Company = dict[str, Any]
Filter = dict[str, str]
FilterGroups = list[list[Filter]]
SearchPage = Callable[[FilterGroups, str], list[Company]]
"""Run one search: (filter groups, ORed, each a list of filters ANDed; property to sort ascending
on) -> the first page of results (at most `page_limit`), always from the first result."""


@dataclass(frozen=True)
class ChangedPage:
    companies: list[Company]
    modified_ms: int | None
    """Where the walk stands after this page: None when it has read nothing yet."""
    last_id: str | None
    """With `modified_ms`: every company at or before (modified_ms, last_id) is read. None: every
    company modified before `modified_ms` is read; some at `modified_ms` may still follow."""
    final: bool = False
    stalled: str | None = None
    """Set on the walk's last page when a search made no progress: what it answered, and why the
    walk cannot go on by search. The window must then be read another way."""


def _filter(name: str, operator: str, value: int) -> Filter:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def _stamp(company: Company) -> int:
    moment = modified_at(company)
    if moment is None:
        raise CrmRequestError(
            f"company {company.get('id')} came back from search without {MODIFIED_PROPERTY}",
            crm=SOURCE,
        )
    return epoch_ms(moment)


def _id(company: Company) -> int:
    return int(str(company["id"]))


@dataclass
class _Frontier:
    """How far the walk has read, in (modified, id) order."""

    stamp: int
    after_id: int | None = None
    """Every company at `stamp` up to this id is read (None: none known that way)."""
    seen: set[int] = field(default_factory=set)
    """Other ids at `stamp` already read."""
    hole: tuple[int, int] | None = None
    """The resume position `(t, id)` while the walk is still below `t` (re-reading the lookback):
    companies at `t` up to `id` were read by an earlier run and are not asked for again."""

    def is_beyond(self, company: Company) -> bool:
        stamp, record_id = _stamp(company), _id(company)
        if stamp < self.stamp:
            return False
        if stamp == self.stamp:
            return (self.after_id is None or record_id > self.after_id) and (
                record_id not in self.seen
            )
        if self.hole is not None:
            hole_stamp, hole_id = self.hole
            return not (stamp == hole_stamp and record_id <= hole_id)
        return True

    def groups(self) -> FilterGroups:
        """Every company beyond the frontier (and outside the hole), as filter groups."""
        groups: FilterGroups = []
        lower = "GTE"
        if self.after_id is not None:
            groups.append(
                [
                    _filter(MODIFIED_PROPERTY, "EQ", self.stamp),
                    _filter(ID_PROPERTY, "GT", self.after_id),
                ]
            )
            lower = "GT"
        if self.hole is None:
            groups.append([_filter(MODIFIED_PROPERTY, lower, self.stamp)])
            return groups
        hole_stamp, hole_id = self.hole
        groups.append(
            [
                _filter(MODIFIED_PROPERTY, lower, self.stamp),
                _filter(MODIFIED_PROPERTY, "LT", hole_stamp),
            ]
        )
        groups.append(
            [_filter(MODIFIED_PROPERTY, "EQ", hole_stamp), _filter(ID_PROPERTY, "GT", hole_id)]
        )
        groups.append([_filter(MODIFIED_PROPERTY, "GT", hole_stamp)])
        return groups

    def read(self, companies: list[Company]) -> None:
        """Move past `companies` (all beyond the frontier, in modified order as answered)."""
        top = max(_stamp(c) for c in companies)
        if top > self.stamp:
            self.stamp, self.after_id, self.seen = top, None, set()
            if self.hole is not None and top >= self.hole[0]:
                if top == self.hole[0]:
                    self.after_id = self.hole[1]
                self.hole = None
        self.seen.update(_id(c) for c in companies if _stamp(c) == top)

    def known_ids(self) -> int:
        return len(self.seen)

    def highest_id(self) -> int | None:
        """The highest id read at `stamp`; exact only once every company at `stamp` is read."""
        candidates = [*self.seen, *([] if self.after_id is None else [self.after_id])]
        return max(candidates) if candidates else None


def _described(groups: FilterGroups) -> str:
    return " OR ".join(
        "(" + " AND ".join(f"{f['propertyName']} {f['operator']} {f['value']}" for f in g) + ")"
        for g in groups
    )


def _walk_one_timestamp(
    search: SearchPage, frontier: _Frontier, *, page_limit: int
) -> Iterator[ChangedPage]:
    """Companies modified exactly at the frontier's timestamp, in id order from its `after_id`
    on, leaving out those already seen; ends with the frontier at `(stamp, highest id)`."""
    stamp, cursor = frontier.stamp, frontier.after_id
    while True:
        filters = [_filter(MODIFIED_PROPERTY, "EQ", stamp)]
        if cursor is not None:
            filters.append(_filter(ID_PROPERTY, "GT", cursor))
        results = search([filters], ID_PROPERTY)
        advanced = [c for c in results if cursor is None or _id(c) > cursor]
        last_page = len(results) < page_limit
        if not advanced and not last_page:
            yield _stall([filters], ID_PROPERTY, len(results), stamp, cursor)
            return
        if advanced:
            cursor = max(_id(c) for c in advanced)
            fresh = [c for c in advanced if _id(c) not in frontier.seen]
            if fresh:
                yield ChangedPage(fresh, stamp, str(cursor))
        if last_page:
            highest = frontier.highest_id()
            if cursor is not None:
                highest = cursor if highest is None else max(highest, cursor)
            frontier.after_id, frontier.seen = highest, set()
            return


def _stall(
    groups: FilterGroups, sort: str, answered: int, stamp: int, after_id: int | None
) -> ChangedPage:
    moment = from_epoch_ms(stamp).isoformat(timespec="milliseconds")
    frontier = f"hs_lastmodifieddate {stamp} ({moment})" + (
        "" if after_id is None else f", hs_object_id {after_id}"
    )
    reason = (
        f"search answered {_described(groups)} sorted by {sort} with a full page of {answered} "
        f"companies and none beyond {frontier} that had not been read: it answers the filters "
        "of this timestamp inconsistently"
    )
    return ChangedPage([], None, None, stalled=reason)


def walk_changes(
    search: SearchPage,
    since_ms: int,
    *,
    after_id: str | None = None,
    lookback_ms: int = 0,
    page_limit: int,
) -> Iterator[ChangedPage]:
    """Every company beyond `(since_ms, after_id)` in (modified, id) order, and every one modified
    in the `lookback_ms` before `since_ms`, oldest first, each once.

    The last page is marked `final`, empty if the last request found nothing new; or, when a
    search made no progress, the last page is empty and `stalled` says why (see the module
    docstring)."""
    frontier = _Frontier(since_ms - max(lookback_ms, 0))
    if after_id is not None:
        if lookback_ms > 0:
            frontier.hole = (since_ms, int(after_id))
        else:
            frontier.after_id = int(after_id)
    read_any = False
    while True:
        groups = frontier.groups()
        results = search(groups, MODIFIED_PROPERTY)
        fresh = [c for c in results if frontier.is_beyond(c)]
        last_page = len(results) < page_limit
        if not fresh and not last_page:
            yield _stall(groups, MODIFIED_PROPERTY, len(results), frontier.stamp, frontier.after_id)
            return
        if fresh:
            frontier.read(fresh)
            read_any = True
        if last_page:
            # Every company beyond the frontier was on this page: all at its stamp are read.
            highest = frontier.highest_id() if read_any else None
            yield ChangedPage(
                fresh,
                frontier.stamp if read_any else None,
                None if highest is None else str(highest),
                final=True,
            )
            return
        yield ChangedPage(fresh, frontier.stamp, None)
        if frontier.known_ids() >= page_limit:
            # A page's worth at one timestamp: the sort cannot get past it; walk it by id.
            for page in _walk_one_timestamp(search, frontier, page_limit=page_limit):
                yield page
                if page.stalled is not None:
                    return
