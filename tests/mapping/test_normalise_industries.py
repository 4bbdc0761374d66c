"""Specification of `normalise_industry`: each CRM's industry values -> one unified vocabulary."""

from __future__ import annotations

import re

import pytest

from mapping.normalise import (
    HUBSPOT_INDUSTRIES,
    SALESFORCE_INDUSTRIES,
    UNIFIED_INDUSTRIES,
    normalise_industry,
)

# Salesforce's standard Account Industry picklist as shipped in a new org.
SALESFORCE_STANDARD_PICKLIST = [
    "Agriculture", "Apparel", "Banking", "Biotechnology", "Chemicals", "Communications",
    "Construction", "Consulting", "Education", "Electronics", "Energy", "Engineering",
    "Entertainment", "Environmental", "Finance", "Food & Beverage", "Government", "Healthcare",
    "Hospitality", "Insurance", "Machinery", "Manufacturing", "Media", "Not For Profit", "Other",
    "Recreation", "Retail", "Shipping", "Technology", "Telecommunications", "Transportation",
    "Utilities",
]  # fmt: skip


def test_the_unified_vocabulary_has_the_keys_territory_rules_use() -> None:
    expected = {
        "software", "it_services", "financial_services", "banking", "insurance", "healthcare",
        "biotech_pharma", "manufacturing", "retail", "consumer_goods", "media_entertainment",
        "telecommunications", "energy_utilities", "education", "government", "nonprofit",
        "real_estate_construction", "transportation_logistics", "hospitality", "agriculture",
        "professional_services", "other",
    }  # fmt: skip
    assert set(UNIFIED_INDUSTRIES) == expected


def test_unified_keys_are_snake_case_with_a_label_for_people() -> None:
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", key) for key in UNIFIED_INDUSTRIES)
    assert all(label.strip() for label in UNIFIED_INDUSTRIES.values())


@pytest.mark.parametrize("value", SALESFORCE_STANDARD_PICKLIST)
def test_every_salesforce_picklist_value_maps_to_a_unified_key(value: str) -> None:
    assert normalise_industry("salesforce", value) in UNIFIED_INDUSTRIES


def test_the_salesforce_table_covers_exactly_the_standard_picklist() -> None:
    assert sorted(SALESFORCE_INDUSTRIES) == sorted(SALESFORCE_STANDARD_PICKLIST)


@pytest.mark.parametrize("value", sorted(HUBSPOT_INDUSTRIES))
def test_every_hubspot_industry_option_maps_to_a_unified_key(value: str) -> None:
    assert normalise_industry("hubspot", value) in UNIFIED_INDUSTRIES


def test_the_hubspot_table_covers_the_full_enumeration() -> None:
    assert len(HUBSPOT_INDUSTRIES) >= 147


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("salesforce", "Technology", "software"),
        ("salesforce", "Finance", "financial_services"),
        ("salesforce", "Banking", "banking"),
        ("salesforce", "Biotechnology", "biotech_pharma"),
        ("salesforce", "Not For Profit", "nonprofit"),
        ("salesforce", "Food & Beverage", "consumer_goods"),
        ("salesforce", "Shipping", "transportation_logistics"),
        ("salesforce", "Other", "other"),
        ("hubspot", "COMPUTER_SOFTWARE", "software"),
        ("hubspot", "INFORMATION_TECHNOLOGY_AND_SERVICES", "it_services"),
        ("hubspot", "FINANCIAL_SERVICES", "financial_services"),
        ("hubspot", "BANKING", "banking"),
        ("hubspot", "INSURANCE", "insurance"),
        ("hubspot", "HOSPITAL_HEALTH_CARE", "healthcare"),
        ("hubspot", "PHARMACEUTICALS", "biotech_pharma"),
        ("hubspot", "NON_PROFIT_ORGANIZATION_MANAGEMENT", "nonprofit"),
        ("hubspot", "REAL_ESTATE", "real_estate_construction"),
        ("hubspot", "OIL_ENERGY", "energy_utilities"),
    ],
)
def test_representative_values_map_to_the_expected_unified_key(
    source: str, value: str, expected: str
) -> None:
    assert normalise_industry(source, value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("salesforce", "  food and beverage ", "consumer_goods"),
        ("salesforce", "NOT FOR PROFIT", "nonprofit"),
        ("salesforce", "not-for-profit", "nonprofit"),
        ("hubspot", "computer_software", "software"),
        ("hubspot", "Computer Software", "software"),
        ("hubspot", "Information Technology & Services", "it_services"),
        ("hubspot", "PAPER_AND_FOREST_PRODUCTS", "manufacturing"),
    ],
)
def test_odd_case_spacing_and_labels_are_accepted(source: str, value: str, expected: str) -> None:
    assert normalise_industry(source, value) == expected  # type: ignore[arg-type]


def test_the_other_crms_values_are_recognised_too() -> None:
    assert normalise_industry("salesforce", "COMPUTER_SOFTWARE") == "software"
    assert normalise_industry("hubspot", "Not For Profit") == "nonprofit"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("SaaS", "software"), ("Non-Profit", "nonprofit"), ("it_services", "it_services")],
)
def test_common_hand_typed_names_and_unified_keys_are_recognised(value: str, expected: str) -> None:
    assert normalise_industry("salesforce", value) == expected


@pytest.mark.parametrize("value", ["Underwater Basket Weaving", "CUSTOM_VALUE_42", "x"])
def test_an_unrecognised_non_blank_value_maps_to_other(value: str) -> None:
    assert normalise_industry("hubspot", value) == "other"


@pytest.mark.parametrize("value", [None, "", "   ", "-", "&"])
def test_a_blank_value_gives_none(value: str | None) -> None:
    assert normalise_industry("salesforce", value) is None


def test_an_unknown_source_is_refused_with_the_accepted_names() -> None:
    with pytest.raises(ValueError, match="'salesforce' or 'hubspot'"):
        normalise_industry("pipedrive", "Banking")  # type: ignore[arg-type]
