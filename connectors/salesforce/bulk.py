"""Large pulls through Bulk API 2.0 query jobs: create, poll, then read the CSV results in pages.

Above `salesforce.bulk_threshold` records a REST pull would cost one call per 2,000 records; a
Bulk query job answers 50,000 per results call. Each call (create, every poll, every results page)
goes through the connector's retrying, re-authenticating call like any other, over the same
session simple-salesforce uses. CSV values arrive as strings (empty means null); they are cut into
pages of `page_size` records as they are parsed, so memory holds one results page of bytes at most.

Bulk queries cannot ORDER BY, so no page but the last can say where the pull stands: pages carry
`position=None` and the last one carries the highest (SystemModstamp, Id) seen. A crash in the
middle of a Bulk pull therefore repeats the whole Bulk pull on the next run (nothing is lost; the
store's upsert absorbs the repeats).

Why these calls are made here and not by simple-salesforce's `bulk2` (simple_salesforce/bulk2.py,
1.12.10), whose job states, operations and page size this module does use:
- No timeout: `_Bulk2Client.create_job`, `get_job` and `get_query_results` send no `timeout`, so a
  stalled connection would hang the pull; every call here has the connector's timeout.
- One generator for the whole job: `SFBulk2Type.query` creates, waits and reads every page in one
  go, so a 503 or a 401 on one results page could only be recovered by a new job, and the token
  is the one `sf.bulk2` captured; here each call is retried (and re-authenticated) by itself.
- Waiting: `wait_for_job` sleeps with `time.sleep` for up to 24 hours; here the sleep and the
  clock are the connector's (tests do not wait) and a job is given up after an hour.
- Memory: the library hands each results page over as one decoded `str` (NUL bytes stripped).
  On `python -m bench salesforce_pull` (200,000 accounts, 50,000 a results page), the library's
  results calls, their pages read with `csv` over `io.StringIO`, peaked at 150 MiB in 4.2-4.4 s;
  decoding each page's bytes as it is parsed, as here, peaked at 95 MiB in 3.2-4.1 s (same job
  creation and polling, two runs each).
"""

from __future__ import annotations

import csv
import io
import itertools
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.bulk2 import ColumnDelimiter, LineEnding, Operation

from connectors.base import AccountPage, PullPosition, RawAccount
from connectors.errors import call_error
from connectors.retry import RetryPolicy, backoff_seconds
from connectors.salesforce.calls import CallSalesforce
from connectors.salesforce.errors import from_response, json_body
from connectors.salesforce.records import highest_position, raw_account
from connectors.salesforce.settings import (
    BULK_JOB_COMPLETE,
    BULK_JOB_FINISHED_BADLY,
    BULK_LAST_LOCATOR,
    BULK_LOCATOR_HEADER,
    BULK_MAX_POLL_INTERVAL_SECONDS,
    BULK_MAX_WAIT_SECONDS,
    BULK_RESULTS_PER_PAGE,
    SOURCE,
)

CSV_ACCEPT = "text/csv"


def _request(
    client: Salesforce,
    method: str,
    path: str,
    what: str,
    *,
    timeout: float,
    accept: str = "application/json",
    **kwargs: Any,
) -> requests.Response:
    headers = {
        "Authorization": f"Bearer {client.session_id}",
        "Accept": accept,
        "Content-Type": "application/json",
    }
    response = client.session.request(
        method, client.bulk2_url + path, headers=headers, timeout=timeout, **kwargs
    )
    if response.status_code >= 300:
        raise from_response(response, what)
    return response


class BulkAccountQuery:
    """One Bulk API 2.0 query job over Accounts, read as AccountPages."""

    def __init__(
        self,
        call: CallSalesforce,
        soql: str,
        *,
        include_deleted: bool,
        page_size: int,
        timeout: float,
        poll_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._call = call
        self._soql = soql
        self._operation = (Operation.query_all if include_deleted else Operation.query).value
        self._page_size = page_size
        self._timeout = timeout
        self._poll_seconds = poll_seconds
        self._sleep = sleep
        self._clock = clock

    def _create(self) -> str:
        body = {
            "operation": self._operation,
            "query": self._soql,
            "contentType": "CSV",
            "columnDelimiter": ColumnDelimiter.COMMA.value,
            "lineEnding": LineEnding.LF.value,
        }
        what = "Salesforce Bulk query job creation"

        def create(client: Salesforce) -> Any:
            return json_body(
                _request(client, "POST", "query", what, timeout=self._timeout, json=body), what
            )

        job = self._call("bulk-create", what, create)
        return str(job["id"])

    def _wait(self, job_id: str) -> None:
        what = f"Salesforce Bulk query job {job_id} status"

        def poll(client: Salesforce) -> Any:
            response = _request(client, "GET", f"query/{job_id}", what, timeout=self._timeout)
            return json_body(response, what)

        # Polls are spaced by the shared backoff, without jitter: the poll interval, doubling.
        spacing = RetryPolicy(
            initial_wait=self._poll_seconds, max_wait=BULK_MAX_POLL_INTERVAL_SECONDS, jitter=0
        )
        started = self._clock()
        for poll_number in itertools.count(1):
            self._sleep(backoff_seconds(spacing, poll_number))
            job = self._call("bulk-poll", what, poll)
            state = job.get("state")
            if state == BULK_JOB_COMPLETE:
                return
            if state in BULK_JOB_FINISHED_BADLY:
                reason = job.get("errorMessage") or "no reason given"
                raise call_error(
                    SOURCE,
                    None,
                    "BULK_JOB_FAILED",
                    f"Salesforce Bulk query job {job_id} ended {state}: {reason}",
                )
            if self._clock() - started > BULK_MAX_WAIT_SECONDS:
                raise call_error(
                    SOURCE,
                    None,
                    "BULK_JOB_TIMEOUT",
                    f"Salesforce Bulk query job {job_id} still {state} after "
                    f"{BULK_MAX_WAIT_SECONDS:.0f} s; try again later, or raise "
                    "[salesforce] bulk_threshold so this pull uses the REST API",
                )

    def _results(self, job_id: str) -> Iterator[bytes]:
        """The CSV bytes of each results page, fetched once the previous one is used up."""
        what = f"Salesforce Bulk query job {job_id} results"
        locator = ""
        while True:
            params: dict[str, str | int] = {"maxRecords": BULK_RESULTS_PER_PAGE}
            if locator:
                params["locator"] = locator

            def fetch(client: Salesforce, params: dict[str, str | int] = params) -> Any:
                response = _request(
                    client,
                    "GET",
                    f"query/{job_id}/results",
                    what,
                    timeout=self._timeout,
                    accept=CSV_ACCEPT,
                    params=params,
                )
                return response.content, response.headers.get(
                    BULK_LOCATOR_HEADER, BULK_LAST_LOCATOR
                )

            content, locator = self._call("bulk-results", what, fetch)
            yield content
            del content  # not held while the next page downloads
            if not locator or locator == BULK_LAST_LOCATOR:
                return

    def _records(self, job_id: str) -> Iterator[RawAccount]:
        for content in self._results(job_id):
            # Decoded a few kilobytes at a time rather than as one string of the whole page.
            text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8", newline="")
            del content
            reader = csv.reader(text)
            header = next(reader, None)
            for row in reader if header else ():
                yield raw_account(
                    {name: value or None for name, value in zip(header or (), row, strict=False)}
                )
            del reader, text

    def pages(self, since: PullPosition | None) -> Iterator[AccountPage]:
        """Pages of `page_size` records; the last one (final) carries the position."""
        job_id = self._create()
        self._wait(job_id)
        position = since
        pending: list[RawAccount] = []
        page: list[RawAccount] = []
        for record in self._records(job_id):
            page.append(record)
            if len(page) == self._page_size:
                if pending:
                    yield AccountPage(pending, None)
                position = highest_position(page, position)
                pending, page = page, []
        if page:
            if pending:
                yield AccountPage(pending, None)
            position = highest_position(page, position)
            pending = page
        yield AccountPage(pending, position, final=True)
