"""A wire-faithful emulator of HubSpot's CRM API on loopback: companies, contacts and deals (v3
lists, reads, search and batch writes), the associations v4 batch read between them, and owners.

`HubSpotPortal` holds the account in memory and can be driven in-process; `create_hubspot_app`
serves it over HTTP to the real `hubspot-api-client`, with HubSpot's limits, errors and search lag.
"""

from sandbox.hubspot.app import create_hubspot_app
from sandbox.hubspot.config import DEFAULT_ACCESS_TOKEN, HubSpotPortalConfig
from sandbox.hubspot.portal import HubSpotPortal

__all__ = ["DEFAULT_ACCESS_TOKEN", "HubSpotPortal", "HubSpotPortalConfig", "create_hubspot_app"]
