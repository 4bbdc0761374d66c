"""Each kind of criterion, as an admin writes it, decides whether an account matches."""

from __future__ import annotations

import pytest

from tests.mapping.territories.support import hs, load, one, sf


def matches(criteria: str, *records: object) -> bool:
    rules = load(
        f"""
        territories:
          - name: T
            criteria: {criteria}
        """
    )
    territory, _, _, _ = one(rules, *records)  # type: ignore[arg-type]
    return territory == "T"


def test_country_list_matches_listed_countries_only() -> None:
    assert matches("{country: [US, CA]}", sf(country="CA"))
    assert not matches("{country: [US, CA]}", sf(country="DE"))


def test_country_names_in_the_file_are_read_as_codes() -> None:
    assert matches("{country: [Germany]}", sf(country="DE"))


def test_norway_written_unquoted_stays_a_country() -> None:
    assert matches("{country: [NO, SE]}", sf(country="NO"))


def test_a_single_country_may_be_written_without_a_list() -> None:
    assert matches("{country: US}", sf(country="US"))


def test_region_list_matches_iso_region_codes() -> None:
    assert matches("{region: [US-CA, US-WA]}", sf(country="US", region="US-WA"))
    assert not matches("{region: [US-CA, US-WA]}", sf(country="US", region="US-NY"))


def test_industry_list_matches_unified_industry_keys() -> None:
    assert matches("{industry: [software, it_services]}", sf(industry="it_services"))
    assert not matches("{industry: [software]}", sf(industry="banking"))


def test_postal_code_prefixes_match_codes_starting_with_them() -> None:
    assert matches('{postal_code: ["941", "SW1"]}', sf(postal_code="SW1A 1AA"))
    assert not matches('{postal_code: ["941"]}', sf(postal_code="10001"))


def test_postal_code_ranges_compare_the_leading_characters() -> None:
    rule = '{postal_code: {ranges: [["940", "961"]]}}'
    assert matches(rule, sf(postal_code="94105"))
    assert matches(rule, sf(postal_code="96100"))
    assert not matches(rule, sf(postal_code="96200"))


def test_postal_code_prefixes_and_ranges_combine_as_either() -> None:
    rule = '{postal_code: {prefixes: ["100"], ranges: [["940", "941"]]}}'
    assert matches(rule, sf(postal_code="10001"))
    assert matches(rule, sf(postal_code="94105"))
    assert not matches(rule, sf(postal_code="20001"))


def test_employee_band_includes_min_and_excludes_max() -> None:
    rule = "{employees: {min: 200, max: 1000}}"
    assert matches(rule, sf(employees=200))
    assert matches(rule, sf(employees=999))
    assert not matches(rule, sf(employees=1000))
    assert not matches(rule, sf(employees=199))


def test_adjacent_bands_never_both_match() -> None:
    small, large = "{employees: {max: 1000}}", "{employees: {min: 1000}}"
    for employees in (999, 1000, 1001):
        assert matches(small, sf(employees=employees)) != matches(large, sf(employees=employees))


def test_revenue_band_compares_decimal_revenue() -> None:
    rule = "{annual_revenue: {min: 100000000}}"
    assert matches(rule, sf(annual_revenue="100000000.00"))
    assert not matches(rule, sf(annual_revenue="99999999.99"))


def test_a_missing_value_fails_bands_and_lists() -> None:
    assert not matches("{employees: {max: 1000}}", sf())
    assert not matches("{country: [US]}", sf())


def test_equals_on_a_checkbox_accepts_booleans_and_text() -> None:
    rule = "{field: Do_Not_Reassign__c, equals: true}"
    assert matches(rule, sf(raw={"Do_Not_Reassign__c": True}))
    assert matches("{field: do_not_reassign, equals: true}", hs(raw={"do_not_reassign": "true"}))
    assert not matches(rule, sf(raw={"Do_Not_Reassign__c": False}))


def test_in_on_a_crm_field_ignores_case_and_spaces() -> None:
    rule = '{field: Type, in: ["Customer - Direct", "Customer - Channel"]}'
    assert matches(rule, sf(raw={"Type": " customer - direct "}))
    assert not matches(rule, sf(raw={"Type": "Prospect"}))


def test_min_and_max_on_a_crm_field_read_numbers_sent_as_text() -> None:
    rule = "{field: NumberOfEmployees, min: 50}"
    assert matches(rule, sf(raw={"NumberOfEmployees": "75"}))
    assert not matches(rule, sf(raw={"NumberOfEmployees": "lots"}))


def test_matches_is_a_case_insensitive_search() -> None:
    rule = '{field: name, matches: "^acme"}'
    assert matches(rule, sf(name="ACME Corp"))
    assert not matches(rule, sf(name="The Acme Corp"))


def test_a_pattern_that_would_backtrack_catastrophically_answers_a_long_value_at_once() -> None:
    # With a backtracking engine, (a+)+$ against 'aaa...a!' doubles its work per character.
    rule = '{field: name, matches: "(a+)+$"}'
    assert not matches(rule, sf(name="a" * 100_000 + "!"))
    assert matches(rule, sf(name="b" + "a" * 100_000))


def test_matches_reads_the_syntax_of_named_groups_and_classes() -> None:
    rule = r"{field: name, matches: '^(?P<word>[a-z]+) (corp|inc)\.?$'}"
    assert matches(rule, sf(name="Globex Corp."))
    assert not matches(rule, sf(name="Globex Holdings"))


@pytest.mark.parametrize(
    ("expected", "value", "result"),
    [
        ("true", "x", True),
        ("true", "", False),
        ("true", None, False),
        ("false", None, True),
        ("false", "x", False),
    ],
)
def test_present_tests_whether_a_field_has_a_value(
    expected: str, value: str | None, result: bool
) -> None:
    raw = {} if value is None else {"Industry": value}
    assert matches(f"{{field: Industry, present: {expected}}}", sf(raw=raw)) is result


def test_all_requires_every_criterion() -> None:
    rule = "{all: [{country: [US]}, {industry: [software]}]}"
    assert matches(rule, sf(country="US", industry="software"))
    assert not matches(rule, sf(country="US", industry="banking"))


def test_any_requires_one_criterion() -> None:
    rule = "{any: [{industry: [software]}, {employees: {min: 1000}}]}"
    assert matches(rule, sf(industry="banking", employees=5000))
    assert not matches(rule, sf(industry="banking", employees=50))


def test_not_inverts_a_criterion() -> None:
    rule = "{not: {industry: [government]}}"
    assert matches(rule, sf(industry="software"))
    assert not matches(rule, sf(industry="government"))


def test_keys_of_one_criteria_block_are_all_required() -> None:
    rule = "{country: [US], employees: {min: 1000}}"
    assert matches(rule, sf(country="US", employees=1000))
    assert not matches(rule, sf(country="US", employees=10))


def test_a_test_on_a_unified_field_uses_its_normalised_values() -> None:
    assert matches("{field: country, in: [US]}", sf(country="US"))
    assert matches("{field: domain, equals: www.Acme.com}", sf(domain="acme.com"))


def test_the_primary_crm_decides_when_both_have_a_value() -> None:
    rule = "{industry: [software]}"
    assert matches(rule, hs(industry="banking"), sf(industry="software"))
    assert not matches(rule, sf(industry="banking"), hs(industry="software"))


def test_the_other_crm_fills_a_value_the_primary_lacks() -> None:
    assert matches("{region: [US-CA]}", sf(country="US"), hs(region="US-CA"))


def test_a_field_kept_in_one_crm_is_read_from_that_crm() -> None:
    rule = "{field: do_not_reassign, equals: true}"
    assert matches(rule, sf(raw={"Type": "Prospect"}), hs(raw={"do_not_reassign": "true"}))


def test_hubspot_can_be_the_primary_source() -> None:
    rules = load(
        """
        settings: {primary_source: hubspot}
        territories:
          - name: T
            criteria: {industry: [software]}
        """
    )
    assert one(rules, sf(industry="banking"), hs(industry="software"))[0] == "T"
