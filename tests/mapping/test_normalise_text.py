"""Specification of `clean_text` and `normalise_postal_code`."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from mapping.normalise import clean_text, normalise_postal_code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Acme   Corp  ", "Acme Corp"),
        ("Acme\tCorp\nInc.", "Acme Corp Inc."),
        ("Acme\u00a0Corp", "Acme Corp"),
        ("\u200bAcme\ufeff", "Acme"),
        ("Acme\x00Corp", "Acme Corp"),
        ("Müller GmbH", "Müller GmbH"),
        ("株式会社 サンプル", "株式会社 サンプル"),
        (12345, "12345"),
        (Decimal("10.5"), "10.5"),
    ],
)
def test_text_is_trimmed_and_inner_whitespace_collapsed(value: object, expected: str) -> None:
    assert clean_text(value) == expected


def test_decomposed_accents_are_composed_so_equal_names_compare_equal() -> None:
    decomposed = "Socie\u0301te\u0301 Ge\u0301ne\u0301rale"
    assert clean_text(decomposed) == "Société Générale"
    assert clean_text(decomposed) == unicodedata.normalize("NFC", decomposed)


@pytest.mark.parametrize("value", [None, "", "   ", "\n\t", "\u200b", True, ["Acme"], {"a": 1}])
def test_empty_or_non_text_values_give_none(value: object) -> None:
    assert clean_text(value) is None


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("US", "94105", "94105"),
        ("US", " 94105 ", "94105"),
        ("US", "94105-1234", "94105"),
        ("US", "941051234", "94105"),
        ("US", "2134", "02134"),
        ("US", "2134-5678", "02134"),
        ("US", "94105.0", "94105"),
        ("USA", "2134", "02134"),
        ("PR", "00901-1234", "00901"),
    ],
)
def test_us_zip_codes_are_reduced_to_five_digits(country: str, typed: str, expected: str) -> None:
    assert normalise_postal_code(country, typed) == expected


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("CA", "m5v3l9", "M5V 3L9"),
        ("CA", "M5V 3L9", "M5V 3L9"),
        ("CA", "m5v-3l9", "M5V 3L9"),
        ("GB", "sw1a1aa", "SW1A 1AA"),
        ("GB", "SW1A  1AA", "SW1A 1AA"),
        ("GB", "m11ae", "M1 1AE"),
        ("GB", "ec1a 1bb", "EC1A 1BB"),
        ("United Kingdom", "w1a0ax", "W1A 0AX"),
        ("JE", "je24wh", "JE2 4WH"),
        ("NL", "1012ab", "1012 AB"),
        ("NL", "1012 ab", "1012 AB"),
    ],
)
def test_canadian_uk_and_dutch_codes_get_their_canonical_spacing(
    country: str, typed: str, expected: str
) -> None:
    assert normalise_postal_code(country, typed) == expected


@pytest.mark.parametrize(
    ("country", "typed", "expected"),
    [
        ("DE", " 10115 ", "10115"),
        ("JP", "100-0001", "100-0001"),
        ("BR", "01310-100", "01310-100"),
        ("IE", "d02  x285", "D02 X285"),
        (None, "ab  12", "AB 12"),
        ("Atlantis", "x1 y2", "X1 Y2"),
    ],
)
def test_other_codes_are_upper_cased_with_whitespace_collapsed(
    country: str | None, typed: str, expected: str
) -> None:
    assert normalise_postal_code(country, typed) == expected


@pytest.mark.parametrize(("country", "typed"), [("US", "ABCDE"), ("CA", "12345"), ("GB", "SW1")])
def test_codes_that_do_not_fit_their_country_are_kept_cleaned_not_dropped(
    country: str, typed: str
) -> None:
    assert normalise_postal_code(country, typed) == typed.upper()


@pytest.mark.parametrize("typed", [None, "", "   ", "N/A", "n/a", "-", "none", "?"])
def test_blank_postal_codes_and_placeholders_give_none(typed: str | None) -> None:
    assert normalise_postal_code("US", typed) is None
