"""The Starlette app serving the emulated org over HTTP, as simple-salesforce expects to find it.

Every data call (`/services/data/vNN.N/...`) goes through the same gate, in Salesforce's order:
version (404 NOT_FOUND), bearer token (401 INVALID_SESSION_ID, a JSON list simple-salesforce reads
`[0]` of), daily allocation (403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded."), injected
faults (403 "ConcurrentPerOrgLongTxn Limit exceeded.", 503 SERVER_UNAVAILABLE), then the call is
counted and served. Authenticated responses carry `Sforce-Limit-Info: api-usage=n/m`
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm).
A refused call changes nothing and is not counted; every call, refused or not, is in the request
log.

A call struck by an after-write fault (`applied_5xx`, `applied_drop`, `applied_timeout`, from the
profile for writes or from a schedule for any kind) is served and counted in full first; then its
answer becomes a 503 SERVER_UNAVAILABLE, a dropped connection, or a stall. Person edits a schedule
asks for are made as soon as the answer is ready, before it is sent, held back or lost, so the
client's next call always finds them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from sandbox.fault_schedule import NO_FAULT, FaultDecision, request_identity
from sandbox.lost_answers import DroppedAnswer, hold_back
from sandbox.salesforce import bulk
from sandbox.salesforce.auth import grant_token
from sandbox.salesforce.control import control_routes
from sandbox.salesforce.cursors import first_page, next_page
from sandbox.salesforce.describe import describe_sobject
from sandbox.salesforce.errors import (
    OAuthError,
    SalesforceApiError,
    concurrent_limit_exceeded,
    daily_limit_exceeded,
    json_parser_error,
    method_not_allowed,
    not_found,
    server_unavailable,
    session_invalid,
)
from sandbox.salesforce.fields import eighteen_character_id, json_record_encoder
from sandbox.salesforce.org import SalesforceOrg
from sandbox.salesforce.query_plan import plan_query
from sandbox.salesforce.settings import (
    API_VERSIONS,
    BULK_QUERY_JOBS_PER_DAY,
    BULK_QUERY_STORAGE_MB,
    QUERY_PAGE_MAX,
    QUERY_PAGE_MIN,
)
from sandbox.salesforce.sobjects import sobject_named
from sandbox.salesforce.updates import auto_assign_enabled, records_named, update_collection

_ALL_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"]
_JSON = "application/json;charset=UTF-8"


def json_response(body: object, status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, media_type=_JSON)


@dataclass
class Call:
    """One data call being served."""

    request: Request
    version: str
    params: list[str]
    body: bytes
    owners_written: list[tuple[str, str | None]] = field(default_factory=list)
    """(record id, owner stored) for every record whose OwnerId the call set."""

    def json_body(self) -> object:
        try:
            return json.loads(self.body or b"null")
        except ValueError as exc:
            raise json_parser_error(f"The request body is not valid JSON: {exc}") from exc


Handler = Callable[["SalesforceApi", Call], Response]


@dataclass(frozen=True)
class Resource:
    pattern: tuple[str | None, ...]
    """Path segments after the version; None matches any one segment (an id, a locator)."""
    methods: dict[str, tuple[str, Handler]]
    """HTTP method -> (request-log kind, handler)."""

    def match(self, segments: list[str]) -> list[str] | None:
        if len(segments) != len(self.pattern):
            return None
        params = []
        for expected, actual in zip(self.pattern, segments, strict=True):
            if expected is None:
                params.append(actual)
            elif expected != actual:
                return None
        return params


def _page_size(header: str | None) -> int | None:
    """`Sforce-Query-Options: batchSize=N`, clamped to Salesforce's 200..2,000 (None if absent).
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
    """
    if not header:
        return None
    for option in header.split(","):
        name, _, value = option.partition("=")
        if name.strip().lower() == "batchsize" and value.strip().isdigit():
            return min(max(int(value.strip()), QUERY_PAGE_MIN), QUERY_PAGE_MAX)
    return None


class SalesforceApi:
    def __init__(self, org: SalesforceOrg) -> None:
        self.org = org

    # --- gate ----------------------------------------------------------------------------------

    async def latency(self) -> None:
        delay = self.org.faults.latency_ms
        if delay > 0:
            await asyncio.sleep(delay / 1000)

    async def versions(self, request: Request) -> Response:
        body = [
            {"label": label, "url": f"/services/data/v{number}", "version": number}
            for number, label in API_VERSIONS.items()
        ]
        await self.latency()
        self.org.requests.add(request.method, request.url.path, 200, kind="versions")
        return json_response(body)

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        instance_url = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        try:
            response = json_response(
                grant_token(
                    self.org,
                    form,
                    authorization=request.headers.get("authorization"),
                    instance_url=instance_url,
                )
            )
        except OAuthError as exc:
            response = json_response(exc.body(), 400)
        await self.latency()
        self.org.requests.add(request.method, request.url.path, response.status_code, kind="token")
        return response

    async def data(self, request: Request) -> Response:
        org = self.org
        version_text: str = request.path_params["version"]
        rest: str = request.path_params.get("rest", "")
        segments = [segment for segment in rest.split("/") if segment]
        kind = "unknown"
        call: Call | None = None
        authenticated = False
        decision = NO_FAULT
        params: list[str] = []
        body = await request.body()
        try:
            version = version_text[1:] if version_text.startswith("v") else ""
            if version not in API_VERSIONS:
                raise not_found()
            resource, params = self._route(segments)
            allowed = resource.methods if resource else {}
            if request.method in allowed:
                kind = allowed[request.method][0]
            bearer = request.headers.get("authorization", "")
            scheme, _, value = bearer.partition(" ")
            if scheme.lower() != "bearer" or org.authenticate(value.strip()) is None:
                raise session_invalid()
            authenticated = True
            if org.api_calls_used() >= org.daily_allocation():
                raise daily_limit_exceeded()
            decision = org.decide_faults(
                kind, request_identity(request.method, request.url.path, request.url.query, body)
            )
            if decision.refuse == "429":
                raise concurrent_limit_exceeded()
            if decision.refuse == "503":
                raise server_unavailable()
            org.count_api_call()
            if resource is None:
                raise not_found()
            if request.method not in allowed:
                raise method_not_allowed(request.method, list(allowed))
            call = Call(request, version, params, body)
            response = allowed[request.method][1](self, call)
        except SalesforceApiError as exc:
            response = json_response(exc.body(), exc.status)
        if decision.lose_answer == "applied_5xx":
            response = json_response(server_unavailable().body(), 503)
        if authenticated:
            response.headers["Sforce-Limit-Info"] = org.limit_info()
        person_edits = self._person_edits(decision, kind, params, body)
        await self.latency()
        written = call.owners_written if call else []
        org.requests.add(
            request.method,
            request.url.path,
            response.status_code,
            kind=kind,
            records_written=[record_id for record_id, _ in written],
            owners_written=[owner for _, owner in written],
            fault=decision.name,
        )
        org.requests.add_person_edits(request.url.path, person_edits)
        if decision.lose_answer == "applied_timeout":
            await hold_back(org.faults.stall_seconds)
        if decision.lose_answer == "applied_drop":
            return DroppedAnswer(response)
        return response

    def _person_edits(
        self, decision: FaultDecision, kind: str, params: list[str], body: bytes
    ) -> list[tuple[str, str | None]]:
        """Make the person edits a scheduled fault asks for on the records the call names."""
        if not decision.person_edits:
            return []
        named: list[tuple[str, str | None]] = []
        if kind == "collections-update":
            try:
                named = records_named(json.loads(body or b"null"))
            except ValueError:
                named = []
        elif kind == "sobject-get" and len(params) == 2:
            named = [(eighteen_character_id(params[1]), None)]
        return self.org.reassign_as_person(named, decision.person_edits)

    def _route(self, segments: list[str]) -> tuple[Resource | None, list[str]]:
        for resource in RESOURCES:
            params = resource.match(segments)
            if params is not None:
                return resource, params
        return None, []

    # --- resources -----------------------------------------------------------------------------

    def version_root(self, call: Call) -> Response:
        base = f"/services/data/v{call.version}"
        names = ("composite", "jobs", "limits", "query", "queryAll", "sobjects")
        return json_response({name: f"{base}/{name}" for name in names})

    def query(self, call: Call) -> Response:
        return self._query(call, "query")

    def query_all(self, call: Call) -> Response:
        return self._query(call, "queryAll")

    def _query(self, call: Call, endpoint: str) -> Response:
        text = call.request.query_params.get("q")
        if not text:
            raise SalesforceApiError(
                400,
                "MALFORMED_QUERY",
                f"A SOQL query is required: GET /services/data/v{call.version}/{endpoint}"
                "?q=SELECT+Id+FROM+Account",
            )
        plan = plan_query(text)
        page_size = _page_size(call.request.headers.get("sforce-query-options")) or QUERY_PAGE_MAX
        org = self.org
        with org.lock:
            rows = org.select(plan, include_deleted=endpoint == "queryAll")
            page = first_page(
                org.cursors,
                plan,
                rows,
                page_size=page_size,
                version=call.version,
                endpoint=endpoint,
            )
        return Response(page, media_type=_JSON)

    def query_more(self, call: Call) -> Response:
        page_size = _page_size(call.request.headers.get("sforce-query-options"))
        with self.org.lock:
            page = next_page(
                self.org.cursors, call.params[0], version=call.version, page_size=page_size
            )
        return Response(page, media_type=_JSON)

    def limits(self, call: Call) -> Response:
        """https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm"""
        org = self.org
        allocation = org.daily_allocation()
        jobs_left = max(BULK_QUERY_JOBS_PER_DAY - org.bulk_jobs.created, 0)
        return json_response(
            {
                "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
                "ConcurrentSyncReportRuns": {"Max": 20, "Remaining": 20},
                "DailyApiRequests": {
                    "Max": allocation,
                    "Remaining": max(allocation - org.api_calls_used(), 0),
                },
                "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
                "DailyBulkV2QueryFileStorageMB": {
                    "Max": BULK_QUERY_STORAGE_MB,
                    "Remaining": BULK_QUERY_STORAGE_MB,
                },
                "DailyBulkV2QueryJobs": {"Max": BULK_QUERY_JOBS_PER_DAY, "Remaining": jobs_left},
            }
        )

    def get_record(self, call: Call) -> Response:
        type_name, record_id = call.params
        sobject = sobject_named(type_name)
        if sobject is None:
            raise not_found()
        requested = call.request.query_params.get("fields")
        specs = list(sobject.fields.values())
        if requested:
            specs = []
            for name in (n.strip() for n in requested.split(",") if n.strip()):
                spec = sobject.field(name)
                if spec is None:
                    raise SalesforceApiError(
                        400,
                        "INVALID_FIELD",
                        f"No such column '{name}' on sobject of type {sobject.name}",
                    )
                specs.append(spec)
        record = self.org.record(sobject, eighteen_character_id(record_id))
        if record is None:
            raise not_found()
        if getattr(record, "deleted", False):
            raise SalesforceApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return Response(json_record_encoder(sobject, specs, call.version)(record), media_type=_JSON)

    def update_collection(self, call: Call) -> Response:
        result = update_collection(
            self.org,
            call.json_body(),
            auto_assign=auto_assign_enabled(call.request.headers.get("sforce-auto-assign")),
        )
        call.owners_written = result.owners_written
        return json_response(result.results)

    def describe(self, call: Call) -> Response:
        """https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm"""
        sobject = sobject_named(call.params[0])
        if sobject is None:
            raise not_found()
        return json_response(describe_sobject(sobject, call.version))

    def create_bulk_query(self, call: Call) -> Response:
        job = bulk.create_query_job(self.org, call.json_body(), call.version)
        return json_response(job.info(detailed=False))

    def list_bulk_queries(self, call: Call) -> Response:
        jobs = [job.info(detailed=True) for job in self.org.bulk_jobs.all()]
        return json_response({"done": True, "records": jobs, "nextRecordsUrl": None})

    def poll_bulk_query(self, call: Call) -> Response:
        return json_response(bulk.poll_query_job(self.org, call.params[0]).info(detailed=True))

    def abort_bulk_query(self, call: Call) -> Response:
        job = bulk.abort_query_job(self.org, call.params[0], call.json_body())
        return json_response(job.info(detailed=False))

    def delete_bulk_query(self, call: Call) -> Response:
        with self.org.lock:
            self.org.bulk_jobs.remove(call.params[0])
        return Response(status_code=204)

    def bulk_query_results(self, call: Call) -> Response:
        page = bulk.query_job_results(
            self.org,
            call.params[0],
            call.request.query_params.get("locator"),
            call.request.query_params.get("maxRecords"),
        )
        return Response(
            page.csv_text,
            media_type="text/csv",
            headers={
                "Sforce-Locator": page.next_locator,
                "Sforce-NumberOfRecords": str(page.number_of_records),
            },
        )


RESOURCES: tuple[Resource, ...] = (
    Resource((), {"GET": ("version", SalesforceApi.version_root)}),
    Resource(("query",), {"GET": ("query", SalesforceApi.query)}),
    Resource(("query", None), {"GET": ("query-more", SalesforceApi.query_more)}),
    Resource(("queryAll",), {"GET": ("query-all", SalesforceApi.query_all)}),
    Resource(("queryAll", None), {"GET": ("query-more", SalesforceApi.query_more)}),
    Resource(("limits",), {"GET": ("limits", SalesforceApi.limits)}),
    # Before the record route, which would read "describe" as a record id.
    Resource(("sobjects", None, "describe"), {"GET": ("describe", SalesforceApi.describe)}),
    Resource(("sobjects", None, None), {"GET": ("sobject-get", SalesforceApi.get_record)}),
    Resource(
        ("composite", "sobjects"),
        {"PATCH": ("collections-update", SalesforceApi.update_collection)},
    ),
    Resource(
        ("jobs", "query"),
        {
            "POST": ("bulk-create", SalesforceApi.create_bulk_query),
            "GET": ("bulk-list", SalesforceApi.list_bulk_queries),
        },
    ),
    Resource(
        ("jobs", "query", None),
        {
            "GET": ("bulk-poll", SalesforceApi.poll_bulk_query),
            "PATCH": ("bulk-abort", SalesforceApi.abort_bulk_query),
            "DELETE": ("bulk-delete", SalesforceApi.delete_bulk_query),
        },
    ),
    Resource(
        ("jobs", "query", None, "results"),
        {"GET": ("bulk-results", SalesforceApi.bulk_query_results)},
    ),
)


def create_salesforce_app(org: SalesforceOrg) -> Starlette:
    """The org's REST API, OAuth token endpoint and `/__sandbox` control API as one ASGI app."""
    api = SalesforceApi(org)
    data: Callable[[Request], Awaitable[Response]] = api.data
    return Starlette(
        routes=[
            Route("/services/oauth2/token", api.token, methods=["POST"]),
            Route("/services/data", api.versions, methods=["GET"]),
            Route("/services/data/", api.versions, methods=["GET"]),
            Route("/services/data/{version}", data, methods=_ALL_METHODS),
            Route("/services/data/{version}/{rest:path}", data, methods=_ALL_METHODS),
            Mount("/__sandbox", routes=control_routes(org)),
        ]
    )
