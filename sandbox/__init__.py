"""Wire-faithful emulators of the Salesforce and HubSpot APIs, served on loopback.

The sandbox is the product's test bed, demo backend and benchmark target: the real client
libraries talk to it over real HTTP. Each CRM has its own subpackage (`sandbox.salesforce`,
`sandbox.hubspot`); the pieces they share (seeded data, fault injection, the request log and the
threaded server) live beside them.
"""
