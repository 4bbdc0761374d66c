"""SOQL over Contact and Opportunity through simple-salesforce: paging, the incremental cursor,
account filters, dates, deleted rows and Salesforce's errors."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from sandbox.salesforce.query_plan import plan_query
from sandbox.seed import SeedRep
from tests.sandbox.salesforce.conftest import JAN_1_2026_MS, Sandbox, account, error_body
from tests.sandbox.salesforce.related.conftest import (
    MakeRelatedSandbox,
    contact,
    opportunity,
)


def ids_of(records: list[dict[str, object]]) -> list[object]:
    return [record["Id"] for record in records]


def test_contacts_page_through_next_records_url_in_id_order(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holder = account(1, team[0])
    contacts = [contact(n, holder, team[0]) for n in range(450, 0, -1)]
    sandbox = make_related_sandbox([holder], contacts)

    result = sandbox.client().query_all(
        "SELECT Id, OwnerId FROM Contact", headers={"Sforce-Query-Options": "batchSize=200"}
    )

    assert ids_of(result["records"]) == sorted(c.crm_id for c in contacts)
    assert sandbox.org.requests.counts_by_kind() == {"token": 1, "query": 1, "query-more": 2}


def test_incremental_cursor_over_opportunities_keeps_records_sharing_the_boundary_second(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holder, alice = account(1, team[0]), team[0]
    boundary = JAN_1_2026_MS + 60_000
    deals = [
        opportunity(1, holder, alice, modified_ms=boundary + 1000),
        opportunity(2, holder, alice, modified_ms=boundary),
        opportunity(3, holder, alice, modified_ms=boundary),
        opportunity(4, holder, alice, modified_ms=boundary - 1000),
    ]
    sandbox = make_related_sandbox([holder], opportunities=deals)
    stamp = "2026-01-01T00:01:00.000+0000"

    result = sandbox.client().query_all(
        f"SELECT Id, SystemModstamp FROM Opportunity WHERE (SystemModstamp = {stamp} AND "
        f"Id > '{deals[1].crm_id}') OR SystemModstamp > {stamp} ORDER BY SystemModstamp, Id"
    )

    assert ids_of(result["records"]) == [deals[2].crm_id, deals[0].crm_id]
    assert [r["SystemModstamp"] for r in result["records"]] == [
        "2026-01-01T00:01:00.000+0000",
        "2026-01-01T00:01:01.000+0000",
    ]


def test_account_id_in_returns_the_contacts_of_those_accounts_only(related: Sandbox) -> None:
    first, _, third = related.org.accounts

    result = related.client().query_all(
        f"SELECT Id, AccountId FROM Contact WHERE AccountId IN ('{first.crm_id}', "
        f"'{third.crm_id[:15]}', '001000000000999AAA') ORDER BY Id"
    )

    assert [(r["Id"], r["AccountId"]) for r in result["records"]] == [
        (c.crm_id, c.account_id)
        for c in related.org.contacts
        if c.account_id in (first.crm_id, third.crm_id)
    ]
    assert len(result["records"]) == 3


def test_account_id_and_is_closed_false_pick_the_open_opportunities_of_one_account(
    related: Sandbox,
) -> None:
    first = related.org.accounts[0]

    open_deals = related.client().query_all(
        f"SELECT Id, IsClosed, IsWon FROM Opportunity WHERE AccountId = '{first.crm_id}' "
        "AND IsClosed = false"
    )
    closed_deals = related.client().query_all(
        "SELECT Id, StageName FROM Opportunity WHERE IsClosed = true"
    )

    assert [(r["Id"], r["IsClosed"], r["IsWon"]) for r in open_deals["records"]] == [
        (related.org.opportunities[0].crm_id, False, False)
    ]
    assert [(r["Id"], r["StageName"]) for r in closed_deals["records"]] == [
        (related.org.opportunities[1].crm_id, "Closed Won")
    ]


def test_close_date_is_a_date_in_json_and_amount_a_number_or_null(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holder = account(1, team[0])
    deals = [opportunity(1, holder, team[0], amount=125_000), opportunity(2, holder, team[0])]
    deals[1].amount = None
    sandbox = make_related_sandbox([holder], opportunities=deals)

    records = sandbox.client().query(
        "SELECT Id, CloseDate, Amount, CreatedById FROM Opportunity ORDER BY Id"
    )["records"]

    assert [(r["CloseDate"], r["Amount"]) for r in records] == [
        ("2026-03-31", 125000.0),
        ("2026-03-31", None),
    ]
    assert records[0]["CreatedById"] == team[0].salesforce_user_id


def test_close_date_compares_with_date_literals(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holder, alice = account(1, team[0]), team[0]
    day = 86_400_000
    deals = [
        opportunity(1, holder, alice, close_date_ms=JAN_1_2026_MS - day),  # 2025-12-31
        opportunity(2, holder, alice, close_date_ms=JAN_1_2026_MS),  # 2026-01-01
        opportunity(3, holder, alice, close_date_ms=JAN_1_2026_MS + 31 * day),  # 2026-02-01
    ]
    sandbox = make_related_sandbox([holder], opportunities=deals)

    result = sandbox.client().query_all(
        "SELECT Id, CloseDate FROM Opportunity WHERE CloseDate >= 2026-01-01 "
        "AND CloseDate < 2026-02-01"
    )

    assert [(r["Id"], r["CloseDate"]) for r in result["records"]] == [
        (deals[1].crm_id, "2026-01-01")
    ]


def test_a_datetime_literal_against_close_date_is_refused_as_the_wrong_type(
    related: Sandbox,
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        related.client().query("SELECT Id FROM Opportunity WHERE CloseDate > 2026-01-01T00:00:00Z")

    (body,) = error_body(error.value)
    assert body["errorCode"] == "INVALID_FIELD"
    assert "field 'CloseDate' must be of type date" in body["message"]


def test_query_hides_a_deleted_contact_and_query_all_returns_it_deleted(
    related: Sandbox,
) -> None:
    gone = related.org.contacts[1].crm_id
    related.org.delete_records([gone])
    sf = related.client()
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE AccountId = '{related.org.accounts[0].crm_id}'"

    visible = sf.query_all(soql)
    everything = sf.query_all(soql, include_deleted=True)

    first = related.org.contacts[0].crm_id
    assert [(r["Id"], r["IsDeleted"]) for r in visible["records"]] == [(first, False)]
    assert [(r["Id"], r["IsDeleted"]) for r in everything["records"]] == [
        (first, False),
        (gone, True),
    ]


def test_count_counts_live_contacts(related: Sandbox) -> None:
    related.org.delete_records([related.org.contacts[0].crm_id])

    result = related.client().query("SELECT COUNT() FROM Contact")

    assert (result["totalSize"], result["records"]) == (4, [])


def test_contact_name_is_first_name_then_last_name(related: Sandbox) -> None:
    first = related.org.contacts[0]

    record = related.client().query(
        f"SELECT Name, FirstName, LastName, Email FROM Contact WHERE Id = '{first.crm_id}'"
    )["records"][0]

    assert (record["Name"], record["FirstName"], record["LastName"], record["Email"]) == (
        "Pat Person1",
        "Pat",
        "Person1",
        "person1@example.com",
    )


def test_a_contact_of_no_account_matches_account_id_null(
    make_related_sandbox: MakeRelatedSandbox, team: list[SeedRep]
) -> None:
    holder = account(1, team[0])
    people = [contact(1, holder, team[0]), contact(2, None, team[0])]
    sandbox = make_related_sandbox([holder], people)

    result = sandbox.client().query("SELECT Id, AccountId FROM Contact WHERE AccountId = null")

    assert [(r["Id"], r["AccountId"]) for r in result["records"]] == [(people[1].crm_id, None)]


@pytest.mark.parametrize("sobject", ["Contact", "Opportunity"])
def test_currency_iso_code_is_invalid_field_in_a_single_currency_org(
    related: Sandbox, sobject: str
) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        related.client().query(f"SELECT Id, CurrencyIsoCode FROM {sobject}")

    (body,) = error_body(error.value)
    assert body["errorCode"] == "INVALID_FIELD"
    assert f"No such column 'CurrencyIsoCode' on entity '{sobject}'" in body["message"]


def test_a_syntax_error_over_contacts_is_malformed_query(related: Sandbox) -> None:
    with pytest.raises(SalesforceMalformedRequest) as error:
        related.client().query("SELECT Id FROM Contact WHERE AccountId IN (")

    assert error_body(error.value)[0]["errorCode"] == "MALFORMED_QUERY"


def test_an_account_id_filter_looks_related_records_up_instead_of_scanning(
    team: list[SeedRep],
) -> None:
    holders = [account(n, team[0]) for n in (1, 2)]
    people = [contact(n, holders[n % 2], team[0]) for n in range(1, 7)]
    by_account = {h.crm_id: tuple(c for c in people if c.account_id == h.crm_id) for h in holders}
    plan = plan_query(
        f"SELECT Id FROM Contact WHERE AccountId IN ('{holders[1].crm_id}') AND IsDeleted = false"
    )

    looked_up = plan.select([], include_deleted=False, by_account=lambda a: by_account.get(a, ()))

    assert plan.candidate_account_ids == frozenset({holders[1].crm_id})
    assert looked_up == [c for c in people if c.account_id == holders[1].crm_id]
    assert looked_up == plan.select(people, include_deleted=False)
