"""The raw CRM fields a territory file tests: any name loads, each is listed with where the file
first uses it, and a caller that knows the CRMs' fields gets an error for any other name."""

from __future__ import annotations

import textwrap

import pytest

from mapping.territories import FieldUse, parse_territory_text
from territory_sync.errors import TerritoryFileError

FILE = textwrap.dedent(
    """\
    territories:
      - name: Partners
        criteria:
          any:
            - {field: Type, equals: Channel Partner / Reseller}
            - {field: lifecyclestage, equals: partner}
      - name: Scored
        criteria: {field: Fit_Score__c, min: 80}
      - name: Named
        criteria: {field: name, matches: "^acme"}
    holdouts:
      - name: Flagged
        criteria:
          any:
            - {field: Do_Not_Reassign__c, equals: true}
            - {field: Type, equals: Customer - Direct}
    """
)


def test_a_file_may_test_raw_fields_the_product_has_never_heard_of() -> None:
    rules = parse_territory_text(FILE, "territories.yaml")
    assert set(rules.raw_fields) == {"Type", "lifecyclestage", "Fit_Score__c", "Do_Not_Reassign__c"}


def test_each_raw_field_is_listed_with_the_line_and_territory_or_holdout_of_its_first_use() -> None:
    rules = parse_territory_text(FILE, "territories.yaml")
    assert list(rules.raw_fields.values()) == [
        FieldUse("Type", 5, "Partners"),
        FieldUse("lifecyclestage", 6, "Partners"),
        FieldUse("Fit_Score__c", 8, "Scored"),
        FieldUse("Do_Not_Reassign__c", 15, None, "Flagged"),
    ]


def test_the_first_use_is_the_earliest_line_whichever_section_comes_first() -> None:
    text = (
        "holdouts:\n  - name: Flagged\n    criteria: {field: Type, equals: Customer}\n"
        "territories:\n  - name: T\n    criteria: {field: Type, equals: Prospect}\n"
    )
    assert parse_territory_text(text, "t.yaml").raw_fields["Type"] == FieldUse(
        "Type", 3, None, "Flagged"
    )


def test_unified_fields_are_not_raw_fields() -> None:
    text = "territories:\n  - name: T\n    criteria: {field: city, equals: Berlin}\n"
    assert parse_territory_text(text, "t.yaml").raw_fields == {}


def test_a_raw_field_error_names_the_file_line_and_territory_where_it_is_first_tested() -> None:
    rules = parse_territory_text(FILE, "territories.yaml")
    error = rules.raw_field_error(
        "Fit_Score__c", "neither CRM has this field: fix the name, or add it to the CRM"
    )
    assert str(error) == (
        "territories.yaml:8: territory 'Scored', field 'Fit_Score__c': neither CRM has this "
        "field: fix the name, or add it to the CRM"
    )


def test_a_raw_field_error_for_a_holdout_names_the_holdout() -> None:
    rules = parse_territory_text(FILE, "territories.yaml")
    error = rules.raw_field_error("Do_Not_Reassign__c", "Salesforce has no such Account field")
    assert str(error) == (
        "territories.yaml:15: field 'Do_Not_Reassign__c': holdout 'Flagged': Salesforce has no "
        "such Account field"
    )


def test_given_the_known_fields_an_unknown_one_is_an_error_with_a_suggestion() -> None:
    text = (
        "holdouts:\n  - name: Flagged\n    criteria: {field: Do_Not_Reasign__c, equals: "
        "true}\nterritories: [{name: NA}]\n"
    )
    with pytest.raises(TerritoryFileError) as raised:
        parse_territory_text(text, "territories.yaml", known_fields=["Do_Not_Reassign__c"])
    assert str(raised.value) == (
        "territories.yaml:3: field 'Do_Not_Reasign__c': unknown field 'Do_Not_Reasign__c' (did "
        "you mean 'Do_Not_Reassign__c'?): use a unified field (name, domain, country, region, "
        "city, postal_code, industry, industry_raw, employees, annual_revenue) or a CRM field "
        "that is pulled (add it to salesforce.account_fields or hubspot.extra_properties in "
        "territory-sync.toml)"
    )


def test_given_the_known_fields_an_unknown_one_in_a_territory_names_the_territory() -> None:
    text = "territories:\n  - name: A\n    criteria:\n      field: Nope__c\n      equals: 1\n"
    with pytest.raises(TerritoryFileError) as raised:
        parse_territory_text(text, "t.yaml", known_fields=["Type"])
    error = raised.value
    assert (error.file, error.line, error.territory, error.field) == ("t.yaml", 4, "A", "Nope__c")


def test_given_the_known_fields_unified_fields_still_load() -> None:
    text = "territories:\n  - name: T\n    criteria: {field: city, equals: Berlin}\n"
    assert "T" in parse_territory_text(text, "t.yaml", known_fields=[]).territories
