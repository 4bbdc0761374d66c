"""Comparison keys for values people type by hand.

Country, region and industry lookups all compare what a user typed against reference names, and
users differ from the reference in case, accents, punctuation and spacing ("U.S.A.", "Québec",
"Nordrhein-Westfalen", "Food & Beverage"). `lookup_key` folds all of those away so one table key
matches every spelling; the same function builds the table keys and the keys of incoming values, so
the two always agree.
"""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus an accent, spelled the way people
# type them on an ASCII keyboard.
_UNDECOMPOSABLE = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h"}
)
# Characters dropped without leaving a gap, so "U.S.A." becomes "usa" and "d'Ivoire" "divoire".
_DROPPED = str.maketrans("", "", ".'’‘`´ʼ")
_SEPARATORS = re.compile(r"[\W_]+")

# German spellings without umlauts ("Thueringen", "Baden-Wuerttemberg") are common in CRM data.
_UMLAUT_SPELLINGS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_SAINT_WORDS = {"saint": "st", "sankt": "st", "sainte": "ste"}


def key_tokens(text: str) -> list[str]:
    """The words of `text`, lower-cased, without accents or punctuation.

    A leading "the" is dropped ("The Netherlands" and "Netherlands" are the same place).
    """
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
        folded = folded.translate(_UNDECOMPOSABLE)
    folded = folded.replace("&", " and ").translate(_DROPPED)
    tokens = [token for token in _SEPARATORS.split(folded) if token]
    if len(tokens) > 1 and tokens[0] == "the":
        del tokens[0]
    return tokens


def lookup_key(text: str) -> str:
    """The key `text` is looked up under: its folded words run together ("newsouthwales")."""
    return "".join(key_tokens(text))


def spelling_variants(name: str) -> set[str]:
    """Lookup keys for the ways people commonly spell a reference `name`.

    Covers German umlauts written out ("ü" as "ue") and "Saint"/"Sankt" written "St".
    """
    variants = {lookup_key(name)}
    lowered = unicodedata.normalize("NFC", name.casefold())
    umlauts_written_out = lowered.translate(_UMLAUT_SPELLINGS)
    if umlauts_written_out != lowered:
        variants.add(lookup_key(umlauts_written_out))
    for tokens in [key_tokens(name), key_tokens(umlauts_written_out)]:
        if any(token in _SAINT_WORDS for token in tokens):
            variants.add("".join(_SAINT_WORDS.get(token, token) for token in tokens))
    variants.discard("")
    return variants


_BRACKETED = re.compile(r"\s*[\[(]([^\])]*)[\])]\s*")
_CODE_LIKE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def reference_name_forms(name: str) -> tuple[list[str], list[str]]:
    """The forms of an ISO reference name that people write, split by how sure the match is.

    Returns (full forms, partial forms). Full forms are the name itself, without bracketed notes,
    and with an inverted "X, Republic of" turned around ("Republic of X"). Partial forms are the
    part before such a comma ("Korea") and bracketed alternatives ("Catalunya [Cataluña]" gives
    "Cataluña"); they are weaker and lose against a full form that means something else.
    """
    full: list[str] = [name]
    partial: list[str] = []
    bracketed = [part.strip() for part in _BRACKETED.findall(name)]
    base = _BRACKETED.sub(" ", name).strip()
    if base != name:
        full.append(base)
    for part in bracketed:
        words = [word for word in part.split() if not _CODE_LIKE.match(word)]
        if words:
            partial.append(" ".join(words))
    if "," in base:
        head, _, tail = base.partition(",")
        head, tail = head.strip(), tail.strip()
        full.append(f"{tail} {head}")
        partial.append(head)
    return full, partial
