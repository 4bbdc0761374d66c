"""One industry vocabulary for both CRMs, and the mapping from each CRM's own values into it.

Salesforce and HubSpot classify industries differently: Salesforce's standard Account `Industry`
picklist has 32 broad values ("Technology", "Finance"), HubSpot's company `industry` property has
about 150 LinkedIn-style values ("COMPUTER_SOFTWARE", "HOSPITAL_HEALTH_CARE"). Territory rules
need one vocabulary, `UNIFIED_INDUSTRIES`, so both are mapped into it here.

Sources:
- Salesforce: the standard value set "Industry" used by Account.Industry and Lead.Industry,
  https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/standardvalueset_names.htm
  (the values are the ones every new org ships with; admins can add their own).
- HubSpot: the default company property `industry` (an enumeration), described at
  https://knowledge.hubspot.com/properties/hubspot-crm-default-company-properties ; its options
  (internal values) can be listed per portal with GET /crm/v3/properties/companies/industry,
  https://developers.hubspot.com/docs/api/crm/properties . Some portals spell a few values with
  or without "AND" (PAPER_FOREST_PRODUCTS / PAPER_AND_FOREST_PRODUCTS); matching ignores "and".

Matching ignores case, spacing, punctuation and "&"/"and", so labels ("Information Technology and
Services") work as well as internal values. A value a CRM sends that is in neither table (a custom
picklist value, a newer HubSpot option) maps to "other" rather than None, so the account still
counts as having an industry; `industry_raw` on the account keeps the original for review.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from mapping.normalise._keys import key_tokens

CrmSource = Literal["salesforce", "hubspot"]

UNIFIED_INDUSTRIES: Mapping[str, str] = MappingProxyType(
    {
        "software": "Software & Internet",
        "it_services": "IT Services",
        "financial_services": "Financial Services",
        "banking": "Banking",
        "insurance": "Insurance",
        "healthcare": "Healthcare",
        "biotech_pharma": "Biotech & Pharma",
        "manufacturing": "Manufacturing & Industrials",
        "retail": "Retail & Wholesale",
        "consumer_goods": "Consumer Goods",
        "media_entertainment": "Media & Entertainment",
        "telecommunications": "Telecommunications",
        "energy_utilities": "Energy, Utilities & Environment",
        "education": "Education",
        "government": "Government & Public Sector",
        "nonprofit": "Nonprofit",
        "real_estate_construction": "Real Estate & Construction",
        "transportation_logistics": "Transportation & Logistics",
        "hospitality": "Hospitality, Travel & Leisure",
        "agriculture": "Agriculture",
        "professional_services": "Professional Services",
        "other": "Other",
    }
)
"""Unified industry key -> label for people."""

SALESFORCE_INDUSTRIES: Mapping[str, str] = MappingProxyType(
    {
        "Agriculture": "agriculture",
        "Apparel": "consumer_goods",
        "Banking": "banking",
        "Biotechnology": "biotech_pharma",
        "Chemicals": "manufacturing",
        "Communications": "telecommunications",
        "Construction": "real_estate_construction",
        "Consulting": "professional_services",
        "Education": "education",
        "Electronics": "manufacturing",
        "Energy": "energy_utilities",
        "Engineering": "professional_services",
        "Entertainment": "media_entertainment",
        "Environmental": "energy_utilities",
        "Finance": "financial_services",
        "Food & Beverage": "consumer_goods",
        "Government": "government",
        "Healthcare": "healthcare",
        "Hospitality": "hospitality",
        "Insurance": "insurance",
        "Machinery": "manufacturing",
        "Manufacturing": "manufacturing",
        "Media": "media_entertainment",
        "Not For Profit": "nonprofit",
        "Other": "other",
        "Recreation": "hospitality",
        "Retail": "retail",
        "Shipping": "transportation_logistics",
        "Technology": "software",
        "Telecommunications": "telecommunications",
        "Transportation": "transportation_logistics",
        "Utilities": "energy_utilities",
    }
)
"""Salesforce standard Account Industry picklist value -> unified key."""

HUBSPOT_INDUSTRIES: Mapping[str, str] = MappingProxyType(
    {
        "ACCOUNTING": "professional_services",
        "AIRLINES_AVIATION": "transportation_logistics",
        "ALTERNATIVE_DISPUTE_RESOLUTION": "professional_services",
        "ALTERNATIVE_MEDICINE": "healthcare",
        "ANIMATION": "media_entertainment",
        "APPAREL_FASHION": "consumer_goods",
        "ARCHITECTURE_PLANNING": "real_estate_construction",
        "ARTS_AND_CRAFTS": "consumer_goods",
        "AUTOMOTIVE": "manufacturing",
        "AVIATION_AEROSPACE": "manufacturing",
        "BANKING": "banking",
        "BIOTECHNOLOGY": "biotech_pharma",
        "BROADCAST_MEDIA": "media_entertainment",
        "BUILDING_MATERIALS": "manufacturing",
        "BUSINESS_SUPPLIES_AND_EQUIPMENT": "manufacturing",
        "CAPITAL_MARKETS": "financial_services",
        "CHEMICALS": "manufacturing",
        "CIVIC_SOCIAL_ORGANIZATION": "nonprofit",
        "CIVIL_ENGINEERING": "real_estate_construction",
        "COMMERCIAL_REAL_ESTATE": "real_estate_construction",
        "COMPUTER_NETWORK_SECURITY": "software",
        "COMPUTER_GAMES": "media_entertainment",
        "COMPUTER_HARDWARE": "manufacturing",
        "COMPUTER_NETWORKING": "it_services",
        "COMPUTER_SOFTWARE": "software",
        "INTERNET": "software",
        "CONSTRUCTION": "real_estate_construction",
        "CONSUMER_ELECTRONICS": "consumer_goods",
        "CONSUMER_GOODS": "consumer_goods",
        "CONSUMER_SERVICES": "professional_services",
        "COSMETICS": "consumer_goods",
        "DAIRY": "agriculture",
        "DEFENSE_SPACE": "manufacturing",
        "DESIGN": "professional_services",
        "EDUCATION_MANAGEMENT": "education",
        "E_LEARNING": "education",
        "ELECTRICAL_ELECTRONIC_MANUFACTURING": "manufacturing",
        "ENTERTAINMENT": "media_entertainment",
        "ENVIRONMENTAL_SERVICES": "energy_utilities",
        "EVENTS_SERVICES": "hospitality",
        "EXECUTIVE_OFFICE": "government",
        "FACILITIES_SERVICES": "professional_services",
        "FARMING": "agriculture",
        "FINANCIAL_SERVICES": "financial_services",
        "FINE_ART": "media_entertainment",
        "FISHERY": "agriculture",
        "FOOD_BEVERAGES": "consumer_goods",
        "FOOD_PRODUCTION": "consumer_goods",
        "FUND_RAISING": "nonprofit",
        "FURNITURE": "consumer_goods",
        "GAMBLING_CASINOS": "hospitality",
        "GLASS_CERAMICS_CONCRETE": "manufacturing",
        "GOVERNMENT_ADMINISTRATION": "government",
        "GOVERNMENT_RELATIONS": "professional_services",
        "GRAPHIC_DESIGN": "professional_services",
        "HEALTH_WELLNESS_AND_FITNESS": "healthcare",
        "HIGHER_EDUCATION": "education",
        "HOSPITAL_HEALTH_CARE": "healthcare",
        "HOSPITALITY": "hospitality",
        "HUMAN_RESOURCES": "professional_services",
        "IMPORT_AND_EXPORT": "transportation_logistics",
        "INDIVIDUAL_FAMILY_SERVICES": "nonprofit",
        "INDUSTRIAL_AUTOMATION": "manufacturing",
        "INFORMATION_SERVICES": "it_services",
        "INFORMATION_TECHNOLOGY_AND_SERVICES": "it_services",
        "INSURANCE": "insurance",
        "INTERNATIONAL_AFFAIRS": "government",
        "INTERNATIONAL_TRADE_AND_DEVELOPMENT": "government",
        "INVESTMENT_BANKING": "financial_services",
        "INVESTMENT_MANAGEMENT": "financial_services",
        "JUDICIARY": "government",
        "LAW_ENFORCEMENT": "government",
        "LAW_PRACTICE": "professional_services",
        "LEGAL_SERVICES": "professional_services",
        "LEGISLATIVE_OFFICE": "government",
        "LEISURE_TRAVEL_TOURISM": "hospitality",
        "LIBRARIES": "education",
        "LOGISTICS_AND_SUPPLY_CHAIN": "transportation_logistics",
        "LUXURY_GOODS_JEWELRY": "consumer_goods",
        "MACHINERY": "manufacturing",
        "MANAGEMENT_CONSULTING": "professional_services",
        "MARITIME": "transportation_logistics",
        "MARKET_RESEARCH": "professional_services",
        "MARKETING_AND_ADVERTISING": "professional_services",
        "MECHANICAL_OR_INDUSTRIAL_ENGINEERING": "manufacturing",
        "MEDIA_PRODUCTION": "media_entertainment",
        "MEDICAL_DEVICES": "healthcare",
        "MEDICAL_PRACTICE": "healthcare",
        "MENTAL_HEALTH_CARE": "healthcare",
        "MILITARY": "government",
        "MINING_METALS": "manufacturing",
        "MOTION_PICTURES_AND_FILM": "media_entertainment",
        "MUSEUMS_AND_INSTITUTIONS": "nonprofit",
        "MUSIC": "media_entertainment",
        "NANOTECHNOLOGY": "manufacturing",
        "NEWSPAPERS": "media_entertainment",
        "NON_PROFIT_ORGANIZATION_MANAGEMENT": "nonprofit",
        "OIL_ENERGY": "energy_utilities",
        "ONLINE_MEDIA": "media_entertainment",
        "OUTSOURCING_OFFSHORING": "professional_services",
        "PACKAGE_FREIGHT_DELIVERY": "transportation_logistics",
        "PACKAGING_AND_CONTAINERS": "manufacturing",
        "PAPER_FOREST_PRODUCTS": "manufacturing",
        "PERFORMING_ARTS": "media_entertainment",
        "PHARMACEUTICALS": "biotech_pharma",
        "PHILANTHROPY": "nonprofit",
        "PHOTOGRAPHY": "media_entertainment",
        "PLASTICS": "manufacturing",
        "POLITICAL_ORGANIZATION": "nonprofit",
        "PRIMARY_SECONDARY_EDUCATION": "education",
        "PRINTING": "manufacturing",
        "PROFESSIONAL_TRAINING_COACHING": "education",
        "PROGRAM_DEVELOPMENT": "professional_services",
        "PUBLIC_POLICY": "government",
        "PUBLIC_RELATIONS_AND_COMMUNICATIONS": "professional_services",
        "PUBLIC_SAFETY": "government",
        "PUBLISHING": "media_entertainment",
        "RAILROAD_MANUFACTURE": "manufacturing",
        "RANCHING": "agriculture",
        "REAL_ESTATE": "real_estate_construction",
        "RECREATIONAL_FACILITIES_AND_SERVICES": "hospitality",
        "RELIGIOUS_INSTITUTIONS": "nonprofit",
        "RENEWABLES_ENVIRONMENT": "energy_utilities",
        "RESEARCH": "professional_services",
        "RESTAURANTS": "hospitality",
        "RETAIL": "retail",
        "SECURITY_AND_INVESTIGATIONS": "professional_services",
        "SEMICONDUCTORS": "manufacturing",
        "SHIPBUILDING": "manufacturing",
        "SPORTING_GOODS": "consumer_goods",
        "SPORTS": "media_entertainment",
        "STAFFING_AND_RECRUITING": "professional_services",
        "SUPERMARKETS": "retail",
        "TELECOMMUNICATIONS": "telecommunications",
        "TEXTILES": "manufacturing",
        "THINK_TANKS": "nonprofit",
        "TOBACCO": "consumer_goods",
        "TRANSLATION_AND_LOCALIZATION": "professional_services",
        "TRANSPORTATION_TRUCKING_RAILROAD": "transportation_logistics",
        "UTILITIES": "energy_utilities",
        "VENTURE_CAPITAL_PRIVATE_EQUITY": "financial_services",
        "VETERINARY": "healthcare",
        "WAREHOUSING": "transportation_logistics",
        "WHOLESALE": "retail",
        "WINE_AND_SPIRITS": "consumer_goods",
        "WIRELESS": "telecommunications",
        "WRITING_AND_EDITING": "media_entertainment",
    }
)
"""HubSpot company `industry` option (internal value) -> unified key."""

# Common hand-typed or custom picklist values seen in either CRM.
_COLLOQUIAL_INDUSTRIES: Mapping[str, str] = {
    "SaaS": "software",
    "Software": "software",
    "Tech": "software",
    "IT": "it_services",
    "Information Technology": "it_services",
    "Fintech": "financial_services",
    "Financial": "financial_services",
    "Health Care": "healthcare",
    "Medical": "healthcare",
    "Life Sciences": "biotech_pharma",
    "Pharma": "biotech_pharma",
    "Nonprofit": "nonprofit",
    "Non-Profit": "nonprofit",
    "Charity": "nonprofit",
    "Public Sector": "government",
    "Real Estate": "real_estate_construction",
    "Logistics": "transportation_logistics",
    "Travel": "hospitality",
    "Telecom": "telecommunications",
    "Legal": "professional_services",
    "Professional Services": "professional_services",
}

_CONNECTIVES = frozenset({"and"})


def _industry_key(value: str) -> str:
    return "".join(token for token in key_tokens(value) if token not in _CONNECTIVES)


@functools.cache
def _industry_tables() -> dict[str, dict[str, str]]:
    """Per source, lookup key -> unified key; the source's own values win over the others'."""
    shared: dict[str, str] = {}
    for table in (_COLLOQUIAL_INDUSTRIES, HUBSPOT_INDUSTRIES, SALESFORCE_INDUSTRIES):
        shared.update({_industry_key(value): unified for value, unified in table.items()})
    shared.update({_industry_key(key): key for key in UNIFIED_INDUSTRIES})
    shared.update({_industry_key(label): key for key, label in UNIFIED_INDUSTRIES.items()})
    own = {"salesforce": SALESFORCE_INDUSTRIES, "hubspot": HUBSPOT_INDUSTRIES}
    return {
        source: {**shared, **{_industry_key(value): unified for value, unified in table.items()}}
        for source, table in own.items()
    }


@functools.lru_cache(maxsize=4096)
def _normalise_industry(source: str, value: str) -> str | None:
    key = _industry_key(value)
    if not key:
        return None
    tables = _industry_tables()
    if source not in tables:
        raise ValueError(
            f"Unknown CRM source {source!r} for an industry value: use 'salesforce' or 'hubspot'."
        )
    return tables[source].get(key, "other")


def normalise_industry(source: CrmSource, value: str | None) -> str | None:
    """The unified industry key (a key of `UNIFIED_INDUSTRIES`) for a CRM's industry value.

    `source` says whose vocabulary `value` is in: "salesforce" (Account Industry picklist) or
    "hubspot" (company `industry` enumeration); the other CRM's values and common hand-typed
    names ("SaaS", "Non-Profit") are recognised too. Case, spacing, "_", "&" and "and" do not
    matter. Blank -> None; a non-blank value that is not recognised -> "other".
    """
    if value is None:
        return None
    return _normalise_industry(source, value)
