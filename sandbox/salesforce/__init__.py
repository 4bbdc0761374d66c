"""A wire-faithful emulator of the Salesforce REST API for one org, served on loopback.

It speaks what territory-sync's Salesforce connector uses, closely enough that simple-salesforce
talks to it unchanged: the OAuth token endpoint (JWT bearer and client credentials), SOQL query and
queryAll with paging, Bulk API 2.0 query jobs, sObject Collections updates, limits and the
`Sforce-Limit-Info` header, plus Salesforce's error bodies and faults on demand. The `/__sandbox/`
API beside it lets tests and the demo inspect and stage the org.

    org = SalesforceOrg(reps, accounts)
    served = serve_in_thread(create_salesforce_app(org))
"""

from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.org import SalesforceOrg, SalesforceOrgConfig

__all__ = ["SalesforceOrg", "SalesforceOrgConfig", "create_salesforce_app"]
