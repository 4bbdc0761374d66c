"""A small book for the accounts, territory and balance pages: five reps, two businesses in both
CRMs (Acme, whose owners are different reps, and Initech, owned by one rep in both), one German
account and one unowned HubSpot company; linked by their shared domains.

Under the test territory file (`tests.end_to_end.conftest.TERRITORIES`) Acme and Initech are in
NA-West, Berlin Tech in EMEA, Hooli in NA-East.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from mapping.unified import UnifiedAccount, UnifiedRep
from sync.store.accounts import upsert_accounts
from sync.store.companies import refresh_company_links
from sync.store.database import Database
from sync.store.reps import upsert_reps

MAYA = "maya.chen@acme-revenue.example"
DANIEL = "daniel.okafor@acme-revenue.example"
OLIVER = "oliver.bennett@acme-revenue.example"
SEEN = datetime(2026, 3, 1, 9, tzinfo=UTC)

REPS = [
    UnifiedRep("salesforce", "005MAYA", MAYA, "Maya Chen", True),
    UnifiedRep("hubspot", "101", MAYA, "Maya Chen", True),
    UnifiedRep("salesforce", "005DANIEL", DANIEL, "Daniel Okafor", True),
    UnifiedRep("hubspot", "102", DANIEL, "Daniel Okafor", True),
    UnifiedRep("salesforce", "005OLIVER", OLIVER, "Oliver Bennett", True),
    UnifiedRep("salesforce", "005RACHEL", "rachel.goldberg@acme-revenue.example", None, True),
    UnifiedRep("salesforce", "005LENA", "lena.fischer@acme-revenue.example", None, True),
]
"""Every member of the test territory file (a file naming an unknown rep cannot be used)."""


def account(
    source: str,
    external_id: str,
    name: str,
    owner_id: str | None,
    *,
    domain: str | None = None,
    country: str = "US",
    region: str | None = "US-CA",
    revenue: int | None = None,
) -> UnifiedAccount:
    return UnifiedAccount(
        source,
        external_id,
        name,
        domain=domain,
        country=country,
        region=region,
        owner_id=owner_id,
        annual_revenue=Decimal(revenue) if revenue is not None else None,
        crm_modified_at=SEEN,
    )


BOOK = [
    account(
        "salesforce", "001ACME", "Acme Corp", "005MAYA", domain="acme.example", revenue=1_500_000
    ),
    account("hubspot", "9001", "Acme", "102", domain="acme.example"),
    account(
        "salesforce", "001INIT", "Initech", "005DANIEL", domain="initech.example", revenue=250_000
    ),
    account("hubspot", "9002", "Initech Inc", "102", domain="initech.example"),
    account(
        "salesforce",
        "001BERLIN",
        "Berlin Tech GmbH",
        "005OLIVER",
        country="DE",
        region=None,
        revenue=400_000,
    ),
    account("hubspot", "9003", "Hooli", None, region="US-NY"),
]


def seed_small_book(database: Database, extra: list[UnifiedAccount] | None = None) -> None:
    """`REPS` and `BOOK` (and `extra`) in the store, linked by domain."""
    with database.engine.begin() as connection:
        upsert_reps(connection, REPS)
        upsert_accounts(connection, [*BOOK, *(extra or [])], SEEN)
        refresh_company_links(connection, SEEN)
