"""HubSpot: companies and owners in, company owners out, over hubspot-api-client.

The public entry point is `HubSpotConnector` (`connector`). The rest are its parts: `settings`
(HubSpot's own numbers and names, each beside its documentation page), `client` (the one way a
request is sent: paced, timed out, retried, wrapped), `calls` (one small function per endpoint),
`records` (companies as they cross the connector boundary, and HubSpot's time formats), `search`
(the keyset walk over changed companies), `strategy` (the walk or a list of every company,
whichever reads a pull faster) and `writes` (owner write-back).
"""

from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector"]
