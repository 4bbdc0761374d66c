"""The HubSpot emulator as a Starlette app: routes and the pipeline every API request goes through.

Order of the pipeline, as HubSpot applies it: authentication (401), then the injected faults
(decided before anything changes), then the rate limits (429), then the endpoint itself; then
rate-limit headers, injected latency and the request log. `/__sandbox/` routes skip all of it.

A request struck by an after-write fault (`applied_5xx`, `applied_drop`, `applied_timeout`, from
the profile for batch updates or from a schedule for any kind) is admitted, counted and served in
full first; then its answer becomes a 503 body or the 502 page (alternately, as the server-error
fault), a dropped connection, or a stall. Person edits a schedule asks for are made as soon as the
answer is ready, before it is sent, held back or lost, so the client's next request finds them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.fault_schedule import NO_FAULT, FaultDecision, request_identity
from sandbox.hubspot import association_endpoints, endpoints, object_endpoints
from sandbox.hubspot.control import control_routes
from sandbox.hubspot.endpoints import Reply
from sandbox.hubspot.errors import (
    BAD_GATEWAY_HTML,
    HubSpotError,
    correlation_id,
    error_body,
    service_unavailable_body,
    unauthorized,
)
from sandbox.hubspot.portal import HubSpotPortal
from sandbox.hubspot.records import R
from sandbox.hubspot.store import RecordStore
from sandbox.lost_answers import DroppedAnswer, hold_back

Endpoint = Callable[[HubSpotPortal, Request, bytes], Reply]
JSON_TYPE = "application/json;charset=utf-8"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _json_response(status: int, body: object, headers: dict[str, str]) -> Response:
    payload = json.dumps(body, separators=(",", ":"))
    return Response(payload, status_code=status, media_type=JSON_TYPE, headers=headers)


def _server_error(portal: HubSpotPortal, status: int | None = None) -> Response:
    """HubSpot's 502 edge page or 503 body; `status` None alternates between them."""
    status = portal.next_server_error_status() if status is None else status
    if status == 502:
        return Response(BAD_GATEWAY_HTML, status_code=502, media_type="text/html")
    body = service_unavailable_body()
    return _json_response(503, body, {"X-HubSpot-Correlation-Id": str(body["correlationId"])})


async def _serve(
    portal: HubSpotPortal, request: Request, kind: str, endpoint: Endpoint, *, search: bool
) -> Response:
    raw = await request.body() if request.method in ("POST", "PATCH", "PUT") else b""
    written: tuple[str, ...] = ()
    owners: tuple[str | None, ...] = ()
    decision = NO_FAULT
    response: Response
    try:
        token = _bearer(request)
        if token is None or not portal.accepts(token):
            raise unauthorized()
        now_s = portal.now_s()
        decision = portal.decide_faults(
            kind, request_identity(request.method, request.url.path, request.url.query, raw)
        )
        if decision.refuse == "429":
            raise portal.limiter.throttled(token, now_s, search=search)
        if decision.refuse == "503":
            # A scheduled 503 is a 503; the random server-error fault alternates with the 502.
            response = _server_error(portal, 503 if decision.scheduled else None)
        else:
            with portal.lock:
                admission = portal.limiter.admit(token, now_s, search=search)
            if admission.error is not None:
                # Refused by the rate limits: nothing was served, so there is no answer to lose.
                decision = replace(decision, lose_answer=None)
                raise admission.error
            try:
                reply = endpoint(portal, request, raw)
            except HubSpotError as error:
                error.headers = {**admission.headers, **error.headers}
                raise
            written, owners = reply.records_written, reply.owners_written
            headers = {**admission.headers, **reply.headers}
            headers["X-HubSpot-Correlation-Id"] = correlation_id()
            response = _json_response(reply.status, reply.body, headers)
    except HubSpotError as error:
        headers = {
            **error.headers,
            "X-HubSpot-Correlation-Id": str(error.body.get("correlationId") or correlation_id()),
        }
        response = _json_response(error.status, error.body, headers)
    except Exception as exc:  # a sandbox bug: answer like HubSpot's 500, and keep serving
        body = error_body(f"Internal error in the HubSpot sandbox: {exc!r}", None)
        headers = {"X-HubSpot-Correlation-Id": str(body["correlationId"])}
        response = _json_response(500, body, headers)
    if decision.lose_answer == "applied_5xx":
        response = _server_error(portal)
    person_edits = _person_edits(portal, decision, kind, request, raw)
    latency_ms = portal.faults.latency_ms
    if latency_ms > 0:
        await asyncio.sleep(latency_ms / 1000)
    portal.requests.add(
        request.method,
        request.url.path,
        response.status_code,
        kind=kind,
        records_written=written,
        owners_written=owners,
        fault=decision.name,
    )
    portal.requests.add_person_edits(request.url.path, person_edits)
    if decision.lose_answer == "applied_timeout":
        await hold_back(portal.faults.stall_seconds)
    if decision.lose_answer == "applied_drop":
        return DroppedAnswer(response)
    return response


def _person_edits(
    portal: HubSpotPortal, decision: FaultDecision, kind: str, request: Request, raw: bytes
) -> list[tuple[str, str | None]]:
    """Make the person edits a scheduled fault asks for on the records the request names."""
    if not decision.person_edits:
        return []
    if kind == "get":
        named: list[tuple[str, str | None]] = [(request.path_params["record_id"], None)]
    else:
        named = endpoints.records_named(raw)
    return portal.reassign_as_person(named, decision.person_edits)


def _route(
    portal: HubSpotPortal, kind: str, endpoint: Endpoint, *, search: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        return await _serve(portal, request, kind, endpoint, search=search)

    return handle


def _object_routes(portal: HubSpotPortal, store: RecordStore[R]) -> list[Route]:
    """List, read, search, batch read and batch update of one object: the same request-log kinds
    (`list`, `get`, `search`, `batch-read`, `batch-update`) for every object, so the same fault
    schedules and random after-write faults strike them (`sandbox.faults.WRITE_KINDS`)."""

    def list_objects(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return object_endpoints.list_objects(store, request.query_params, str(request.base_url))

    def get_object(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        record_id = request.path_params["record_id"]
        return object_endpoints.get_object(store, record_id, request.query_params)

    def batch_read(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return object_endpoints.batch_read(p, store, request.query_params, raw)

    def batch_update(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return object_endpoints.batch_update(p, store, raw)

    def search(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return object_endpoints.search_objects(p, store, raw)

    base = f"/crm/v3/objects/{store.schema.name}"
    return [
        Route(base, _route(portal, "list", list_objects), methods=["GET"]),
        Route(f"{base}/search", _route(portal, "search", search, search=True), methods=["POST"]),
        Route(f"{base}/batch/read", _route(portal, "batch-read", batch_read), methods=["POST"]),
        Route(
            f"{base}/batch/update", _route(portal, "batch-update", batch_update), methods=["POST"]
        ),
        Route(f"{base}/{{record_id}}", _route(portal, "get", get_object), methods=["GET"]),
    ]


def create_hubspot_app(portal: HubSpotPortal) -> Starlette:
    """The CRM v3 object endpoints of companies, contacts and deals (list, read, search, batch
    read and update), the associations v4 batch read and labels between them, the properties and
    owners endpoints, plus `/__sandbox/` control routes."""

    def list_owners(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return endpoints.list_owners(p, request.query_params, str(request.base_url))

    def get_owner(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        return endpoints.get_owner(p, request.path_params["owner_id"], request.query_params)

    def list_properties(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        object_type = request.path_params["object_type"]
        return endpoints.list_properties(p, object_type, request.query_params)

    def read_associations(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        params = request.path_params
        return association_endpoints.batch_read_associations(
            p, params["from_type"], params["to_type"], raw
        )

    def association_labels(p: HubSpotPortal, request: Request, raw: bytes) -> Reply:
        params = request.path_params
        return association_endpoints.association_labels(p, params["from_type"], params["to_type"])

    associations = "/crm/v4/associations/{from_type}/{to_type}"
    routes = [
        *_object_routes(portal, portal.company_store),
        *_object_routes(portal, portal.contact_store),
        *_object_routes(portal, portal.deal_store),
        # Associations calls count against the 10-second burst limit like any other call.
        Route(
            f"{associations}/batch/read",
            _route(portal, "associations-read", read_associations),
            methods=["POST"],
        ),
        Route(
            f"{associations}/labels",
            _route(portal, "associations-labels", association_labels),
            methods=["GET"],
        ),
        Route(
            "/crm/v3/properties/{object_type}",
            _route(portal, "properties", list_properties),
            methods=["GET"],
        ),
        # hubspot-api-client's owners API calls /crm/v3/owners/ with a trailing slash.
        Route("/crm/v3/owners", _route(portal, "owners", list_owners), methods=["GET"]),
        Route("/crm/v3/owners/", _route(portal, "owners", list_owners), methods=["GET"]),
        Route("/crm/v3/owners/{owner_id}", _route(portal, "owner", get_owner), methods=["GET"]),
        *control_routes(portal),
    ]
    return Starlette(routes=routes)
