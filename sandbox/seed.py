"""Deterministic, realistic and messy seed data for the sandbox CRMs.

`generate_book(accounts=N, seed=S)` returns the same book for the same arguments: N Salesforce
accounts and N HubSpot companies (about 60% of them the same businesses under the same domain),
and the reps present in both CRMs under the same email. Values are stored as each CRM would hold
them (countries written many ways, the CRM's own industry vocabulary, websites with scheme, `www.`
and paths), because cleaning them up is the product's job, not the sandbox's.

The records are compact (`__slots__`) because a benchmark seeds a million of them per CRM.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field


@dataclass(slots=True)
class SeedRep:
    """A person who can own accounts, present in both CRMs under the same email."""

    email: str
    first_name: str
    last_name: str
    active: bool
    salesforce_user_id: str
    """An 18-character Salesforce User id (prefix `005`)."""
    hubspot_owner_id: str
    """HubSpot owner id (numeric string); the id used to assign companies."""
    hubspot_user_id: int
    team: str


@dataclass(slots=True)
class SeedAccount:
    """One CRM record (a Salesforce Account or a HubSpot company), values as the CRM holds them."""

    crm_id: str
    """Salesforce: an 18-character Account id (prefix `001`); HubSpot: a numeric string."""
    name: str
    website: str | None
    domain: str | None
    """HubSpot's own `domain` property (HubSpot derives it from the website); None on Salesforce."""
    country: str | None
    region: str | None
    city: str | None
    postal_code: str | None
    industry: str | None
    """In the CRM's own vocabulary: a Salesforce Industry picklist value, or HubSpot's
    enumeration."""
    employees: int | None
    annual_revenue: int | None
    owner_id: str | None
    """Salesforce User id or HubSpot owner id of the current owner."""
    account_type: str | None
    """Salesforce `Type` (e.g. "Customer - Direct", "Prospect"); HubSpot `lifecyclestage`."""
    do_not_reassign: bool
    """Salesforce custom field `Do_Not_Reassign__c`; HubSpot custom property `do_not_reassign`."""
    created_ms: int
    modified_ms: int
    """Milliseconds since the epoch: Salesforce `SystemModstamp`, HubSpot `hs_lastmodifieddate`."""
    deleted: bool = False


@dataclass(slots=True)
class SeedContact:
    """A person at an account: a Salesforce Contact or a HubSpot contact."""

    crm_id: str
    """Salesforce: an 18-character Contact id (prefix `003`); HubSpot: a numeric string."""
    account_id: str | None
    """The Account (`AccountId`) or the associated company; None for a contact of no account."""
    owner_id: str | None
    email: str | None
    first_name: str
    last_name: str
    created_ms: int
    modified_ms: int
    deleted: bool = False


@dataclass(slots=True)
class SeedOpportunity:
    """A Salesforce Opportunity or a HubSpot deal, values as the CRM holds them."""

    crm_id: str
    """Salesforce: an 18-character Opportunity id (prefix `006`); HubSpot: a numeric string."""
    account_id: str | None
    owner_id: str | None
    name: str
    stage: str
    """Salesforce `StageName` (a label such as "Closed Won"); HubSpot `dealstage` (an internal
    id of the default pipeline such as "closedwon")."""
    amount: int | None
    close_date_ms: int
    """Midnight UTC of the close date (Salesforce `CloseDate` is a date; HubSpot `closedate` a
    datetime)."""
    closed: bool
    won: bool
    created_by: str | None
    """Salesforce `CreatedById` (a User id); HubSpot: the owner id of whoever created the deal."""
    created_ms: int
    modified_ms: int
    deleted: bool = False


@dataclass
class SeedBook:
    """Everything the sandbox CRMs start with."""

    reps: list[SeedRep]
    salesforce: list[SeedAccount]
    hubspot: list[SeedAccount]
    salesforce_contacts: list[SeedContact] = field(default_factory=list)
    salesforce_opportunities: list[SeedOpportunity] = field(default_factory=list)
    hubspot_contacts: list[SeedContact] = field(default_factory=list)
    hubspot_deals: list[SeedOpportunity] = field(default_factory=list)


def generate_book(accounts: int, seed: int = 1, *, related: bool = True) -> SeedBook:
    """The sandbox's data: `accounts` records in each CRM, reproducible from `seed`.

    About 60% of each CRM's records are businesses present in both under the same registrable
    domain. The reps are the fixed roster (`sandbox.seed_reps.REP_ROSTER`, the same for every
    seed) plus, from 10,000 accounts on, generated reps to keep about 400 accounts per rep.
    The same `accounts` and `seed` always give an equal book; another seed gives another one.
    With `related` (the default), each account also gets its contacts and opportunities
    (`sandbox.seed_related`); the accounts are the same either way.
    """
    if accounts < 0:
        raise ValueError(
            f"accounts must be 0 or more (got {accounts}): pass how many records each CRM "
            "should start with."
        )
    # Imported here: the builder's modules use the dataclasses above.
    from sandbox.seed_book import BookBuilder

    # Seed records hold no reference cycles; pausing the cycle collector while millions of them
    # are made saves it from walking the growing heap again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        book = BookBuilder(accounts, seed).build()
        if related:
            from sandbox.seed_related import add_related

            add_related(book, seed)
        return book
    finally:
        if collecting:
            gc.enable()
