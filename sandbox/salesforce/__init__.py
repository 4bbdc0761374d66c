"""A wire-faithful emulator of the Salesforce REST API for one org, served on loopback.

It speaks what territory-sync's Salesforce connector uses, closely enough that simple-salesforce
talks to it unchanged: the OAuth token endpoint (JWT bearer and client credentials), SOQL query and
queryAll with paging over Account, Contact, Opportunity and User, describe and record reads, Bulk
API 2.0 query jobs, sObject Collections updates of owners, limits and the `Sforce-Limit-Info`
header, plus Salesforce's error bodies and faults on demand. The `/__sandbox/` API beside it lets
tests and the demo inspect and stage the org.

    org = SalesforceOrg(reps, accounts, contacts=contacts, opportunities=opportunities)
    served = serve_in_thread(create_salesforce_app(org))
"""

from sandbox.salesforce.app import create_salesforce_app
from sandbox.salesforce.org import SalesforceOrg, SalesforceOrgConfig

__all__ = ["SalesforceOrg", "SalesforceOrgConfig", "create_salesforce_app"]
