"""Specification of `normalise_country`: country names as typed -> ISO 3166-1 alpha-2."""

from __future__ import annotations

import pycountry
import pytest

from mapping.normalise import normalise_country
from mapping.normalise._keys import spelling_variants
from mapping.normalise.countries import COUNTRY_ALIASES


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("United States", "US"),
        ("USA", "US"),
        ("us", "US"),
        ("US", "US"),
        ("Germany", "DE"),
        ("DE", "DE"),
        ("DEU", "DE"),
        ("United Kingdom", "GB"),
        ("GBR", "GB"),
        ("Japan", "JP"),
        ("Czechia", "CZ"),
        ("France", "FR"),
        ("Canada", "CA"),
        ("India", "IN"),
        ("Singapore", "SG"),
    ],
)
def test_english_names_and_iso_codes_map_to_iso_codes(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("U.S.", "US"), ("U.S.A.", "US"), ("U.K.", "GB"), ("U.A.E.", "AE"), ("St. Lucia", "LC")],
)
def test_abbreviations_with_dots_map_to_iso_codes(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (" united states of america ", "US"),
        ("UNITED STATES", "US"),
        ("  germany", "DE"),
        ("the netherlands", "NL"),
        ("cote d'ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("Cote d Ivoire", "CI"),
        ("turkiye", "TR"),
        ("Trinidad & Tobago", "TT"),
        ("Bosnia-and-Herzegovina", "BA"),
        ("ＵＳＡ", "US"),
    ],
)
def test_case_accents_punctuation_and_stray_spaces_are_tolerated(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Deutschland", "DE"),
        ("Brasil", "BR"),
        ("España", "ES"),
        ("Espana", "ES"),
        ("日本", "JP"),
        ("Türkiye", "TR"),
        ("Nederland", "NL"),
        ("Österreich", "AT"),
        ("Schweiz", "CH"),
        ("Suisse", "CH"),
        ("Italia", "IT"),
        ("Россия", "RU"),
        ("中国", "CN"),
        ("대한민국", "KR"),
        ("Polska", "PL"),
        ("Sverige", "SE"),
    ],
)
def test_country_names_in_local_languages_map_to_iso_codes(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("America", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Holland", "NL"),
        ("UAE", "AE"),
        ("Russia", "RU"),
        ("Ivory Coast", "CI"),
        ("Czech Republic", "CZ"),
        ("Turkey", "TR"),
        ("Burma", "MM"),
        ("Vatican City", "VA"),
    ],
)
def test_colloquial_and_former_names_map_to_iso_codes(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Republic of Korea", "KR"),
        ("South Korea", "KR"),
        ("North Korea", "KP"),
        ("Korea, Republic of", "KR"),
        ("Iran", "IR"),
        ("Islamic Republic of Iran", "IR"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Bolivia", "BO"),
        ("Taiwan", "TW"),
        ("Russian Federation", "RU"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ],
)
def test_official_common_and_inverted_iso_names_map_to_iso_codes(typed: str, expected: str) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize(("typed", "expected"), [("840", "US"), ("276", "DE"), ("68", "BO")])
def test_numeric_codes_map_to_iso_codes_even_without_leading_zeros(
    typed: str, expected: str
) -> None:
    assert normalise_country(typed) == expected


@pytest.mark.parametrize("typed", ["Atlantis", "Europe", "EMEA", "Worldwide", "12345", "xx"])
def test_unknown_values_give_none_rather_than_a_guess(typed: str) -> None:
    assert normalise_country(typed) is None


@pytest.mark.parametrize("typed", ["Korea", "Virgin Islands"])
def test_names_shared_by_two_countries_give_none(typed: str) -> None:
    assert normalise_country(typed) is None


@pytest.mark.parametrize("typed", ["N/A", "n.a.", "NA"])
def test_not_available_placeholders_are_not_read_as_namibia(typed: str) -> None:
    assert normalise_country(typed) is None


def test_namibia_is_still_recognised_by_name() -> None:
    assert normalise_country("Namibia") == "NA"


@pytest.mark.parametrize("typed", [None, "", "   ", "-", "--", ".", "?"])
def test_blank_values_give_none(typed: str | None) -> None:
    assert normalise_country(typed) is None


def test_every_iso_country_is_found_by_its_name_and_codes() -> None:
    misses = []
    for country in pycountry.countries:
        if country.alpha_2 == "NA":
            continue  # "NA" means "not available" in CRM data; see the test above
        for typed in (country.name, country.alpha_2, country.alpha_3, country.numeric):
            if normalise_country(typed) != country.alpha_2:
                misses.append((typed, country.alpha_2))
    assert misses == []


def test_aliases_never_shadow_another_countrys_iso_code() -> None:
    codes = {}
    for country in pycountry.countries:
        codes[country.alpha_2.lower()] = country.alpha_2
        codes[country.alpha_3.lower()] = country.alpha_2
    clashes = [
        (alias, code, codes[key])
        for code, aliases in COUNTRY_ALIASES.items()
        for alias in aliases
        for key in spelling_variants(alias)
        if key in codes and codes[key] != code
    ]
    assert clashes == []


@pytest.mark.parametrize(
    ("typed", "code"),
    [("GER", "DE"), ("Bundesrepublik Deutschland", "DE"), ("République française", "FR")],
)
def test_official_names_and_sports_codes_people_type_are_recognised(typed: str, code: str) -> None:
    assert normalise_country(typed) == code
