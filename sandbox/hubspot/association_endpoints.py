"""The associations v4 endpoints: batch read of the associations between companies and their
contacts and deals, and the association types (labels) between two objects.

`POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read` takes `{"inputs": [{"id",
"after"?}]}`, at most 1,000 inputs ("larger requests are rejected" since Feb 10, 2025:
https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api),
and answers `{status, results: [{from: {id}, to: [{toObjectId, associationTypes: [{category,
typeId, label}]}], paging?: {next: {after}}}], startedAt, completedAt}`
(https://developers.hubspot.com/docs/api-reference/crm-associations-v4/batch/post-crm-v4-associations-fromObjectType-toObjectType-batch-read).
Paging is per record: each record lists at most `associations_page_size` (500) associations a
page, and `paging` appears only when it has more; the client sends that id again with its
`paging.next.after`. `toObjectId` is a JSON number, as real answers carry it, while `from.id` is
a string.

An id with no associations of the asked kind, unknown, or archived, is answered as HubSpot
answers a record without associations: left out of `results` and reported in a 207 `errors`
entry of its own, `{"status": "error", "category": "OBJECT_NOT_FOUND", "subCategory":
"crm.associations.NO_ASSOCIATIONS_FOUND", "message": "No company is associated with deal 1.",
"context": {"fromObjectId": ["1"], "fromObjectType": ["deal"], "toObjectType": ["company"]}}`
(a real 207 quoted in public HubSpot integration notes). The sandbox holds associations between
companies and contacts and between companies and deals only; other pairs of its objects (deals to
contacts, say) have none.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from sandbox.hubspot.associations import KINDS, AssociationKind
from sandbox.hubspot.endpoints import JsonObject, Reply, batch_body, parse_json
from sandbox.hubspot.errors import CATEGORY_NOT_FOUND, HubSpotError, bad_request, error_body
from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.portal import HubSpotPortal
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity

ASSOCIATIONS_MAX_INPUTS = 1_000
NO_ASSOCIATIONS = "crm.associations.NO_ASSOCIATIONS_FOUND"
AnySchema = ObjectSchema[SeedAccount] | ObjectSchema[SeedContact] | ObjectSchema[SeedOpportunity]


def _schema(portal: HubSpotPortal, object_type: str) -> AnySchema:
    store = portal.store(object_type)
    if store is None:
        # HubSpot's answer for an object type it does not know: 400 "Unable to infer object type
        # from: widgets" (quoted in HubSpot community threads and client tests).
        raise HubSpotError(
            400, error_body(f"Unable to infer object type from: {object_type}", None)
        )
    return store.schema


def _encode_after(target: AnySchema, next_id: int) -> str:
    """An opaque cursor, base64 of "<object type id>-<next id>" as HubSpot's look
    ("MC0yLTc1MDI=" is "0-2-7502": hubspot-api-python#135)."""
    return base64.b64encode(f"{target.type_id}-{next_id}".encode()).decode()


def _decode_after(raw: object, target: AnySchema) -> int:
    """The id a cursor goes on from (0 without one); 400 for one the sandbox did not make."""
    if raw is None or raw == "":
        return 0
    try:
        text = base64.b64decode(str(raw), validate=True).decode()
        type_id, _, number = text.rpartition("-")
        if type_id == target.type_id and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise bad_request(
        f"Invalid after cursor {raw!r}: send the `paging.next.after` of an earlier answer for "
        "the same record, or leave `after` out to start from the first association."
    )


def _inputs(body: object) -> list[Mapping[str, object]]:
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        raise bad_request("Invalid input JSON: send an object with an `inputs` list.")
    inputs: list[Mapping[str, object]] = body["inputs"]
    if len(inputs) > ASSOCIATIONS_MAX_INPUTS:
        # The changelog above says larger requests are rejected; the wording here is ours.
        raise bad_request(
            f"Too many inputs: {len(inputs)}. An associations batch read takes at most "
            f"{ASSOCIATIONS_MAX_INPUTS} inputs; split the request into batches of 1,000 or fewer."
        )
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), (str, int)):
            raise bad_request("Invalid input JSON: every input needs an `id`.")
    return inputs


def _no_associations(record_id: str, source: AnySchema, target: AnySchema) -> JsonObject:
    """The 207 error entry for one id without associations (`errors` and `links` are required
    by hubspot-api-client's StandardError model, so they are sent empty)."""
    return {
        "status": "error",
        "category": CATEGORY_NOT_FOUND,
        "subCategory": NO_ASSOCIATIONS,
        "message": f"No {target.singular} is associated with {source.singular} {record_id}.",
        "context": {
            "fromObjectId": [record_id],
            "fromObjectType": [source.singular],
            "toObjectType": [target.singular],
        },
        "errors": [],
        "links": {},
    }


def _result(
    record_id: str, kind: AssociationKind, ids: list[int], next_after: str | None
) -> JsonObject:
    types = [t.as_json() for t in kind.types]
    result: JsonObject = {
        "from": {"id": record_id},
        "to": [{"toObjectId": number, "associationTypes": types} for number in ids],
    }
    if next_after is not None:
        result["paging"] = {"next": {"after": next_after}}
    return result


def batch_read_associations(
    portal: HubSpotPortal, from_type: str, to_type: str, raw: bytes
) -> Reply:
    """POST /crm/v4/associations/{from}/{to}/batch/read: 200 when every id has associations,
    207 with one NO_ASSOCIATIONS_FOUND error per id that has none."""
    started = portal.now_ms()
    source, target = _schema(portal, from_type), _schema(portal, to_type)
    inputs = _inputs(parse_json(raw))
    kind = KINDS.get((source.name, target.name))
    page_size = portal.config.associations_page_size
    results: list[JsonObject] = []
    errors: list[JsonObject] = []
    with portal.lock:
        for item in inputs:
            record_id = str(item["id"])
            start = _decode_after(item.get("after"), target)
            page = (
                None
                if kind is None
                else portal.associations.page(kind, record_id, start, page_size)
            )
            if kind is None or page is None:
                errors.append(_no_associations(record_id, source, target))
                continue
            ids, next_id = page
            after = None if next_id is None else _encode_after(target, next_id)
            results.append(_result(record_id, kind, ids, after))
    return Reply(*batch_body(portal, started, results, errors, len(errors)))


def association_labels(portal: HubSpotPortal, from_type: str, to_type: str) -> Reply:
    """GET /crm/v4/associations/{from}/{to}/labels: `{results: [{category, typeId, label}]}`, the
    types from one object to the other (https://developers.hubspot.com/docs/api/crm/associations;
    none for a pair the sandbox holds no associations between)."""
    source, target = _schema(portal, from_type), _schema(portal, to_type)
    kind = KINDS.get((source.name, target.name))
    types = [] if kind is None else [t.as_json() for t in kind.types]
    return Reply(200, {"results": types})
