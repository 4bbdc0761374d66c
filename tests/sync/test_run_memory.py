"""A run's planning holds a chunk of the book, not the book: on the columnar path the businesses
are read back, planned and saved `CHUNK` at a time, and the plan is never held whole."""

from __future__ import annotations

import random
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from sync.companies import ACCOUNTS, LINKS
from sync.plan import count_changes
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database
from territory_sync.settings import load_settings
from tests.sync.fakes import FakeCrm
from tests.sync.test_company_columns import write_reps
from tests.sync.test_run_planning import pulled_before

BOOK = 30_000
"""Businesses (about 40,000 records, half of them linked pairs)."""
# Bytes: the book's columns and decisions (numpy arrays, tens of bytes a business) and one chunk of
# 5,000 businesses' facts and changes: about 28 MiB measured (23 MiB at 15,000 businesses).
# Planning the same book through the reference engine, which holds every business's facts,
# assignment and change, peaked at 57 MiB, and grows with the book.
MEMORY_BOUND = 36 * 1024 * 1024
NOW = datetime(2026, 1, 5, tzinfo=UTC)
FILE = """\
version: 1
settings: {unmatched: catch_all, catch_all: Rest}
territories:
  - name: Americas
    criteria: {country: [US, CA]}
    members: [{email: ana@x.example}, {email: ben@x.example}]
    children:
      - name: US-West
        criteria: {region: [US-CA], employees: {min: 100}}
        members: [{email: cy@x.example}]
  - name: Europe
    criteria: {country: [DE, FR]}
    members: [{email: dee@x.example}, {email: ana@x.example}]
  - name: Rest
    members: [{email: cy@x.example}]
"""


def write_plain_book(database: Database) -> None:
    """A seeded book of unnamed businesses: most change owner."""
    rng = random.Random(11)
    accounts: list[dict[str, Any]] = []
    links = []

    def account(source: str, external_id: str, owner: str, number: int) -> dict[str, Any]:
        country = rng.choice(["US", "CA", "DE", "FR", "JP"])
        return {
            "source": source,
            "external_id": external_id,
            "name": f"Company {external_id}",
            "domain": f"company{number}.example",  # a linked pair shares it, so links hold
            "country": country,
            "region": "US-CA" if country == "US" and rng.random() < 0.5 else None,
            "employees": rng.choice([None, 5, 500]),
            "owner_id": owner,
            "deleted": False,
            "raw": {},
            "first_seen_at": NOW,
            "last_seen_at": NOW,
        }

    for n in range(BOOK):
        salesforce = account("salesforce", f"001{n:012d}AAA", f"005{rng.randrange(6):012d}", n)
        if n % 2:
            accounts.append(salesforce)
            continue
        hubspot = account("hubspot", str(9000 + n), str(500 + rng.randrange(6)), n)
        accounts += [salesforce, hubspot]
        links.append(
            {
                "salesforce_id": salesforce["external_id"],
                "hubspot_id": hubspot["external_id"],
                "origin": "domain",
                "linked_at": NOW,
            }
        )
    with database.engine.begin() as connection:
        connection.execute(insert(ACCOUNTS), accounts)
        connection.execute(insert(LINKS), links)


def test_planning_a_30000_business_book_stays_under_a_bound_set_by_the_chunk(
    database: Database, tmp_path: Path
) -> None:
    if not database.is_sqlite:
        pytest.skip("PostgreSQL stores take the reference path, which holds the book")
    write_reps(database)
    write_plain_book(database)
    pulled_before(database)
    territory_file = tmp_path / "territories.yaml"
    territory_file.write_text(FILE, encoding="utf-8")
    settings = load_settings(
        None,
        environ={},
        overrides={"territories": {"file": str(territory_file)}, "sync": {"blast_radius": 1.0}},
    )
    crms = {source: FakeCrm(source) for source in ("salesforce", "hubspot")}
    tracemalloc.start()
    try:
        result = run_sync(
            settings, database, SyncRequest(actor="test", plan_only=True), connectors=crms
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.plan_id is not None
    assert result.figures["links"]["linked"] == BOOK // 2  # the pairs held through the refresh
    assert count_changes(database, result.plan_id) > BOOK
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB"
