"""The company properties API through hubspot-api-client: which properties exist."""

from __future__ import annotations

import httpx
import pytest
from hubspot.crm.properties import ApiException

from tests.sandbox.hubspot.conftest import TOKEN, PortalFactory, client_for, make_companies

TIMEOUT = 10


def test_the_client_reads_every_company_property(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    core_api = client_for(url).crm.properties.core_api

    listed = core_api.get_all(object_type="companies", archived=False, _request_timeout=TIMEOUT)

    names = [p.name for p in listed.results]
    assert {"hubspot_owner_id", "do_not_reassign", "hs_lastmodifieddate", "country"} <= set(names)
    assert "hs_object_id" in names


def test_properties_carry_type_field_type_group_and_modification_metadata(
    serve: PortalFactory,
) -> None:
    _, url = serve(make_companies(1))
    core_api = client_for(url).crm.properties.core_api

    listed = core_api.get_all(object_type="companies", _request_timeout=TIMEOUT)

    by_name = {p.name: p for p in listed.results}
    owner = by_name["hubspot_owner_id"]
    assert (owner.type, owner.field_type, owner.referenced_object_type) == (
        "enumeration",
        "select",
        "OWNER",
    )
    assert owner.group_name == "companyinformation"
    assert owner.modification_metadata.read_only_value is False
    assert by_name["hs_lastmodifieddate"].modification_metadata.read_only_value is True
    custom = by_name["do_not_reassign"]
    assert (custom.type, custom.field_type, custom.hubspot_defined) == (
        "bool",
        "booleancheckbox",
        None,
    )
    assert [o.value for o in custom.options] == ["true", "false"]
    assert "customer" in [o.value for o in by_name["lifecyclestage"].options]


def test_no_archived_properties_are_listed(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))
    core_api = client_for(url).crm.properties.core_api

    listed = core_api.get_all(object_type="companies", archived=True, _request_timeout=TIMEOUT)

    assert listed.results == []


def test_reading_properties_is_a_logged_api_call_under_the_rate_limits(
    serve: PortalFactory,
) -> None:
    portal, url = serve(make_companies(1), ten_second_limit=1)
    core_api = client_for(url).crm.properties.core_api
    core_api.get_all(object_type="companies", _request_timeout=TIMEOUT)

    with pytest.raises(ApiException) as refused:
        core_api.get_all(object_type="companies", _request_timeout=TIMEOUT)

    assert refused.value.status == 429
    assert portal.requests.counts_by_kind() == {"properties": 2}


def test_properties_of_another_object_type_are_refused_with_advice(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    response = httpx.get(
        f"{url}/crm/v3/properties/widgets", headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert response.status_code == 400
    assert "GET /crm/v3/properties/companies" in response.json()["message"]
