"""The CRM v3 object endpoints, the same for companies, contacts and deals: list, read by id,
batch read, batch update and search.

Each function takes the portal and one object's `RecordStore`; what differs per object (its
properties, defaults, last-modified property, the name in error messages) comes from the store's
`ObjectSchema`. Shapes and errors are those of the companies endpoints, which HubSpot's
contacts and deals endpoints share (https://developers.hubspot.com/docs/api/crm/deals,
https://developers.hubspot.com/docs/api/crm/contacts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from starlette.datastructures import QueryParams

from sandbox.hubspot.endpoints import (
    LIST_DEFAULT_LIMIT,
    LIST_MAX_LIMIT,
    JsonObject,
    Reply,
    batch_body,
    list_reply,
    parse_bool,
    parse_int,
    parse_json,
    parse_limit,
)
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
from sandbox.hubspot.properties import split_property_names
from sandbox.hubspot.records import R
from sandbox.hubspot.search import parse_search_request
from sandbox.hubspot.store import RecordStore

# Batch endpoints take at most 100 inputs: the figure widely cited for CRM v3 batch endpoints;
# the batch update reference gives no companies- or deals-specific one
# (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/update-companies).
# A crawled version of the contacts guide limits contact batch writes to 10 (repeated at
# https://docs.workato.com/en/connectors/hubspot/actions/update-records-batch.html) while the
# current guide is quoted reading up to 100 contacts per request; the sandbox takes 100 for
# every object.
BATCH_MAX_INPUTS = 100


def _requested(store: RecordStore[R], query: QueryParams) -> tuple[str, ...]:
    names = split_property_names(query.getlist("properties"))
    return store.schema.requested(names or None)


def list_objects(store: RecordStore[R], query: QueryParams, base_url: str) -> Reply:
    """GET /crm/v3/objects/{object}: `{results, paging: {next: {after, link}}}`, no `paging` on
    the last page (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies)."""
    limit = parse_limit(query.get("limit"), LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT)
    after = parse_int(query.get("after"), "after")
    archived = parse_bool(query.get("archived"), "archived")
    names = _requested(store, query)
    page, next_after = store.list_page(limit=limit, after=after, archived=archived)
    results = [store.schema.render(record, names) for record in page]
    return list_reply(results, next_after, base_url, f"/crm/v3/objects/{store.schema.name}", query)


def get_object(store: RecordStore[R], record_id: str, query: QueryParams) -> Reply:
    """GET /crm/v3/objects/{object}/{id}: the record, or 404 OBJECT_NOT_FOUND."""
    archived = parse_bool(query.get("archived"), "archived")
    record = store.get(record_id)
    if record is None or record.deleted != archived:
        raise not_found(record_id)
    return Reply(200, store.schema.render(record, _requested(store, query)))


def _inputs(
    store: RecordStore[R], body: object, *, need_properties: bool
) -> list[Mapping[str, object]]:
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
        # Only record ids are supported here; unique-property ids (such as contacts' email) are
        # not in the sandbox.
        raise bad_request(
            f"idProperty {id_property!r} is not supported by this sandbox for "
            f"{store.schema.name}; send record ids and leave idProperty out."
        )
    return inputs


def _duplicates(ids: Sequence[str]) -> None:
    duplicated = sorted(record_id for record_id, n in Counter(ids).items() if n > 1)
    if duplicated:
        # Wording of HubSpot's duplicate-id refusal as reported by API users (unconfirmed).
        raise bad_request(f"Duplicate IDs found in batch input: {duplicated}. IDs must be unique")


def batch_read(
    portal: HubSpotPortal, store: RecordStore[R], query: QueryParams, raw: bytes
) -> Reply:
    """POST .../batch/read: 200 with every record, or 207 (multi-status, some inputs failed:
    https://developers.hubspot.com/docs/api/error-handling) with OBJECT_NOT_FOUND for missing
    ids."""
    started = portal.now_ms()
    body = parse_json(raw)
    inputs = _inputs(store, body, need_properties=False)
    archived = parse_bool(query.get("archived"), "archived")
    assert isinstance(body, dict)
    asked = body.get("properties")
    schema = store.schema
    names = schema.requested(asked if isinstance(asked, list) else None)
    results: list[JsonObject] = []
    missing: list[str] = []
    for item in inputs:
        record_id = str(item["id"])
        record = store.get(record_id)
        if record is None or record.deleted != archived:
            missing.append(record_id)
        else:
            results.append(schema.render(record, names))
    errors = []
    if missing:
        errors.append(
            batch_error(
                CATEGORY_NOT_FOUND,
                f"Could not get some {schema.label} objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                missing,
            )
        )
    return Reply(*batch_body(portal, started, results, errors, len(missing)))


def batch_update(portal: HubSpotPortal, store: RecordStore[R], raw: bytes) -> Reply:
    """POST .../batch/update. The whole batch is refused (400) for unknown, read-only or
    malformed properties; otherwise each input succeeds or fails alone: unknown or archived
    record (OBJECT_NOT_FOUND), unknown or archived owner (VALIDATION_ERROR), or a concurrent
    write (CONFLICT, retryable: the sandbox's lock fault)."""
    started = portal.now_ms()
    body = parse_json(raw)
    inputs = _inputs(store, body, need_properties=True)
    ids = [str(item["id"]) for item in inputs]
    _duplicates(ids)
    schema = store.schema

    checked: list[tuple[str, dict[str, str], list[PropertyProblem]]] = []
    request_problems: list[PropertyProblem] = []
    for record_id, item in zip(ids, inputs, strict=True):
        properties = item["properties"]
        assert isinstance(properties, dict)
        if not properties:
            # HubSpot's text for an update without properties (hubspot-api-ruby#121).
            raise bad_request("No properties found to update, please provide at least one.")
        clean, problems, owner_problems = schema.check_writes(properties, portal.active_owner_ids)
        request_problems.extend(problems)
        checked.append((record_id, clean, owner_problems))
    if request_problems:
        unique = list({(p.name, p.error, p.message): p for p in request_problems}.values())
        raise property_values_invalid(unique)

    with portal.lock:
        not_found_ids: list[str] = []
        owner_failures: dict[str, list[str]] = {}
        locked_ids: list[str] = []
        to_apply: list[tuple[R, dict[str, str]]] = []
        for record_id, clean, owner_problems in checked:
            record = store.get(record_id)
            if record is None or record.deleted:
                not_found_ids.append(record_id)
            elif owner_problems:
                owner_failures.setdefault(property_values_message(owner_problems), []).append(
                    record_id
                )
            elif portal.roll_lock_error(record_id):
                locked_ids.append(record_id)
            else:
                to_apply.append((record, clean))
        # Faults and failures are all decided; now change state.
        now = portal.now_ms()
        written = [
            (record.crm_id, record.owner_id)
            for record, clean in to_apply
            if store.apply_update(record, clean, now)
        ]
        results = [
            schema.render(record, tuple(dict.fromkeys((*schema.always_returned, *clean))))
            for record, clean in to_apply
        ]

    errors: list[JsonObject] = []
    if not_found_ids:
        errors.append(
            batch_error(
                CATEGORY_NOT_FOUND,
                f"Could not update some {schema.label} objects, they may be deleted or not "
                "exist. Check that ids are valid.",
                not_found_ids,
            )
        )
    for message, owner_failed in owner_failures.items():
        errors.append(batch_error(CATEGORY_VALIDATION, message, owner_failed))
    if locked_ids:
        errors.append(
            batch_error(
                CATEGORY_CONFLICT,
                f"These {schema.name} were being changed by another request at the same time; "
                "nothing was written for them. Retry the update for these ids.",
                locked_ids,
            )
        )
    failed = len(not_found_ids) + len(locked_ids) + sum(len(v) for v in owner_failures.values())
    status, reply_body = batch_body(portal, started, results, errors, failed)
    return Reply(
        status,
        reply_body,
        tuple(record_id for record_id, _ in written),
        owners_written=tuple(owner for _, owner in written),
    )


def search_objects(portal: HubSpotPortal, store: RecordStore[R], raw: bytes) -> Reply:
    """POST .../search: `{total, results, paging: {next: {after}}}` with `after` an offset."""
    schema = store.schema
    request = parse_search_request(
        parse_json(raw), inconsistency=portal.search_inconsistency, schema=schema
    )
    page = store.search(request)
    names = schema.requested(request.properties)
    body: JsonObject = {
        "total": page.total,
        "results": [schema.render(record, names, override) for record, override in page.results],
    }
    if page.next_offset is not None:
        body["paging"] = {"next": {"after": str(page.next_offset)}}
    return Reply(200, body)
