"""Country names as people type them, turned into ISO 3166-1 alpha-2 codes.

Territory rules match on codes ("US", "DE"), but CRM users write "U.S.A.", "Deutschland", "UK" or
"日本". The lookup table holds every ISO code (alpha-2, alpha-3, numeric), every ISO name (short,
official and common names from pycountry) and a small table of colloquial and local-language names.
A value that matches nothing, or matches two countries equally well, gives None: a wrong country
would route an account to the wrong rep, which is worse than leaving it unassigned.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pycountry

from mapping.normalise._keys import lookup_key, reference_name_forms, spelling_variants

# Colloquial, former and local-language names, by ISO alpha-2 code. ISO's own names, codes and
# spelling variants (accents, punctuation, "St"/"Saint") need no entry here.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": (
        "America",
        "US of A",
        "Estados Unidos",
        "EEUU",
        "EE UU",
        "Vereinigte Staaten",
        "Etats-Unis",
        "Stati Uniti",
    ),
    "GB": (
        "UK",
        "Great Britain",
        "Britain",
        "England",
        "Scotland",
        "Wales",
        "Northern Ireland",
        "Reino Unido",
        "Royaume-Uni",
        "Vereinigtes Königreich",
        "Großbritannien",
        "Regno Unito",
        "Verenigd Koninkrijk",
    ),
    "DE": (
        "Deutschland",
        "Bundesrepublik Deutschland",
        "GER",
        "Allemagne",
        "Alemania",
        "Germania",
        "Duitsland",
        "BRD",
        "Niemcy",
    ),
    "NL": ("Holland", "Nederland", "Niederlande", "Pays-Bas", "Países Bajos", "Paesi Bassi"),
    "FR": ("République française", "Frankreich", "Francia", "Frankrijk"),
    "ES": ("España", "Spanien", "Espagne", "Spagna", "Spanje"),
    "IT": ("Italia", "Italien", "Italie"),
    "BR": ("Brasil", "Brasilien", "Brésil"),
    "MX": ("Méjico", "Mexiko", "Mexique", "Estados Unidos Mexicanos"),
    "JP": ("日本", "日本国", "Nippon", "Nihon", "Japon", "Japão", "Giappone"),
    "CN": ("中国", "中华人民共和国", "PRC", "Mainland China", "Chine", "Volksrepublik China"),
    "TW": ("台灣", "台湾", "Republic of China", "Chinese Taipei"),
    "HK": ("香港",),
    "MO": ("Macau", "澳門"),
    "KR": ("대한민국", "한국", "Korea South", "Korea (South)", "Südkorea", "Corée du Sud"),
    "KP": ("Korea North", "Korea (North)", "Nordkorea"),
    "TR": ("Turkey", "Türkei", "Turquie", "Turquía"),
    "CZ": ("Česko", "Česká republika", "Tschechien"),
    "SK": ("Slovensko",),
    "RU": ("Russia", "Россия", "Russland", "Russie", "Rusia"),
    "AE": ("UAE", "Emirates", "Vereinigte Arabische Emirate", "Emiratos Árabes Unidos"),
    "SA": ("KSA",),
    "CI": ("Ivory Coast", "Elfenbeinküste"),
    "CH": ("Schweiz", "Suisse", "Svizzera", "Suiza", "Confoederatio Helvetica"),
    "AT": ("Österreich", "Autriche"),
    "BE": ("België", "Belgique", "Belgien", "Bélgica"),
    "DK": ("Danmark", "Dänemark"),
    "SE": ("Sverige", "Schweden", "Suède", "Suecia"),
    "NO": ("Norge", "Norwegen", "Norvège", "Noruega"),
    "FI": ("Suomi", "Finnland"),
    "IS": ("Ísland",),
    "PL": ("Polska", "Polen", "Pologne"),
    "HU": ("Magyarország", "Ungarn"),
    "GR": ("Hellas", "Ελλάδα", "Griechenland", "Grèce", "Grecia"),
    "IE": ("Éire", "Eire", "Republic of Ireland", "Irland", "Irlande"),
    "HR": ("Hrvatska", "Kroatien"),
    "SI": ("Slovenija",),
    "RO": ("Rumänien", "Roumanie", "Rumania"),
    "BG": ("България",),
    "UA": ("Ukraina", "Україна"),
    "IN": ("Bharat", "भारत"),
    "ID": ("Indonesien",),
    "PH": ("Pilipinas",),
    "TH": ("ประเทศไทย",),
    "SG": ("Singapur", "Singapura"),
    "AU": ("Australien", "Oz"),
    "NZ": ("Aotearoa", "Neuseeland"),
    "ZA": ("RSA", "Südafrika", "Afrique du Sud"),
    "EG": ("Ägypten", "مصر"),
    "MA": ("Maroc", "Marokko", "Marruecos"),
    "IL": ("ישראל",),
    "IR": ("Persia",),
    "MM": ("Burma",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
    "TL": ("East Timor",),
    "MK": ("Macedonia", "FYROM", "Republic of Macedonia"),
    "VA": ("Vatican", "Vatican City"),
    "PS": ("Palestine",),
    "CD": ("DRC", "DR Congo", "Congo-Kinshasa", "Democratic Republic of Congo"),
    "CG": ("Congo-Brazzaville", "Republic of Congo"),
    "BN": ("Brunei",),
    "FM": ("Micronesia",),
    "AR": ("Argentinien",),
    "CO": ("Kolumbien",),
    "BO": ("Bolivien",),
    "CA": ("Kanada",),
    "BA": ("Bosnia", "Bosna i Hercegovina"),
}

# Values that are ISO codes but, in CRM data, nearly always mean "not available" or "North
# America" rather than Namibia. Namibia is still recognised by its name.
_NOT_A_COUNTRY = frozenset({"na"})

# How strongly a key points at its country; on a tie between two countries the key is ambiguous.
_CODE, _ALIAS, _NAME, _PARTIAL_NAME = 4, 3, 2, 1


@functools.cache
def _country_index() -> dict[str, str | None]:
    """Lookup key -> alpha-2 code, or None where two countries claim the key equally."""
    candidates: dict[str, dict[str, int]] = {}

    def add(keys: Iterable[str], code: str, strength: int) -> None:
        for key in keys:
            claims = candidates.setdefault(key, {})
            claims[code] = max(claims.get(code, 0), strength)

    for country in pycountry.countries:
        code = country.alpha_2
        add({code.lower(), country.alpha_3.lower(), country.numeric}, code, _CODE)
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if not name:
                continue
            full, partial = reference_name_forms(name)
            for form in full:
                add(spelling_variants(form), code, _NAME)
            for form in partial:
                add(spelling_variants(form), code, _PARTIAL_NAME)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            add(spelling_variants(alias), code, _ALIAS)

    index: dict[str, str | None] = {}
    for key, claims in candidates.items():
        strongest = max(claims.values())
        winners = [code for code, strength in claims.items() if strength == strongest]
        index[key] = winners[0] if len(winners) == 1 else None
    for key in _NOT_A_COUNTRY:
        index[key] = None
    return index


@functools.lru_cache(maxsize=4096)
def _normalise_country(value: str) -> str | None:
    key = lookup_key(value)
    if not key:
        return None
    if key.isdigit():
        key = key.zfill(3)
    return _country_index().get(key)


def normalise_country(value: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code (upper case) for a country as typed, or None.

    Accepts codes ("us", "DEU", "840"), ISO names ("Côte d'Ivoire"), official and common names
    ("United States of America", "South Korea") and colloquial or local names ("UK", "Holland",
    "Deutschland", "日本"), in any case, with or without accents, punctuation and stray spaces.
    Returns None for blank, unknown or ambiguous values ("Korea", "NA"): never a guess.
    """
    if value is None:
        return None
    return _normalise_country(value)
