"""What each HubSpot API endpoint answers: request parsing, checks and response bodies.

Each function takes the portal, the query parameters and the raw body, and returns a `Reply`, or
raises `HubSpotError` with HubSpot's error body. The HTTP pipeline around them (authentication,
limits, faults, latency, logging) lives in `app.py`, so these stay plain and testable.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from sandbox.hubspot.errors import (
    CATEGORY_CONFLICT,
    CATEGORY_NOT_FOUND,
    CATEGORY_VALIDATION,
    PropertyProblem,
    bad_request,
    batch_error,
    not_found,
    property_values_invalid,
    property_values_message,
)
from sandbox.hubspot.portal import HubSpotPortal
from sandbox.hubspot.properties import (
    ALWAYS_RETURNED,
    check_writes,
    iso_ms,
    property_definitions,
    render_company,
    requested_properties,
    split_property_names,
)
from sandbox.hubspot.search import parse_search_request
from sandbox.seed import SeedAccount

JsonObject = dict[str, object]

# List page size: default 10, at most 100 (`limit` on
# https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies). A
# larger limit is served as 100 rather than refused: HubSpot documents no error for it, and the
# client then simply pages on.
LIST_DEFAULT_LIMIT = 10
LIST_MAX_LIMIT = 100
# Batch endpoints take at most 100 inputs: the figure widely cited for CRM v3 batch endpoints;
# the batch update reference gives no companies-specific one
# (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/update-companies).
BATCH_MAX_INPUTS = 100
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
    """Companies whose owner the request set (also to the owner they already had)."""
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


def _requested(query: QueryParams) -> tuple[str, ...]:
    names = split_property_names(query.getlist("properties"))
    return requested_properties(names or None)


def _link(base_url: str, path: str, query: QueryParams, after: int) -> str:
    pairs = [(k, v) for k, v in query.multi_items() if k != "after"]
    pairs.append(("after", str(after)))
    return f"{base_url.rstrip('/')}{path}?{urlencode(pairs)}"


def _page(
    results: list[JsonObject], next_after: int | None, base_url: str, path: str, query: QueryParams
) -> Reply:
    """A list page: `{results, paging: {next: {after, link}}}`, no `paging` on the last page."""
    body: JsonObject = {"results": results}
    if next_after is not None:
        body["paging"] = {
            "next": {"after": str(next_after), "link": _link(base_url, path, query, next_after)}
        }
    return Reply(200, body)


# -- companies -----------------------------------------------------------------------------


def list_companies(portal: HubSpotPortal, query: QueryParams, base_url: str) -> Reply:
    """GET /crm/v3/objects/companies: `{results, paging: {next: {after, link}}}`, no `paging` on
    the last page (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies)."""
    limit = parse_limit(query.get("limit"), LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT)
    after = parse_int(query.get("after"), "after")
    archived = parse_bool(query.get("archived"), "archived")
    names = _requested(query)
    page, next_after = portal.list_companies(limit=limit, after=after, archived=archived)
    results = [render_company(a, names) for a in page]
    return _page(results, next_after, base_url, "/crm/v3/objects/companies", query)


def get_company(portal: HubSpotPortal, record_id: str, query: QueryParams) -> Reply:
    archived = parse_bool(query.get("archived"), "archived")
    account = portal.company(record_id)
    if account is None or account.deleted != archived:
        raise not_found(record_id)
    return Reply(200, render_company(account, _requested(query)))


def _inputs(body: object, *, need_properties: bool) -> list[Mapping[str, object]]:
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise bad_request("Invalid input JSON: send an object with an `inputs` list.")
    inputs: list[Mapping[str, object]] = body["inputs"]
    if len(inputs) > BATCH_MAX_INPUTS:
        raise bad_request(
            f"Too many inputs: {len(inputs)}. A batch takes at most {BATCH_MAX_INPUTS} inputs; "
            "split the request into batches of 100 or fewer."
        )
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            raise bad_request("Invalid input JSON: every input needs an `id`.")
        if need_properties and not isinstance(item.get("properties"), dict):
            raise bad_request("Invalid input JSON: every input needs a `properties` object.")
    id_property = body.get("idProperty")
    if id_property not in (None, "", "hs_object_id"):
        # Only record ids are supported here; unique-property ids are not in the sandbox.
        raise bad_request(
            f"idProperty {id_property!r} is not a unique property of companies; "
            "send record ids and leave idProperty out."
        )
    return inputs


def _duplicates(ids: Sequence[str]) -> None:
    duplicated = sorted(record_id for record_id, n in Counter(ids).items() if n > 1)
    if duplicated:
        # Wording of HubSpot's duplicate-id refusal as reported by API users (unconfirmed).
        raise bad_request(f"Duplicate IDs found in batch input: {duplicated}. IDs must be unique")


def batch_read(portal: HubSpotPortal, query: QueryParams, raw: bytes) -> Reply:
    """POST .../batch/read: 200 with every company, or 207 (multi-status, some inputs failed:
    https://developers.hubspot.com/docs/api/error-handling) with OBJECT_NOT_FOUND for missing
    ids."""
    started = portal.now_ms()
    body = parse_json(raw)
    inputs = _inputs(body, need_properties=False)
    archived = parse_bool(query.get("archived"), "archived")
    assert isinstance(body, dict)
    asked = body.get("properties")
    names = requested_properties(asked if isinstance(asked, list) else None)
    results: list[JsonObject] = []
    missing: list[str] = []
    for item in inputs:
        record_id = str(item["id"])
        account = portal.company(record_id)
        if account is None or account.deleted != archived:
            missing.append(record_id)
        else:
            results.append(render_company(account, names))
    errors = []
    if missing:
        errors.append(
            batch_error(
                CATEGORY_NOT_FOUND,
                "Could not get some COMPANY objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                missing,
            )
        )
    return Reply(*_batch_body(portal, started, results, errors, len(missing)))


def _batch_body(
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


def batch_update(portal: HubSpotPortal, raw: bytes) -> Reply:
    """POST .../batch/update. The whole batch is refused (400) for unknown, read-only or
    malformed properties; otherwise each input succeeds or fails alone: unknown or archived
    company (OBJECT_NOT_FOUND), unknown or archived owner (VALIDATION_ERROR), or a concurrent
    write (CONFLICT, retryable: the sandbox's lock fault)."""
    started = portal.now_ms()
    body = parse_json(raw)
    inputs = _inputs(body, need_properties=True)
    ids = [str(item["id"]) for item in inputs]
    _duplicates(ids)

    checked: list[tuple[str, dict[str, str], list[PropertyProblem]]] = []
    request_problems: list[PropertyProblem] = []
    for record_id, item in zip(ids, inputs, strict=True):
        properties = item["properties"]
        assert isinstance(properties, dict)
        if not properties:
            # HubSpot's text for an update without properties (hubspot-api-ruby#121).
            raise bad_request("No properties found to update, please provide at least one.")
        clean, problems, owner_problems = check_writes(properties, portal.active_owner_ids)
        request_problems.extend(problems)
        checked.append((record_id, clean, owner_problems))
    if request_problems:
        unique = list({(p.name, p.error, p.message): p for p in request_problems}.values())
        raise property_values_invalid(unique)

    with portal.lock:
        not_found_ids: list[str] = []
        owner_failures: dict[str, list[str]] = {}
        locked_ids: list[str] = []
        to_apply: list[tuple[SeedAccount, dict[str, str]]] = []
        for record_id, clean, owner_problems in checked:
            account = portal.company(record_id)
            if account is None or account.deleted:
                not_found_ids.append(record_id)
            elif owner_problems:
                owner_failures.setdefault(property_values_message(owner_problems), []).append(
                    record_id
                )
            elif portal.roll_lock_error(record_id):
                locked_ids.append(record_id)
            else:
                to_apply.append((account, clean))
        # Faults and failures are all decided; now change state.
        now = portal.now_ms()
        written = [
            (account.crm_id, account.owner_id)
            for account, clean in to_apply
            if portal.apply_update(account, clean, now)
        ]
        results = [
            render_company(account, tuple(dict.fromkeys((*ALWAYS_RETURNED, *clean))))
            for account, clean in to_apply
        ]

    errors: list[JsonObject] = []
    if not_found_ids:
        errors.append(
            batch_error(
                CATEGORY_NOT_FOUND,
                "Could not update some COMPANY objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                not_found_ids,
            )
        )
    for message, owner_failed in owner_failures.items():
        errors.append(batch_error(CATEGORY_VALIDATION, message, owner_failed))
    if locked_ids:
        errors.append(
            batch_error(
                CATEGORY_CONFLICT,
                "These companies were being changed by another request at the same time; "
                "nothing was written for them. Retry the update for these ids.",
                locked_ids,
            )
        )
    failed = len(not_found_ids) + len(locked_ids) + sum(len(v) for v in owner_failures.values())
    status, reply_body = _batch_body(portal, started, results, errors, failed)
    return Reply(
        status,
        reply_body,
        tuple(record_id for record_id, _ in written),
        owners_written=tuple(owner for _, owner in written),
    )


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


def search_companies(portal: HubSpotPortal, raw: bytes) -> Reply:
    """POST .../search: `{total, results, paging: {next: {after}}}` with `after` an offset."""
    request = parse_search_request(parse_json(raw), inconsistency=portal.search_inconsistency)
    page = portal.search(request)
    names = requested_properties(request.properties)
    body: JsonObject = {
        "total": page.total,
        "results": [render_company(a, names, override) for a, override in page.results],
    }
    if page.next_offset is not None:
        body["paging"] = {"next": {"after": str(page.next_offset)}}
    return Reply(200, body)


# -- properties ----------------------------------------------------------------------------

PROPERTIES_OBJECT_TYPES = frozenset({"companies", "company", "0-2"})
"""The names the properties API accepts for companies (0-2 is the companies object type id)."""


def list_properties(object_type: str, query: QueryParams) -> Reply:
    """GET /crm/v3/properties/companies: `{results: [Property]}`, no paging
    (https://developers.hubspot.com/docs/api-reference/crm-properties-v3/guide). The sandbox
    keeps no archived properties, so `archived=true` lists none."""
    if object_type.lower() not in PROPERTIES_OBJECT_TYPES:
        raise bad_request(
            f"Unknown object type {object_type!r}: this sandbox serves the properties of "
            "companies only, GET /crm/v3/properties/companies",
            category=CATEGORY_NOT_FOUND,
        )
    archived = parse_bool(query.get("archived"), "archived")
    return Reply(200, {"results": [] if archived else property_definitions()})


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
    return _page([o.as_json() for o in owners], next_after, base_url, "/crm/v3/owners/", query)


def get_owner(portal: HubSpotPortal, owner_id: str, query: QueryParams) -> Reply:
    archived = parse_bool(query.get("archived"), "archived")
    owner = portal.owner(owner_id)
    if owner is None or owner.archived != archived:
        raise not_found(owner_id)
    return Reply(200, owner.as_json())
