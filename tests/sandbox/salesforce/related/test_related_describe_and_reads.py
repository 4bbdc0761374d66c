"""Describe and single-record reads of Contact and Opportunity through simple-salesforce."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from tests.sandbox.salesforce.conftest import Sandbox, error_body


def fields_by_name(describe: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {field["name"]: field for field in describe["fields"]}


def test_contact_describe_lists_the_contact_fields(related: Sandbox) -> None:
    described = related.client().Contact.describe()

    assert (described["name"], described["keyPrefix"], described["labelPlural"]) == (
        "Contact",
        "003",
        "Contacts",
    )
    assert set(fields_by_name(described)) == {
        "Id",
        "IsDeleted",
        "AccountId",
        "LastName",
        "FirstName",
        "Name",
        "Email",
        "OwnerId",
        "CreatedDate",
        "SystemModstamp",
    }


def test_contact_describe_gives_references_and_the_email_type(related: Sandbox) -> None:
    fields = fields_by_name(related.client().Contact.describe())

    assert {
        "type": "reference",
        "label": "Account ID",
        "nillable": True,
        "updateable": False,
        "referenceTo": ["Account"],
        "relationshipName": "Account",
    }.items() <= fields["AccountId"].items()
    assert (fields["OwnerId"]["updateable"], fields["OwnerId"]["referenceTo"]) == (True, ["User"])
    assert fields["Email"]["type"] == "email"


def test_opportunity_describe_has_a_date_a_currency_and_a_stage_picklist(
    related: Sandbox,
) -> None:
    described = related.client().Opportunity.describe()
    fields = fields_by_name(described)

    assert (described["keyPrefix"], described["labelPlural"]) == ("006", "Opportunities")
    assert {"type": "date", "soapType": "xsd:date", "nillable": False}.items() <= fields[
        "CloseDate"
    ].items()
    assert {"type": "currency", "precision": 18, "scale": 2, "nillable": True}.items() <= fields[
        "Amount"
    ].items()
    assert fields["StageName"]["type"] == "picklist"
    assert [v["value"] for v in fields["StageName"]["picklistValues"]][-2:] == [
        "Closed Won",
        "Closed Lost",
    ]
    assert (fields["IsClosed"]["type"], fields["IsClosed"]["updateable"]) == ("boolean", False)
    assert fields["CreatedById"]["referenceTo"] == ["User"]
    assert "CurrencyIsoCode" not in fields  # a single-currency org


def test_one_contact_with_chosen_fields(related: Sandbox) -> None:
    person = related.org.contacts[0]

    record = related.client().restful(
        f"sobjects/Contact/{person.crm_id}", params={"fields": "AccountId,OwnerId"}
    )

    assert record == {
        "attributes": {
            "type": "Contact",
            "url": f"/services/data/v59.0/sobjects/Contact/{person.crm_id}",
        },
        "AccountId": person.account_id,
        "OwnerId": person.owner_id,
    }


def test_one_opportunity_with_every_field(related: Sandbox) -> None:
    deal = related.org.opportunities[1]

    record = related.client().restful(f"sobjects/Opportunity/{deal.crm_id[:15]}")

    assert {
        "Id": deal.crm_id,
        "StageName": "Closed Won",
        "IsClosed": True,
        "IsWon": True,
        "CloseDate": "2026-03-31",
        "Amount": 2000.0,
    }.items() <= record.items()


def test_a_deleted_contact_reads_as_entity_is_deleted(related: Sandbox) -> None:
    person = related.org.contacts[0]
    related.org.delete_records([person.crm_id])

    with pytest.raises(SalesforceResourceNotFound) as error:
        related.client().restful(f"sobjects/Contact/{person.crm_id}")

    assert error_body(error.value)[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_an_account_id_read_as_a_contact_is_not_found(related: Sandbox) -> None:
    with pytest.raises(SalesforceResourceNotFound):
        related.client().restful(f"sobjects/Contact/{related.org.accounts[0].crm_id}")


def test_an_unknown_field_on_a_record_read_is_invalid_field(related: Sandbox) -> None:
    deal = related.org.opportunities[0]

    with pytest.raises(SalesforceMalformedRequest) as error:
        related.client().restful(
            f"sobjects/Opportunity/{deal.crm_id}", params={"fields": "CurrencyIsoCode"}
        )

    assert error_body(error.value)[0]["errorCode"] == "INVALID_FIELD"
