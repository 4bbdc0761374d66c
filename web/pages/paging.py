"""Paging a long list of changes, and the counts that filter it.

A run's or a plan's changes are shown `CHANGES_PER_PAGE` at a time (`?page=N`), with the page's
place in the whole ("Showing 51-100 of 5,000") and links to the pages around it. Counts per
status and per territory are links that set that filter and keep the others (`Facet`). Every link
is built here, with its query string encoded, so a template only prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from web.errors import ApiError
from web.pages.display import number

CHANGES_PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_FACETS = 30
"""Territories shown as filter links; the rest are summed up in one line."""


@dataclass(frozen=True)
class Paging:
    """Page `page` (from 1) of `total` rows, `size` a page, at `path` with `filters` set."""

    path: str
    page: int
    total: int
    size: int = CHANGES_PER_PAGE
    filters: Mapping[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def showing(self) -> str:
        if self.total == 0:
            return "Nothing matches"
        last = min(self.offset + self.size, self.total)
        return f"Showing {number(self.offset + 1)}-{number(last)} of {number(self.total)}"

    def url(self, page: int = 1, changes: Mapping[str, str | None] | None = None) -> str:
        """This list's address at `page`, with `changes` to the filters (None removes one)."""
        params = {**self.filters, **(changes or {})}
        query = {name: value for name, value in params.items() if value}
        if page > 1:
            query["page"] = str(page)
        return self.path + (f"?{urlencode(query)}" if query else "")

    @property
    def previous_url(self) -> str | None:
        return self.url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page + 1) if self.page < self.pages else None

    @property
    def first_url(self) -> str | None:
        return self.url(1) if self.page > 2 else None

    @property
    def last_url(self) -> str | None:
        return self.url(self.pages) if self.page < self.pages - 1 else None


def paging(path: str, page: int, total: int, filters: Mapping[str, str | None]) -> Paging:
    """The paging of `total` rows at `page`; 404 for a page past the last one."""
    shown = Paging(path, page, total, filters={k: v for k, v in filters.items() if v})
    if page > shown.pages:
        raise ApiError(
            404,
            f"there is no page {number(page)} here: this list has {number(shown.pages)} "
            f"page{'s' if shown.pages != 1 else ''}; open page 1 at {shown.url(1)}",
        )
    return shown


@dataclass(frozen=True)
class Facet:
    """One count, as a link that filters the list to it (None: it cannot be filtered on)."""

    text: str
    count: str
    url: str | None
    active: bool


def facets(
    counts: Mapping[str, int],
    name: str,
    shown: Paging,
    words: Callable[[str], str],
    *,
    empty: str = "none",
) -> tuple[list[Facet], str | None]:
    """The counts of `counts` as links setting filter `name`, led by "All" (the filter off),
    most first, at most `MAX_FACETS`; and a line saying what the rest add up to, if any."""
    active = shown.filters.get(name)
    every = Facet("All", number(sum(counts.values())), shown.url(changes={name: None}), not active)
    listed = [
        Facet(
            words(value) if value else empty,
            number(count),
            shown.url(changes={name: value}) if value else None,
            value == active,
        )
        for value, count in list(counts.items())[:MAX_FACETS]
    ]
    rest = list(counts.values())[MAX_FACETS:]
    more = (
        f"and {number(len(rest))} more with {number(sum(rest))} in all: type one into the filter"
        if rest
        else None
    )
    return [every, *listed], more
