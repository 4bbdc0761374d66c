"""The portal's search-inconsistency switch: off by default, and when on, search answers one
timestamp's filters the way a connector's progress guard has to survive."""

from __future__ import annotations

from typing import Any

import httpx
from hubspot.crm.companies import Filter, FilterGroup, PublicObjectSearchRequest

from tests.sandbox.hubspot.conftest import PortalFactory, client_for, make_company

TIMEOUT = 10
STAMP = 1_714_564_800_000


def _search(url: str, groups: list[list[dict[str, str]]], sort: str) -> list[str]:
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(**f) for f in group]) for group in groups],
        sorts=[{"propertyName": sort, "direction": "ASCENDING"}],
        properties=["hs_lastmodifieddate"],
        limit=100,
        after="0",
    )
    response: Any = client_for(url).crm.companies.search_api.do_search(
        public_object_search_request=request, _request_timeout=TIMEOUT
    )
    return [r.id for r in response.results]


def _at(operator: str, value: int) -> dict[str, str]:
    return {"property_name": "hs_lastmodifieddate", "operator": operator, "value": str(value)}


def _id_above(record_id: str) -> dict[str, str]:
    return {"property_name": "hs_object_id", "operator": "GT", "value": record_id}


def _book() -> list[Any]:
    return [make_company(n, modified_ms=STAMP) for n in range(1, 4)] + [
        make_company(4, modified_ms=STAMP + 1_000)
    ]


def test_search_answers_consistently_until_the_switch_is_set(serve: PortalFactory) -> None:
    book = _book()
    portal, url = serve(book)
    assert portal.search_inconsistency is None
    assert _search(url, [[_at("EQ", STAMP), _id_above(book[0].crm_id)]], "hs_object_id") == [
        book[1].crm_id,
        book[2].crm_id,
    ]
    assert _search(url, [[_at("GT", STAMP)]], "hs_lastmodifieddate") == [book[3].crm_id]


def test_an_eq_walk_by_id_gets_the_same_page_again_when_eq_ignores_the_id_bound(
    serve: PortalFactory,
) -> None:
    book = _book()
    portal, url = serve(book)
    portal.set_search_inconsistency("eq_ignores_id_bound")
    walked = _search(url, [[_at("EQ", STAMP), _id_above(book[2].crm_id)]], "hs_object_id")
    assert walked == [c.crm_id for c in book[:3]]
    # An id bound without an EQ on the timestamp still applies.
    assert _search(url, [[_at("GTE", STAMP), _id_above(book[2].crm_id)]], "hs_object_id") == [
        book[3].crm_id
    ]


def test_a_gt_answer_includes_its_boundary_when_gt_includes_boundary_is_set(
    serve: PortalFactory,
) -> None:
    book = _book()
    portal, url = serve(book)
    portal.set_search_inconsistency("gt_includes_boundary")
    assert _search(url, [[_at("GT", STAMP)]], "hs_lastmodifieddate") == [c.crm_id for c in book]


def test_the_switch_is_set_read_and_cleared_over_the_control_route(serve: PortalFactory) -> None:
    portal, url = serve(_book())
    route = f"{url}/__sandbox/search-inconsistency"
    assert httpx.get(route).json() == {"mode": None}
    assert httpx.put(route, json={"mode": "gt_includes_boundary"}).json() == {
        "mode": "gt_includes_boundary"
    }
    assert portal.search_inconsistency == "gt_includes_boundary"
    assert httpx.put(route, json={"mode": None}).json() == {"mode": None}
    assert portal.search_inconsistency is None


def test_an_unknown_mode_is_refused_with_the_modes_there_are(serve: PortalFactory) -> None:
    _, url = serve(_book())
    response = httpx.put(f"{url}/__sandbox/search-inconsistency", json={"mode": "sometimes"})
    assert response.status_code == 400
    assert "eq_ignores_id_bound" in response.json()["error"]
