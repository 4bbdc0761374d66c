"""Loading the book as columns from the store gives the columnar engine what `load_companies`
gives the reference engine: the same decisions for every business, in key order, however the
accounts fall into the parts the two reading connections code, and from one state of the store
whatever another connection commits while it loads."""

from __future__ import annotations

import random
import sqlite3
import textwrap
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, update

import sync.company_columns
from mapping.model.companies import OverrideAction
from mapping.territories import evaluate, parse_territory_text
from mapping.territories.rules import LoadedTerritories
from sync.companies import ACCOUNTS, LINKS, REPS, load_companies, load_rep_index
from sync.evaluate import decide_store
from sync.store.companies import OVERRIDES
from sync.store.database import Database, open_database
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
  - {hubspot_id: "9004", rep: cy@x.example}
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


@pytest.fixture
def sqlite_only(database: Database) -> None:
    """The test reads the columnar path, which only SQLite stores take."""
    if not database.is_sqlite:
        pytest.skip("PostgreSQL stores take the reference path")


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


def rules_for(database: Database, primary: str = "salesforce") -> LoadedTerritories:
    reps = load_rep_index(database)
    text = textwrap.dedent(FILE).replace("settings: {", f"settings: {{primary_source: {primary}, ")
    return parse_territory_text(text, "t.yaml", known_reps=reps.directory)


def reference_decisions(database: Database, rules: LoadedTerritories) -> list[tuple[Any, ...]]:
    reps = load_rep_index(database)
    book = load_companies(database, reps, rules.raw_fields)
    return [
        d
        for _, d in sorted(
            ((a.key, decision(a)) for a in evaluate(book.companies, rules, reps.directory)),
            key=lambda item: item[0],
        )
    ]


def columnar_decisions(database: Database, rules: LoadedTerritories) -> list[tuple[Any, ...]]:
    fast = decide_store(database, rules, load_rep_index(database))
    assert fast is not None
    return [decision(a) for a in fast.assignments()]


@pytest.mark.parametrize("primary", ["salesforce", "hubspot"])
@pytest.mark.parametrize("part_ids", [1, 2, 7])
@pytest.mark.usefixtures("sqlite_only")
def test_accounts_coded_a_few_ids_a_part_by_either_connection_give_the_reference_decisions(
    database: Database, monkeypatch: pytest.MonkeyPatch, part_ids: int, primary: str
) -> None:
    """Parts of 1, 2 and 7 ids: a linked pair's records (written one after the other) fall in
    two parts, parts hold odd numbers of accounts, either connection may take any part."""
    monkeypatch.setattr(sync.company_columns, "_PARTS", 10**6)
    monkeypatch.setattr(sync.company_columns, "_PART_IDS", part_ids)
    write_reps(database)
    write_book(database, 5, 60)
    rules = rules_for(database, primary)
    assert columnar_decisions(database, rules) == reference_decisions(database, rules)


@pytest.mark.parametrize("size", [0, 1, 2])
@pytest.mark.usefixtures("sqlite_only")
def test_a_book_too_small_to_share_gives_the_reference_decisions(
    database: Database, size: int
) -> None:
    """No account, or fewer accounts than parts: one connection codes nothing."""
    write_reps(database)
    if size:
        write_book(database, 6, size)
    rules = rules_for(database)
    assert columnar_decisions(database, rules) == reference_decisions(database, rules)


@pytest.mark.usefixtures("sqlite_only")
def test_a_store_whose_account_ids_have_gaps_gives_the_reference_decisions(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows removed from the table (some of them linked): ids are found by search, not offset."""
    monkeypatch.setattr(sync.company_columns, "_PART_IDS", 16)
    write_reps(database)
    write_book(database, 11, 120)
    with database.engine.begin() as connection:
        connection.execute(delete(ACCOUNTS).where(ACCOUNTS.c.id % 5 == 2))
    rules = rules_for(database)
    assert columnar_decisions(database, rules) == reference_decisions(database, rules)


@pytest.mark.usefixtures("sqlite_only")
def test_salesforce_ids_of_two_lengths_give_the_reference_decisions(database: Database) -> None:
    """15- and 18-character ids: the businesses are sorted by their keys, not by the index."""
    write_reps(database)
    write_book(database, 12, 120)
    with database.engine.begin() as connection:
        for table, column in ((ACCOUNTS, ACCOUNTS.c.external_id), (LINKS, LINKS.c.salesforce_id)):
            connection.execute(
                update(table)
                .where(column.like("%3AAA"))
                .values({column.key: func.substr(column, 4)})  # 15 characters, sorted first
            )
    rules = rules_for(database)
    assert columnar_decisions(database, rules) == reference_decisions(database, rules)


@pytest.mark.usefixtures("sqlite_only")
def test_raw_values_the_samples_miss_are_read_from_their_part(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync.company_columns, "_SAMPLES", 1)
    monkeypatch.setattr(sync.company_columns, "_SAMPLE_IDS", 1)  # the first account alone
    monkeypatch.setattr(sync.company_columns, "_PART_IDS", 16)
    write_reps(database)
    write_book(database, 7, 150)
    rules = rules_for(database)
    assert columnar_decisions(database, rules) == reference_decisions(database, rules)


def change_the_book(database: Database, *, wait: float = 10) -> None:
    """From another connection, waiting up to `wait` seconds for the write lock: every account
    moves to Germany."""
    assert database.sqlite_path is not None
    writer = sqlite3.connect(database.sqlite_path, timeout=wait)
    try:
        writer.execute("UPDATE accounts SET country = 'DE', region = NULL")
        writer.commit()
    finally:
        writer.close()


@pytest.mark.usefixtures("sqlite_only")
def test_a_write_while_the_load_takes_its_snapshots_waits_until_both_are_taken(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_reps(database)
    write_book(database, 8, 80)
    rules = rules_for(database)
    before = reference_decisions(database, rules)
    first_read = sync.company_columns._first_read
    refused: list[bool] = []

    def first_read_then_write(cursor: Any) -> tuple[int, int]:
        bounds = first_read(cursor)
        if not refused:  # between the first connection's snapshot and the second's
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                change_the_book(database, wait=0)
            refused.append(True)
        return bounds

    monkeypatch.setattr(sync.company_columns, "_first_read", first_read_then_write)
    assert columnar_decisions(database, rules) == before
    assert refused == [True]
    change_the_book(database)  # the lock is let go once the snapshots are taken
    assert reference_decisions(database, rules) != before


@pytest.mark.usefixtures("sqlite_only")
def test_a_write_committed_while_the_load_codes_accounts_is_not_seen(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync.company_columns, "_PART_IDS", 16)
    write_reps(database)
    write_book(database, 9, 80)
    rules = rules_for(database)
    before = reference_decisions(database, rules)
    codes = sync.company_columns._RecordCoder.codes
    written: list[bool] = []
    once = threading.Lock()

    def write_then_code(coder: Any, low: int, high: int) -> Any:
        with once:
            if not written:  # the first part either connection codes
                change_the_book(database)
                written.append(True)
        return codes(coder, low, high)

    monkeypatch.setattr(sync.company_columns._RecordCoder, "codes", write_then_code)
    assert columnar_decisions(database, rules) == before
    assert written == [True]
    assert reference_decisions(database, rules) != before


def test_an_in_memory_store_is_read_on_its_one_connection() -> None:
    database = open_database("sqlite://")
    try:
        write_reps(database)
        write_book(database, 10, 80)
        rules = rules_for(database)
        assert columnar_decisions(database, rules) == reference_decisions(database, rules)
    finally:
        database.dispose()
