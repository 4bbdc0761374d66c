"""Salesforce: Accounts and Users in, Account owners out, over simple-salesforce.

The public entry point is `SalesforceConnector` (`connector`); `auth` turns the environment into
credentials and access tokens. The rest are its parts: `settings` (Salesforce's own numbers,
names and headers, each beside its documentation page), `calls` (the shape of one call),
`errors` (vendor failures as classified errors), `soql` (the queries), `paging` and `records`
(REST pages and the positions safe to store), `bulk` (Bulk API 2.0 query jobs for large pulls)
and `writes` (owner write-back).
"""

from connectors.salesforce.auth import (
    AccessToken,
    ClientCredentials,
    JwtBearer,
    SalesforceCredentials,
    credentials_from_environ,
)
from connectors.salesforce.connector import SalesforceConnector

__all__ = [
    "AccessToken",
    "ClientCredentials",
    "JwtBearer",
    "SalesforceConnector",
    "SalesforceCredentials",
    "credentials_from_environ",
]
