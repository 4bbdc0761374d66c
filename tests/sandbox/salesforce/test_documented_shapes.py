"""Contract tests: the emulator's responses have the shape of Salesforce's documented examples.

Each file in `documented/` holds an example response from the Salesforce documentation, with its
source in `_source`. Values may differ; keys, JSON types and nesting must match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import MakeSandbox, Sandbox, account

DOCUMENTED = Path(__file__).parent / "documented"


def documented(name: str) -> Any:
    example = json.loads((DOCUMENTED / name).read_text())
    assert example["_source"].startswith("https://")
    body = example.get("body", example)
    if isinstance(body, dict):
        return {key: value for key, value in body.items() if not key.startswith("_")}
    return body


def shape_differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` differs from `expected` in keys, JSON types or nesting (not in values)."""
    if type(expected) is not type(actual):
        return [f"{path}: documented {type(expected).__name__}, got {type(actual).__name__}"]
    if isinstance(expected, dict):
        problems = []
        if set(expected) != set(actual):
            missing, extra = set(expected) - set(actual), set(actual) - set(expected)
            problems.append(f"{path}: missing keys {sorted(missing)}, extra keys {sorted(extra)}")
        for key in set(expected) & set(actual):
            problems += shape_differences(expected[key], actual[key], f"{path}.{key}")
        return problems
    if isinstance(expected, list) and expected:
        problems = []
        for index, item in enumerate(actual):
            sample = expected[min(index, len(expected) - 1)]
            problems += shape_differences(sample, item, f"{path}[{index}]")
        return problems
    return []


def test_the_comparison_notices_a_missing_key_and_a_wrong_type() -> None:
    assert shape_differences({"a": 1, "b": "x"}, {"a": "1"}) == [
        "$: missing keys ['b'], extra keys []",
        "$.a: documented int, got str",
    ]


@pytest.fixture
def big_sandbox(make_sandbox: MakeSandbox, team: list[SeedRep]) -> Sandbox:
    return make_sandbox([account(n, team[0]) for n in range(1, 251)], bulk_polls_until_complete=0)


def test_query_response_matches_the_documented_example(big_sandbox: Sandbox) -> None:
    response = big_sandbox.api(
        "GET",
        "/query",
        big_sandbox.token(),
        params={"q": "SELECT Id, Name FROM Account"},
        headers={"Sforce-Query-Options": "batchSize=200"},
    )

    assert shape_differences(documented("query_response.json"), response.json()) == []


def test_collections_update_response_matches_the_documented_example(
    big_sandbox: Sandbox, team: list[SeedRep]
) -> None:
    record_id = big_sandbox.org.accounts[0].crm_id
    owner = team[1].salesforce_user_id
    response = big_sandbox.api(
        "PATCH",
        "/composite/sobjects",
        big_sandbox.token(),
        json={
            "allOrNone": False,
            "records": [
                {"attributes": {"type": "Account"}, "id": record_id, "OwnerId": owner},
                {"attributes": {"type": "Account"}, "id": owner, "OwnerId": owner},
            ],
        },
    )

    body = response.json()
    assert body[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert shape_differences(documented("collections_update_partial_failure.json"), body) == []


def test_bulk_job_responses_match_the_documented_examples(big_sandbox: Sandbox) -> None:
    token = big_sandbox.token()
    created = big_sandbox.api(
        "POST", "/jobs/query", token, json={"operation": "query", "query": "SELECT Id FROM Account"}
    ).json()
    polled = big_sandbox.api("GET", f"/jobs/query/{created['id']}", token).json()

    assert shape_differences(documented("bulk_query_job_created.json"), created) == []
    assert shape_differences(documented("bulk_query_job_info.json"), polled) == []


def test_token_response_matches_the_documented_fields(big_sandbox: Sandbox) -> None:
    config = big_sandbox.org.config
    response = big_sandbox.post(
        "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
        },
    )

    assert shape_differences(documented("token_response.json"), response.json()) == []
