"""Contract tests: the emulator's responses have the shape of HubSpot's documented examples.

Each file under `documented/` holds a response example copied from its source (URL inside), the
keys HubSpot documents as optional, and those that may be null. Every key the emulator sends must
be documented, with the same JSON type and nesting, and every key not marked optional must be
sent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from tests.sandbox.hubspot.conftest import TOKEN, PortalFactory, make_companies

DOCUMENTED = Path(__file__).parent / "documented"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ISO_WITH_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def documented(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DOCUMENTED / name).read_text())
    assert data["source"].startswith("https://")
    return data


def shape_differences(
    actual: Any, example: Any, optional: set[str], nullable: set[str], path: str = ""
) -> list[str]:
    """Where `actual` departs from `example`: unknown keys, missing keys, other JSON types."""
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'body'}: {type(actual).__name__} where an object is documented"]
        if not example:  # a free-form map, e.g. `properties`
            return []
        problems = [
            f"{path}.{key}".lstrip(".") + ": not in the documented response"
            for key in actual
            if key not in example
        ]
        for key, value in example.items():
            child = f"{path}.{key}".lstrip(".")
            if key not in actual:
                if child not in optional:
                    problems.append(f"{child}: documented but missing")
                continue
            problems.extend(shape_differences(actual[key], value, optional, nullable, child))
        return problems
    if isinstance(example, list):
        if not isinstance(actual, list):
            return [f"{path}: {type(actual).__name__} where a list is documented"]
        if not example:
            return []
        return [
            problem
            for item in actual
            for problem in shape_differences(item, example[0], optional, nullable, f"{path}[]")
        ]
    if actual is None:
        return [] if path in nullable else [f"{path}: null where a value is documented"]
    if type(actual) is not type(example):
        return [f"{path}: {type(actual).__name__} where {type(example).__name__} is documented"]
    return []


def conforms(actual: Any, name: str) -> list[str]:
    doc = documented(name)
    return shape_differences(actual, doc["example"], set(doc["optional"]), set(doc["nullable"]))


def test_shape_check_notices_an_invented_field_and_a_wrong_type() -> None:
    page = {"results": [], "paging": {"next": {"after": 5, "link": "x", "cursor": "y"}}}

    assert conforms(page, "companies_list_page.json") == [
        "paging.next.cursor: not in the documented response",
        "paging.next.after: int where str is documented",
    ]


def test_company_list_pages_match_the_documented_example(serve: PortalFactory) -> None:
    companies = make_companies(3)
    portal, url = serve(companies)
    portal.delete_records([companies[2].crm_id])

    first = httpx.get(f"{url}/crm/v3/objects/companies?limit=1", headers=AUTH).json()
    last = httpx.get(
        f"{url}/crm/v3/objects/companies?limit=1&after={first['paging']['next']['after']}",
        headers=AUTH,
    ).json()
    archived = httpx.get(f"{url}/crm/v3/objects/companies?archived=true", headers=AUTH).json()

    assert "paging" not in last
    for body in (first, last, archived):
        assert conforms(body, "companies_list_page.json") == []
    record = archived["results"][0]
    for stamp in (record["createdAt"], record["updatedAt"], record["archivedAt"]):
        assert ISO_WITH_MS.match(stamp)
    assert all(v is None or isinstance(v, str) for v in record["properties"].values())


def test_batch_update_with_a_failed_input_matches_the_documented_207(
    serve: PortalFactory,
) -> None:
    companies = make_companies(2)
    _, url = serve(companies)

    response = httpx.post(
        f"{url}/crm/v3/objects/companies/batch/update",
        headers=AUTH,
        json={
            "inputs": [
                {"id": companies[0].crm_id, "properties": {"hubspot_owner_id": "302"}},
                {"id": companies[1].crm_id, "properties": {"hubspot_owner_id": "777"}},
            ]
        },
    )

    assert response.status_code == 207
    assert conforms(response.json(), "batch_update_207.json") == []


def test_rate_limit_refusal_matches_the_real_429_body(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1), ten_second_limit=1)
    httpx.get(f"{url}/crm/v3/objects/companies", headers=AUTH)

    response = httpx.get(f"{url}/crm/v3/objects/companies", headers=AUTH)

    assert response.status_code == 429
    assert conforms(response.json(), "rate_limit_429.json") == []
    assert response.json()["groupName"].startswith("publicapi:")


def test_owners_match_the_documented_owner(serve: PortalFactory) -> None:
    _, url = serve(make_companies(1))

    active = httpx.get(f"{url}/crm/v3/owners/", headers=AUTH).json()["results"]
    archived = httpx.get(f"{url}/crm/v3/owners/?archived=true", headers=AUTH).json()["results"]

    for owner in active + archived:
        assert conforms(owner, "owner.json") == []
