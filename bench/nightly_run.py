"""An end-to-end nightly run: 100,000 Salesforce accounts and 100,000 HubSpot companies.

Target (issue "Sync runs end to end"): report wall time, API calls against the minimum the batch
sizes allow, and peak memory, for a nightly (incremental) run in which 5% of accounts are
reassigned, with 20 ms of latency on every sandbox call and HubSpot's real limits (190 requests per
10 s, search 5 per second). Setup (untimed): seed, a first full sync that brings every owner in
line with the territories (limits raised for speed), then people move 5% of accounts to a rep who
has left, so the nightly run must reassign them.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path

from bench import sandbox_process
from bench.report import Report, peak_memory_mib
from sync.runner import SyncRequest, run_sync
from sync.store.database import open_database
from territory_sync.settings import load_settings

ACCOUNTS = 100_000
SHARE_REASSIGNED = 0.05
INACTIVE_SALESFORCE_USER = "0055g0000000004AAA"  # marcus.williams: inactive in the seeded roster
INACTIVE_HUBSPOT_OWNER = "41800004"
TERRITORY_FILE = (
    Path(__file__).resolve().parent.parent / "territory_sync/templates/territories.yaml"
)


def run() -> Report:
    report = Report(
        name="nightly_run",
        title="Nightly run end to end (100,000 + 100,000 accounts, 5% reassigned, 20 ms latency)",
        target="report wall time, API calls against the minimum, peak memory",
        columns=["measure", "value"],
    )
    sandbox = sandbox_process.start(ACCOUNTS, seed=3)
    folder = tempfile.mkdtemp()
    try:
        os.environ.update(sandbox.env)
        settings = load_settings(
            None,
            overrides={
                "database": {"url": f"sqlite:///{folder}/nightly.db"},
                "territories": {"file": str(TERRITORY_FILE)},
                "sync": {"blast_radius": 1.0},
                "hubspot": {"requests_per_ten_seconds": 5000, "search_requests_per_second": 50},
            },
        )
        database = open_database(settings.database_url)
        sandbox.command("limits 100000 100")
        run_sync(settings, database, SyncRequest(actor="bench", full=True))
        # A second run pulls back the owners the first one wrote: the steady state of a night.
        run_sync(settings, database, SyncRequest(actor="bench"))
        # People move 5% of each CRM's accounts to a rep who has left: tonight's run reassigns.
        moved = int(ACCOUNTS * SHARE_REASSIGNED)
        for crm, owner in (
            ("salesforce", INACTIVE_SALESFORCE_USER),
            ("hubspot", INACTIVE_HUBSPOT_OWNER),
        ):
            ids = sorted(sandbox.control(crm, "owners")["owners"])[::20][:moved]
            for start in range(0, len(ids), 5000):
                sandbox.control(
                    crm,
                    "owner-changes",
                    {"changes": [{"id": i, "owner_id": owner} for i in ids[start : start + 5000]]},
                )
        sandbox.command("limits 190 5")
        sandbox.command("faults latency_ms=20")
        nightly = load_settings(
            None,
            overrides={
                "database": {"url": f"sqlite:///{folder}/nightly.db"},
                "territories": {"file": str(TERRITORY_FILE)},
                "sync": {"blast_radius": 1.0},
            },
        )
        memory_before = peak_memory_mib()
        started = time.perf_counter()
        result = run_sync(nightly, database, SyncRequest(actor="bench", trigger="schedule"))
        elapsed = time.perf_counter() - started
        database.dispose()
    finally:
        sandbox.stop()
    figures = result.figures
    calls = figures["api_calls"]
    sf_written = figures["by_crm"].get("salesforce", {}).get("written", 0)
    hs_written = figures["by_crm"].get("hubspot", {}).get("written", 0)
    minimum_sf = 2 * math.ceil(sf_written / 200)
    minimum_hs = 2 * math.ceil(hs_written / 100)
    report.rows += [
        ["wall time of the nightly run", f"{elapsed:.1f} s"],
        ["records pulled (incremental)", f"{figures['pulled']:,}"],
        ["records evaluated", f"{figures['evaluated']:,}"],
        ["owners written (Salesforce / HubSpot)", f"{sf_written:,} / {hs_written:,}"],
        ["failed / conflicts", f"{figures['failed']} / {figures['conflicts']}"],
        [
            "Salesforce API calls (all / write-back minimum: one read + one update per 200)",
            f"{calls['salesforce']['calls']:,} / {minimum_sf:,}",
        ],
        [
            "HubSpot API calls (all / write-back minimum: one read + one update per 100)",
            f"{calls['hubspot']['calls']:,} / {minimum_hs:,}",
        ],
        ["peak memory of the product process", f"{peak_memory_mib():,.0f} MiB"],
    ]
    report.notes.append(
        f"Peak memory before the nightly run (after setup): {memory_before:,.0f} MiB. API calls"
        " beyond the write-back minimum are the incremental pulls (queries, searches, users,"
        " owners) and one token request."
    )
    return report
