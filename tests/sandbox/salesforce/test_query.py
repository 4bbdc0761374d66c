"""SOQL over REST through simple-salesforce: paging, filters, errors, deleted rows, versions."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import (
    JAN_1_2026_MS,
    MakeSandbox,
    Sandbox,
    account,
    error_body,
)


def ids_of(records: list[dict[str, object]]) -> list[object]:
    return [record["Id"] for record in records]


def test_query_all_follows_next_records_url_across_pages(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    accounts = [account(n, team[0]) for n in range(1, 451)]
    sandbox = make_sandbox(accounts)
    sf = sandbox.client()

    result = sf.query_all(
        "SELECT Id, Name FROM Account", headers={"Sforce-Query-Options": "batchSize=200"}
    )

    assert ids_of(result["records"]) == [a.crm_id for a in accounts]
    assert sandbox.org.requests.counts_by_kind() == {"token": 1, "query": 1, "query-more": 2}


def test_first_page_reports_total_size_and_a_locator(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(n, team[0]) for n in range(1, 451)])

    page = sandbox.client().query(
        "SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=200"}
    )

    assert page["totalSize"] == 450
    assert page["done"] is False
    assert len(page["records"]) == 200
    assert page["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert page["nextRecordsUrl"].endswith("-200")


def test_batch_size_below_the_minimum_is_raised_to_200(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(n, team[0]) for n in range(1, 251)])

    page = sandbox.client().query(
        "SELECT Id FROM Account", headers={"Sforce-Query-Options": "batchSize=10"}
    )

    assert len(page["records"]) == 200


def test_default_page_is_2000_records(make_sandbox: MakeSandbox, team: list[SeedRep]) -> None:
    sandbox = make_sandbox([account(n, team[0]) for n in range(1, 2101)])

    page = sandbox.client().query("SELECT Id FROM Account")

    assert len(page["records"]) == 2000
    assert page["nextRecordsUrl"].endswith("-2000")


def test_records_carry_attributes_and_salesforce_datetimes(sandbox: Sandbox) -> None:
    first = sandbox.org.accounts[0]

    record = sandbox.client().query(
        f"SELECT Id, Name, SystemModstamp, AnnualRevenue, Do_Not_Reassign__c FROM Account "
        f"WHERE Id = '{first.crm_id}'"
    )["records"][0]

    assert dict(record) == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v59.0/sobjects/Account/{first.crm_id}",
        },
        "Id": first.crm_id,
        "Name": "Account 00001",
        "SystemModstamp": "2026-01-01T00:00:01.000+0000",
        "AnnualRevenue": 100000.0,
        "Do_Not_Reassign__c": False,
    }


def test_where_with_in_or_and_parentheses_then_order_by(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    accounts = [
        account(1, team[0], country="Germany", industry="Retail"),
        account(2, team[0], country="Austria", industry="Technology"),
        account(3, team[1], country="France", industry="Technology"),
        account(4, team[0], country="Germany", industry="Technology"),
    ]
    sandbox = make_sandbox(accounts)

    result = sandbox.client().query_all(
        "SELECT Id FROM Account WHERE (BillingCountry IN ('Germany', 'Austria') "
        f"OR OwnerId = '{team[1].salesforce_user_id}') AND Industry = 'Technology' "
        "ORDER BY BillingCountry DESC, Name"
    )

    assert ids_of(result["records"]) == [accounts[3].crm_id, accounts[2].crm_id, accounts[1].crm_id]


def test_incremental_cursor_keeps_records_sharing_the_boundary_second(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    boundary = JAN_1_2026_MS + 60_000
    accounts = [
        account(1, team[0], modified_ms=boundary - 1000),
        account(2, team[0], modified_ms=boundary),
        account(3, team[0], modified_ms=boundary),
        account(4, team[0], modified_ms=boundary + 1000),
    ]
    sandbox = make_sandbox(accounts)
    sf = sandbox.client()
    stamp = "2026-01-01T00:01:00.000+0000"

    strict = sf.query_all(f"SELECT Id FROM Account WHERE SystemModstamp > {stamp}")
    safe = sf.query_all(
        f"SELECT Id FROM Account WHERE (SystemModstamp = {stamp} AND Id > '{accounts[1].crm_id}')"
        f" OR SystemModstamp > {stamp} ORDER BY SystemModstamp, Id"
    )

    assert ids_of(strict["records"]) == [accounts[3].crm_id]
    assert ids_of(safe["records"]) == [accounts[2].crm_id, accounts[3].crm_id]


def test_unknown_field_raises_malformed_request_with_invalid_field(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sandbox.client().query("SELECT Id, Foo__c FROM Account")

    assert error.value.status == 400
    assert error_body(error.value)[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Foo__c' on entity 'Account'" in error_body(error.value)[0]["message"]


def test_syntax_error_raises_malformed_query(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        sandbox.client().query("SELECT Id FROM Account WHERE")

    assert error_body(error.value)[0]["errorCode"] == "MALFORMED_QUERY"


def test_query_hides_deleted_rows_and_query_all_includes_them(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    live, gone = account(1, team[0]), account(2, team[0], deleted=True)
    sandbox = make_sandbox([live, gone])
    sf = sandbox.client()

    visible = sf.query_all("SELECT Id, IsDeleted FROM Account")
    everything = sf.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)

    assert [(r["Id"], r["IsDeleted"]) for r in visible["records"]] == [(live.crm_id, False)]
    assert [(r["Id"], r["IsDeleted"]) for r in everything["records"]] == [
        (live.crm_id, False),
        (gone.crm_id, True),
    ]
    assert sandbox.org.requests.count("query-all") == 1


def test_query_all_locator_points_back_at_query_all(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(n, team[0], deleted=n % 2 == 0) for n in range(1, 451)])

    result = sandbox.client().query_all(
        "SELECT Id FROM Account",
        include_deleted=True,
        headers={"Sforce-Query-Options": "batchSize=200"},
    )

    assert len(result["records"]) == 450
    paths = [r.path for r in sandbox.org.requests.records() if r.kind == "query-more"]
    assert all(path.startswith("/services/data/v59.0/queryAll/01g") for path in paths)


def test_count_query_returns_the_total_only(sandbox: Sandbox) -> None:
    result = sandbox.client().query("SELECT COUNT() FROM Account WHERE NumberOfEmployees > 50")

    assert result["totalSize"] == 5
    assert result["records"] == []


def test_users_are_queryable(sandbox: Sandbox, team: list[SeedRep]) -> None:
    result = sandbox.client().query_all(
        "SELECT Id, Email, Name, IsActive, UserType FROM User WHERE IsActive = false"
    )

    assert [(r["Id"], r["Name"], r["UserType"]) for r in result["records"]] == [
        (team[2].salesforce_user_id, "Carol Number3", "Standard")
    ]


def test_oldest_locator_is_released_after_ten_newer_cursors(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    sandbox = make_sandbox([account(n, team[0]) for n in range(1, 301)])
    sf = sandbox.client()
    options = {"Sforce-Query-Options": "batchSize=200"}
    first = sf.query("SELECT Id FROM Account", headers=options)
    for _ in range(10):
        sf.query("SELECT Id FROM Account", headers=options)

    with pytest.raises(SalesforceMalformedRequest) as error:
        sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)

    assert error_body(error.value)[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_unsupported_api_version_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceResourceNotFound) as error:
        sandbox.client(version="49.0").query("SELECT Id FROM Account")

    assert error_body(error.value) == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]


@pytest.mark.parametrize("version", ["50.0", "62.0"])
def test_every_supported_version_answers(sandbox: Sandbox, version: str) -> None:
    assert sandbox.client(version=version).query("SELECT Id FROM Account")["totalSize"] == 10


def test_versions_resource_lists_v50_to_v62(sandbox: Sandbox) -> None:
    versions = sandbox.get("/services/data/").json()

    assert versions[0] == {"label": "Winter '21", "url": "/services/data/v50.0", "version": "50.0"}
    assert [v["version"] for v in versions][-1] == "62.0"
    assert len(versions) == 13


def test_query_route_answers_with_and_without_trailing_slash(sandbox: Sandbox) -> None:
    token = sandbox.token()

    for path in ("/query", "/query/"):
        response = sandbox.api("GET", path, token, params={"q": "SELECT Id FROM Account"})
        assert response.json()["totalSize"] == 10


def test_unknown_resource_is_not_found(sandbox: Sandbox) -> None:
    response = sandbox.api("GET", "/nothing/here", sandbox.token())

    assert response.status_code == 404
    assert response.json()[0]["errorCode"] == "NOT_FOUND"


def test_single_account_with_chosen_fields(sandbox: Sandbox) -> None:
    first = sandbox.org.accounts[0]

    record = sandbox.client().restful(
        f"sobjects/Account/{first.crm_id}", params={"fields": "Name,OwnerId"}
    )

    assert record == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v59.0/sobjects/Account/{first.crm_id}",
        },
        "Name": "Account 00001",
        "OwnerId": first.owner_id,
    }


def test_single_unknown_account_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sandbox.client().restful("sobjects/Account/001000000000000AAA")


def test_an_id_only_listing_pages_through_query_and_query_more_2000_at_a_time(
    make_sandbox: MakeSandbox, team: list[SeedRep]
) -> None:
    accounts = [account(n, team[0]) for n in range(1, 4502)]
    sandbox = make_sandbox(accounts)
    sf = sandbox.client()

    first = sf.query("SELECT Id FROM Account")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    third = sf.query_more(second["nextRecordsUrl"], identifier_is_url=True)

    pages = [first, second, third]
    assert [len(page["records"]) for page in pages] == [2000, 2000, 501]
    assert [page["done"] for page in pages] == [False, False, True]
    assert set(first["records"][0]) == {"attributes", "Id"}
    listed = [record["Id"] for page in pages for record in page["records"]]
    assert listed == [a.crm_id for a in accounts]
    assert sandbox.org.requests.counts_by_kind() == {"token": 1, "query": 1, "query-more": 2}
