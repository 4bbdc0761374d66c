"""The CRM search request: its validation, and the evaluation of filters, sorts and paging.

Incremental pulls live on this endpoint (it is the only one that filters by the last-modified
property), and it is also where HubSpot's sharpest limits are: one sort rule, 200 results a page
and no paging past the 10,000th result. The limits are enforced exactly so that a connector that
works here copes with the real thing. They are the same for every object's search endpoint
(companies, contacts, deals: "The search endpoints are limited to 10,000 total results for any
given query", https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm); what
differs per object (its properties, its last-modified property: contacts' `lastmodifieddate`,
others' `hs_lastmodifieddate`) comes from its `ObjectSchema`. Below, "the modified property" is
that one.

Requests whose filters are all ranges on the modified property and `hs_object_id`, sorted
ascending by either (the incremental walk's), are answered from the object's sorted index
(`sandbox.hubspot.index`) by bisection, as HubSpot answers from its search index; any other
request is evaluated by a scan of every record of the object. Both give the same answer: records
sharing a sort value come in id order, records without one last.

Inconsistent answers, for tests of a connector's progress guard: HubSpot's search is eventually
consistent and has been seen to answer the filters of one timestamp inconsistently. The portal's
run-time switch `HubSpotPortal.set_search_inconsistency(mode)` (or `PUT
/__sandbox/search-inconsistency` with `{"mode": ...}`; `null` or "none" turns it off, the
default) makes every search answer so:

- `eq_ignores_id_bound`: in a filter group holding `<modified property> EQ t`, filters on
  `hs_object_id` are ignored, so a walk by id through one timestamp gets the same page again;
- `gt_includes_boundary`: `<modified property> GT t` also matches records at `t`.

The switch is per portal: it applies to the searches of every object.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, get_args, overload

from sandbox.hubspot.companies import COMPANIES
from sandbox.hubspot.errors import HubSpotError, bad_request, generic_bad_request
from sandbox.hubspot.index import EVERY_KEY, Key, RangeFilter, group_key_range
from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import Kind, Property, Typed
from sandbox.hubspot.records import R
from sandbox.hubspot.visibility import IndexedState
from sandbox.seed import SeedAccount

# Limits: 5 filter groups (OR), 10 filters per group (AND), 25 filters in all, from
# https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api
MAX_FILTER_GROUPS = 5
MAX_FILTERS_PER_GROUP = 10
MAX_FILTERS_TOTAL = 25
# One sort rule per request (HubSpot's search guide, sorting:
# https://developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm).
MAX_SORTS = 1
# 200 objects per page (https://developers.hubspot.com/docs/api-reference/search/guide#limitations,
# quoted in activepieces/activepieces#10160); default 10 like the list endpoint (unconfirmed).
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
# "The search endpoints are limited to 10,000 total results for any given query. Attempting to
# page beyond 10,000 will result in a 400 error."
# (https://developers.hubspot.com/docs/api-reference/search/guide#limitations, quoted at
# https://dev.to/nangohq/how-to-sync-large-amounts-of-contacts-from-the-hubspot-api-2acm). A request
# whose page would reach past the 10,000th result (after + limit > 10,000) is refused, the way
# an Elasticsearch result window refuses `from + size` beyond it; `total` still counts everything.
MAX_RESULT_WINDOW = 10_000

OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "BETWEEN",
        "IN",
        "NOT_IN",
        "HAS_PROPERTY",
        "NOT_HAS_PROPERTY",
        "CONTAINS_TOKEN",
        "NOT_CONTAINS_TOKEN",
    }
)
SearchInconsistency = Literal["eq_ignores_id_bound", "gt_includes_boundary"]
SEARCH_INCONSISTENCIES: tuple[str, ...] = get_args(SearchInconsistency)

ID = "hs_object_id"

Getter = Callable[[R, IndexedState | None], Typed | None]
Predicate = Callable[[R, IndexedState | None], bool]


@dataclass(frozen=True)
class SearchRequest(Generic[R]):
    predicate: Predicate[R]
    sort_getter: Getter[R] | None
    descending: bool
    properties: list[str] | None
    limit: int
    offset: int
    cache_key: str
    """The query without its paging, to reuse a match list across pages."""
    key_ranges: list[tuple[Key, Key]] | None = None
    """The matches as ranges of the search index's (modified, id) order, which is also the
    order of the results; None when the request is answered by a scan (`index_ranges`)."""


def _getter(prop: Property[R], modified: str) -> Getter[R]:
    """Typed value as search sees it: owner and modified time come from the index state."""
    if prop.name == modified:
        return lambda a, s: a.modified_ms if s is None else s.modified_ms
    if prop.name == "hubspot_owner_id":
        return lambda a, s: a.owner_id if s is None else s.owner_id
    typed = prop.typed
    return lambda a, s: typed(a)


def _refuse(message: str) -> HubSpotError:
    return bad_request(message)


def _operand(prop: Property[R], raw: object) -> Typed:
    """A filter value converted to the property's type. Dates are epoch milliseconds: "HubSpot API
    endpoints accept UNIX formatted timestamps in milliseconds"
    (https://developers.hubspot.com/docs/faq/how-should-timestamps-be-formatted-for-hubspots-apis).
    HubSpot documents no ISO 8601 strings for search filters, so they are refused here rather
    than accepted in the sandbox and failing in production."""
    if raw is None or isinstance(raw, (dict, list)):
        raise generic_bad_request()
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    if prop.kind is Kind.DATETIME:
        if not re.fullmatch(r"-?\d+", text.strip()):
            raise _refuse(
                f"{text!r} is not a valid value for {prop.name}; send milliseconds since the "
                "epoch as a string, e.g. '1714564800000'."
            )
        return int(text)
    if prop.kind is Kind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise generic_bad_request() from None
        return int(number) if number.is_integer() else number
    # String comparisons ignore case (IN on strings expects lower-case values per the search
    # guide, which only works if matching folds case).
    return text.casefold()


def _folded(getter: Getter[R], prop: Property[R]) -> Getter[R]:
    if prop.kind in (Kind.DATETIME, Kind.NUMBER):
        return getter

    def folded(a: R, s: IndexedState | None) -> Typed | None:
        value = getter(a, s)
        return value.casefold() if isinstance(value, str) else value

    return folded


_TOKEN_SPLIT = re.compile(r"[^0-9a-z]+")


def _tokens(value: Typed | None) -> list[str]:
    return [t for t in _TOKEN_SPLIT.split(str(value).casefold()) if t] if value else []


def _compile_filter(
    raw: object, schema: ObjectSchema[R], inconsistency: SearchInconsistency | None = None
) -> Predicate[R]:
    if not isinstance(raw, dict):
        raise generic_bad_request()
    name = raw.get("propertyName")
    operator = raw.get("operator")
    if not isinstance(name, str) or not isinstance(operator, str):
        # "Cannot build Filter, some of required attributes are not set [propertyName, operator]"
        # (HubSpot body quoted in HubSpot/hubspot-api-nodejs#226).
        raise _refuse(
            "Invalid input JSON: Cannot build Filter, some of required attributes are not set "
            "[propertyName, operator]"
        )
    prop = schema.properties.get(name)
    if prop is None or operator not in OPERATORS:
        # Unknown property names get HubSpot's generic 400 (see errors.GENERIC_BAD_REQUEST).
        raise generic_bad_request()
    get = _folded(_getter(prop, schema.modified), prop)

    if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        wanted = operator == "HAS_PROPERTY"
        return lambda a, s: (get(a, s) not in (None, "")) == wanted
    if operator in ("IN", "NOT_IN"):
        values = raw.get("values")
        if not isinstance(values, list) or not values:
            raise _refuse(f"{operator} on {name} needs a non-empty `values` list.")
        members = frozenset(_operand(prop, v) for v in values)
        if operator == "IN":
            return lambda a, s: get(a, s) in members
        # Records without a value are "not in" the list (likewise NEQ and NOT_CONTAINS_TOKEN).
        return lambda a, s: get(a, s) not in members
    if operator == "BETWEEN":
        if "value" not in raw or "highValue" not in raw:
            raise _refuse(f"BETWEEN on {name} needs both `value` and `highValue`.")
        low, high = _operand(prop, raw["value"]), _operand(prop, raw["highValue"])

        def between(a: R, s: IndexedState | None) -> bool:
            value = get(a, s)
            return value is not None and low <= value <= high  # type: ignore[operator]

        return between
    if "value" not in raw:
        raise _refuse(f"{operator} on {name} needs a `value`.")
    if operator in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        pattern = str(raw["value"]).casefold()
        wanted = operator == "CONTAINS_TOKEN"
        return lambda a, s: (
            any(fnmatch.fnmatchcase(t, pattern) for t in _tokens(get(a, s))) == (wanted)
        )
    operand = _operand(prop, raw["value"])
    if inconsistency == "gt_includes_boundary" and name == schema.modified and operator == "GT":
        operator = "GTE"
    if operator == "EQ":
        return lambda a, s: get(a, s) == operand
    if operator == "NEQ":
        return lambda a, s: get(a, s) != operand
    compare: Callable[[Typed, Typed], bool] = {
        "LT": lambda v, o: v < o,
        "LTE": lambda v, o: v <= o,
        "GT": lambda v, o: v > o,
        "GTE": lambda v, o: v >= o,
    }[operator]

    def ordered(a: R, s: IndexedState | None) -> bool:
        value = get(a, s)
        return value is not None and compare(value, operand)

    return ordered


def _as_answered(
    filters: list[object], modified: str, inconsistency: SearchInconsistency | None
) -> list[object]:
    """The filters of one group as the inconsistent index applies them."""
    if inconsistency != "eq_ignores_id_bound":
        return filters
    pinned = any(
        isinstance(f, dict) and f.get("propertyName") == modified and f.get("operator") == "EQ"
        for f in filters
    )
    if not pinned:
        return filters
    return [f for f in filters if not (isinstance(f, dict) and f.get("propertyName") == ID)]


def _compile_groups(
    raw_groups: object, schema: ObjectSchema[R], inconsistency: SearchInconsistency | None = None
) -> Predicate[R]:
    if raw_groups is None:
        raw_groups = []
    if not isinstance(raw_groups, list):
        raise generic_bad_request()
    if len(raw_groups) > MAX_FILTER_GROUPS:
        raise _refuse(
            f"Too many filter groups: {len(raw_groups)} (at most {MAX_FILTER_GROUPS} are allowed)."
        )
    groups: list[list[Predicate[R]]] = []
    total = 0
    for group in raw_groups:
        filters = group.get("filters") if isinstance(group, dict) else None
        if not isinstance(filters, list):
            raise generic_bad_request()
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise _refuse(
                f"Too many filters in a filter group: {len(filters)} "
                f"(at most {MAX_FILTERS_PER_GROUP} are allowed)."
            )
        total += len(filters)
        answered = _as_answered(filters, schema.modified, inconsistency)
        groups.append([_compile_filter(f, schema, inconsistency) for f in answered])
    if total > MAX_FILTERS_TOTAL:
        raise _refuse(
            f"Too many filters: {total} across all filter groups "
            f"(at most {MAX_FILTERS_TOTAL} are allowed)."
        )
    groups = [g for g in groups if g]
    if not groups:
        return lambda a, s: True
    if len(groups) == 1 and len(groups[0]) == 1:
        return groups[0][0]
    return lambda a, s: any(all(f(a, s) for f in group) for group in groups)


_RANGE_OPERATORS = frozenset({"EQ", "GT", "GTE", "LT", "LTE", "BETWEEN"})


def index_ranges(
    raw_groups: object,
    sorts: list[object],
    inconsistency: SearchInconsistency | None = None,
    schema: ObjectSchema[Any] = COMPANIES,
) -> list[tuple[Key, Key]] | None:
    """The filter groups (already validated) as key ranges of the search index, when the answer
    can be read from it in result order: sorted ascending by the modified property (ties in id
    order), or by `hs_object_id` with every group inside one and the same timestamp; every
    filter a range on one of the two. None otherwise."""
    modified = schema.modified
    sort = sorts[0] if sorts else None
    if not isinstance(sort, dict) or str(sort.get("direction", "ASCENDING")).upper() != (
        "ASCENDING"
    ):
        return None
    if sort.get("propertyName") not in (modified, ID):
        return None
    groups = [g for g in raw_groups if isinstance(g, dict)] if isinstance(raw_groups, list) else []
    ranges: list[tuple[Key, Key]] = []
    for group in groups:
        filters = _as_answered(group.get("filters") or [], modified, inconsistency)
        if not filters:
            continue
        plain: list[RangeFilter] = []
        for raw in filters:
            assert isinstance(raw, dict)
            name, operator = raw.get("propertyName"), raw.get("operator")
            if name not in (modified, ID) or operator not in _RANGE_OPERATORS:
                return None
            if inconsistency == "gt_includes_boundary" and name == modified and operator == "GT":
                operator = "GTE"
            prop = schema.properties[str(name)]
            value = _operand(prop, raw.get("value"))
            high = _operand(prop, raw["highValue"]) if operator == "BETWEEN" else None
            assert isinstance(value, (int, float)) and not isinstance(high, str)
            plain.append((str(name), str(operator), value, high))
        found = group_key_range(plain, modified, ID)
        if found is None:
            return None
        if found is not False:
            assert not isinstance(found, bool)
            ranges.append(found)
    if not any(g.get("filters") for g in groups):
        ranges.append(EVERY_KEY)
    if sort.get("propertyName") == ID:
        stamps = {low[0] for low, _ in ranges} | {high[0] for _, high in ranges}
        if len(stamps) > 1:
            return None
    return ranges


def _compile_query(query: object, schema: ObjectSchema[R]) -> Predicate[R] | None:
    if query is None or query == "":
        return None
    if not isinstance(query, str):
        raise generic_bad_request()
    words = _tokens(query)
    if not words:
        return None
    getters = [schema.properties[name].typed for name in schema.query_properties]

    def matches(a: R, s: IndexedState | None) -> bool:
        tokens = [t for get in getters for t in _tokens(get(a))]
        return all(any(t.startswith(w) for t in tokens) for w in words)

    return matches


def _int_field(body: Mapping[str, object], key: str, default: int) -> int:
    raw = body.get(key)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise generic_bad_request()
    try:
        return int(str(raw))
    except ValueError:
        raise generic_bad_request() from None


@overload
def parse_search_request(
    body: object, *, inconsistency: SearchInconsistency | None = None
) -> SearchRequest[SeedAccount]: ...


@overload
def parse_search_request(
    body: object, *, inconsistency: SearchInconsistency | None = None, schema: ObjectSchema[R]
) -> SearchRequest[R]: ...


def parse_search_request(
    body: object,
    *,
    inconsistency: SearchInconsistency | None = None,
    schema: ObjectSchema[Any] = COMPANIES,
) -> SearchRequest[Any]:
    """Validate a search body of `schema`'s object (companies unless told); raises HubSpotError
    (400) for anything HubSpot refuses. `inconsistency` answers it in one of the inconsistent
    ways (module docstring)."""
    if not isinstance(body, dict):
        raise generic_bad_request()
    predicate: Predicate[Any] = _compile_groups(body.get("filterGroups"), schema, inconsistency)
    query = _compile_query(body.get("query"), schema)
    if query is not None:
        filters = predicate
        predicate = lambda a, s: query(a, s) and filters(a, s)  # noqa: E731

    sorts = body.get("sorts") or []
    if not isinstance(sorts, list):
        raise generic_bad_request()
    if len(sorts) > MAX_SORTS:
        raise _refuse(
            f"Too many sorts: {len(sorts)}. Only one sort is allowed per search request; page on "
            "one property and filter on the others."
        )
    sort_getter: Getter[Any] | None = None
    descending = False
    if sorts:
        sort = sorts[0]
        if not isinstance(sort, dict) or not isinstance(sort.get("propertyName"), str):
            raise generic_bad_request()
        prop = schema.properties.get(sort["propertyName"])
        direction = str(sort.get("direction", "ASCENDING")).upper()
        if prop is None or direction not in ("ASCENDING", "DESCENDING"):
            raise generic_bad_request()
        sort_getter = _folded(_getter(prop, schema.modified), prop)
        descending = direction == "DESCENDING"

    limit = _int_field(body, "limit", DEFAULT_LIMIT)
    offset = _int_field(body, "after", 0)
    if limit < 0 or offset < 0:
        raise generic_bad_request()
    if limit > MAX_LIMIT:
        raise _refuse(f"limit must be at most {MAX_LIMIT}; got {limit}.")
    if offset + limit > MAX_RESULT_WINDOW:
        # HubSpot's exact message for this case is not published; its answer is a 400.
        raise generic_bad_request()

    properties = body.get("properties")
    if properties is not None and (
        not isinstance(properties, list) or not all(isinstance(p, str) for p in properties)
    ):
        raise generic_bad_request()

    cache_key = json.dumps(
        [body.get("filterGroups"), body.get("query"), sorts, inconsistency],
        sort_keys=True,
        default=str,
    )
    key_ranges = (
        None
        if query is not None
        else index_ranges(body.get("filterGroups"), sorts, inconsistency, schema)
    )
    return SearchRequest(
        predicate, sort_getter, descending, properties, limit, offset, cache_key, key_ranges
    )


def evaluate(
    records: Iterable[R],
    pending: Mapping[str, IndexedState],
    request: SearchRequest[R],
) -> list[R]:
    """Every matching searchable record, in result order (records come in id order, which is
    the tie-break and the default order). Archived records are never in search."""
    predicate = request.predicate
    if pending:
        matched = []
        for account in records:
            state = pending.get(account.crm_id)
            if state is None:
                if not account.deleted and predicate(account, None):
                    matched.append(account)
            elif state.searchable and predicate(account, state):
                matched.append(account)
    else:
        matched = [a for a in records if not a.deleted and predicate(a, None)]
    get = request.sort_getter
    if get is None:
        return matched
    with_value: list[tuple[Typed, R]] = []
    without_value: list[R] = []
    for account in matched:
        value = get(account, pending.get(account.crm_id) if pending else None)
        if value is None or value == "":
            without_value.append(account)
        else:
            with_value.append((value, account))
    # Python's sort is stable, also with reverse=True, so equal values keep id order. Records
    # without a value come last in either direction.
    with_value.sort(key=lambda pair: pair[0], reverse=request.descending)
    return [account for _, account in with_value] + without_value
