"""The HubSpot endpoints the connector uses, one small function each, over `HubSpotTransport`.

Each function builds the request with the client library's own models, sends it through the
transport (pacing, retries, error wrapping) and returns plain values: the connector and the
write-back logic never touch a vendor type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hubspot.crm.companies import (
    BatchInputSimplePublicObjectBatchInput,
    BatchReadInputSimplePublicObjectId,
    Configuration,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectBatchInput,
    SimplePublicObjectId,
)

from connectors.hubspot.client import HubSpotTransport, JsonObject, ObjectApis
from connectors.hubspot.records import owner_of
from connectors.hubspot.search import Company, SearchAnswer
from connectors.hubspot.settings import (
    BATCH_LIMIT,
    COMPANIES_OBJECT_TYPE,
    ID_PROPERTY,
    LIST_PAGE_LIMIT,
    MAX_FILTER_GROUPS,
    MODIFIED_PROPERTY,
    OWNER_PROPERTY,
    OWNERS_PAGE_LIMIT,
    SEARCH_PAGE_LIMIT,
)

NOT_FOUND_CATEGORY = "OBJECT_NOT_FOUND"
# Every model copies a fresh default Configuration unless given one; that copy costs more than
# the request (a quarter of a millisecond per input, 100 inputs a batch), so models share one.
MODELS = Configuration()


def next_after(body: JsonObject) -> str | None:
    """The cursor of the next page; `paging` is absent on the last page."""
    paging = body.get("paging")
    following = paging.get("next") if isinstance(paging, dict) else None
    after = following.get("after") if isinstance(following, dict) else None
    return str(after) if after not in (None, "") else None


def _results(body: JsonObject) -> list[Company]:
    results = body.get("results")
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


@dataclass(frozen=True)
class BatchError:
    category: str
    message: str


def _errors_by_id(body: JsonObject) -> dict[str, BatchError]:
    """A 207's `errors[].context.ids` as a map from id to its error."""
    found: dict[str, BatchError] = {}
    errors = body.get("errors")
    for entry in errors if isinstance(errors, list) else []:
        if not isinstance(entry, dict):
            continue
        context = entry.get("context")
        ids = context.get("ids") if isinstance(context, dict) else None
        error = BatchError(
            str(entry.get("category") or "UNKNOWN"), str(entry.get("message") or "no message")
        )
        for record_id in ids if isinstance(ids, list) else []:
            found[str(record_id)] = error
    return found


def _apis(transport: HubSpotTransport, object_type: str) -> ObjectApis:
    """The generated APIs of `object_type` (companies, or contacts or deals)."""
    if object_type == COMPANIES_OBJECT_TYPE:
        apis = transport.apis
        return ObjectApis(apis.companies, apis.search, apis.batch)
    return transport.apis.related[object_type]


def list_companies(
    transport: HubSpotTransport,
    *,
    after: str | None,
    properties: Sequence[str],
    archived: bool,
    object_type: str = COMPANIES_OBJECT_TYPE,
) -> tuple[list[Company], str | None]:
    """One list page of companies (or of `object_type` records: contacts, deals)."""
    response = transport.call(
        "list",
        _apis(transport, object_type).basic.get_page_with_http_info,
        limit=LIST_PAGE_LIMIT,
        after=after,
        properties=list(properties),
        archived=archived,
    )
    return _results(response.body), next_after(response.body)


def search_companies(
    transport: HubSpotTransport,
    filter_groups: Sequence[Sequence[dict[str, str]]],
    sort_property: str,
    properties: Sequence[str],
    object_type: str = COMPANIES_OBJECT_TYPE,
) -> SearchAnswer:
    """The first page of one search of companies (or of `object_type` records) (filter groups
    ORed, the filters of a group ANDed), sorted ascending on `sort_property`, and the answer's
    count of every match (`total`)."""
    if not 1 <= len(filter_groups) <= MAX_FILTER_GROUPS:
        raise ValueError(
            f"a search takes 1 to {MAX_FILTER_GROUPS} filter groups; got {len(filter_groups)}"
        )
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(
                filters=[
                    Filter(
                        property_name=f["propertyName"],
                        operator=f["operator"],
                        value=f["value"],
                        local_vars_configuration=MODELS,
                    )
                    for f in filters
                ],
                local_vars_configuration=MODELS,
            )
            for filters in filter_groups
        ],
        # `sorts` is typed list[str] in the client, but dicts serialise as the API expects.
        sorts=[{"propertyName": sort_property, "direction": "ASCENDING"}],
        properties=list(properties),
        limit=SEARCH_PAGE_LIMIT,
        after="0",
        local_vars_configuration=MODELS,
    )
    response = transport.call(
        "search",
        _apis(transport, object_type).search.do_search_with_http_info,
        search=True,
        public_object_search_request=request,
    )
    total = response.body.get("total")
    counted = total if isinstance(total, int) and not isinstance(total, bool) else None
    return SearchAnswer(_results(response.body), counted)


@dataclass
class CurrentOwners:
    owners: dict[str, str | None] = field(default_factory=dict)
    """Owner of every company read."""
    missing: set[str] = field(default_factory=set)
    """Ids HubSpot says do not exist (deleted, archived or merged away)."""
    modified: dict[str, str] = field(default_factory=dict)
    """`hs_lastmodifieddate` of every company read (tells whether it changed between reads)."""


def read_owners(
    transport: HubSpotTransport,
    ids: Sequence[str],
    *,
    object_type: str = COMPANIES_OBJECT_TYPE,
    modified_property: str = MODIFIED_PROPERTY,
) -> CurrentOwners:
    """Current owners of at most `BATCH_LIMIT` companies (or `object_type` records, whose
    modified stamp is `modified_property`) in one batch read (200, or 207 with OBJECT_NOT_FOUND
    for ids that do not exist). Ids in neither list could not be read."""
    if len(ids) > BATCH_LIMIT:
        raise ValueError(f"a batch read takes at most {BATCH_LIMIT} ids; got {len(ids)}")
    request = BatchReadInputSimplePublicObjectId(
        inputs=[SimplePublicObjectId(id=i, local_vars_configuration=MODELS) for i in ids],
        properties=[OWNER_PROPERTY, modified_property],
        properties_with_history=[],
        local_vars_configuration=MODELS,
    )
    response = transport.call(
        "batch-read",
        _apis(transport, object_type).batch.read_with_http_info,
        batch_read_input_simple_public_object_id=request,
        archived=False,
    )
    results = _results(response.body)
    current = CurrentOwners(
        {str(c["id"]): owner_of(c) for c in results},
        modified={
            str(c["id"]): str(stamp)
            for c in results
            if (stamp := (c.get("properties") or {}).get(modified_property))
        },
    )
    for record_id, error in _errors_by_id(response.body).items():
        if error.category == NOT_FOUND_CATEGORY:
            current.missing.add(record_id)
    return current


@dataclass
class UpdateResult:
    written: set[str]
    errors: dict[str, BatchError]


def update_owners(
    transport: HubSpotTransport,
    owners: dict[str, str],
    *,
    object_type: str = COMPANIES_OBJECT_TYPE,
) -> UpdateResult:
    """Set `hubspot_owner_id` on at most `BATCH_LIMIT` companies in one call (200, or 207 with
    per-input errors). Results and errors are not taken to cover every input: an input in
    neither is decided by reading it back. Sent as a write (`idempotent=False`): an answer lost
    or a 5xx raises `AmbiguousWriteError` rather than sending the batch again."""
    if len(owners) > BATCH_LIMIT:
        raise ValueError(f"a batch update takes at most {BATCH_LIMIT} inputs; got {len(owners)}")
    request = BatchInputSimplePublicObjectBatchInput(
        inputs=[
            SimplePublicObjectBatchInput(
                id=record_id,
                properties={OWNER_PROPERTY: owner},
                local_vars_configuration=MODELS,
            )
            for record_id, owner in owners.items()
        ],
        local_vars_configuration=MODELS,
    )
    response = transport.call(
        "batch-update",
        _apis(transport, object_type).batch.update_with_http_info,
        idempotent=False,
        batch_input_simple_public_object_batch_input=request,
    )
    written = {
        str(c["id"]) for c in _results(response.body) if owner_of(c) == owners.get(str(c["id"]))
    }
    return UpdateResult(written, _errors_by_id(response.body))


def list_company_ids(
    transport: HubSpotTransport, *, after: str | None
) -> tuple[list[str], str | None]:
    """One page of live company ids: the list endpoint asked for `hs_object_id` alone."""
    response = transport.call(
        "list",
        transport.apis.companies.get_page_with_http_info,
        limit=LIST_PAGE_LIMIT,
        after=after,
        properties=[ID_PROPERTY],
        archived=False,
    )
    ids = [str(c["id"]) for c in _results(response.body) if c.get("id")]
    return ids, next_after(response.body)


def company_property_names(transport: HubSpotTransport) -> frozenset[str]:
    """Every company property's name, from the properties API (one call, not paged:
    https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties)."""
    response = transport.call(
        "properties",
        transport.apis.properties.get_all_with_http_info,
        object_type=COMPANIES_OBJECT_TYPE,
        archived=False,
    )
    return frozenset(str(p["name"]) for p in _results(response.body) if p.get("name"))


def list_owners(
    transport: HubSpotTransport, *, after: str | None, archived: bool
) -> tuple[list[dict[str, Any]], str | None]:
    response = transport.call(
        "owners",
        transport.apis.owners.get_page_with_http_info,
        limit=OWNERS_PAGE_LIMIT,
        after=after,
        archived=archived,
    )
    return _results(response.body), next_after(response.body)
