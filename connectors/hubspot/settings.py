"""HubSpot's numbers and names in one place, each beside the page it comes from.

Page sizes, batch limits, rate-limit windows, property names and header names are vendor facts,
not design choices: when HubSpot changes one, the fix is a one-line diff here.
"""

from __future__ import annotations

from dataclasses import dataclass

from territory_sync.objects import CONTACT, OPPORTUNITY

SOURCE = "hubspot"

TOKEN_ENV_VAR = "HUBSPOT_ACCESS_TOKEN"
"""A private app's access token (HubSpot: Settings > Integrations > Private apps)."""
TOKEN_PURPOSE = (
    "HubSpot needs a private app's access token with the scopes crm.objects.companies.read, "
    "crm.objects.companies.write and crm.objects.owners.read"
)
BASE_URL_SETTING = "hubspot.base_url (or HUBSPOT_BASE_URL)"

# GET /crm/v3/objects/companies pages hold at most 100 companies (SDK PAGE_MAX_SIZE = 100;
# https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies).
LIST_PAGE_LIMIT = 100
# Search pages hold at most 200 results, and no query pages past its 10,000th result
# (https://developers.hubspot.com/docs/api-reference/search/guide#limitations).
SEARCH_PAGE_LIMIT = 200
# A search takes at most 5 filter groups (ORed) of at most 10 filters (ANDed), 25 filters in all
# (https://developers.hubspot.com/changelog/breaking-change-expanded-filtering-capabilities-and-error-messaging-in-hubspots-search-api;
# the search guide's older text says 6 a group and 18 in all: the walk uses at most 4 groups and
# 7 filters, within both).
MAX_FILTER_GROUPS = 5
# Batch read and batch update take at most 100 inputs per call
# (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/companies/batch/update-companies).
BATCH_LIMIT = 100
# GET /crm/v3/owners/ pages hold at most 500 owners
# (https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide).
OWNERS_PAGE_LIMIT = 500

# Burst limit: requests per rolling 10 seconds per private app (190 on Professional and
# Enterprise: https://developers.hubspot.com/changelog/increasing-our-api-limits). Search has its
# own per-second limit and is not held to the burst window
# (https://developers.hubspot.com/changelog/burst-limits-are-increasing-for-api-key-authenticated-calls:
# "This also does not affect the CRM Search API").
BURST_WINDOW_SECONDS = 10.0
SEARCH_WINDOW_SECONDS = 1.0
BURST_MARGIN_CALLS = 2
"""Calls kept free in every burst window, for people and other integrations on the portal."""
WINDOW_SLACK_SECONDS = 0.25
"""Added to the burst window: HubSpot counts a call when it arrives, the limiter when it leaves,
so the client's window is a little longer than the server's to absorb the time in between."""
SEARCH_WINDOW_SLACK_SECONDS = 0.1

# Daily allocation headers (https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses).
DAILY_LIMIT_HEADER = "X-HubSpot-RateLimit-Daily"
DAILY_REMAINING_HEADER = "X-HubSpot-RateLimit-Daily-Remaining"
RETRY_AFTER_HEADER = "Retry-After"

COMPANIES_OBJECT_TYPE = "companies"
"""The object type in the properties API's path: GET /crm/v3/properties/companies
(https://developers.hubspot.com/docs/api-reference/legacy/crm/properties/get-properties)."""
# The properties the connector reads itself, asked for on every pull: the id and the stamp
# incremental pulls follow. The properties a pull asks for besides are the caller's to name (the
# sync passes the unified model's), and settings `hubspot.extra_properties` adds more. Names as in
# https://knowledge.hubspot.com/properties/hubspots-default-company-properties.
ID_PROPERTY = "hs_object_id"
MODIFIED_PROPERTY = "hs_lastmodifieddate"
OWNER_PROPERTY = "hubspot_owner_id"
"""Owners are assigned by owner `id`, never `userId`
(https://developers.hubspot.com/docs/api-reference/crm-crm-owners-v3/guide)."""


@dataclass(frozen=True)
class HubSpotObject:
    """A CRM object type as HubSpot's paths and properties name it."""

    object_type: str
    """The path segment: /crm/v3/objects/{object_type}."""
    modified_property: str
    """The property that holds when a record last changed (what incremental pulls follow)."""
    noun: str


COMPANIES = HubSpotObject(COMPANIES_OBJECT_TYPE, MODIFIED_PROPERTY, "company")
# Contacts keep their last-modified time in `lastmodifieddate`, deals (like companies) in
# `hs_lastmodifieddate`: a contacts search returns `lastmodifieddate` by default
# (https://developers.hubspot.com/docs/api-reference/2026-03/crm/search-the-crm).
RELATED_OBJECTS = {
    CONTACT: HubSpotObject("contacts", "lastmodifieddate", "contact"),
    OPPORTUNITY: HubSpotObject("deals", MODIFIED_PROPERTY, "deal"),
}
"""Each related record kind (`territory_sync.objects`) as a HubSpot object type."""
ACCOUNT_ID_PROPERTY = "associatedcompanyid"
"""Where a pulled contact or deal names its company: a contact's own property (its primary
company, https://knowledge.hubspot.com/properties/hubspots-default-contact-properties); a deal
has none, and the connector puts its primary company there from the associations API."""
# Associations v4 batch read: at most 1,000 inputs a call since 2025-02-10
# (https://developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api);
# HubSpot-defined association type "deal to company, primary" is typeId 5
# (https://developers.hubspot.com/docs/api-reference/latest/crm/associations/overview).
ASSOCIATIONS_BATCH_LIMIT = 1000
PRIMARY_DEAL_TO_COMPANY = 5
