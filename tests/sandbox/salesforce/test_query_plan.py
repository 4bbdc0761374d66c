"""Running SOQL against seed records: name checks with Salesforce's messages, and SOQL semantics."""

from __future__ import annotations

import pytest

from sandbox.salesforce.errors import SalesforceApiError
from sandbox.salesforce.query_plan import plan_query
from sandbox.seed import SeedAccount
from tests.sandbox.salesforce.conftest import JAN_1_2026_MS, account, rep


def run(text: str, records: list[SeedAccount], *, include_deleted: bool = False) -> list[str]:
    return [r.crm_id for r in plan_query(text).select(records, include_deleted=include_deleted)]


def names(text: str, records: list[SeedAccount]) -> list[str]:
    return [r.name for r in plan_query(text).select(records, include_deleted=False)]


def test_unknown_field_is_invalid_field_with_salesforces_message() -> None:
    with pytest.raises(SalesforceApiError) as error:
        plan_query("SELECT Id, Foo__c FROM Account")

    assert error.value.status == 400
    assert error.value.error_code == "INVALID_FIELD"
    assert error.value.message == (
        "\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo__c' on entity 'Account'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name. Please reference your "
        "WSDL or the describe call for the appropriate names."
    )


def test_unknown_field_in_where_is_invalid_field() -> None:
    with pytest.raises(SalesforceApiError) as error:
        plan_query("SELECT Id FROM Account WHERE Region__c = 'EMEA'")

    assert error.value.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:30" in error.value.message


def test_unknown_object_is_invalid_type() -> None:
    with pytest.raises(SalesforceApiError) as error:
        plan_query("SELECT Id FROM Lead")

    assert error.value.error_code == "INVALID_TYPE"
    assert "sObject type 'Lead' is not supported" in error.value.message


def test_syntax_error_is_malformed_query_with_a_caret() -> None:
    with pytest.raises(SalesforceApiError) as error:
        plan_query("SELECT Id FROM Account WHERE Name = 'a' OR")

    assert error.value.error_code == "MALFORMED_QUERY"
    assert error.value.message.endswith("ERROR at Row:1:Column:43\nunexpected token: <EOF>")


def test_quoted_datetime_is_refused_as_the_wrong_type() -> None:
    with pytest.raises(SalesforceApiError) as error:
        plan_query("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01T00:00:00Z'")

    assert error.value.error_code == "INVALID_FIELD"
    assert error.value.message.endswith(
        "value of filter criterion for field 'SystemModstamp' must be of type dateTime and "
        "should not be enclosed in quotes"
    )


def test_relationship_paths_are_not_understood() -> None:
    with pytest.raises(SalesforceApiError, match="Didn't understand relationship 'Owner'"):
        plan_query("SELECT Owner.Name FROM Account")


def test_a_field_selected_twice_is_refused() -> None:
    with pytest.raises(SalesforceApiError, match="duplicate field selected: Name"):
        plan_query("SELECT Name, name FROM Account")


def test_text_equality_ignores_case() -> None:
    records = [account(1, name="ACME GmbH"), account(2, name="Other")]

    assert run("SELECT Id FROM Account WHERE Name = 'acme gmbh'", records) == [records[0].crm_id]


def test_not_equal_keeps_rows_whose_field_is_null() -> None:
    records = [account(1, industry="Retail"), account(2, industry=None), account(3)]

    assert run("SELECT Id FROM Account WHERE Industry != 'Retail'", records) == [
        records[1].crm_id,
        records[2].crm_id,
    ]


def test_null_comparisons() -> None:
    records = [account(1, owner_id=None), account(2, rep(1))]

    assert run("SELECT Id FROM Account WHERE OwnerId = null", records) == [records[0].crm_id]
    assert run("SELECT Id FROM Account WHERE OwnerId != null", records) == [records[1].crm_id]


def test_like_is_case_insensitive_with_wildcards_and_escapes() -> None:
    records = [
        account(1, name="Acme 100% Solar"),
        account(2, name="acme wind"),
        account(3, name="Bacme"),
    ]

    assert run("SELECT Id FROM Account WHERE Name LIKE 'ACME%'", records) == [
        records[0].crm_id,
        records[1].crm_id,
    ]
    assert run(r"SELECT Id FROM Account WHERE Name LIKE '%100\% S_lar'", records) == [
        records[0].crm_id
    ]


def test_in_and_not_in() -> None:
    records = [account(1, country="DE"), account(2, country="AT"), account(3, country=None)]

    assert run("SELECT Id FROM Account WHERE BillingCountry IN ('de', 'CH')", records) == [
        records[0].crm_id
    ]
    assert run("SELECT Id FROM Account WHERE BillingCountry NOT IN ('DE')", records) == [
        records[1].crm_id,
        records[2].crm_id,
    ]


def test_numeric_and_datetime_ranges() -> None:
    records = [account(n) for n in range(1, 6)]  # modified 1..5 seconds after midnight

    assert run("SELECT Id FROM Account WHERE SystemModstamp > 2026-01-01T00:00:03Z", records) == [
        records[3].crm_id,
        records[4].crm_id,
    ]
    assert run("SELECT Id FROM Account WHERE NumberOfEmployees <= 20", records) == [
        records[0].crm_id,
        records[1].crm_id,
    ]


def test_boolean_fields_compare_with_true_and_false() -> None:
    records = [account(1, do_not_reassign=True), account(2)]

    assert run("SELECT Id FROM Account WHERE Do_Not_Reassign__c = true", records) == [
        records[0].crm_id
    ]


def test_fifteen_character_id_matches_the_eighteen_character_form() -> None:
    records = [account(1), account(2)]

    assert run(f"SELECT Id FROM Account WHERE Id = '{records[1].crm_id[:15]}'", records) == [
        records[1].crm_id
    ]


def test_order_by_puts_nulls_first_unless_told_otherwise() -> None:
    records = [account(1, city="Zurich"), account(2, city=None), account(3, city="aachen")]

    assert names("SELECT Id FROM Account ORDER BY BillingCity", records) == [
        "Account 00002",
        "Account 00003",
        "Account 00001",
    ]
    assert names("SELECT Id FROM Account ORDER BY BillingCity DESC NULLS LAST", records) == [
        "Account 00001",
        "Account 00003",
        "Account 00002",
    ]


def test_order_by_several_fields_then_limit_and_offset() -> None:
    same_second = JAN_1_2026_MS + 5000
    records = [
        account(3, modified_ms=same_second),
        account(1, modified_ms=same_second),
        account(2, modified_ms=JAN_1_2026_MS),
    ]
    text = "SELECT Id FROM Account ORDER BY SystemModstamp DESC, Id ASC LIMIT 2"

    assert run(text, records) == [records[1].crm_id, records[0].crm_id]
    assert run(text + " OFFSET 2", records) == [records[2].crm_id]


def test_query_skips_deleted_rows_and_query_all_keeps_them() -> None:
    records = [account(1), account(2, deleted=True)]

    assert run("SELECT Id FROM Account", records) == [records[0].crm_id]
    assert run("SELECT Id FROM Account", records, include_deleted=True) == [
        records[0].crm_id,
        records[1].crm_id,
    ]


def test_id_lookup_gives_the_same_rows_as_a_scan() -> None:
    records = [account(n, country="DE" if n % 2 else "AT") for n in range(1, 11)]
    records[2].deleted = True
    by_id = {r.crm_id: r for r in records}.get
    wanted = [records[4].crm_id, records[2].crm_id[:15], records[0].crm_id, "001000000000999AAA"]
    id_list = ", ".join(f"'{i}'" for i in wanted)
    plan = plan_query(f"SELECT Id FROM Account WHERE Id IN ({id_list}) AND BillingCountry = 'DE'")

    scanned = plan.select(records, include_deleted=False)
    looked_up = plan.select(records, include_deleted=False, by_id=by_id)

    assert plan.candidate_ids is not None
    assert looked_up == scanned == [records[0], records[4]]


def test_or_conditions_are_not_confined_to_the_listed_ids() -> None:
    plan = plan_query("SELECT Id FROM Account WHERE Id = '0015g0000000001AAA' OR Name = 'x'")

    assert plan.candidate_ids is None
