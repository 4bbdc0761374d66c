"""Connectors: the product's only contact with the CRMs.

Each connector pulls accounts and the people who can own them, reads current owners and writes
owners back, behind one small interface (`connectors.base`). Each CRM has its own package
(`connectors.salesforce`, `connectors.hubspot`: the connector, its settings, paging and HTTP
details); this package itself holds only what both share: the interface, the error table
(`errors`), retries (`retry`), the daily budget (`budget`), the rate limiter (`rate_limit`), the
write rounds (`owner_writes`) and the loopback transport for the sandbox (`loopback_http`).
Connectors know nothing of territories or of the unified model, and nothing above this package
imports a vendor library or a vendor exception.
"""
