"""Company names and web domains for seeded businesses, and the messy ways CRMs hold them.

A business gets a name in its country's language ("Müller Maschinenbau GmbH", "Société
Parisienne de Logistique", "株式会社サクラ技研", "Companhia Paulista de Tecnologia Ltda.") or, as
many do, an English brand name, and a registrable domain built from its name and its country's
usual top-level domain. Domains are unique per business, except for subsidiaries, which share
their parent's domain the way "Acme UK Ltd" shares acme.com; matching businesses across CRMs by
domain is what the product does, so duplicates must only appear where real CRMs have them.

Rendering is where the mess comes in: the same business may be "Acme, Inc." in one CRM and
"Acme Inc" or "ACME INC" in the other, and its website anything from "acme.com" to
"https://www.Acme.com/en/".
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from sandbox.seed_geography import Country
from sandbox.seed_vocabulary import (
    BRAND_WORDS,
    COINED_ENDS,
    COINED_MIDDLES,
    COINED_STARTS,
    DOMAIN_PREFIXES,
    DOMAIN_SUFFIXES,
    INDIAN_NAME_SHARE,
    INDIAN_WORDS,
    JAPANESE_LEGAL_FORMS,
    JAPANESE_NAME_SHARE,
    JAPANESE_PLACES,
    JAPANESE_STEMS,
    JAPANESE_WORDS,
    LEGAL_FORMS,
    LOCAL_VOCABULARIES,
    SUBSIDIARY_MARKERS,
    SURNAMES_EN,
    SURNAMES_IN,
    UNICODE_FOLD,
    WEBSITE_PATHS,
    LegalForm,
    Sector,
)
from sandbox.seed_weights import Weighted, choose

_FRESH_NAME_ATTEMPTS = 3
_LONGEST_LABEL = 24
_MODIFIED_DOMAIN_ATTEMPTS = 8
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_STOPWORDS = frozenset({"&", "de", "des", "du", "la", "le", "y", "e", "do", "da", "di", "of"})


@dataclass(frozen=True, slots=True)
class CompanyName:
    """A business's name as it would register it, and its registrable domain."""

    base: str
    """The name without its legal form: "Blue Harbor Logistics"."""
    legal: LegalForm | None
    domain: str
    """Registrable domain, lower case: "blueharbor.com", "mueller-bau.de"."""


class DomainRegistry:
    """The registrable domains already given to a business in this book."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._fallback = 0

    def claim(self, domain: str) -> bool:
        if domain in self._taken:
            return False
        self._taken.add(domain)
        return True

    def claim_numbered(self, label: str, tld: str) -> str:
        """A domain that is certainly free: the label with a number no one has used."""
        while True:
            self._fallback += 1
            domain = f"{label}{self._fallback}{tld}"
            if self.claim(domain):
                return domain


def _slug(word: str, german: bool) -> str:
    """Lower-case ASCII letters and digits of a word (Müller -> mueller, or muller)."""
    folded = word.translate(UNICODE_FOLD) if german else word
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("", folded.lower())


def _domain_label(rng: random.Random, brand: list[str], extra: list[str], tech: bool) -> str:
    """One of the forms real companies pick: "blueharbor", "blue-harbor", "getblueharbor",
    "bhlogistics"."""
    if not brand:
        brand, extra = extra[:1], extra[1:]
    r = rng.random()
    if r < 0.45 or (not extra and r < 0.70):
        label = "".join(brand)
    elif r < 0.65:
        label = "".join(brand + extra)
    elif r < 0.75:
        label = "-".join(brand)
    elif r < 0.85:
        label = "-".join(brand + extra)
    elif r < 0.90 and tech:
        label = choose(rng, DOMAIN_PREFIXES) + "".join(brand)
    elif r < 0.95 and len(brand) + len(extra) >= 3:
        everything = brand + extra
        label = "".join(t[0] for t in everything[:-1]) + everything[-1]
    else:
        label = "".join(brand)
    return _shortened(label, brand + extra)


def _longer_labels(brand: list[str], extra: list[str]) -> list[str]:
    """The forms a company falls back on when its short domain is taken: every word of its name,
    run together or hyphenated."""
    everything = brand + extra
    return [
        _shortened("".join(everything), everything),
        _shortened("-".join(everything), everything),
    ]


def _shortened(label: str, words: list[str]) -> str:
    """Long labels become initials and the last word ("companhia-paranaense-servicos" becomes
    "cp-servicos"), as companies with long names do."""
    if len(label) > _LONGEST_LABEL and len(words) > 1:
        label = "".join(t[0] for t in words[:-1]) + "-" + words[-1]
    return label[:_LONGEST_LABEL].strip("-") or "company"


# ----------------------------------------------------------------------------------------------
# Name styles: each returns the display name (without legal form), the distinctive words and the
# generic words (which domains sometimes leave out).
# ----------------------------------------------------------------------------------------------

_NameParts = tuple[str, list[str], list[str]]


def _coined(rng: random.Random) -> str:
    return choose(rng, COINED_STARTS) + choose(rng, COINED_MIDDLES) + choose(rng, COINED_ENDS)


def _english_name(rng: random.Random, sector: Sector, city: str) -> _NameParts:
    word = choose(rng, sector.words)
    r = rng.random()
    if r < 0.35:
        coined = _coined(rng)
        if rng.random() < 0.6:
            return f"{coined} {word}", [coined], [word]
        return coined, [coined], []
    if r < 0.75:
        first = choose(rng, BRAND_WORDS)
        second = choose(rng, BRAND_WORDS)
        while second == first:
            second = choose(rng, BRAND_WORDS)
        if rng.random() < 0.3 and " " not in first + second:
            brand = first + second.lower()
        else:
            brand = f"{first} {second}"
        if rng.random() < 0.7:
            return f"{brand} {word}", [brand], [word]
        return brand, [brand], []
    if r < 0.93:
        surname = choose(rng, SURNAMES_EN)
        s = rng.random()
        if s < 0.6:
            return f"{surname} {word}", [surname, word], []
        other = choose(rng, SURNAMES_EN)
        if s < 0.85:
            return f"{surname} & {other}", [surname, other], []
        if s < 0.92:
            return f"{surname} Brothers", [surname, "Brothers"], []
        return f"{surname} {other} {word}", [surname, other], [word]
    return f"{city} {word}", [city, word], []


def _indian_name(rng: random.Random, sector: Sector, city: str) -> _NameParts:
    if rng.random() >= INDIAN_NAME_SHARE:
        return _english_name(rng, sector, city)
    surname = choose(rng, SURNAMES_IN)
    word = choose(rng, INDIAN_WORDS)
    return f"{surname} {word}", [surname, word], []


def _local_name(rng: random.Random, locale: str, sector: Sector, city: str) -> _NameParts:
    vocabulary = LOCAL_VOCABULARIES[locale]
    if rng.random() >= vocabulary.share:
        return _english_name(rng, sector, city)
    pattern = _pick(rng, vocabulary.patterns)
    surname = choose(rng, vocabulary.surnames)
    surname2 = choose(rng, vocabulary.surnames)
    noun = choose(rng, vocabulary.nouns[sector.kind])
    place = choose(rng, vocabulary.places)
    display = pattern.format(surname=surname, surname2=surname2, noun=noun, place=place, city=city)
    words = [w for w in display.replace("-", " ").split() if w.lower() not in _STOPWORDS]
    return display, words, []


def _japanese_name(rng: random.Random, sector: Sector, city: str) -> tuple[str, list[str], bool]:
    """Display name and romanised domain tokens; False when the business has an English name."""
    if rng.random() >= JAPANESE_NAME_SHARE:
        display, brand, extra = _english_name(rng, sector, city)
        return display, brand + extra, False
    stem, stem_roman = choose(rng, JAPANESE_STEMS)
    word, word_roman = choose(rng, JAPANESE_WORDS)
    tokens = [stem_roman, word_roman]
    display = stem + word
    if rng.random() < 0.35:
        place, place_roman = choose(rng, JAPANESE_PLACES)
        display = place + display
        tokens.insert(0, place_roman)
    return display, tokens, True


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    total = sum(weight for _, weight in pairs)
    target = rng.random() * total
    for value, weight in pairs:
        target -= weight
        if target < 0:
            return value
    return pairs[-1][0]


class CompanyNamer:
    """Names businesses and gives each a registrable domain no other business in the book has."""

    def __init__(self) -> None:
        self.registry = DomainRegistry()
        self._legal = {iso2: Weighted(forms) for iso2, forms in LEGAL_FORMS.items()}
        self._japanese_legal = Weighted(JAPANESE_LEGAL_FORMS)
        self._tlds: dict[str, Weighted[str]] = {}
        self._plain_slugs: dict[str, tuple[str, ...]] = {}
        self._german_slugs: dict[str, tuple[str, ...]] = {}

    def _tld(self, rng: random.Random, country: Country) -> str:
        table = self._tlds.get(country.iso2)
        if table is None:
            table = self._tlds[country.iso2] = Weighted(country.tlds)
        return table.pick(rng)

    def _slugs(self, words: list[str], german: bool) -> list[str]:
        """Domain tokens for name words, cached per word: names reuse the same words."""
        tokens: list[str] = []
        cache = self._german_slugs if german else self._plain_slugs
        for word in words:
            slugs = cache.get(word)
            if slugs is None:
                slugs = cache[word] = tuple(
                    slug for part in word.split() if (slug := _slug(part, german))
                )
            tokens += slugs
        return tokens

    def _parts(
        self, rng: random.Random, country: Country, sector: Sector, city: str
    ) -> tuple[str, LegalForm | None, list[str], list[str]]:
        """A fresh name: display name, legal form, distinctive and generic domain tokens."""
        locale = country.locale
        german = locale == "de" or locale == "nordic"
        if locale == "ja":
            display, words, japanese = _japanese_name(rng, sector, city)
            legal = self._japanese_legal.pick(rng) if japanese else self._legal["JP"].pick(rng)
            tokens = self._slugs(words, german=False)
            return display, legal, tokens[:-1] or tokens, tokens[-1:] if len(tokens) > 1 else []
        if locale in LOCAL_VOCABULARIES:
            display, brand, extra = _local_name(rng, locale, sector, city)
        elif locale == "in":
            display, brand, extra = _indian_name(rng, sector, city)
        else:
            display, brand, extra = _english_name(rng, sector, city)
        legal = self._legal[country.iso2].pick(rng)
        return display, legal, self._slugs(brand, german), self._slugs(extra, german)

    def name(self, rng: random.Random, country: Country, sector: Sector, city: str) -> CompanyName:
        """A new business in `country`, with a domain no other business in the book has."""
        tld = self._tld(rng, country)
        tech = sector.kind == "tech"
        claim = self.registry.claim
        display, legal, label = "", None, "company"
        for _ in range(_FRESH_NAME_ATTEMPTS):
            display, legal, brand, extra = self._parts(rng, country, sector, city)
            label = _domain_label(rng, brand, extra, tech)
            if claim(label + tld):
                return CompanyName(display, legal, label + tld)
            for longer in _longer_labels(brand, extra):
                if claim(longer + tld):
                    return CompanyName(display, legal, longer + tld)
        # A crowded name space (very large books): real companies add their city or a word.
        city_label = "".join(self._slugs([city], german=country.locale == "de"))
        if city_label and city_label not in label and claim(f"{label}-{city_label}{tld}"):
            return CompanyName(display, legal, f"{label}-{city_label}{tld}")
        for _ in range(_MODIFIED_DOMAIN_ATTEMPTS):
            if rng.random() < 0.7:
                candidate = label + choose(rng, DOMAIN_SUFFIXES)
            else:
                candidate = choose(rng, DOMAIN_PREFIXES) + label
            if claim(candidate + tld):
                return CompanyName(display, legal, candidate + tld)
        return CompanyName(display, legal, self.registry.claim_numbered(label, tld))

    def subsidiary(self, rng: random.Random, parent: CompanyName, country: Country) -> CompanyName:
        """A subsidiary in `country` that uses its parent's domain ("Acme Deutschland GmbH")."""
        marker = choose(rng, SUBSIDIARY_MARKERS.get(country.iso2, ("International",)))
        if rng.random() < 0.25:
            marker = choose(rng, ("Holdings", "Services", "International", "Group"))
        legal = self._legal[country.iso2].pick(rng) if country.iso2 in self._legal else None
        return CompanyName(f"{parent.base} {marker}", legal, parent.domain)


# ----------------------------------------------------------------------------------------------
# Rendering as a CRM holds it
# ----------------------------------------------------------------------------------------------


def render_name(rng: random.Random, company: CompanyName, drop_legal: float) -> str:
    """The name as typed into a CRM: legal form spelled one of its ways, sometimes left out,
    sometimes with a comma, now and then in capitals or with stray spaces."""
    legal = company.legal
    base = company.base
    if legal is None or rng.random() < drop_legal:
        name = base
    else:
        spellings = legal.spellings
        spelled = spellings[0] if rng.random() < 0.7 else choose(rng, spellings)
        if legal.before:
            name = spelled + base
        elif not spelled.isascii() and not base.isascii():
            name = base + spelled
        elif legal.comma and len(spelled) <= 5 and rng.random() < 0.35:
            name = f"{base}, {spelled}"
        else:
            name = f"{base} {spelled}"
    r = rng.random()
    if r < 0.012:
        return name.upper()
    if r < 0.018:
        return f" {name}"
    if r < 0.024:
        return f"{name} "
    if r < 0.030 and " " in name:
        return name.replace(" ", "  ", 1)
    return name


def fold_accents(name: str) -> str:
    """The name as an import that strips accents would leave it (Müller -> Muller)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return folded if folded.strip() else name


def render_website(rng: random.Random, domain: str) -> str:
    """The Website field: the domain with or without scheme, `www.`, a path, odd capitals."""
    r = rng.random()
    if r < 0.14:
        return domain
    if r < 0.34:
        return f"www.{domain}"
    if r < 0.38:
        return f"http://{domain}"
    if r < 0.50:
        return f"http://www.{domain}"
    if r < 0.60:
        return f"https://{domain}"
    if r < 0.76:
        return f"https://www.{domain}"
    if r < 0.86:
        return f"https://www.{domain}/"
    if r < 0.90:
        return f"https://{domain}/"
    if r < 0.95:
        return f"https://www.{domain}/{choose(rng, WEBSITE_PATHS)}"
    if r < 0.97:
        return f"https://www.{domain[:1].upper()}{domain[1:]}/{choose(rng, ('', 'en/'))}"
    if r < 0.98:
        return domain.upper()
    if r < 0.99:
        return f"www.{domain}/"
    return f" {domain}" if rng.random() < 0.5 else f"{domain} "
