"""Every company modified since a moment, exactly once, whatever the size of the change set.

HubSpot's search is the only endpoint that filters on `hs_lastmodifieddate`, and it is hemmed in:
one sort rule per request, 200 results a page, never past the 10,000th result of a query, and
records sharing a timestamp come in no guaranteed order
(https://developers.hubspot.com/docs/api-reference/search/guide#limitations; team notes).

So the walk never pages by offset. Every request restarts the query from where the last one
ended (a keyset walk): `hs_lastmodifieddate >= t` sorted ascending, where `t` is the last
timestamp seen, skipping the ids already seen at `t`. No query ever reaches the 10,000 cap, and a
record changed during the walk cannot shift the records behind it out of a page (it moves to the
end, where the walk meets it again with its new values). When a whole page shares one timestamp
the walk cannot get past `t` that way, so it walks `t` alone by id: `hs_lastmodifieddate = t AND
hs_object_id > last_id` sorted by `hs_object_id`, then goes on with `hs_lastmodifieddate > t`.
That holds for any number of companies stamped with one identical time (a bulk edit or import).

Positions: inside the walk of one timestamp `(t, last_id)` is exact; elsewhere `(t, None)`
re-reads the companies at `t` on resume, which the store's idempotent upsert absorbs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from connectors.hubspot_records import epoch_ms, modified_at
from connectors.hubspot_settings import ID_PROPERTY, MODIFIED_PROPERTY, SOURCE
from territory_sync.errors import CrmRequestError

Company = dict[str, Any]
Filter = dict[str, str]
SearchPage = Callable[[list[Filter], str], list[Company]]
"""Run one search: (filters ANDed together, property to sort ascending on) -> the first page of
results (at most `page_limit`), always from the first result (never an offset)."""


@dataclass(frozen=True)
class ChangedPage:
    companies: list[Company]
    modified_ms: int | None
    """Where the walk stands after this page: None when it has read nothing yet."""
    last_id: str | None
    """Set inside the walk of the single timestamp `modified_ms`: ids up to it are done."""
    final: bool = False


def _filter(name: str, operator: str, value: int | str) -> Filter:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def _stamp(company: Company) -> int:
    moment = modified_at(company)
    if moment is None:
        raise CrmRequestError(
            f"company {company.get('id')} came back from search without {MODIFIED_PROPERTY}",
            crm=SOURCE,
        )
    return epoch_ms(moment)


def walk_one_timestamp(
    search: SearchPage,
    stamp_ms: int,
    *,
    after_id: str | None,
    already_seen: set[str],
    page_limit: int,
) -> Iterator[ChangedPage]:
    """Companies modified exactly at `stamp_ms`, in id order from `after_id` on, leaving out
    `already_seen`."""
    last_id = after_id
    while True:
        filters = [_filter(MODIFIED_PROPERTY, "EQ", stamp_ms)]
        if last_id is not None:
            filters.append(_filter(ID_PROPERTY, "GT", last_id))
        results = search(filters, ID_PROPERTY)
        if results:
            last_id = str(results[-1]["id"])
            fresh = [c for c in results if str(c["id"]) not in already_seen]
            if fresh:
                yield ChangedPage(fresh, stamp_ms, last_id)
        if len(results) < page_limit:
            return


def walk_changes(
    search: SearchPage,
    start_ms: int,
    *,
    resume_after_id: str | None = None,
    page_limit: int,
) -> Iterator[ChangedPage]:
    """Every company with `hs_lastmodifieddate >= start_ms`, oldest first, each once.

    `resume_after_id` resumes inside the walk of timestamp `start_ms` (companies at `start_ms`
    up to that id are done). The last page is marked `final`, empty if the last request found
    nothing new.
    """
    stamp = start_ms
    seen_at_stamp: set[str] = set()
    inclusive = True
    last_read: int | None = None
    if resume_after_id is not None:
        for page in walk_one_timestamp(
            search, stamp, after_id=resume_after_id, already_seen=set(), page_limit=page_limit
        ):
            last_read = stamp
            yield page
        inclusive = False
    while True:
        operator = "GTE" if inclusive else "GT"
        results = search([_filter(MODIFIED_PROPERTY, operator, stamp)], MODIFIED_PROPERTY)
        fresh = [c for c in results if not (str(c["id"]) in seen_at_stamp and _stamp(c) == stamp)]
        final = len(results) < page_limit
        if fresh:
            last_read = _stamp(fresh[-1])
        if fresh or final:
            yield ChangedPage(fresh, last_read, None, final=final)
        if final:
            return
        last_stamp = _stamp(results[-1])
        if inclusive and last_stamp == stamp:
            # A full page at one timestamp: the sort cannot get past it; walk it by id.
            seen_at_stamp.update(str(c["id"]) for c in results)
            for page in walk_one_timestamp(
                search, stamp, after_id=None, already_seen=seen_at_stamp, page_limit=page_limit
            ):
                last_read = stamp
                yield page
            inclusive, seen_at_stamp = False, set()
            continue
        # The page got past `stamp`: go on from the last timestamp it reached.
        stamp, inclusive = last_stamp, True
        seen_at_stamp = {str(c["id"]) for c in results if _stamp(c) == stamp}
