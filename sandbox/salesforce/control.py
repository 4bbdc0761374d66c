"""The `/__sandbox/` inspection and control API: what a test, the demo or a benchmark needs to see
and stage in the org, on a path no real Salesforce has.

No authentication; never counted against API limits, never delayed or faulted, not recorded in the
request log. Changes made here are not API writes (they never appear in `records_written`).

`PUT /faults` takes `{"profile": "chaos,..."}`, `{"schedule": [{"kind", "nth", "fault",
"person_edits"}]}` or both (a key left out keeps its current setting; see
`sandbox.fault_schedule`); `POST /deletions` takes `{"ids": [...], "purge": false}`: recycle bin,
or with `purge` gone from queryAll as well. Record ids may be account, contact or opportunity ids
(deletions, owner changes, mass updates by id); `/owners` and `/records` are about accounts.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.fault_schedule import parse_fault_schedule
from sandbox.faults import FaultProfileError, parse_fault_profile
from sandbox.salesforce.org import SalesforceOrg


def _first_ids(org: SalesforceOrg, kind: object, count: int) -> list[str]:
    """The first `count` ids of the accounts, or of `kind` ("contacts", "opportunities")."""
    if kind in (None, "accounts"):
        return org.first_account_ids(count)
    if kind == "contacts":
        return [c.crm_id for c in org.contacts[:count]]
    if kind == "opportunities":
        return [o.crm_id for o in org.opportunities[:count]]
    raise ControlError(400, '"object" must be "accounts", "contacts" or "opportunities"')


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise ControlError(400, f"the body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _id_list(body: dict[str, Any], key: str = "ids") -> list[str]:
    ids = body.get(key)
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ControlError(400, f'"{key}" must be a list of record id strings')
    return ids


def control_routes(org: SalesforceOrg) -> list[Route]:
    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return JSONResponse(await handler(request))
            except ControlError as exc:
                return JSONResponse({"error": exc.message}, exc.status)
            except KeyError as exc:
                return JSONResponse({"error": str(exc.args[0]) if exc.args else str(exc)}, 404)
            except (ValueError, TypeError) as exc:
                return JSONResponse({"error": str(exc)}, 400)

        return endpoint

    async def get_requests(request: Request) -> dict[str, Any]:
        kind = request.query_params.get("kind")
        records = [r for r in org.requests.records() if kind is None or r.kind == kind]
        return {
            "count": len(records),
            "by_kind": org.requests.counts_by_kind(),
            "requests": [r.as_json() for r in records],
        }

    async def clear_requests(request: Request) -> dict[str, Any]:
        org.requests.clear()
        return {"count": 0}

    async def owners(request: Request) -> dict[str, Any]:
        with org.lock:
            return {"owners": {a.crm_id: a.owner_id for a in org.accounts if not a.deleted}}

    async def owner_changes(request: Request) -> dict[str, Any]:
        changes = (await _json_object(request)).get("changes")
        if not isinstance(changes, list) or not all(
            isinstance(c, dict) and isinstance(c.get("id"), str) for c in changes
        ):
            raise ControlError(400, '"changes" must be a list of {"id": ..., "owner_id": ...}')
        with org.lock:
            for change in changes:
                org.owner_of(change["id"])  # every id must exist before anything changes
            for change in changes:
                org.change_owner_as_person(change["id"], change.get("owner_id"))
        return {"changed": len(changes)}

    async def create_records(request: Request) -> dict[str, Any]:
        records = (await _json_object(request)).get("records")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ControlError(400, '"records" must be a list of objects')
        return {"ids": org.create_records(records)}

    async def deletions(request: Request) -> dict[str, Any]:
        body = await _json_object(request)
        ids = _id_list(body)
        purge = body.get("purge", False)
        if not isinstance(purge, bool):
            raise ControlError(400, '"purge" must be true (gone from queryAll too) or false')
        count = org.delete_records(ids, purge=purge)
        return {"purged": count} if purge else {"deleted": count}

    async def mass_update(request: Request) -> dict[str, Any]:
        body = await _json_object(request)
        modified_ms = body.get("modified_ms")
        if modified_ms is not None and not isinstance(modified_ms, int):
            raise ControlError(400, '"modified_ms" must be epoch milliseconds (an integer)')
        with org.lock:
            if "count" in body:
                count = body["count"]
                if not isinstance(count, int) or count < 0:
                    raise ControlError(400, '"count" must be a non-negative integer')
                ids = _first_ids(org, body.get("object"), count)
            else:
                ids = _id_list(body)
            stamped = org.mass_update(ids, modified_ms)
        return {"modified_ms": stamped, "count": len(ids)}

    def faults_now() -> dict[str, Any]:
        return {
            "profile": dataclasses.asdict(org.faults),
            "schedule": org.fault_schedule.entries(),
        }

    async def get_faults(request: Request) -> dict[str, Any]:
        return faults_now()

    async def put_faults(request: Request) -> dict[str, Any]:
        body = await _json_object(request)
        if "profile" not in body and "schedule" not in body:
            raise ControlError(
                400, 'send {"profile": "chaos"}, {"schedule": [...]} or both ("none" clears)'
            )
        text = body.get("profile")
        if "profile" in body and not isinstance(text, str):
            raise ControlError(400, '"profile" must be a fault profile text such as "chaos"')
        try:
            profile = parse_fault_profile(text) if isinstance(text, str) else None
            schedule = parse_fault_schedule(body["schedule"]) if "schedule" in body else None
        except FaultProfileError as exc:
            raise ControlError(400, str(exc)) from exc
        if profile is not None:
            org.set_faults(profile)
        if schedule is not None:
            org.set_fault_schedule(schedule)
        return faults_now()

    async def state(request: Request) -> dict[str, Any]:
        with org.lock:
            return org.state_summary()

    return [
        Route("/requests", guarded(get_requests), methods=["GET"]),
        Route("/requests", guarded(clear_requests), methods=["DELETE"]),
        Route("/owners", guarded(owners), methods=["GET"]),
        Route("/owner-changes", guarded(owner_changes), methods=["POST"]),
        Route("/records", guarded(create_records), methods=["POST"]),
        Route("/deletions", guarded(deletions), methods=["POST"]),
        Route("/mass-update", guarded(mass_update), methods=["POST"]),
        Route("/faults", guarded(get_faults), methods=["GET"]),
        Route("/faults", guarded(put_faults), methods=["PUT"]),
        Route("/state", guarded(state), methods=["GET"]),
    ]
