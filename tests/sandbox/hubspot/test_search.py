"""CRM search: filters, the single sort, offset paging, the 10,000-result window and refusals."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.companies import ApiException, Filter, FilterGroup, PublicObjectSearchRequest

from tests.sandbox.hubspot.conftest import (
    START_MS,
    PortalFactory,
    client_for,
    make_companies,
    make_company,
)

TIMEOUT = 10


def _request(
    groups: list[list[dict[str, Any]]],
    *,
    sorts: list[dict[str, str]] | None = None,
    limit: int = 100,
    after: str = "0",
    properties: list[str] | None = None,
) -> PublicObjectSearchRequest:
    return PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=[Filter(**f) for f in group]) for group in groups],
        sorts=sorts or [],
        properties=properties or ["name", "hubspot_owner_id"],
        limit=limit,
        after=after,
    )


def _ids(response: Any) -> list[str]:
    return [r.id for r in response.results]


def test_modified_since_filter_sorted_descending(serve: PortalFactory) -> None:
    companies = make_companies(6)
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api
    since = str(companies[2].modified_ms)

    response = search_api.do_search(
        public_object_search_request=_request(
            [[{"property_name": "hs_lastmodifieddate", "operator": "GTE", "value": since}]],
            sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}],
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [c.crm_id for c in reversed(companies[2:])]
    assert response.total == 4


def test_filter_groups_are_alternatives_and_filters_in_a_group_all_apply(
    serve: PortalFactory,
) -> None:
    companies = [
        make_company(1, country="France", owner_id="301"),
        make_company(2, country="France", owner_id="302"),
        make_company(3, country="Spain", owner_id="302"),
        make_company(4, country="Italy", owner_id="303"),
    ]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request(
            [
                [
                    {"property_name": "country", "operator": "EQ", "value": "france"},
                    {"property_name": "hubspot_owner_id", "operator": "EQ", "value": "302"},
                ],
                [{"property_name": "country", "operator": "EQ", "value": "Italy"}],
            ]
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [companies[1].crm_id, companies[3].crm_id]


@pytest.mark.parametrize(
    ("search_filter", "expected_numbers"),
    [
        ({"property_name": "numberofemployees", "operator": "GT", "value": "20"}, [3, 4]),
        (
            {
                "property_name": "numberofemployees",
                "operator": "BETWEEN",
                "value": "20",
                "high_value": "30",
            },
            [2, 3],
        ),
        ({"property_name": "hubspot_owner_id", "operator": "IN", "values": ["302", "303"]}, [2, 3]),
        ({"property_name": "hubspot_owner_id", "operator": "NOT_IN", "values": ["301"]}, [2, 3, 4]),
        ({"property_name": "hubspot_owner_id", "operator": "HAS_PROPERTY"}, [1, 2, 3]),
        ({"property_name": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"}, [4]),
        ({"property_name": "name", "operator": "CONTAINS_TOKEN", "value": "acme"}, [1]),
        ({"property_name": "hs_object_id", "operator": "LTE", "value": "10000000002"}, [1, 2]),
        ({"property_name": "do_not_reassign", "operator": "EQ", "value": "true"}, [4]),
    ],
)
def test_operators_select_the_expected_companies(
    serve: PortalFactory, search_filter: dict[str, Any], expected_numbers: list[int]
) -> None:
    companies = [
        make_company(1, name="Acme Robotics GmbH", owner_id="301"),
        make_company(2, owner_id="302"),
        make_company(3, owner_id="303"),
        make_company(4, owner_id=None, do_not_reassign=True),
    ]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request([[search_filter]]), _request_timeout=TIMEOUT
    )

    assert _ids(response) == [companies[n - 1].crm_id for n in expected_numbers]


def test_numbers_compare_numerically_not_as_text(serve: PortalFactory) -> None:
    companies = [make_company(1, employees=9), make_company(2, employees=10)]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request(
            [[{"property_name": "numberofemployees", "operator": "LT", "value": "10"}]]
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [companies[0].crm_id]


def test_free_text_query_matches_word_prefixes_in_name_domain_and_website(
    serve: PortalFactory,
) -> None:
    companies = [make_company(1, name="Acme Robotics GmbH"), make_company(2, name="Globex")]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api
    request = _request([])
    request.query = "robot"

    response = search_api.do_search(public_object_search_request=request, _request_timeout=TIMEOUT)

    assert _ids(response) == [companies[0].crm_id]


def test_offset_paging_reports_the_total_and_stops_on_the_last_page(
    serve: PortalFactory,
) -> None:
    companies = make_companies(25)
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api
    sort = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]

    seen: list[str] = []
    after = "0"
    while True:
        response = search_api.do_search(
            public_object_search_request=_request([], sorts=sort, limit=10, after=after),
            _request_timeout=TIMEOUT,
        )
        assert response.total == 25
        seen.extend(_ids(response))
        if response.paging is None:
            break
        after = response.paging.next.after
    assert seen == [c.crm_id for c in companies]


def test_equal_sort_values_keep_id_order(serve: PortalFactory) -> None:
    companies = [make_company(n, modified_ms=START_MS) for n in range(1, 5)]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request(
            [], sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}]
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(response) == [c.crm_id for c in companies]


def test_archived_companies_never_appear_in_search(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    portal.delete_records([companies[0].crm_id])
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request([]), _request_timeout=TIMEOUT
    )

    assert _ids(response) == [c.crm_id for c in companies[1:]]


def test_results_carry_the_requested_properties(serve: PortalFactory) -> None:
    _, url = serve([make_company(1, city="Lyon")])
    search_api = client_for(url).crm.companies.search_api

    response = search_api.do_search(
        public_object_search_request=_request([], properties=["city", "not_a_property"]),
        _request_timeout=TIMEOUT,
    )

    properties = response.results[0].properties
    assert properties["city"] == "Lyon"
    assert "not_a_property" not in properties


def _refusal(url: str, request: PublicObjectSearchRequest) -> ApiException:
    search_api = client_for(url).crm.companies.search_api
    with pytest.raises(ApiException) as caught:
        search_api.do_search(public_object_search_request=request, _request_timeout=TIMEOUT)
    assert caught.value.status == 400
    return caught.value


def test_two_sort_rules_are_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(2))

    error = _refusal(
        url,
        _request(
            [],
            sorts=[
                {"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"},
                {"propertyName": "hs_object_id", "direction": "ASCENDING"},
            ],
        ),
    )

    assert "Only one sort" in error.body


def test_six_filter_groups_are_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    group = [{"property_name": "country", "operator": "EQ", "value": "Spain"}]

    error = _refusal(url, _request([group] * 6))

    assert "filter groups" in error.body


def test_eleven_filters_in_one_group_are_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    group = [{"property_name": "country", "operator": "NEQ", "value": f"X{i}"} for i in range(11)]

    error = _refusal(url, _request([group]))

    assert "filters in a filter group" in error.body


def test_twenty_six_filters_in_all_are_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    group = [{"property_name": "country", "operator": "NEQ", "value": f"X{i}"} for i in range(9)]

    error = _refusal(url, _request([group, group, group[:8]]))

    assert "Too many filters" in error.body


def test_filter_on_an_unknown_property_is_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    error = _refusal(
        url, _request([[{"property_name": "no_such_thing", "operator": "EQ", "value": "1"}]])
    )

    assert "There was a problem with the request." in error.body


def test_dates_given_as_iso_text_are_refused_with_the_expected_format(
    serve: PortalFactory,
) -> None:
    _, url = serve(make_companies(1))

    error = _refusal(
        url,
        _request(
            [
                [
                    {
                        "property_name": "hs_lastmodifieddate",
                        "operator": "GTE",
                        "value": "2024-05-01T00:00:00Z",
                    }
                ]
            ]
        ),
    )

    assert "milliseconds since the epoch" in error.body


def test_page_size_above_two_hundred_is_refused(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    _refusal(url, _request([], limit=201))


def test_paging_past_ten_thousand_results_is_refused_while_total_counts_all(
    serve: PortalFactory,
) -> None:
    companies = [make_company(n, name="C") for n in range(1, 10_101)]
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api
    sort = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]

    last_allowed = search_api.do_search(
        public_object_search_request=_request([], sorts=sort, limit=200, after="9800"),
        _request_timeout=TIMEOUT,
    )
    assert last_allowed.total == 10_100
    assert _ids(last_allowed)[-1] == companies[9_999].crm_id
    assert last_allowed.paging.next.after == "10000"

    with pytest.raises(ApiException) as caught:
        search_api.do_search(
            public_object_search_request=_request(
                [], sorts=sort, limit=200, after=last_allowed.paging.next.after
            ),
            _request_timeout=TIMEOUT,
        )
    assert caught.value.status == 400


def test_the_rest_of_a_large_result_is_reached_by_restarting_from_the_last_id(
    serve: PortalFactory,
) -> None:
    companies = make_companies(30)
    _, url = serve(companies)
    search_api = client_for(url).crm.companies.search_api
    sort = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]

    first = search_api.do_search(
        public_object_search_request=_request([], sorts=sort, limit=20), _request_timeout=TIMEOUT
    )
    rest = search_api.do_search(
        public_object_search_request=_request(
            [[{"property_name": "hs_object_id", "operator": "GT", "value": _ids(first)[-1]}]],
            sorts=sort,
            limit=20,
        ),
        _request_timeout=TIMEOUT,
    )

    assert _ids(first) + _ids(rest) == [c.crm_id for c in companies]
