"""The records that hang off each seeded account: its contacts and its opportunities (deals).

Generated per CRM from that CRM's accounts, with their own random stream (the accounts of a seed
are the same with or without them): one to seven contacts per account (four on average) and
zero to five opportunities (about 2.5), as books look where several people are known at each
customer and pipeline is a few deals deep.

- Contacts are mostly owned by the account's owner (Salesforce 75%, HubSpot 65%); the rest by
  another rep (a development rep who sourced them) or, in HubSpot only, by nobody: a Salesforce
  Contact always has an owner.
- Opportunities are owned by the account owner six times in ten, else by another rep (an overlay,
  or the rep who had the account before); their creator is usually their owner. About 40% are
  open, 25% closed won and 35% closed lost, stages as each CRM names them: Salesforce's default
  `StageName` picklist of a new org, HubSpot's default sales pipeline
  (https://knowledge.hubspot.com/object-settings/set-up-and-customize-pipelines:
  appointmentscheduled, qualifiedtobuy, presentationscheduled, decisionmakerboughtin,
  contractsent, closedwon,
  closedlost).
- Times follow the account: created after it, modified at or after creation, never after the
  book's moment; Salesforce keeps whole seconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from sandbox.ids import hubspot_id, salesforce_id
from sandbox.seed import SeedAccount, SeedBook, SeedContact, SeedOpportunity, SeedRep
from sandbox.seed_vocabulary import REP_FIRST_NAMES, REP_LAST_NAMES

CONTACT_PREFIX = "003"
OPPORTUNITY_PREFIX = "006"
BOOK_AS_OF_MS = 1_767_225_600_000
"""The book's moment (`sandbox.seed_book.BOOK_AS_OF_MS`): nothing is modified later."""
DAY_MS = 86_400_000

SALESFORCE_OPEN_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)
SALESFORCE_WON, SALESFORCE_LOST = "Closed Won", "Closed Lost"
HUBSPOT_OPEN_STAGES = (
    "appointmentscheduled",
    "qualifiedtobuy",
    "presentationscheduled",
    "decisionmakerboughtin",
    "contractsent",
)
HUBSPOT_WON, HUBSPOT_LOST = "closedwon", "closedlost"

_CONTACTS = (1, 7)
_OPPORTUNITIES = (0, 5)
_OPEN, _WON = 0.40, 0.25
"""Shares of opportunities open and closed won; the rest are closed lost."""
_DEAL_NAMES = ("Renewal", "Expansion", "New Business", "Upsell", "Pilot", "Platform", "Services")
_HUBSPOT_CONTACT_BASE = 20_000_000_000
_HUBSPOT_DEAL_BASE = 30_000_000_000


class _Numbers:
    def __init__(self) -> None:
        self.contacts = 0
        self.opportunities = 0


def add_related(book: SeedBook, seed: int) -> SeedBook:
    """Fill the book's contacts and opportunities of both CRMs (deterministic from `seed`)."""
    rng = random.Random(seed * 1_000_003 + 17)
    active = [rep for rep in book.reps if rep.active] or list(book.reps)
    book.salesforce_contacts, book.salesforce_opportunities = _related(
        rng, book.salesforce, active, salesforce=True
    )
    book.hubspot_contacts, book.hubspot_deals = _related(
        rng, book.hubspot, active, salesforce=False
    )
    return book


def _related(
    rng: random.Random,
    accounts: Sequence[SeedAccount],
    reps: Sequence[SeedRep],
    *,
    salesforce: bool,
) -> tuple[list[SeedContact], list[SeedOpportunity]]:
    contacts: list[SeedContact] = []
    opportunities: list[SeedOpportunity] = []
    numbers = _Numbers()

    def owner_of_rep(rep: SeedRep) -> str:
        return rep.salesforce_user_id if salesforce else rep.hubspot_owner_id

    for account in accounts:
        if account.deleted:
            continue
        domain = _domain(account)
        for _ in range(rng.randint(*_CONTACTS)):
            numbers.contacts += 1
            contacts.append(_contact(rng, account, domain, reps, owner_of_rep, numbers, salesforce))
        for _ in range(rng.randint(*_OPPORTUNITIES)):
            numbers.opportunities += 1
            opportunities.append(
                _opportunity(rng, account, reps, owner_of_rep, numbers, salesforce)
            )
    return contacts, opportunities


def _domain(account: SeedAccount) -> str:
    if account.domain:
        return account.domain
    website = (account.website or "").lower()
    for prefix in ("https://", "http://", "www."):
        website = website.removeprefix(prefix)
    return website.split("/")[0] or "example.com"


def _times(rng: random.Random, account: SeedAccount, whole_seconds: bool) -> tuple[int, int]:
    created = account.created_ms + int(rng.random() * max(1, BOOK_AS_OF_MS - account.created_ms))
    modified = created + int(rng.random() * (BOOK_AS_OF_MS - created))
    if whole_seconds:
        created -= created % 1000
        modified -= modified % 1000
    return created, min(max(modified, created), BOOK_AS_OF_MS)


def _contact(
    rng: random.Random,
    account: SeedAccount,
    domain: str,
    reps: Sequence[SeedRep],
    owner_of_rep: Callable[[SeedRep], str],
    numbers: _Numbers,
    salesforce: bool,
) -> SeedContact:
    first, last = rng.choice(REP_FIRST_NAMES), rng.choice(REP_LAST_NAMES)
    draw = rng.random()
    owner: str | None
    if draw < (0.75 if salesforce else 0.65):
        owner = account.owner_id
    elif salesforce or draw < 0.85:
        owner = owner_of_rep(rng.choice(reps))
    else:
        owner = None
    if salesforce and owner is None:
        owner = owner_of_rep(rng.choice(reps))
    email = None if rng.random() < 0.05 else f"{first}.{last}{numbers.contacts}@{domain}".lower()
    created, modified = _times(rng, account, whole_seconds=salesforce)
    crm_id = (
        salesforce_id(CONTACT_PREFIX, numbers.contacts)
        if salesforce
        else hubspot_id(numbers.contacts, base=_HUBSPOT_CONTACT_BASE)
    )
    return SeedContact(
        crm_id=crm_id,
        account_id=account.crm_id,
        owner_id=owner,
        email=email,
        first_name=first,
        last_name=last,
        created_ms=created,
        modified_ms=modified,
    )


def _opportunity(
    rng: random.Random,
    account: SeedAccount,
    reps: Sequence[SeedRep],
    owner_of_rep: Callable[[SeedRep], str],
    numbers: _Numbers,
    salesforce: bool,
) -> SeedOpportunity:
    owner = account.owner_id if rng.random() < 0.6 else owner_of_rep(rng.choice(reps))
    if owner is None:
        owner = owner_of_rep(rng.choice(reps))
    creator = owner if rng.random() < 0.85 else owner_of_rep(rng.choice(reps))
    draw = rng.random()
    closed, won = draw >= _OPEN, _OPEN <= draw < _OPEN + _WON
    if salesforce:
        stage = (
            SALESFORCE_WON
            if won
            else SALESFORCE_LOST
            if closed
            else rng.choice(SALESFORCE_OPEN_STAGES)
        )
    else:
        stage = HUBSPOT_WON if won else HUBSPOT_LOST if closed else rng.choice(HUBSPOT_OPEN_STAGES)
    created, modified = _times(rng, account, whole_seconds=salesforce)
    close_day = (created // DAY_MS) + rng.randint(14, 240)
    amount = None if rng.random() < 0.05 else int(rng.lognormvariate(10.5, 1.0)) // 100 * 100
    crm_id = (
        salesforce_id(OPPORTUNITY_PREFIX, numbers.opportunities)
        if salesforce
        else hubspot_id(numbers.opportunities, base=_HUBSPOT_DEAL_BASE)
    )
    return SeedOpportunity(
        crm_id=crm_id,
        account_id=account.crm_id,
        owner_id=owner,
        name=f"{account.name} - {rng.choice(_DEAL_NAMES)}",
        stage=stage,
        amount=amount,
        close_date_ms=close_day * DAY_MS,
        closed=closed,
        won=won,
        created_by=creator,
        created_ms=created,
        modified_ms=modified,
    )
