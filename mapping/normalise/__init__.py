"""Normalisers: turn the values CRM users type into the clean values territory rules match on.

Every function here is pure and cheap: lookup tables are built on first use and results of the
string functions are cached, because they run on every pulled record (hundreds of thousands per
pull). None always means "no usable value"; no function guesses.
"""

from mapping.normalise.countries import normalise_country
from mapping.normalise.domains import normalise_domain
from mapping.normalise.industries import (
    HUBSPOT_INDUSTRIES,
    SALESFORCE_INDUSTRIES,
    UNIFIED_INDUSTRIES,
    normalise_industry,
)
from mapping.normalise.numbers import parse_employee_count, parse_revenue
from mapping.normalise.regions import normalise_region
from mapping.normalise.text import clean_text, normalise_postal_code

__all__ = [
    "HUBSPOT_INDUSTRIES",
    "SALESFORCE_INDUSTRIES",
    "UNIFIED_INDUSTRIES",
    "clean_text",
    "normalise_country",
    "normalise_domain",
    "normalise_industry",
    "normalise_postal_code",
    "normalise_region",
    "parse_employee_count",
    "parse_revenue",
]
