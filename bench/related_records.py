"""A nightly run that moves accounts with their contacts and open opportunities.

Issue #16's benchmark: 100,000 accounts per CRM, each with its contacts and opportunities as the
sandbox seeds them (one to seven contacts, four on average: about 400,000 per CRM; zero to five
opportunities, about 250,000 per CRM, 40% of them open), 5% of accounts moved, 20 ms of latency
on every call and HubSpot's real limits (190 requests per 10 s, search 5 per second). The
territory file is the bundled template with `contacts: follow_account` and `open_opportunities:
follow`, so every contact and open opportunity of a moved account moves with it.

Setup (untimed, limits raised, no latency): seed; a full sync that aligns every owner (the
related records follow there too); a second run. Then, `RUNS` times: the book is aged (accounts,
contacts and opportunities modified before the cursor's lookback); people move 5% of each CRM's
accounts, with their contacts and open opportunities, to a rep who has left; and the timed run,
at real limits and latency, must move them all back. The figures are the median of the timed
runs, with the lowest and highest.

The minimum calls per CRM are those no implementation can avoid for what the run read and wrote:
the token (Salesforce), the reps, each pull's pages at the largest page size (accounts, contacts,
opportunities; plus, per HubSpot deal page, the associations read that names its company), and
per write batch one read and one update (Salesforce 200 records a batch, HubSpot 100), for
accounts, contacts and opportunities each.
Calls the product makes beyond those (Salesforce's record counts that decide REST or Bulk, its
Opportunity describe that tells whether CurrencyIsoCode exists) are shown by kind.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench import sandbox_process
from bench.nightly_run import (
    ACCOUNTS,
    BENCH_AUDIT_KEY,
    RUNS,
    book_settings,
    seeded_line,
    setup_settings,
    timed_rows,
    timed_run,
)
from bench.report import Report, load_average, peak_memory_mib
from sync.audit_keys import AUDIT_KEY_ENV_VAR
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database, open_database
from sync.store.related import TABLES as RELATED_TABLES
from territory_sync.settings import load_settings

TEMPLATE = Path(__file__).resolve().parent.parent / "territory_sync/templates/territories.yaml"
RULES = (
    "  related_records:\n    contacts: owned_by_previous_owner\n"
    "    open_opportunities: stay_until_closed\n"
)
FOLLOW = "  related_records:\n    contacts: follow_account\n    open_opportunities: follow\n"


def territory_file(folder: str) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert RULES in text, "the template's related_records block changed"
    path = Path(folder) / "territories.yaml"
    path.write_text(text.replace(RULES, FOLLOW), encoding="utf-8")
    return path


def related_of(database: Database, source: str, accounts: list[str]) -> list[str]:
    """The stored contacts and open opportunities of these accounts."""
    found: list[str] = []
    with database.engine.connect() as connection:
        for kind, table in RELATED_TABLES.items():
            for start in range(0, len(accounts), 500):
                query = select(table.c.external_id).where(
                    table.c.source == source,
                    table.c.deleted.is_(False),
                    table.c.account_external_id.in_(accounts[start : start + 500]),
                )
                if kind == "opportunity":
                    query = query.where(table.c.is_closed.is_(False))
                found += connection.execute(query).scalars()
    return found


def run() -> Report:
    report = Report(
        name="related_records",
        title=(
            f"Accounts with their contacts and opportunities ({ACCOUNTS:,} accounts per CRM, "
            "5% moved, 20 ms latency)"
        ),
        target=(
            "API calls against the minimum for accounts and related records (pull included), "
            "wall time against the API floor, peak memory"
        ),
        columns=["measure", f"median of {RUNS} runs (lowest-highest)"],
    )
    os.environ.setdefault(AUDIT_KEY_ENV_VAR, BENCH_AUDIT_KEY)
    sandbox = sandbox_process.start(ACCOUNTS, seed=3)
    folder = tempfile.mkdtemp()
    try:
        os.environ.update(sandbox.env)
        overrides = book_settings(folder, "related", territory_file(folder))
        fast = setup_settings(overrides)
        database = open_database(fast.database_url)
        sandbox.command("limits 100000 100")
        setup_started = time.perf_counter()
        setup = run_sync(fast, database, SyncRequest(actor="bench", full=True))
        setup_seconds = time.perf_counter() - setup_started
        run_sync(fast, database, SyncRequest(actor="bench"))
        nightly = load_settings(None, overrides=overrides)
        runs = [
            timed_run(
                sandbox,
                database,
                nightly,
                fast.sync.lookback_seconds,
                lambda crm, accounts: related_of(database, crm, accounts),
            )
            for _ in range(RUNS)
        ]
        database.dispose()
    finally:
        sandbox.stop()

    report.rows += [
        *timed_rows(runs),
        ["peak memory of the product process (whole benchmark)", f"{peak_memory_mib():,.0f} MiB"],
    ]
    report.notes.append(
        f"Seeded per CRM: {seeded_line(setup.figures['pull'])}. Setup's full sync with "
        f"write-back took {setup_seconds:.0f} s (limits raised, no latency); {RUNS} timed runs "
        "followed on the same book, each after aging it and moving 5% again. Load average when "
        f"it ended: {load_average()}."
    )
    return report
