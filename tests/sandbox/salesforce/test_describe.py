"""sObject Describe through simple-salesforce: which Account and User fields exist."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceResourceNotFound

from tests.sandbox.salesforce.conftest import Sandbox


def fields_by_name(describe: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in describe["fields"]}


def test_account_describe_lists_every_queryable_field(sandbox: Sandbox) -> None:
    described = sandbox.client().Account.describe()

    assert (described["name"], described["keyPrefix"], described["custom"]) == (
        "Account",
        "001",
        False,
    )
    assert [f["name"] for f in described["fields"]][:3] == ["Id", "IsDeleted", "Name"]
    assert {"OwnerId", "Do_Not_Reassign__c", "SystemModstamp", "BillingCountry"} <= set(
        fields_by_name(described)
    )


def test_describe_says_which_fields_are_custom_and_which_can_be_written(sandbox: Sandbox) -> None:
    fields = fields_by_name(sandbox.client().Account.describe())

    assert {
        "type": "reference",
        "label": "Owner ID",
        "length": 18,
        "custom": False,
        "updateable": True,
        "nillable": False,
        "referenceTo": ["User"],
    }.items() <= fields["OwnerId"].items()
    assert (fields["Do_Not_Reassign__c"]["custom"], fields["Do_Not_Reassign__c"]["type"]) == (
        True,
        "boolean",
    )
    assert fields["Name"]["updateable"] is False  # this org accepts owner writes only
    assert fields["Industry"]["type"] == "picklist"
    assert {"label": "Technology", "value": "Technology"}.items() <= fields["Industry"][
        "picklistValues"
    ][0].items()


def test_user_describe_lists_the_user_fields(sandbox: Sandbox) -> None:
    fields = fields_by_name(sandbox.client().User.describe())

    assert set(fields) >= {"Id", "Email", "IsActive", "Name"}
    assert fields["Email"]["type"] == "email"


def test_describe_is_an_api_call_logged_as_describe(sandbox: Sandbox) -> None:
    sandbox.client().Account.describe()

    assert sandbox.org.api_calls_used() == 1
    (call,) = [r for r in sandbox.org.requests.records() if r.kind == "describe"]
    assert call.path.rstrip("/") == "/services/data/v59.0/sobjects/Account/describe"


def test_describing_an_unknown_object_is_not_found(sandbox: Sandbox) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        sandbox.client().Widget__c.describe()
