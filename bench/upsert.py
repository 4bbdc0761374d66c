"""Bulk upsert of pulled accounts: the store alone, and end to end through the pull path.

Target (issue "Foundation"): at least 50,000 rows/s on SQLite and 20,000 rows/s on PostgreSQL on a
2-core machine, with peak memory reported. Records are generated lazily, one 2,000-record page at
a time, with a realistic raw payload (the fields a Salesforce pull keeps), and each page is
committed in its own transaction; the clock runs only around the write and commit. The first pass
inserts, the second updates every row (new owners, modified times).

Target (issue #14): at HubSpot's real page sizes (100 and 200 records a page) at least 20,000
rows/s on PostgreSQL end to end through the pull path: `sync.pull.pull_source` over a connector
that hands out HubSpot-shaped raw records, so the clock covers the field mapping, the buffering of
pages into transactions, the upsert, the cursor and the commits (and, pessimistically, building
each page's raw records, a shallow copy of a template per record). Each size is run several times
(insert pass, then update pass) and the median and spread are reported.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Collection, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.report import Report, load_average, median_and_spread, peak_memory_mib
from connectors.base import AccountPage, ApiUsage, CrmUser, PullMode, PullPosition, RawAccount
from mapping.unified import UnifiedAccount
from sync.pull import pull_source
from sync.store.accounts import upsert_accounts
from sync.store.database import Database, open_database

ACCOUNTS = 200_000
PAGE = 2_000
PULLED = 100_000
"""Records per pass through the pull path."""
PULL_PAGES = (100, 200)
PULL_RUNS = 5
"""Runs per page size: the verdict is their median (issue #14: median of 5)."""
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


HUBSPOT_COMPANY = {
    "name": "",
    "domain": "",
    "website": "",
    "country": "United States",
    "state": "California",
    "city": "San Francisco",
    "zip": "94105",
    "industry": "COMPUTER_SOFTWARE",
    "numberofemployees": "250",
    "annualrevenue": "1250000",
    "hubspot_owner_id": "41800001",
    "hs_lastmodifieddate": "",
    "hs_object_id": "",
}


class PagesOfCompanies:
    """A connector handing out `PULLED` HubSpot-shaped companies, `page` to a page, as the
    HubSpot connector does (no HTTP: what is timed is the product's side of a pull)."""

    source = "hubspot"
    write_batch_size = 100

    def __init__(self, page: int, owner: str, modified: datetime) -> None:
        self.page = page
        self.owner = owner
        self.modified = modified
        self.usage = ApiUsage()

    def pull_reps(self) -> list[CrmUser]:
        return []

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        stamp = self.modified.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for start in range(0, PULLED, self.page):
            records = []
            for n in range(start, min(start + self.page, PULLED)):
                crm_id = str(9_000_000 + n)
                fields = dict(HUBSPOT_COMPANY)
                fields.update(
                    name=f"Company {n} Holdings",
                    domain=f"company{n}.example.com",
                    website=f"https://www.company{n}.example.com",
                    hubspot_owner_id=self.owner,
                    hs_lastmodifieddate=stamp,
                    hs_object_id=crm_id,
                )
                records.append(RawAccount("hubspot", crm_id, self.modified, False, fields))
            yield AccountPage(records, PullPosition(self.modified, records[-1].external_id))


def pull_pass(database: Database, page: int, owner: str, modified: datetime) -> float:
    """Rows per second of one incremental pull of `PULLED` records through `pull_source`."""
    connector = PagesOfCompanies(page, owner, modified)
    started = time.perf_counter()
    figures = pull_source(
        database,
        connector,  # type: ignore[arg-type]
        full=False,
        lookback=timedelta(0),
        run_id=None,
        trigger="bench",
        actor="bench",
    )
    spent = time.perf_counter() - started
    assert figures.pulled == PULLED, figures
    return PULLED / spent


def measure_pull(database: Database, page: int) -> tuple[list[float], list[float]]:
    """Insert and update passes at `page` records a page, `PULL_RUNS` times each."""
    inserted: list[float] = []
    updated: list[float] = []
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for run in range(PULL_RUNS):
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM accounts"))
            connection.execute(text("DELETE FROM pull_cursors"))
        inserted.append(pull_pass(database, page, "41800001", base + timedelta(days=2 * run)))
        updated.append(pull_pass(database, page, "41800002", base + timedelta(days=2 * run + 1)))
    return inserted, updated


def run() -> Report:
    report = Report(
        name="upsert",
        title="Account upsert (200,000 accounts, 2,000-record pages; pull path at 100 and 200)",
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
            verdict = "met" if min(inserted, updated) >= 20_000 else "missed"
            report.rows.append(
                ["PostgreSQL", f"{inserted:,.0f}", f"{updated:,.0f}", "20,000", verdict]
            )
            for page in PULL_PAGES:
                pulled_in, pulled_up = measure_pull(database, page)
                low = min(statistics.median(pulled_in), statistics.median(pulled_up))
                report.rows.append(
                    [
                        f"PostgreSQL, pull path, {page}-record pages",
                        median_and_spread(pulled_in),
                        median_and_spread(pulled_up),
                        "20,000",
                        "met" if low >= 20_000 else "missed",
                    ]
                )
            database.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    report.notes.append(
        f"Pull path rows: {PULLED:,} HubSpot-shaped companies a pass, median of {PULL_RUNS} runs "
        "(lowest-highest); pages are buffered into transactions of about 2,000 records."
    )
    report.notes.append(f"Load average when the benchmark ended: {load_average()}.")
    report.notes.append(
        f"Peak memory of the benchmark process: {peak_memory_mib():,.0f} MiB "
        "(records are generated page by page, as a pull streams them)."
    )
    return report
