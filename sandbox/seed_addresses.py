"""Where a seeded business is, and the many ways people write its address into a CRM.

A `Place` is one real city with its region and country, and the spellings each of them is typed
with (weighted, so "United States" and "USA" are common and "America" rare). Postal codes are
generated inside the city's real range and written the country's way, with the slips real data
has (a ZIP+4, a ZIP that lost its leading zero in a spreadsheet, a Canadian code without its
space). Strings are shared: the spellings come from the geography tables and postal codes are
interned, so a million records do not hold a million copies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sandbox.seed_geography import COUNTRIES, City, Country, PostalStyle, Region, team_of
from sandbox.seed_weights import Weighted, between, choose


@dataclass(frozen=True, slots=True)
class Place:
    """A city with everything needed to write its address the many ways people do."""

    country: Country
    region: Region
    city: City
    team: str
    countries: Weighted[str]
    regions: Weighted[str]
    cities: Weighted[str]


def build_places() -> Weighted[Place]:
    """Every city of the geography tables, weighted by its share of the book."""
    places: list[tuple[Place, float]] = []
    total = sum(c.weight for c in COUNTRIES)
    for country in COUNTRIES:
        region_total = sum(r.weight for r in country.regions)
        code_weight, name_weight, other_weight = country.region_style
        for region in country.regions:
            spellings = list(country.spellings)
            if region.country_spellings:
                extra = sum(w for _, w in spellings) * 0.12 / len(region.country_spellings)
                spellings += [(s, extra) for s in region.country_spellings]
            writings = [(region.code, code_weight), (region.name, name_weight)]
            if region.spellings:
                writings += [(s, other_weight / len(region.spellings)) for s in region.spellings]
            else:
                writings[1] = (region.name, name_weight + other_weight)
            city_total = sum(c.weight for c in region.cities)
            for city in region.cities:
                names = [(city.name, 0.9 if city.spellings else 1.0)]
                names += [(s, 0.1 / len(city.spellings)) for s in city.spellings]
                place = Place(
                    country,
                    region,
                    city,
                    team_of(country, region),
                    Weighted(spellings),
                    Weighted(writings),
                    Weighted(names),
                )
                weight = (
                    country.weight / total * region.weight / region_total * city.weight / city_total
                )
                places.append((place, weight))
    return Weighted(places)


_LETTERS_CANADA = "ABCEGHJKLMNPRSTVWXYZ"
_LETTERS_UK = "ABDEFGHJLNPQRSTUWXYZ"
_LETTERS_NETHERLANDS = "ABCDEGHJKLMNPRTVWXZ"
_EIRCODE_CHARS = "0123456789ACDEFHKNPRTVWXY"
_EIRCODE_LETTERS = "ACDEFHKNPRTVWXY"


class PostalCodes:
    """Postal codes that fit their city, interned so a million records share the strings.

    Numeric codes from small ranges (a US ZIP prefix has 99) are formatted once per range and
    then picked; the rest are formatted per record and interned."""

    _TABLE_LIMIT = 5_000

    def __init__(self) -> None:
        self._interned: dict[str, str] = {}
        self._tables: dict[tuple[str, int, int], tuple[str, ...]] = {}

    def _digits(self, country: Country, number: int) -> str:
        text = str(number).zfill(country.postal_width)
        split = country.postal_split
        if split:
            text = f"{text[:split]}{country.postal_separator}{text[split:]}"
        return text

    def code(self, rng: random.Random, place: Place) -> str:
        """A postal code in the place's city, written as people in that country do."""
        country = place.country
        spans = place.city.postal
        span = spans[0] if len(spans) == 1 else choose(rng, spans)
        style = country.postal_style
        if style is PostalStyle.DIGITS:
            size = span.high - span.low + 1
            if size > self._TABLE_LIMIT:
                text = self._digits(country, span.low + int(rng.random() * size))
            else:
                key = (country.iso2, span.low, span.high)
                table = self._tables.get(key)
                if table is None:
                    table = self._tables[key] = tuple(
                        self._digits(country, n) for n in range(span.low, span.high + 1)
                    )
                text = table[int(rng.random() * size)]
                if country.iso2 != "US":
                    return text
                r = rng.random()
                if r < 0.05:
                    text = f"{text}-{between(rng, 1, 9999):04d}"  # ZIP+4
                elif r < 0.08 and text[0] == "0":
                    text = text.lstrip("0")  # a spreadsheet ate the leading zero
                else:
                    return text
        elif style is PostalStyle.CANADA:
            letters = _LETTERS_CANADA
            text = (
                f"{span.prefix}{between(rng, span.low, span.high)}{choose(rng, letters)} "
                f"{between(rng, 0, 9)}{choose(rng, letters)}{between(rng, 0, 9)}"
            )
            r = rng.random()
            if r < 0.08:
                text = text.replace(" ", "")
            elif r < 0.12:
                text = text.lower()
        elif style is PostalStyle.UK:
            letters = _LETTERS_UK
            text = (
                f"{span.prefix}{between(rng, span.low, span.high)} "
                f"{between(rng, 0, 9)}{choose(rng, letters)}{choose(rng, letters)}"
            )
            if rng.random() < 0.08:
                text = text.replace(" ", "")
        elif style is PostalStyle.NETHERLANDS:
            letters = _LETTERS_NETHERLANDS
            text = (
                f"{between(rng, span.low, span.high)} {choose(rng, letters)}{choose(rng, letters)}"
            )
            if rng.random() < 0.15:
                text = text.replace(" ", "")
        elif style is PostalStyle.EIRCODE:
            chars = _EIRCODE_CHARS
            text = (
                f"{span.prefix}{between(rng, span.low, span.high):02d} "
                f"{choose(rng, _EIRCODE_LETTERS)}{choose(rng, chars)}{choose(rng, chars)}"
                f"{choose(rng, chars)}"
            )
        else:
            return ""
        return self._interned.setdefault(text, text)
