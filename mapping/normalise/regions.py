"""Regions (states, provinces, prefectures) as people type them, turned into ISO 3166-2 codes.

Territory rules split countries by region ("US-CA", "CA-QC", "DE-BY"). CRM users type "California",
"ca ", "Calif.", "Québec", "NRW" or "東京都". Each country's lookup table is built on first use
from pycountry's subdivisions (full codes, code suffixes, names) plus `REGION_ALIASES`. A region
only means something inside its country ("WA" is Washington in the US and Western Australia in
Australia), so without a country the answer is None, as it is for a value that is not a region of
the given country.

The United Kingdom is reported by nation (GB-ENG, GB-SCT, GB-WLS, GB-NIR): ISO also lists some
two hundred counties, districts and boroughs there, but UK territories are cut by nation, and a
county or city typed in the region field ("Kent", "Edinburgh", "London") resolves to its nation.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pycountry

from mapping.normalise._keys import key_tokens, reference_name_forms, spelling_variants
from mapping.normalise.countries import normalise_country
from mapping.normalise.region_aliases import REGION_ALIASES

# How strongly a key points at its subdivision. Top-level subdivisions (US states, German Länder,
# Spanish autonomous communities) beat the lower levels some countries also list (Spanish
# provinces, English districts) when both carry the same name; on a tie the key is ambiguous.
_CODE, _ALIAS = 40, 30
_NAME, _PARTIAL_NAME = 2, 1
_TOP_LEVEL_BONUS = 10

# Administrative words ISO keeps in some names ("Guangdong Sheng", "Stockholms län") but people
# leave out.
_DESIGNATOR_WORDS = frozenset(
    {"sheng", "shi", "zizhiqu", "huizu", "uygur", "zhuangzu", "sar", "lan"}
)

# Countries whose regions are reported at the top level only; lower levels resolve to their parent.
_REPORTED_AT_TOP_LEVEL = frozenset({"GB"})

# Words people add around a region's name ("State of New York", "Ontario Province", "Osaka-fu").
_LEADING_WORDS = (("state", "of"), ("province", "of"), ("provincia", "de"), ("provincia", "di"))
_TRAILING_WORDS = frozenset({"state", "province", "prefecture", "region", "ken", "fu", "to"})


def _without_designators(name: str) -> str | None:
    tokens = key_tokens(name)
    stripped = list(tokens)
    while len(stripped) > 1 and stripped[-1] in _DESIGNATOR_WORDS:
        stripped.pop()
    return " ".join(stripped) if stripped != tokens else None


@functools.cache
def _subdivisions_by_country() -> dict[str, dict[str, Any]]:
    """Country code -> {subdivision code -> pycountry subdivision}, read once."""
    grouped: dict[str, dict[str, Any]] = {}
    for subdivision in pycountry.subdivisions:
        grouped.setdefault(subdivision.country_code, {})[subdivision.code] = subdivision
    return grouped


@functools.cache
def _reported_codes(country_code: str) -> dict[str, str]:
    """Every subdivision code of the country -> the code reported for it."""
    subdivisions = _subdivisions_by_country().get(country_code, {})
    if country_code not in _REPORTED_AT_TOP_LEVEL:
        return {code: code for code in subdivisions}
    reported: dict[str, str] = {}
    for code, subdivision in subdivisions.items():
        top = subdivision
        while top.parent_code is not None and top.parent_code in subdivisions:
            top = subdivisions[top.parent_code]
        reported[code] = top.code
    return reported


@functools.cache
def _region_index(country_code: str) -> dict[str, str | None]:
    """Lookup key -> subdivision code for one country; None where two subdivisions tie."""
    candidates: dict[str, dict[str, int]] = {}

    def add(keys: Iterable[str], code: str, strength: int) -> None:
        for key in keys:
            claims = candidates.setdefault(key, {})
            claims[code] = max(claims.get(code, 0), strength)

    reported = _reported_codes(country_code)
    for subdivision in _subdivisions_by_country().get(country_code, {}).values():
        code = reported[subdivision.code]
        bonus = _TOP_LEVEL_BONUS if subdivision.parent_code is None else 0
        add({subdivision.code.partition("-")[2].lower()}, code, _CODE)
        full, partial = reference_name_forms(subdivision.name)
        shorter = [_without_designators(form) for form in full]
        partial += [form for form in shorter if form]
        for form in full:
            add(spelling_variants(form), code, _NAME + bonus)
        for form in partial:
            add(spelling_variants(form), code, _PARTIAL_NAME + bonus)
    for alias, code in REGION_ALIASES.get(country_code, {}).items():
        add(spelling_variants(alias), reported.get(code, code), _ALIAS)

    index: dict[str, str | None] = {}
    for key, claims in candidates.items():
        strongest = max(claims.values())
        winners = [code for code, strength in claims.items() if strength == strongest]
        index[key] = winners[0] if len(winners) == 1 else None
    return index


def _lookup(index: dict[str, str | None], tokens: list[str]) -> str | None:
    found = index.get("".join(tokens))
    if found is not None or not tokens:
        return found
    trimmed = list(tokens)
    for leading in _LEADING_WORDS:
        if tuple(trimmed[: len(leading)]) == leading and len(trimmed) > len(leading):
            trimmed = trimmed[len(leading) :]
            break
    while len(trimmed) > 1 and trimmed[-1] in _TRAILING_WORDS:
        trimmed.pop()
    return index.get("".join(trimmed)) if trimmed != tokens else None


@functools.lru_cache(maxsize=16384)
def _normalise_region(country_code: str, value: str) -> str | None:
    country = normalise_country(country_code)
    if country is None:
        return None
    full_code = _reported_codes(country).get(value.strip().upper())
    if full_code is not None:
        return full_code
    return _lookup(_region_index(country), key_tokens(value))


def normalise_region(country_code: str | None, value: str | None) -> str | None:
    """The ISO 3166-2 code ("US-CA") of a region as typed, within the given country, or None.

    `country_code` is preferably an ISO alpha-2 code; anything `normalise_country` understands
    works too. Accepts full codes ("US-CA"), code suffixes and postal abbreviations ("CA", "ca "),
    ISO names with or without accents ("Québec", "Quebec"), and common aliases ("Calif.",
    "Bavaria", "NRW", "東京都"). Returns None without a country, for a value that is not a region of
    that country (a full code of another country included), and for blank or ambiguous values.
    """
    if country_code is None or value is None:
        return None
    return _normalise_region(country_code, value)
