"""The territory index: an account meets only the territories that can match its place."""

from __future__ import annotations

from mapping.territories import evaluate, parse_territory_text
from tests.mapping.territories.support import company, load, one, sf

COUNTRIES = ["US", "CA", "MX", "DE", "FR", "IT", "ES", "GB", "JP", "IN"]


def many_countries() -> str:
    lines = ["territories:"]
    for code in COUNTRIES:
        lines += [
            f"  - name: {code}",
            f"    criteria: {{country: [{code}]}}",
            "    children:",
            f"      - name: {code}-Large",
            "        criteria: {employees: {min: 1000}}",
            f"      - name: {code}-Small",
            "        criteria: {employees: {max: 1000}}",
        ]
    lines += ["  - name: Global-Banks", "    priority: 5", "    criteria: {industry: [banking]}"]
    return "\n".join(lines) + "\n"


def test_an_account_is_offered_only_its_countrys_territories_and_the_unplaced_ones() -> None:
    rules = load(many_countries())
    names = [c.name for c in rules.index.candidates("DE", "DE-BY")]
    assert names == ["Global-Banks", "DE-Large", "DE-Small", "DE"]


def test_territories_filed_by_region_are_offered_only_in_that_region() -> None:
    rules = load(
        """
        territories:
          - name: West
            criteria: {region: [US-CA, US-WA]}
          - name: US
            criteria: {country: [US]}
        """
    )
    assert [c.name for c in rules.index.candidates("US", "US-CA")] == ["US", "West"]
    assert [c.name for c in rules.index.candidates("US", "US-NY")] == ["US"]
    assert [c.name for c in rules.index.candidates("US", None)] == ["US"]


def test_places_with_the_same_candidates_share_one_list() -> None:
    rules = load(many_countries())
    assert rules.index.bucket("DE", "DE-BY") is rules.index.bucket("DE", "DE-BE")


def test_siblings_with_separate_bands_need_no_tie_test() -> None:
    rules = load(many_countries())
    large = rules.index.candidates("DE", None)[1]
    assert (large.name, large.tie_partners, large.settled) == ("DE-Large", (), True)


def test_criteria_deciding_on_country_and_region_alone_are_not_tested_per_account() -> None:
    rules = load(many_countries())
    country_level = rules.index.candidates("DE", None)[-1]
    assert (country_level.name, country_level.test) == ("DE", None)


def test_a_crm_value_that_cannot_be_hashed_is_still_compared() -> None:
    rules = load(
        """
        territories:
          - name: Tagged
            criteria: {field: Type, in: [Partner]}
        """
    )
    assert one(rules, sf(raw={"Type": ["Partner", "Reseller"]}))[0] is None
    assert one(rules, sf(raw={"Type": "partner"}))[0] == "Tagged"


def test_field_names_are_never_part_of_generated_code() -> None:
    odd = "Type') or True or ('"
    text = f'territories:\n  - name: Odd\n    criteria: {{field: "{odd}", equals: yes}}\n'
    rules = parse_territory_text(text, "territories.yaml", known_fields=[odd])
    result = evaluate(
        [company("a", sf("001A", raw={odd: "yes"})), company("b", sf("001B", raw={"Type": "x"}))],
        rules,
        {},
    )
    assert [a.territory for a in result] == ["Odd", None]
