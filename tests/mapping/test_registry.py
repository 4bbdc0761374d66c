"""The field registry: one declaration per unified field, and the lists derived from it."""

from __future__ import annotations

from dataclasses import fields

import pytest

from mapping.fields import to_unified
from mapping.model.accounts import Account
from mapping.registry import (
    FieldKind,
    Reading,
    UnifiedField,
    account_fields,
    crm_fields,
    explained_fields,
    model_fields,
    numeric_fields,
    raw_kept_crm_fields,
    raw_kept_values,
    registered,
    territory_fields,
    text,
)
from mapping.territories.facts import RecordFacts, column_fields, has_attribute
from mapping.unified import UnifiedAccount
from sync.store.accounts import PULLED_COLUMNS


def _unused(value: object, reading: Reading) -> object:
    return value


def test_every_field_with_a_column_is_a_unified_account_attribute_and_an_account_column() -> None:
    names = [f.name for f in model_fields()]
    attributes = [f.name for f in fields(UnifiedAccount)]
    columns = set(Account.model_fields)

    assert set(attributes) - {"source", "external_id", "raw"} == set(names)
    # owner_since is the store's own (see sync.store.accounts), not pulled.
    stored_besides = {"id", "source", "external_id", "raw", "first_seen_at", "last_seen_at"}
    stored_besides |= {"owner_since"}

    assert columns - set(names) == stored_besides
    assert (*names, "raw") == PULLED_COLUMNS


def test_the_territory_engine_holds_exactly_the_testable_fields_with_a_column() -> None:
    attributes = {f.name for f in fields(RecordFacts)} - {
        "source",
        "external_id",
        "current_owner_email",
        "raw",
        "extra",
        "owner_since",
        "first_touch",
    }

    assert attributes == set(column_fields())
    assert all(has_attribute(name) for name in column_fields())


def test_connectors_are_told_the_fields_the_mapping_reads_in_each_crm() -> None:
    assert crm_fields("salesforce") == (
        "Name",
        "Website",
        "BillingCountry",
        "BillingState",
        "BillingCity",
        "BillingPostalCode",
        "Industry",
        "NumberOfEmployees",
        "AnnualRevenue",
        "OwnerId",
        "SystemModstamp",
        "IsDeleted",
    )
    assert crm_fields("hubspot") == (
        "name",
        "website",
        "domain",
        "country",
        "state",
        "city",
        "zip",
        "industry",
        "numberofemployees",
        "annualrevenue",
        "hubspot_owner_id",
        "hs_lastmodifieddate",
    )


def test_territory_files_explain_and_bands_see_the_declared_fields_in_order() -> None:
    assert territory_fields() == (
        "name",
        "domain",
        "country",
        "region",
        "city",
        "postal_code",
        "industry",
        "industry_raw",
        "employees",
        "annual_revenue",
    )
    assert numeric_fields() == {"employees", "annual_revenue"}
    assert explained_fields() == (
        "name",
        "domain",
        "country",
        "region",
        "postal_code",
        "industry",
        "employees",
        "annual_revenue",
    )


def test_a_registered_field_kept_raw_is_pulled_tested_and_read_without_a_column() -> None:
    seats = UnifiedField(
        "seats",
        FieldKind.INTEGER,
        lambda value, reading: int(value) if value else None,
        {"salesforce": "Seats__c"},
    )

    with registered(seats):
        assert raw_kept_crm_fields("salesforce") == ("Seats__c",)
        assert raw_kept_crm_fields("hubspot") == ()
        assert "seats" in territory_fields() and "seats" in numeric_fields()
        assert crm_fields("salesforce")[-1] == "IsDeleted"
        assert raw_kept_values("salesforce", {"Seats__c": "40"}, {}) == {"seats": 40}

    assert "seats" not in territory_fields()
    assert raw_kept_values("salesforce", {"Seats__c": "40"}, {}) == {}


def test_a_field_pulled_on_demand_is_pulled_only_while_a_territory_file_tests_it() -> None:
    tier = UnifiedField("tier", FieldKind.TEXT, text, {"hubspot": "tier"}, pulled=False)

    with registered(tier):
        assert raw_kept_crm_fields("hubspot") == ()
        assert raw_kept_crm_fields("hubspot", frozenset({"tier"})) == ("tier",)


def test_a_field_is_read_after_the_fields_it_needs_whatever_the_declaration_order() -> None:
    def country_and_name(value: object, reading: Reading) -> object:
        return f"{reading.values['country']}:{reading.values['label']}"

    first = UnifiedField("tagged", FieldKind.TEXT, country_and_name, needs=("country", "label"))
    label = UnifiedField("label", FieldKind.TEXT, text, {"hubspot": "label"})

    with registered(first, label):
        values = raw_kept_values("hubspot", {"label": " Gold "}, {"country": "DE"})

    assert values == {"tagged": "DE:Gold", "label": "Gold"}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (UnifiedField("name", FieldKind.TEXT, _unused), "declared twice"),
        (UnifiedField("raw", FieldKind.TEXT, _unused), "not a free identifier"),
        (UnifiedField("two words", FieldKind.TEXT, _unused), "not a free identifier"),
        (UnifiedField("x", FieldKind.TEXT, _unused, {"pipedrive": "x"}), "unknown CRM"),
        (UnifiedField("x", FieldKind.TEXT, _unused, needs=("y",)), "needs undeclared"),
        (UnifiedField("x", FieldKind.TEXT, _unused, needs=("x",)), "cycle"),
        (UnifiedField("x", FieldKind.TEXT, _unused, column=True), "declare them in ACCOUNT"),
        (UnifiedField("x", FieldKind.TEXT, _unused, needs=("website",)), "do not hold"),
    ],
)
def test_a_declaration_that_cannot_work_is_refused_with_the_reason(
    entry: UnifiedField, message: str
) -> None:
    before = account_fields()

    with pytest.raises(ValueError, match=message), registered(entry):
        pass

    assert account_fields() == before


def test_the_mapping_reads_every_column_through_its_normaliser() -> None:
    account = to_unified(
        "hubspot",
        "1",
        {"website": "https://www.bolt.de/shop", "country": "Germany", "state": "Bavaria"},
        deleted=True,
    )

    assert (account.domain, account.country, account.region) == ("bolt.de", "DE", "DE-BY")
    assert account.deleted is True
