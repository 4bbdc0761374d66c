"""`/__sandbox/` routes: inspect and steer the portal during tests, the demo and benchmarks.

The path exists in no real CRM. These routes need no token, are never rate limited, delayed or
faulted, and are not written to the request log, so they cannot disturb what they observe. The
same routes exist on the Salesforce emulator, except `search-inconsistency` (HubSpot search only:
see `sandbox.hubspot.search`).

`PUT /__sandbox/faults` takes `{"profile": "chaos,..."}`, `{"schedule": [{"kind", "nth", "fault",
"person_edits"}]}` or both (a key left out keeps its current setting; see
`sandbox.fault_schedule`); `POST /__sandbox/deletions` takes `{"ids": [...], "purge": false}`:
archived, or with `purge` deleted permanently. Record ids may be those of companies, contacts or
deals wherever a route takes ids; `POST /__sandbox/records` creates companies, or with
`"object": "contacts"` or `"deals"` those (keys are the seed record's fields), and
`GET /__sandbox/owners` maps companies, or with `?object=contacts` or `deals` those.
`POST /__sandbox/webhooks` sets a webhook target and client secret: created companies and owner
changes are then sent there as HubSpot's signed webhook calls (`sandbox.hubspot.webhooks`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, fields

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.fault_schedule import parse_fault_schedule
from sandbox.faults import FaultProfile, FaultProfileError, parse_fault_profile
from sandbox.hubspot.portal import HubSpotPortal, UnknownRecordError
from sandbox.hubspot.webhooks import WebhookSender, webhook_routes

Handler = Callable[[Request], Awaitable[Response]]


def profile_text(profile: FaultProfile) -> str:
    """A profile as `key=value` pairs (the settings that differ from no faults)."""
    quiet = FaultProfile()
    parts = [
        f"{f.name}={getattr(profile, f.name)}"
        for f in fields(FaultProfile)
        if getattr(profile, f.name) != getattr(quiet, f.name)
    ]
    return ",".join(parts) or "none"


def _problem(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _json_object(request: Request) -> dict[str, object]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        raise ValueError(f"the body is not JSON ({exc}); send a JSON object") from None
    if not isinstance(body, dict):
        raise ValueError("send a JSON object")
    return body


def _guarded(handler: Handler) -> Handler:
    """Turn a caller's mistake into a 400 that says what to send."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except UnknownRecordError as exc:
            return _problem(str(exc), 404)
        except (ValueError, TypeError, FaultProfileError) as exc:
            return _problem(str(exc))

    return guarded


def control_routes(portal: HubSpotPortal) -> list[Route]:
    webhooks = WebhookSender(portal.config.portal_id, portal.now_ms)

    async def requests(request: Request) -> Response:
        if request.method == "DELETE":
            portal.requests.clear()
            return JSONResponse({"count": 0})
        kind = request.query_params.get("kind")
        records = [r for r in portal.requests.records() if kind is None or r.kind == kind]
        by_kind: dict[str, int] = {}
        for record in records:
            by_kind[record.kind] = by_kind.get(record.kind, 0) + 1
        return JSONResponse(
            {"count": len(records), "by_kind": by_kind, "requests": [r.as_json() for r in records]}
        )

    async def owners(request: Request) -> Response:
        object_type = request.query_params.get("object", "companies")
        return JSONResponse({"owners": portal.owners_by_record(object_type)})

    async def owner_changes(request: Request) -> Response:
        body = await _json_object(request)
        changes = body.get("changes")
        if not isinstance(changes, list):
            raise ValueError('send {"changes": [{"id": ..., "owner_id": ...}]}')
        companies: dict[str, str | None] = {}
        for change in changes:
            if not isinstance(change, dict) or "id" not in change:
                raise ValueError('every change needs an "id" and an "owner_id" (null to clear)')
            owner = None if change.get("owner_id") is None else str(change["owner_id"])
            portal.change_owner_as_person(str(change["id"]), owner)
            if portal.company(str(change["id"])) is not None:
                companies[str(change["id"])] = owner
        answer: dict[str, object] = {"count": len(changes)}
        if webhooks.target is not None:
            answer["webhook"] = await webhooks.send(webhooks.owner_events(companies))
        return JSONResponse(answer)

    async def records(request: Request) -> Response:
        body = await _json_object(request)
        new = body.get("records")
        if not isinstance(new, list) or not all(isinstance(r, dict) for r in new):
            raise ValueError('send {"records": [{"name": ..., "country": ..., ...}]}')
        creators = {
            "companies": portal.create_records,
            "contacts": portal.create_contacts,
            "deals": portal.create_deals,
        }
        object_type = str(body.get("object", "companies"))
        create = creators.get(object_type)
        if create is None:
            raise ValueError('"object" must be companies (the default), contacts or deals')
        ids = create(new)
        answer: dict[str, object] = {"ids": ids}
        if object_type == "companies" and webhooks.target is not None:
            answer["webhook"] = await webhooks.send(webhooks.creation_events(ids))
        return JSONResponse(answer)

    async def deletions(request: Request) -> Response:
        body = await _json_object(request)
        ids = body.get("ids")
        if not isinstance(ids, list):
            raise ValueError('send {"ids": [...]}, optionally with "purge": true')
        purge = body.get("purge", False)
        if not isinstance(purge, bool):
            raise ValueError('"purge" must be true (deleted permanently) or false (archived)')
        return JSONResponse({"count": portal.delete_records((str(i) for i in ids), purge=purge)})

    async def mass_update(request: Request) -> Response:
        body = await _json_object(request)
        given_ids, count = body.get("ids"), body.get("count")
        if isinstance(given_ids, list):
            ids = [str(i) for i in given_ids]
        elif isinstance(count, int) and body.get("object") in ("contacts", "deals"):
            records = portal.contacts() if body["object"] == "contacts" else portal.deals()
            ids = [r.crm_id for r in records[:count]]
        elif isinstance(count, int):
            ids = portal.first_ids(count)
        else:
            raise ValueError('send {"ids": [...]} or {"count": n}, optionally with "modified_ms"')
        modified = body.get("modified_ms")
        if modified is not None and not isinstance(modified, int):
            raise ValueError("modified_ms must be milliseconds since the epoch (an integer)")
        stamp = portal.mass_update(ids, modified)
        return JSONResponse({"modified_ms": stamp, "count": len(ids)})

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            body = await _json_object(request)
            text = body.get("profile")
            if ("profile" not in body and "schedule" not in body) or (
                "profile" in body and not isinstance(text, str)
            ):
                raise ValueError(
                    'send {"profile": "chaos,latency_ms=5"} (or "none"), {"schedule": [...]}, '
                    "or both"
                )
            profile = parse_fault_profile(text) if isinstance(text, str) else None
            schedule = parse_fault_schedule(body["schedule"]) if "schedule" in body else None
            if profile is not None:
                portal.set_faults(profile)
            if schedule is not None:
                portal.set_fault_schedule(schedule)
        profile = portal.faults
        return JSONResponse(
            {
                "profile": profile_text(profile),
                "settings": asdict(profile),
                "schedule": portal.fault_schedule.entries(),
            }
        )

    async def state(request: Request) -> Response:
        return JSONResponse(portal.state())

    async def search_inconsistency(request: Request) -> Response:
        if request.method == "PUT":
            body = await _json_object(request)
            mode = body.get("mode")
            if mode is not None and not isinstance(mode, str):
                raise ValueError('send {"mode": "eq_ignores_id_bound"} (or null to turn it off)')
            portal.set_search_inconsistency(mode)
        return JSONResponse({"mode": portal.search_inconsistency})

    return [
        Route("/__sandbox/requests", _guarded(requests), methods=["GET", "DELETE"]),
        Route("/__sandbox/owners", _guarded(owners), methods=["GET"]),
        Route("/__sandbox/owner-changes", _guarded(owner_changes), methods=["POST"]),
        Route("/__sandbox/records", _guarded(records), methods=["POST"]),
        Route("/__sandbox/deletions", _guarded(deletions), methods=["POST"]),
        Route("/__sandbox/mass-update", _guarded(mass_update), methods=["POST"]),
        Route("/__sandbox/faults", _guarded(faults), methods=["GET", "PUT"]),
        Route("/__sandbox/state", _guarded(state), methods=["GET"]),
        Route(
            "/__sandbox/search-inconsistency",
            _guarded(search_inconsistency),
            methods=["GET", "PUT"],
        ),
        *webhook_routes(webhooks),
    ]
