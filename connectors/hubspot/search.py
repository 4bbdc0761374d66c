"""Every company modified since a position, exactly once, in a bounded number of searches.

HubSpot's search is the only endpoint that filters on `hs_lastmodifieddate`, and it is hemmed in:
one sort rule per request, 200 results a page, never past the 10,000th result of a query, up to
5 filter groups (ORed) of up to 10 filters (ANDed), and records sharing a timestamp come in no
guaranteed order (https://developers.hubspot.com/docs/api-reference/search/guide#limitations;
https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api).

So the walk never pages by offset. It keeps a frontier `(t, id)` in (modified, id) order and
every request asks for what lies beyond it (a keyset walk), sorted by `hs_lastmodifieddate`
ascending: `(hs_lastmodifieddate = t AND hs_object_id > id) OR hs_lastmodifieddate > t`, or
`hs_lastmodifieddate >= t` before anything at `t` is read. No query reaches the 10,000 cap, a
record changed during the walk cannot shift the records behind it out of a page (it moves to
the end, where the walk meets it again with its new values), and a page of 200 gives 200 new
companies however many share a timestamp (a bulk edit or import stamps thousands with one).

Ties: HubSpot takes one sort rule per request and documents no order for records sharing a
timestamp, so a page that ends inside a run of ties may hold any of them, not the lowest ids.
The walk moves on after the highest id it read at the page's last timestamp `t` anyway, and
checks the move with the next answer's `total`: what lies beyond the new frontier must be what
lay beyond the old one less the page. When fewer remain, companies at `t` below that id were
passed over, and the walk reads them by id (`hs_lastmodifieddate = t AND low < hs_object_id <
high`, sorted by `hs_object_id`, which has no ties) before going on. The emulator answers ties
in id order, and then nothing is passed over. The count cannot see everything: a company that
comes into search between two requests (a write during the walk) can hide a passed-over one, so
with ties out of id order a concurrent write may cost a company until the next full pull.

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
`t` has been read. A page is handed out once the next answer has confirmed it (so a stopped pull
resumes right after it): with `(t, id)`, its last timestamp and highest id, or `(t, None)` when
companies at `t` were passed over (the pages that read them by id then give `(t, id)`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from connectors.hubspot.records import epoch_ms, modified_at
from connectors.hubspot.settings import ID_PROPERTY, MODIFIED_PROPERTY, SOURCE
from territory_sync.errors import CrmRequestError
from territory_sync.times import from_epoch_ms

Company = dict[str, Any]
Filter = dict[str, str]
FilterGroups = list[list[Filter]]


@dataclass(frozen=True)
class SearchAnswer:
    companies: list[Company]
    """The first page of results (at most `page_limit`), always from the first result."""
    total: int | None
    """How many companies match the request in all; None when the answer does not say."""


SearchPage = Callable[[FilterGroups, str], SearchAnswer]
"""Run one search: (filter groups, ORed, each a list of filters ANDed; property to sort ascending
on) -> its answer."""


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


@dataclass(frozen=True)
class _Jump:
    """A move of the frontier past the highest id read at `stamp`, to check with the next
    answer: companies at `stamp` with ids strictly between `low` and `high` that are not in
    `read` may have been passed over."""

    stamp: int
    low: int | None
    high: int
    read: frozenset[int]
    remaining: int | None
    """How many companies lie beyond the new frontier if none was passed over."""

    def passed_over(self, total: int | None) -> bool:
        return self.remaining is None or total is None or total < self.remaining


@dataclass
class _Frontier:
    """How far the walk has read, in (modified, id) order."""

    stamp: int
    after_id: int | None = None
    """Every company at `stamp` up to this id is read (None: none at `stamp` yet)."""
    hole: tuple[int, int] | None = None
    """The resume position `(t, id)` while the walk is still below `t` (re-reading the lookback):
    companies at `t` up to `id` were read by an earlier run and are not asked for again."""

    def is_beyond(self, company: Company) -> bool:
        stamp, record_id = _stamp(company), _id(company)
        if stamp < self.stamp:
            return False
        if stamp == self.stamp:
            return self.after_id is None or record_id > self.after_id
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

    def read(self, companies: list[Company], total: int | None) -> _Jump:
        """Move past `companies` (all beyond the frontier, in modified order as answered, from
        an answer counting `total` matches) to the highest id read at their last timestamp."""
        top = max(_stamp(c) for c in companies)
        at_top = frozenset(_id(c) for c in companies if _stamp(c) == top)
        low = self.after_id
        if top > self.stamp:
            low = None
            if self.hole is not None and top >= self.hole[0]:
                if top == self.hole[0]:
                    low = self.hole[1]
                self.hole = None
            self.stamp = top
        self.after_id = max(at_top) if low is None else max(low, *at_top)
        remaining = None if total is None else total - len(companies)
        return _Jump(top, low, self.after_id, at_top, remaining)


def _described(groups: FilterGroups) -> str:
    return " OR ".join(
        "(" + " AND ".join(f"{f['propertyName']} {f['operator']} {f['value']}" for f in g) + ")"
        for g in groups
    )


def _read_passed_over(search: SearchPage, jump: _Jump, *, page_limit: int) -> Iterator[ChangedPage]:
    """Companies at the jump's timestamp between its `low` and `high` ids, in id order, leaving
    out those read; ends with a `stalled` page if a search by id makes no progress."""
    cursor = jump.low
    while True:
        filters = [_filter(MODIFIED_PROPERTY, "EQ", jump.stamp)]
        if cursor is not None:
            filters.append(_filter(ID_PROPERTY, "GT", cursor))
        filters.append(_filter(ID_PROPERTY, "LT", jump.high))
        results = search([filters], ID_PROPERTY).companies
        advanced = [c for c in results if cursor is None or _id(c) > cursor]
        advanced = [c for c in advanced if _id(c) < jump.high and _stamp(c) == jump.stamp]
        last_page = len(results) < page_limit
        if not advanced and not last_page:
            yield _stall([filters], ID_PROPERTY, len(results), jump.stamp, cursor)
            return
        if advanced:
            cursor = max(_id(c) for c in advanced)
            fresh = [c for c in advanced if _id(c) not in jump.read]
            if fresh:
                yield ChangedPage(fresh, jump.stamp, str(cursor))
        if last_page:
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
    go_on: Callable[[int | None], bool] = lambda total: True,
) -> Generator[ChangedPage, None, None]:
    """Every company beyond `(since_ms, after_id)` in (modified, id) order, and every one modified
    in the `lookback_ms` before `since_ms`, oldest first (companies passed over inside a run of
    ties come later, see the module docstring), each once.

    The last page is marked `final`, empty if the last request found nothing new; or, when a
    search made no progress, the last page is empty and `stalled` says why (see the module
    docstring). `go_on` is asked with the first answer's total before anything is read: False
    ends the walk there, with no page (the caller reads the window another way)."""
    frontier = _Frontier(since_ms - max(lookback_ms, 0))
    if after_id is not None:
        if lookback_ms > 0:
            frontier.hole = (since_ms, int(after_id))
        else:
            frontier.after_id = int(after_id)
    read_any = False
    held: tuple[list[Company], _Jump] | None = None
    """A page read but not handed out: the next answer tells how far it reaches."""
    while True:
        groups = frontier.groups()
        answer = search(groups, MODIFIED_PROPERTY)
        if not read_any and held is None and not go_on(answer.total):
            return
        if held is not None:
            companies, jump = held
            held = None
            if not jump.passed_over(answer.total):
                yield ChangedPage(companies, jump.stamp, str(jump.high))
            else:
                yield ChangedPage(companies, jump.stamp, None)
                for page in _read_passed_over(search, jump, page_limit=page_limit):
                    yield page
                    if page.stalled is not None:
                        return
        results = answer.companies
        fresh = [c for c in results if frontier.is_beyond(c)]
        last_page = len(results) < page_limit
        if not fresh and not last_page:
            yield _stall(groups, MODIFIED_PROPERTY, len(results), frontier.stamp, frontier.after_id)
            return
        moved = frontier.read(fresh, answer.total) if fresh else None
        read_any = read_any or bool(fresh)
        if last_page or moved is None:
            # Every company beyond the frontier was on this page: all at its stamp are read.
            yield ChangedPage(
                fresh,
                frontier.stamp if read_any else None,
                None if not read_any or frontier.after_id is None else str(frontier.after_id),
                final=True,
            )
            return
        held = (fresh, moved)
