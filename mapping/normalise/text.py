"""Free text and postal codes, tidied so that equal values compare equal.

`clean_text` is for names and cities: the same company typed twice should not differ by stray
spaces, a line break or a decomposed accent. `normalise_postal_code` also puts postal codes into
their country's canonical shape where there is one (US ZIP, Canadian, UK and Dutch codes), because
territory rules match on code prefixes ("941", "M5V", "SW1A").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from mapping.normalise.countries import normalise_country

# Characters that carry no text: zero-width space, byte order mark, soft hyphen.
_INVISIBLE = str.maketrans("", "", "\u200b\ufeff\u00ad")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_PLACEHOLDERS = frozenset({"N/A", "NA", "N.A.", "NONE", "NULL", "NIL", "-", "--", "?", "TBD"})

# Countries and territories that use US ZIP codes.
_ZIP_COUNTRIES = frozenset({"US", "PR", "VI", "GU", "AS", "MP", "UM"})
# Countries using the UK postcode format (Isle of Man, Jersey and Guernsey included).
_UK_POSTCODE_COUNTRIES = frozenset({"GB", "IM", "JE", "GG"})

_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")
# A ZIP whose leading zero a spreadsheet dropped: "2134", "2134-1234", "21341234".
_ZIP_MISSING_ZERO = re.compile(r"^(\d{4})(?:-?\d{4})?$")
_CANADIAN = re.compile(r"^([A-Z]\d[A-Z])(\d[A-Z]\d)$")
_UK = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?|GIR)(\d[A-Z]{2})$")
_DUTCH = re.compile(r"^(\d{4})([A-Z]{2})$")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_SPACES_AND_HYPHENS = re.compile(r"[\s-]+")
# Numbers a spreadsheet turned into decimals: "94105.0".
_DECIMAL_ZERO_SUFFIX = re.compile(r"^(\d+)\.0+$")


def clean_text(value: object) -> str | None:
    """`value` as trimmed NFC text with runs of whitespace collapsed to one space, or None.

    Line breaks and tabs become spaces; invisible characters (zero-width space, byte order mark,
    soft hyphen) and control characters are removed. Numbers are written out ("12345"). None for
    None, empty or whitespace-only values and for values that are not text or numbers.
    """
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        text = str(value)
    else:
        return None
    return _clean_text(text)


def _clean_text(text: str) -> str | None:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    cleaned = " ".join(text.split())
    if not cleaned.isprintable():
        cleaned = " ".join(_CONTROL.sub(" ", cleaned).split())
    return cleaned or None


def _canonical_postal_code(country: str | None, code: str) -> str:
    compact = _SPACES_AND_HYPHENS.sub("", code)
    if country in _ZIP_COUNTRIES:
        digits = _DECIMAL_ZERO_SUFFIX.sub(r"\1", code)
        if zip_code := _ZIP.match(digits):
            return zip_code.group(1)
        if short := _ZIP_MISSING_ZERO.match(digits):
            return "0" + short.group(1)
    elif country == "CA":
        if canadian := _CANADIAN.match(compact):
            return f"{canadian.group(1)} {canadian.group(2)}"
    elif country in _UK_POSTCODE_COUNTRIES:
        if uk := _UK.match(compact):
            return f"{uk.group(1)} {uk.group(2)}"
    elif country == "NL" and (dutch := _DUTCH.match(compact)):
        return f"{dutch.group(1)} {dutch.group(2)}"
    return code


# Postal codes repeat within a country's book; a full cache of 65,536 held about 19 MiB of a
# large book's run, so it keeps the 8,192 met most recently.
@functools.lru_cache(maxsize=8192)
def _normalise_postal_code(country_code: str | None, value: str) -> str | None:
    code = _clean_text(value.upper())
    if code is None or code in _PLACEHOLDERS or not _LETTER_OR_DIGIT.search(code):
        return None
    country = normalise_country(country_code) if country_code else None
    return _canonical_postal_code(country, code)


def normalise_postal_code(country_code: str | None, value: str | None) -> str | None:
    """A postal code in upper case, trimmed, in its country's canonical shape where known.

    US (and US territories): the five-digit ZIP ("94105-1234" -> "94105"), with a leading zero a
    spreadsheet dropped put back ("2134" -> "02134"). Canada: "m5v3l9" -> "M5V 3L9". United
    Kingdom, Isle of Man, Jersey, Guernsey: "sw1a1aa" -> "SW1A 1AA". Netherlands: "1012ab" ->
    "1012 AB". Elsewhere, or when the value does not fit the country's format, inner whitespace is
    collapsed and the value otherwise kept. None for blanks and placeholders ("N/A", "-").
    """
    if value is None:
        return None
    return _normalise_postal_code(country_code, value)
