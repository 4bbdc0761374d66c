"""What the HubSpot API endpoints share: the `Reply`, request parsing, list pages and batch
bodies; and the properties and owners endpoints.

Each endpoint function takes the portal (or one object's store), the query parameters and the raw
body, and returns a `Reply`, or raises `HubSpotError` with HubSpot's error body. The HTTP pipeline
around them (authentication, limits, faults, latency, logging) lives in `app.py`, so these stay
plain and testable. The CRM object endpoints are in `object_endpoints`, the associations v4
endpoints in `association_endpoints`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from sandbox.hubspot.errors import CATEGORY_NOT_FOUND, bad_request, not_found
from sandbox.hubspot.portal import HubSpotPortal
from sandbox.hubspot.properties import iso_ms

JsonObject = dict[str, object]

# List page size: default 10, at most 100 (`limit` on
# https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies). A
# larger limit is served as 100 rather than refused: HubSpot documents no error for it, and the
# client then simply pages on.
LIST_DEFAULT_LIMIT = 10
LIST_MAX_LIMIT = 100
# Owners: at most 500 per page
# (https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide). HubSpot documents
# no default page size for owners; the emulator's 100 is its own, kept like the list endpoint's.
OWNERS_DEFAULT_LIMIT = 100
OWNERS_MAX_LIMIT = 500


@dataclass(frozen=True)
class Reply:
    status: int
    body: JsonObject
    records_written: tuple[str, ...] = ()
    """Records whose owner the request set (also to the owner they already had)."""
    headers: dict[str, str] = field(default_factory=dict)
    owners_written: tuple[str | None, ...] = ()
    """The owner each of `records_written` was given, in the same order."""


# -- parameter parsing ---------------------------------------------------------------------


def parse_bool(raw: str | None, name: str) -> bool:
    """`true`/`false` in any case (the Python client sends `False`)."""
    if raw is None or raw == "":
        return False
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise bad_request(f"{name} must be true or false; got {raw!r}.")
    return lowered == "true"


def parse_int(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"{name} must be an integer; got {raw!r}.") from None


def parse_limit(raw: str | None, default: int, maximum: int) -> int:
    limit = parse_int(raw, "limit")
    if limit is None:
        return default
    if limit < 1:
        raise bad_request(f"limit must be at least 1; got {limit}.")
    return min(limit, maximum)


def parse_json(body: bytes) -> object:
    if not body.strip():
        raise bad_request("Invalid input JSON: the request body is empty; send a JSON object.")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        # HubSpot answers "Invalid input JSON on line L, column C: ..." (hubspot-api-nodejs#226).
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise bad_request(f"Invalid input JSON on line {line}, column {column}: {exc}") from None


def _link(base_url: str, path: str, query: QueryParams, after: int) -> str:
    pairs = [(k, v) for k, v in query.multi_items() if k != "after"]
    pairs.append(("after", str(after)))
    return f"{base_url.rstrip('/')}{path}?{urlencode(pairs)}"


def list_reply(
    results: list[JsonObject], next_after: int | None, base_url: str, path: str, query: QueryParams
) -> Reply:
    """A list page: `{results, paging: {next: {after, link}}}`, no `paging` on the last page."""
    body: JsonObject = {"results": results}
    if next_after is not None:
        body["paging"] = {
            "next": {"after": str(next_after), "link": _link(base_url, path, query, next_after)}
        }
    return Reply(200, body)


# -- batch bodies ------------------------------------------------------------------------


def batch_body(
    portal: HubSpotPortal,
    started_ms: int,
    results: list[JsonObject],
    errors: list[JsonObject],
    failed: int,
) -> tuple[int, JsonObject]:
    """{status: COMPLETE, results, startedAt, completedAt} and, with failures, 207 with numErrors
    and errors (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/update-companies;
    200 when all succeed, 207 when one or more fail:
    https://developers.hubspot.com/changelog/simplifying-batch-update-response-codes-for-crm-v3-apis)."""
    body: JsonObject = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = failed
        body["errors"] = errors
    body["startedAt"] = iso_ms(started_ms)
    body["completedAt"] = iso_ms(portal.now_ms())
    return (207 if errors else 200), body


def records_named(raw: bytes) -> list[tuple[str, str | None]]:
    """(id, `hubspot_owner_id` asked for) of each input a batch body names, in order. Read
    leniently: the body may be one the endpoint itself refuses."""
    try:
        body = json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return []
    inputs = body.get("inputs") if isinstance(body, dict) else None
    named: list[tuple[str, str | None]] = []
    for item in inputs if isinstance(inputs, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
            properties = item.get("properties")
            owner = properties.get("hubspot_owner_id") if isinstance(properties, dict) else None
            named.append((str(item["id"]), None if owner in (None, "") else str(owner)))
    return named


# -- properties ----------------------------------------------------------------------------


def list_properties(portal: HubSpotPortal, object_type: str, query: QueryParams) -> Reply:
    """GET /crm/v3/properties/{companies|contacts|deals}: `{results: [Property]}`, no paging
    (https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide). The object may
    also be named in the singular or by its type id (0-2). The sandbox keeps no archived
    properties, so `archived=true` lists none."""
    store = portal.store(object_type)
    if store is None:
        raise bad_request(
            f"Unknown object type {object_type!r}: this sandbox serves the properties of "
            "companies, contacts and deals: GET /crm/v3/properties/companies, "
            "/crm/v3/properties/contacts or /crm/v3/properties/deals",
            category=CATEGORY_NOT_FOUND,
        )
    archived = parse_bool(query.get("archived"), "archived")
    return Reply(200, {"results": [] if archived else store.schema.definitions()})


# -- owners --------------------------------------------------------------------------------


def list_owners(portal: HubSpotPortal, query: QueryParams, base_url: str) -> Reply:
    """GET /crm/v3/owners/: `{results, paging?}` filtered by `email` and `archived`."""
    limit = parse_limit(query.get("limit"), OWNERS_DEFAULT_LIMIT, OWNERS_MAX_LIMIT)
    after = parse_int(query.get("after"), "after")
    archived = parse_bool(query.get("archived"), "archived")
    email = query.get("email") or None
    owners, next_after = portal.owners_page(
        limit=limit, after=after, email=email, archived=archived
    )
    return list_reply([o.as_json() for o in owners], next_after, base_url, "/crm/v3/owners/", query)


def get_owner(portal: HubSpotPortal, owner_id: str, query: QueryParams) -> Reply:
    archived = parse_bool(query.get("archived"), "archived")
    owner = portal.owner(owner_id)
    if owner is None or owner.archived != archived:
        raise not_found(owner_id)
    return Reply(200, owner.as_json())
