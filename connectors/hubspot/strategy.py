"""Which way an incremental pull reads its changes: the search walk or a list of every company.

Search is held to 5 requests a second per account at 200 results a page
(https://developers.hubspot.com/docs/api-reference/search/guide#limitations); the list endpoint
to the burst window, 190 requests per 10 s for a private app, at 100 a page
(https://developers.hubspot.com/changelog/increasing-our-api-limits). When a large share of the
portal changed (a bulk edit, an import, a territory realignment), listing every company and
keeping the changed ones is the faster read: 100,000 changes of 150,000 companies take 500
searches (100 s at 5 a second) but 1,500 list pages (about 80 s at 19 a second).

The walk's first answer says how many companies changed (`total`); the caller says how many the
portal holds (the store's count; the larger of the two is taken, since every change is a live
company). Each way's seconds are its remaining calls at its rate; the faster one is chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from connectors.hubspot.settings import LIST_PAGE_LIMIT, SEARCH_PAGE_LIMIT


@dataclass(frozen=True)
class PullEstimate:
    strategy: Literal["search", "list"]
    changes: int
    companies: int
    search_calls: int
    """Searches still to make after the first: one a full page of changes, and the last."""
    search_seconds: float
    list_calls: int
    list_seconds: float

    def as_fields(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "changes": self.changes,
            "companies": self.companies,
            "search_calls": self.search_calls,
            "search_seconds": round(self.search_seconds, 1),
            "list_calls": self.list_calls,
            "list_seconds": round(self.list_seconds, 1),
        }


def choose(
    changes: int,
    companies: int,
    *,
    searches_per_second: float,
    lists_per_second: float,
) -> PullEstimate:
    """The faster way to read `changes` companies (the first search's total, its first page
    already read) of a portal holding `companies`; search when the two are even."""
    companies = max(companies, changes)
    search_calls = changes // SEARCH_PAGE_LIMIT
    list_calls = max(1, math.ceil(companies / LIST_PAGE_LIMIT))
    search_seconds = search_calls / searches_per_second
    list_seconds = list_calls / lists_per_second
    strategy: Literal["search", "list"] = "list" if list_seconds < search_seconds else "search"
    return PullEstimate(
        strategy, changes, companies, search_calls, search_seconds, list_calls, list_seconds
    )
