"""Specification of `normalise_region`: regions as typed, within a country -> ISO 3166-2."""

from __future__ import annotations

from typing import Any

import pycountry
import pytest

from mapping.normalise import normalise_region
from mapping.normalise.region_aliases import REGION_ALIASES


def _subdivisions_of(country: str) -> list[Any]:
    return [s for s in pycountry.subdivisions if s.country_code == country]


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("US", "California", "US-CA"),
        ("US", "CA", "US-CA"),
        ("US", "ca ", "US-CA"),
        ("US", "Calif.", "US-CA"),
        ("US", "US-CA", "US-CA"),
        ("US", "us-ca", "US-CA"),
        ("US", "new york", "US-NY"),
        ("US", "N.Y.", "US-NY"),
        ("US", "Mass.", "US-MA"),
        ("US", "Penn.", "US-PA"),
        ("US", "Wash.", "US-WA"),
        ("US", "W. Va.", "US-WV"),
        ("US", "Hawai'i", "US-HI"),
        ("US", "Washington, D.C.", "US-DC"),
        ("US", "District of Columbia", "US-DC"),
        ("US", "Puerto Rico", "US-PR"),
    ],
)
def test_us_states_by_name_postal_code_and_traditional_abbreviation(
    country: str, typed: str, expected: str
) -> None:
    assert normalise_region(country, typed) == expected


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("CA", "Ontario", "CA-ON"),
        ("CA", "ON", "CA-ON"),
        ("CA", "Québec", "CA-QC"),
        ("CA", "Quebec", "CA-QC"),
        ("CA", "QC", "CA-QC"),
        ("CA", "PQ", "CA-QC"),
        ("CA", "B.C.", "CA-BC"),
        ("CA", "PEI", "CA-PE"),
        ("AU", "NSW", "AU-NSW"),
        ("AU", "New South Wales", "AU-NSW"),
        ("AU", "Vic", "AU-VIC"),
        ("AU", "Qld", "AU-QLD"),
        ("DE", "Bayern", "DE-BY"),
        ("DE", "Bavaria", "DE-BY"),
        ("DE", "BY", "DE-BY"),
        ("DE", "Nordrhein-Westfalen", "DE-NW"),
        ("DE", "NRW", "DE-NW"),
        ("DE", "Baden-Württemberg", "DE-BW"),
        ("DE", "Baden-Wuerttemberg", "DE-BW"),
        ("IN", "Maharashtra", "IN-MH"),
        ("IN", "Tamil Nadu", "IN-TN"),
        ("IN", "KA", "IN-KA"),
        ("IN", "Orissa", "IN-OD"),
        ("BR", "São Paulo", "BR-SP"),
        ("BR", "Sao Paulo", "BR-SP"),
        ("BR", "SP", "BR-SP"),
        ("BR", "Rio de Janeiro", "BR-RJ"),
        ("JP", "Tokyo", "JP-13"),
        ("JP", "東京都", "JP-13"),
        ("JP", "東京", "JP-13"),
        ("JP", "Osaka-fu", "JP-27"),
        ("JP", "北海道", "JP-01"),
        ("MX", "Nuevo León", "MX-NLE"),
        ("MX", "NL", "MX-NLE"),
        ("MX", "CDMX", "MX-CMX"),
        ("MX", "Ciudad de México", "MX-CMX"),
        ("MX", "Jalisco", "MX-JAL"),
        ("ES", "Cataluña", "ES-CT"),
        ("ES", "Comunidad de Madrid", "ES-MD"),
        ("ES", "Madrid", "ES-MD"),
        ("FR", "Île-de-France", "FR-IDF"),
        ("FR", "ile de france", "FR-IDF"),
        ("CN", "Guangdong", "CN-GD"),
        ("CN", "Beijing", "CN-BJ"),
        ("IT", "Lombardia", "IT-25"),
        ("IT", "Lombardy", "IT-25"),
        ("CH", "Zürich", "CH-ZH"),
        ("CH", "St. Gallen", "CH-SG"),
        ("NL", "Noord-Holland", "NL-NH"),
    ],
)
def test_regions_outside_the_us_by_name_code_and_common_alias(
    country: str, typed: str, expected: str
) -> None:
    assert normalise_region(country, typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("England", "GB-ENG"),
        ("Scotland", "GB-SCT"),
        ("Wales", "GB-WLS"),
        ("Cymru", "GB-WLS"),
        ("Northern Ireland", "GB-NIR"),
        ("N. Ireland", "GB-NIR"),
        ("ENG", "GB-ENG"),
    ],
)
def test_uk_nations_map_to_their_codes(typed: str, expected: str) -> None:
    assert normalise_region("GB", typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("London", "GB-ENG"),
        ("Greater London", "GB-ENG"),
        ("Kent", "GB-ENG"),
        ("Edinburgh", "GB-SCT"),
        ("Cardiff", "GB-WLS"),
        ("Belfast", "GB-NIR"),
        ("GB-KEN", "GB-ENG"),
    ],
)
def test_uk_counties_and_cities_resolve_to_their_nation(typed: str, expected: str) -> None:
    assert normalise_region("GB", typed) == expected


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("US", "New York State", "US-NY"),
        ("US", "State of New York", "US-NY"),
        ("CA", "Ontario Province", "CA-ON"),
        ("JP", "Kanagawa Prefecture", "JP-14"),
    ],
)
def test_words_around_a_region_name_are_ignored(country: str, typed: str, expected: str) -> None:
    assert normalise_region(country, typed) == expected


def test_the_same_abbreviation_means_different_regions_in_different_countries() -> None:
    assert normalise_region("US", "WA") == "US-WA"
    assert normalise_region("AU", "WA") == "AU-WA"


@pytest.mark.parametrize(
    ("country", "typed"),
    [("US", "CA-ON"), ("CA", "US-CA"), ("DE", "US-NY"), ("GB", "FR-IDF")],
)
def test_a_full_code_of_another_country_gives_none(country: str, typed: str) -> None:
    assert normalise_region(country, typed) is None


@pytest.mark.parametrize(
    ("country", "typed"), [("US", "Ontario"), ("US", "Bavaria"), ("CA", "Texas"), ("DE", "QC")]
)
def test_a_region_of_another_country_gives_none(country: str, typed: str) -> None:
    assert normalise_region(country, typed) is None


@pytest.mark.parametrize("typed", ["California", "CA", "US-CA"])
def test_without_a_country_the_region_is_ambiguous_and_gives_none(typed: str) -> None:
    assert normalise_region(None, typed) is None


def test_an_unrecognised_country_gives_none() -> None:
    assert normalise_region("Atlantis", "California") is None


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [("USA", "tx", "US-TX"), ("United States", "Texas", "US-TX"), ("deutschland", "NRW", "DE-NW")],
)
def test_the_country_may_be_given_as_typed(country: str, typed: str, expected: str) -> None:
    assert normalise_region(country, typed) == expected


@pytest.mark.parametrize("typed", [None, "", "   ", "-", "N/A", "Springfield"])
def test_blank_or_unknown_regions_give_none(typed: str | None) -> None:
    assert normalise_region("US", typed) is None


def test_every_us_state_is_found_by_name_and_postal_code() -> None:
    misses = [
        (typed, state.code)
        for state in _subdivisions_of("US")
        for typed in (state.name, state.code.split("-")[1], state.code)
        if normalise_region("US", typed) != state.code
    ]
    assert misses == []


@pytest.mark.parametrize("country", ["CA", "AU", "DE", "IN", "BR", "JP", "MX"])
def test_every_top_level_region_is_found_by_its_iso_name(country: str) -> None:
    misses = [
        (subdivision.name, subdivision.code)
        for subdivision in _subdivisions_of(country)
        if subdivision.parent_code is None
        and normalise_region(country, subdivision.name) != subdivision.code
    ]
    assert misses == []


def test_every_alias_points_at_an_existing_subdivision_of_its_country() -> None:
    unknown = [
        (country, alias, code)
        for country, aliases in REGION_ALIASES.items()
        for alias, code in aliases.items()
        if code not in {subdivision.code for subdivision in _subdivisions_of(country)}
    ]
    assert unknown == []


def test_every_alias_resolves_to_its_subdivision() -> None:
    wrong = [
        (country, alias, code, normalise_region(country, alias))
        for country, aliases in REGION_ALIASES.items()
        if country != "GB"  # UK aliases resolve to the nation; tested above
        for alias, code in aliases.items()
        if normalise_region(country, alias) != code
    ]
    assert wrong == []
