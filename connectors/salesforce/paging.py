"""REST query paging: the first page with `query`/`queryAll`, the rest through `nextRecordsUrl`.

Pages are fetched one at a time as the caller asks for them, so a pull of any size holds at most
two pages (the one being handed over and the next, whose first records decide the safe position
of the one before; see `connectors.salesforce.records`). Page size is asked for with
`Sforce-Query-Options: batchSize=N`; Salesforce may still send fewer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simple_salesforce.api import Salesforce

from connectors.base import AccountPage, PullPosition, RawAccount
from connectors.salesforce.calls import CallSalesforce
from connectors.salesforce.records import last_page_position, page_position, raw_account
from connectors.salesforce.settings import QUERY_OPTIONS_HEADER


class QueryPages:
    """Pages of one SOQL query, each a parsed JSON answer (`records`, `done`, `nextRecordsUrl`)."""

    def __init__(
        self,
        call: CallSalesforce,
        soql: str,
        *,
        include_deleted: bool,
        timeout: float,
        page_size: int | None = None,
        what: str = "Salesforce query",
    ) -> None:
        self._call = call
        self._soql = soql
        self._include_deleted = include_deleted
        self._timeout = timeout
        self._headers = {QUERY_OPTIONS_HEADER: f"batchSize={page_size}"} if page_size else {}
        self._what = what

    def _first(self, client: Salesforce) -> Any:
        return client.query(
            self._soql,
            include_deleted=self._include_deleted,
            headers=self._headers,
            timeout=self._timeout,
        )

    def __iter__(self) -> Iterator[Any]:
        kind = "query-all" if self._include_deleted else "query"
        body = self._call(kind, self._what, self._first)
        yield body
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            url = str(body["nextRecordsUrl"])

            def more(client: Salesforce, url: str = url) -> Any:
                return client.query_more(
                    url, identifier_is_url=True, headers=self._headers, timeout=self._timeout
                )

            body = self._call("query-more", f"{self._what} (next page)", more)
            yield body


def query_records(pages: QueryPages) -> Iterator[dict[str, Any]]:
    """Every record of the query, page after page, without their `attributes`."""
    for body in pages:
        for record in body.get("records", []):
            record.pop("attributes", None)
            yield record


def account_pages(pages: QueryPages, since: PullPosition | None) -> Iterator[AccountPage]:
    """The query's pages as AccountPages, each with the position safe to store after it."""
    floor = since
    pending: list[RawAccount] | None = None
    for body in pages:
        records = [raw_account(record) for record in body.get("records", [])]
        if pending is not None:
            position = page_position(pending, records, floor)
            yield AccountPage(pending, position)
            floor = position
        pending = records
    final = pending or []
    yield AccountPage(final, last_page_position(final, floor), final=True)
