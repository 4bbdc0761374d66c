"""Loading the book as columns from the store gives the columnar engine what `load_companies`
gives the reference engine: the same decisions for every business, in key order."""

from __future__ import annotations

import random
import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from mapping.model.companies import OverrideAction
from mapping.territories import evaluate, parse_territory_text
from sync.companies import ACCOUNTS, LINKS, REPS, load_companies, load_rep_index
from sync.evaluate import decide_store
from sync.store.companies import OVERRIDES
from sync.store.database import Database
from tests.mapping.territories.test_columnar import decision

NOW = datetime(2026, 1, 5, tzinfo=UTC)
COUNTRIES = ["US", "CA", "DE", "FR"]
REGIONS = {"US": ["US-CA", "US-NY", "US-TX"], "CA": ["CA-ON"], "DE": ["DE-BY", "DE-BE"], "FR": []}
INDUSTRIES = ["software", "banking", "retail", "government"]
REP_NAMES = ["ana", "ben", "cy", "dee", "eve", "gone"]
"""`gone` is inactive in both CRMs, `dee` in HubSpot only; `eve` has no HubSpot seat."""

FILE = """
version: 1
settings: {unmatched: catch_all, catch_all: Rest}
territories:
  - name: Americas
    criteria: {country: [US, CA]}
    members: [{email: ana@x.example}, {email: ben@x.example, capacity: 40}]
    children:
      - name: US-West
        criteria: {region: [US-CA, US-TX], employees: {min: 100}}
        members: [{email: cy@x.example, weight: 2}, {email: ana@x.example}]
      - name: US-Big
        criteria: {employees: {min: 1000}, annual_revenue: {min: 50000000}}
        members: [{email: ben@x.example}]
  - name: Europe
    criteria: {country: [DE, FR]}
    members: [{email: dee@x.example}, {email: ana@x.example}]
  - name: Public
    priority: 1
    criteria: {industry: [government]}
    members: [{email: eve@x.example}, {email: cy@x.example}]
  - name: Partners
    priority: 1
    criteria:
      any:
        - {field: Type, equals: Channel Partner}
        - {field: lifecyclestage, in: [partner]}
    members: [{email: ben@x.example}]
  - name: Rest
    members: [{email: cy@x.example}]
holdouts:
  - name: Customers
    criteria:
      any:
        - {field: Type, in: [Customer]}
        - {field: Do_Not_Reassign__c, equals: true}
named_accounts:
  - {domain: named1.example, territory: Europe}
  - {domain: named2.example, rep: ben@x.example}
  - {salesforce_id: 001000000000007, territory: Public}
"""


def write_reps(database: Database) -> None:
    rows = []
    for n, name in enumerate(REP_NAMES):
        rows.append(
            {
                "email": f"{name}@x.example",
                "salesforce_user_id": f"005{n:012d}",
                "salesforce_active": name != "gone",
                "hubspot_owner_id": None if name == "eve" else str(500 + n),
                "hubspot_active": None if name == "eve" else name not in ("gone", "dee"),
                "updated_at": NOW,
            }
        )
    with database.engine.begin() as connection:
        connection.execute(insert(REPS), rows)


def write_book(database: Database, seed: int, size: int) -> None:
    rng = random.Random(seed)
    accounts: list[dict[str, Any]] = []
    links = []

    def account(source: str, external_id: str, **values: Any) -> dict[str, Any]:
        n = rng.randrange(len(REP_NAMES) + 2)
        if n >= len(REP_NAMES):
            owner = None if n == len(REP_NAMES) else "unknown-owner"
        elif source == "salesforce":
            owner = f"005{n:012d}"
        else:
            owner = str(500 + n)
        country = rng.choice([None, *COUNTRIES])
        regions = REGIONS.get(country or "", [])
        return {
            "source": source,
            "external_id": external_id,
            "domain": rng.choice([None, "named1.example", "named2.example", None, None]),
            "country": country,
            "region": rng.choice([None, *regions]) if regions else None,
            "industry": rng.choice([None, *INDUSTRIES]),
            "employees": rng.choice([None, 5, 100, 999, 1000, 20000]),
            "annual_revenue": rng.choice([None, 1000, 50_000_000, 90_000_000]),
            "owner_id": owner,
            "deleted": rng.random() < 0.05,
            "raw": values,
            "first_seen_at": NOW,
            "last_seen_at": NOW,
        }

    for n in range(size):
        salesforce = account(
            "salesforce",
            f"001{n:012d}AAA",
            Type=rng.choice(["Prospect", "Customer", "Channel Partner", " channel partner "]),
            Do_Not_Reassign__c=rng.choice([False, False, True, None]),
        )
        hubspot = account(
            "hubspot",
            str(9000 + n),
            lifecyclestage=rng.choice(["lead", "partner", None]),
            do_not_reassign=rng.choice(["false", "true"]),
        )
        shape = rng.random()
        if shape < 0.4:
            accounts.append(salesforce)
        elif shape < 0.6:
            accounts.append(hubspot)
        else:
            accounts += [salesforce, hubspot]
            links.append(
                {
                    "salesforce_id": salesforce["external_id"],
                    "hubspot_id": hubspot["external_id"],
                    "origin": "domain",
                    "linked_at": NOW,
                }
            )
    # Each linked pair is also pinned by an admin, so a run's link refresh keeps it (the seeded
    # domains would not link it).
    pins = [
        {
            "salesforce_id": link["salesforce_id"],
            "hubspot_id": link["hubspot_id"],
            "action": OverrideAction.PIN.value,
            "actor": "admin@example.com",
            "created_at": NOW,
        }
        for link in links
    ]
    with database.engine.begin() as connection:
        connection.execute(insert(ACCOUNTS), accounts)
        if links:
            connection.execute(insert(LINKS), links)
            connection.execute(insert(OVERRIDES), pins)


@pytest.mark.parametrize("primary", ["salesforce", "hubspot"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_columns_from_the_store_give_the_reference_decisions_for_every_business(
    database: Database, seed: int, primary: str
) -> None:
    write_reps(database)
    write_book(database, seed, 150)
    reps = load_rep_index(database)
    text = textwrap.dedent(FILE).replace("settings: {", f"settings: {{primary_source: {primary}, ")
    rules = parse_territory_text(text, "t.yaml", known_reps=reps.directory)
    fast = decide_store(database, rules, reps)
    if not database.is_sqlite:
        assert fast is None  # PostgreSQL stores take the reference path
        return
    assert fast is not None
    book = load_companies(database, reps, rules.raw_fields)
    reference = sorted(
        ((a.key, decision(a)) for a in evaluate(book.companies, rules, reps.directory)),
        key=lambda item: item[0],
    )
    assert len(fast) == len(reference)
    assert [decision(a) for a in fast.assignments()] == [d for _, d in reference]


def test_a_file_balancing_by_revenue_is_left_to_the_reference_path(database: Database) -> None:
    write_reps(database)
    write_book(database, 4, 20)
    reps = load_rep_index(database)
    text = textwrap.dedent(FILE).replace("settings: {", "settings: {balance_by: revenue, ")
    rules = parse_territory_text(text, "t.yaml", known_reps=reps.directory)
    assert decide_store(database, rules, reps) is None
