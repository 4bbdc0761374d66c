"""REST query paging: the first page, the query locators, and the pages that follow.

A locator keeps only the ordered list of matching record references, a consistent snapshot of
membership taken when the query ran; field values are rendered when each page is fetched, so a
record changed between pages shows its new values (Salesforce does not promise either way). As in
Salesforce, a user has at most 10 open cursors and opening another releases the oldest; a released
locator answers 400 INVALID_QUERY_LOCATOR. A locator read to its end stays open (so a page lost in
transit can be fetched again) until newer cursors push it out.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query_more_results.htm
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sandbox.ids import QUERY_LOCATOR_PREFIX, salesforce_id
from sandbox.salesforce.errors import SalesforceApiError
from sandbox.salesforce.fields import json_record_encoder
from sandbox.salesforce.query_plan import QueryPlan
from sandbox.salesforce.settings import OPEN_QUERY_CURSORS_MAX


@dataclass
class QueryCursor:
    locator: str
    plan: QueryPlan
    rows: list[Any]
    page_size: int
    endpoint: str
    """`query` or `queryAll`: the resource the nextRecordsUrl points back to."""


class QueryCursorStore:
    """The open query locators of the org, oldest first."""

    def __init__(self, capacity: int = OPEN_QUERY_CURSORS_MAX) -> None:
        self.capacity = capacity
        self._cursors: OrderedDict[str, QueryCursor] = OrderedDict()
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._cursors)

    def open(self, plan: QueryPlan, rows: list[Any], page_size: int, endpoint: str) -> QueryCursor:
        self._sequence += 1
        cursor = QueryCursor(
            salesforce_id(QUERY_LOCATOR_PREFIX, self._sequence), plan, rows, page_size, endpoint
        )
        self._cursors[cursor.locator] = cursor
        while len(self._cursors) > self.capacity:
            self._cursors.popitem(last=False)
        return cursor

    def get(self, locator: str) -> QueryCursor | None:
        return self._cursors.get(locator)


def _page_json(
    plan: QueryPlan,
    rows: list[Any],
    start: int,
    page_size: int,
    version: str,
    next_url: str | None,
) -> str:
    """The page as JSON text: `totalSize`, `done`, `nextRecordsUrl` when more, `records`."""
    encode = json_record_encoder(plan.sobject, plan.fields, version)
    records = ",".join([encode(record) for record in rows[start : start + page_size]])
    head: dict[str, object] = {"totalSize": len(rows), "done": next_url is None}
    if next_url is not None:
        head["nextRecordsUrl"] = next_url
    return json.dumps(head, separators=(",", ":"))[:-1] + f',"records":[{records}]}}'


def first_page(
    store: QueryCursorStore,
    plan: QueryPlan,
    rows: list[Any],
    *,
    page_size: int,
    version: str,
    endpoint: str,
) -> str:
    """The query resource's answer: `totalSize`, `done`, `nextRecordsUrl` when more, `records`."""
    if plan.count_only:
        return json.dumps({"totalSize": len(rows), "done": True, "records": []})
    next_url = None
    if len(rows) > page_size:
        cursor = store.open(plan, rows, page_size, endpoint)
        next_url = f"/services/data/v{version}/{endpoint}/{cursor.locator}-{page_size}"
    return _page_json(plan, rows, 0, page_size, version, next_url)


def invalid_locator() -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "INVALID_QUERY_LOCATOR",
        "invalid query locator: it was never issued or was released because more than 10 cursors "
        "were opened since; run the query again",
    )


def next_page(
    store: QueryCursorStore, locator_text: str, *, version: str, page_size: int | None
) -> str:
    """The page behind `01g...-2000` (locator, then the offset of the page's first record)."""
    locator, _, offset_text = locator_text.rpartition("-")
    cursor = store.get(locator)
    if cursor is None or not offset_text.isdigit():
        raise invalid_locator()
    start = int(offset_text)
    size = page_size or cursor.page_size
    end = start + size
    next_url = None
    if end < len(cursor.rows):
        next_url = f"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}"
    return _page_json(cursor.plan, cursor.rows, start, size, version, next_url)
