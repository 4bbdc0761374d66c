"""The kinds of CRM record the product reads and moves, by the one name each has everywhere.

An account (a Salesforce Account, a HubSpot company) is assigned by the territories; a contact
(Salesforce Contact, HubSpot contact) and an opportunity (Salesforce Opportunity, HubSpot deal)
hang off an account and may follow it to its new owner. Connectors map these names to their
CRM's objects; the store, the plans and the audit log record them.
"""

from __future__ import annotations

ACCOUNT = "account"
CONTACT = "contact"
OPPORTUNITY = "opportunity"
RELATED_OBJECTS = (CONTACT, OPPORTUNITY)
"""The records that hang off an account and can follow it."""
