"""Bulk upsert of 200,000 pulled accounts, page by page as a pull commits them.

Target (issue "Foundation"): at least 50,000 rows/s on SQLite and 20,000 rows/s on PostgreSQL on a
2-core machine, with peak memory reported. Records are generated lazily, one 2,000-record page at
a time, with a realistic raw payload (the fields a Salesforce pull keeps), and each page is
committed in its own transaction, exactly as a pull does; the clock runs only around the write
and commit. The first pass inserts, the second updates every row (new owners, modified times).
"""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.report import Report, peak_memory_mib
from mapping.unified import UnifiedAccount
from sync.store.accounts import upsert_accounts
from sync.store.database import Database, open_database

ACCOUNTS = 200_000
PAGE = 2_000
POSTGRES_URL = os.environ.get(
    "TERRITORY_SYNC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
COUNTRIES = [("US", "US-CA", "San Francisco", "94105"), ("DE", "DE-BY", "München", "80331")]


def pages(owner: str, modified: datetime) -> Iterator[list[UnifiedAccount]]:
    for start in range(0, ACCOUNTS, PAGE):
        page = []
        for n in range(start, min(start + PAGE, ACCOUNTS)):
            country, region, city, postal = COUNTRIES[n % 2]
            name = f"Company {n} Holdings"
            page.append(
                UnifiedAccount(
                    source="salesforce",
                    external_id=f"0015g{n:013d}",
                    name=name,
                    website=f"https://www.company{n}.example/en",
                    domain=f"company{n}.example",
                    country=country,
                    region=region,
                    city=city,
                    postal_code=postal,
                    industry_raw="Technology",
                    industry="software",
                    employees=50 + n % 5000,
                    annual_revenue=Decimal(1_000_000 + n * 37),
                    owner_id=owner,
                    crm_modified_at=modified,
                    raw={
                        "Id": f"0015g{n:013d}",
                        "Name": name,
                        "Website": f"https://www.company{n}.example/en",
                        "BillingCountry": "United States" if country == "US" else "Deutschland",
                        "BillingState": "California" if country == "US" else "Bayern",
                        "BillingCity": city,
                        "BillingPostalCode": postal,
                        "Industry": "Technology",
                        "NumberOfEmployees": 50 + n % 5000,
                        "AnnualRevenue": float(1_000_000 + n * 37),
                        "OwnerId": owner,
                        "Type": "Prospect",
                        "Do_Not_Reassign__c": False,
                        "SystemModstamp": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                    },
                )
            )
        yield page


def timed_pass(database: Database, owner: str, modified: datetime) -> float:
    """Rows per second of the store's work alone: building the records is the pull's cost."""
    spent = 0.0
    for page in pages(owner, modified):
        started = time.perf_counter()
        with database.engine.begin() as connection:
            upsert_accounts(connection, page, datetime.now(UTC))
        spent += time.perf_counter() - started
    return ACCOUNTS / spent


def measure(database: Database) -> tuple[float, float]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    inserted = timed_pass(database, "0055g0000000001AAA", base)
    updated = timed_pass(database, "0055g0000000002AAA", base + timedelta(days=1))
    return inserted, updated


def run() -> Report:
    report = Report(
        name="upsert",
        title="Account upsert (200,000 accounts, 2,000-record pages)",
        target="SQLite >= 50,000 rows/s, PostgreSQL >= 20,000 rows/s",
        columns=["database", "insert rows/s", "update rows/s", "target rows/s", "verdict"],
    )
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{folder}/bench.db")
        inserted, updated = measure(database)
        database.dispose()
        verdict = "met" if min(inserted, updated) >= 50_000 else "missed"
        report.rows.append(["SQLite", f"{inserted:,.0f}", f"{updated:,.0f}", "50,000", verdict])

    name = f"territory_sync_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # a missing server is reported, not fatal
        report.notes.append(f"PostgreSQL skipped: {type(error).__name__} at {POSTGRES_URL}")
    else:
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        try:
            database = open_database(url, upgrade=True)
            inserted, updated = measure(database)
            database.dispose()
            verdict = "met" if min(inserted, updated) >= 20_000 else "missed"
            report.rows.append(
                ["PostgreSQL", f"{inserted:,.0f}", f"{updated:,.0f}", "20,000", verdict]
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    report.notes.append(
        f"Peak memory of the benchmark process: {peak_memory_mib():,.0f} MiB "
        "(records are generated page by page, as a pull streams them)."
    )
    return report
