"""Bulk API 2.0 query jobs: create, poll, page through CSV results, abort, delete.

A job snapshots the matching record references when it is created (its membership), moves
UploadComplete -> InProgress -> JobComplete as it is polled, and serves CSV pages whose
`Sforce-Locator` header names the next page (the string `null` after the last one).
Salesforce documents GROUP BY, LIMIT, ORDER BY, OFFSET, TYPEOF and aggregate functions such as
COUNT() as unsupported in Bulk API 2.0 queries, so the emulator refuses them when the job is
created.
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_one_job.htm
https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.ids import BULK_JOB_PREFIX, salesforce_id
from sandbox.salesforce.errors import SalesforceApiError, not_found
from sandbox.salesforce.fields import csv_renderer, rest_datetime
from sandbox.salesforce.query_plan import QueryPlan, plan_query
from sandbox.salesforce.settings import (
    BULK_COLUMN_DELIMITERS,
    BULK_JOBS_KEPT,
    BULK_LINE_ENDINGS,
    BULK_RESULTS_DEFAULT_PAGE,
)

if TYPE_CHECKING:
    from sandbox.salesforce.org import SalesforceOrg

QUERY_OPERATIONS = ("query", "queryAll")


@dataclass
class BulkQueryJob:
    id: str
    operation: str
    plan: QueryPlan
    version: str
    created_by: str
    created_ms: int
    modified_ms: int
    column_delimiter: str
    line_ending: str
    rows: list[Any]
    """The matching records, fixed when the job was created."""
    state: str = "UploadComplete"
    polls: int = 0

    def info(self, *, detailed: bool) -> dict[str, object]:
        """The job JSON: the create response, or (detailed) the Get Job Info response."""
        body: dict[str, object] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.plan.sobject.name,
            "createdById": self.created_by,
            "createdDate": rest_datetime(self.created_ms),
            "systemModstamp": rest_datetime(self.modified_ms),
            "state": self.state,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
        }
        if detailed:
            body["jobType"] = "V2Query"
        body["lineEnding"] = self.line_ending
        body["columnDelimiter"] = self.column_delimiter
        if detailed:
            complete = self.state == "JobComplete"
            body["numberRecordsProcessed"] = len(self.rows) if complete else 0
            body["retries"] = 0
            body["totalProcessingTime"] = max(self.modified_ms - self.created_ms, 0)
        return body


class BulkJobStore:
    """The org's query jobs, oldest first; only the most recent BULK_JOBS_KEPT are kept."""

    def __init__(self, capacity: int = BULK_JOBS_KEPT) -> None:
        self.capacity = capacity
        self._jobs: OrderedDict[str, BulkQueryJob] = OrderedDict()
        self._sequence = 0

    def __len__(self) -> int:
        return len(self._jobs)

    @property
    def created(self) -> int:
        """How many jobs were ever created (for the DailyBulkV2QueryJobs limit)."""
        return self._sequence

    def all(self) -> list[BulkQueryJob]:
        return list(self._jobs.values())

    def next_id(self) -> str:
        self._sequence += 1
        return salesforce_id(BULK_JOB_PREFIX, self._sequence)

    def add(self, job: BulkQueryJob) -> None:
        self._jobs[job.id] = job
        while len(self._jobs) > self.capacity:
            self._jobs.popitem(last=False)

    def get(self, job_id: str) -> BulkQueryJob:
        job = self._jobs.get(job_id)
        if job is None:
            raise not_found()
        return job

    def remove(self, job_id: str) -> None:
        if self._jobs.pop(job_id, None) is None:
            raise not_found()


def _invalid_job(message: str) -> SalesforceApiError:
    return SalesforceApiError(400, "INVALIDJOB", message)


def create_query_job(org: SalesforceOrg, body: object, version: str) -> BulkQueryJob:
    if not isinstance(body, dict):
        raise _invalid_job("The request body must be a JSON object with `operation` and `query`.")
    operation = body.get("operation")
    if operation not in QUERY_OPERATIONS:
        raise _invalid_job(
            f"Invalid operation {operation!r}: a query job's operation is query or queryAll."
        )
    soql = body.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise _invalid_job("A query job needs a SOQL `query`.")
    delimiter = body.get("columnDelimiter", "COMMA")
    line_ending = body.get("lineEnding", "LF")
    if delimiter not in BULK_COLUMN_DELIMITERS:
        raise _invalid_job(
            f"Invalid columnDelimiter {delimiter!r}; use one of {sorted(BULK_COLUMN_DELIMITERS)}."
        )
    if line_ending not in BULK_LINE_ENDINGS:
        raise _invalid_job(f"Invalid lineEnding {line_ending!r}; use LF or CRLF.")
    plan = plan_query(soql)
    unsupported = [
        clause
        for clause, used in (
            ("COUNT()", plan.count_only),
            ("ORDER BY", bool(plan.order)),
            ("LIMIT", plan.limit is not None),
            ("OFFSET", plan.offset is not None),
        )
        if used
    ]
    if unsupported:
        raise _invalid_job(
            f"Bulk API 2.0 query jobs do not support {', '.join(unsupported)}; remove "
            f"{'it' if len(unsupported) == 1 else 'them'} and sort or count the results yourself."
        )
    with org.lock:
        rows = org.select(plan, include_deleted=operation == "queryAll")
        now = org.now_second_ms()
        job = BulkQueryJob(
            id=org.bulk_jobs.next_id(),
            operation=operation,
            plan=plan,
            version=version,
            created_by=org.integration_user_id,
            created_ms=now,
            modified_ms=now,
            column_delimiter=delimiter,
            line_ending=line_ending,
            rows=rows,
        )
        org.bulk_jobs.add(job)
    return job


def poll_query_job(org: SalesforceOrg, job_id: str) -> BulkQueryJob:
    """Get Job Info; each poll of an unfinished job moves it one step towards JobComplete."""
    with org.lock:
        job = org.bulk_jobs.get(job_id)
        if job.state in ("UploadComplete", "InProgress"):
            job.polls += 1
            if job.polls > org.config.bulk_polls_until_complete:
                job.state = "JobComplete"
            else:
                job.state = "InProgress"
            job.modified_ms = org.now_second_ms()
        return job


def abort_query_job(org: SalesforceOrg, job_id: str, body: object) -> BulkQueryJob:
    if not isinstance(body, dict) or body.get("state") != "Aborted":
        raise _invalid_job('To abort a query job, PATCH it with {"state": "Aborted"}.')
    with org.lock:
        job = org.bulk_jobs.get(job_id)
        if job.state == "JobComplete":
            raise SalesforceApiError(
                400, "INVALIDSTATUS", "The job is already JobComplete and cannot be aborted."
            )
        job.state = "Aborted"
        job.modified_ms = org.now_second_ms()
        return job


def encode_locator(offset: int) -> str:
    """Result locators are opaque strings; Salesforce's look like base64 of the offset
    (`MTAwMDA` for 10000), so the emulator makes them the same way."""
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_locator(locator) from exc
    if not text.isdigit():
        raise _invalid_locator(locator)
    return int(text)


def _invalid_locator(locator: str) -> SalesforceApiError:
    return SalesforceApiError(
        400,
        "INVALIDLOCATOR",
        f"Invalid locator {locator!r}: pass the Sforce-Locator value of the previous page.",
    )


@dataclass(frozen=True)
class ResultsPage:
    csv_text: str
    number_of_records: int
    next_locator: str
    """The next page's locator, or the string `null` after the last page."""


def query_job_results(
    org: SalesforceOrg, job_id: str, locator: str | None, max_records: str | None
) -> ResultsPage:
    with org.lock:
        job = org.bulk_jobs.get(job_id)
        if job.state != "JobComplete":
            raise _invalid_job(
                f"The job is {job.state}, not JobComplete: poll GET /jobs/query/{job_id} until "
                "its state is JobComplete, then fetch the results."
            )
        start = decode_locator(locator) if locator else 0
        page_size = BULK_RESULTS_DEFAULT_PAGE
        if max_records:
            if not max_records.isdigit() or int(max_records) <= 0:
                raise _invalid_job(
                    f"maxRecords must be a positive whole number, got {max_records!r}."
                )
            page_size = int(max_records)
        page = job.rows[start : start + page_size]
        end = start + len(page)
        specs = job.plan.fields
        buffer = io.StringIO()
        writer = csv.writer(
            buffer,
            delimiter=BULK_COLUMN_DELIMITERS[job.column_delimiter],
            lineterminator=BULK_LINE_ENDINGS[job.line_ending],
            quoting=csv.QUOTE_ALL,
        )
        writer.writerow([spec.name for spec in specs])
        render = csv_renderer(specs)
        writer.writerows(render(record) for record in page)
        next_locator = encode_locator(end) if end < len(job.rows) else "null"
        return ResultsPage(buffer.getvalue(), len(page), next_locator)
