"""A nightly run that moves accounts with their contacts and open opportunities.

Issue #16's benchmark: 100,000 accounts per CRM, each with its contacts and opportunities as the
sandbox seeds them (one to seven contacts, four on average: about 400,000 per CRM; zero to five
opportunities, about 250,000 per CRM, 40% of them open), 5% of accounts moved, 20 ms of latency
on every call and HubSpot's real limits (190 requests per 10 s, search 5 per second). The
territory file is the bundled template with `contacts: follow_account` and `open_opportunities:
follow`, so every contact and open opportunity of a moved account moves with it.

Setup (untimed, limits raised, no latency): seed; a full sync that aligns every owner (the
related records follow there too); a second run; then the book is aged (accounts, contacts and
opportunities modified before the cursor's lookback); then people move 5% of each CRM's accounts
to a rep who has left, and the timed run must move them back with their contacts and open
opportunities.

The minimum calls per CRM are those no implementation can avoid for what the run read and wrote:
the token (Salesforce), the reps, the account pull's pages at the largest page size, one page of
each related object's pull (nothing of them changed), and per write batch one read and one update
(Salesforce 200 records a batch, HubSpot 100), for accounts, contacts and opportunities each.
Calls the product makes beyond those (Salesforce's record counts that decide REST or Bulk, its
Opportunity describe that tells whether CurrencyIsoCode exists) are shown by kind.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import sandbox_process
from bench.nightly_run import (
    AUTH_CALLS,
    BENCH_AUDIT_KEY,
    HUBSPOT_SEARCH_PER_SECOND,
    HUBSPOT_TEN_SECOND_LIMIT,
    INACTIVE_HUBSPOT_OWNER,
    INACTIVE_SALESFORCE_USER,
    LATENCY_S,
    PULL_PAGE,
    REP_CALLS,
    SHARE_REASSIGNED,
    WRITE_BATCH,
    PhaseClock,
    load_average,
)
from bench.report import Report, peak_memory_mib
from connectors.hubspot.settings import BURST_WINDOW_SECONDS
from sync.audit_keys import AUDIT_KEY_ENV_VAR
from sync.pull import read_cursor
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database, open_database
from territory_sync.settings import load_settings

ACCOUNTS = int(os.environ.get("TERRITORY_SYNC_BENCH_ACCOUNTS", "100000"))
TEMPLATE = Path(__file__).resolve().parent.parent / "territory_sync/templates/territories.yaml"
RULES = (
    "  related_records:\n    contacts: owned_by_previous_owner\n"
    "    open_opportunities: stay_until_closed\n"
)
FOLLOW = "  related_records:\n    contacts: follow_account\n    open_opportunities: follow\n"
RELATED_KINDS = {"salesforce": ("contact", "opportunity"), "hubspot": ("contact", "opportunity")}
MASS_UPDATE_OBJECTS = {
    "salesforce": ("contacts", "opportunities"),
    "hubspot": ("contacts", "deals"),
}


def territory_file(folder: str) -> Path:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert RULES in text, "the template's related_records block changed"
    path = Path(folder) / "territories.yaml"
    path.write_text(text.replace(RULES, FOLLOW), encoding="utf-8")
    return path


def age_everything(
    sandbox: sandbox_process.SandboxProcess, database: Database, lookback: float
) -> None:
    """Accounts, contacts and opportunities modified before the stored cursors' lookback."""
    with database.engine.connect() as connection:
        for crm in ("salesforce", "hubspot"):
            cursor = read_cursor(connection, crm)
            assert cursor is not None, f"no {crm} cursor after setup"
            before = int((cursor.modified_at.timestamp() - lookback - 60) * 1000)
            sandbox.control(crm, "mass-update", {"count": ACCOUNTS * 2, "modified_ms": before})
            for kind in MASS_UPDATE_OBJECTS[crm]:
                sandbox.control(
                    crm,
                    "mass-update",
                    {"count": ACCOUNTS * 10, "modified_ms": before, "object": kind},
                )


def minimum_calls(source: str, pulled: int, written: dict[str, int]) -> tuple[int, int]:
    """(calls before and of the pulls, write calls): the least the run could make."""
    pulls = AUTH_CALLS[source] + REP_CALLS[source] + max(1, math.ceil(pulled / PULL_PAGE[source]))
    pulls += len(RELATED_KINDS[source])
    writes = sum(2 * math.ceil(count / WRITE_BATCH[source]) for count in written.values())
    return pulls, writes


def api_floor(
    source: str, pull_calls: int, write_calls: int, searches: int, concurrency: int
) -> float:
    """Seconds the minimum calls need at `LATENCY_S` each (and HubSpot's rate limits)."""
    seconds = pull_calls * LATENCY_S + math.ceil(write_calls / 2 / concurrency) * 2 * LATENCY_S
    if source == "hubspot":
        seconds = max(
            seconds,
            (pull_calls + write_calls) / HUBSPOT_TEN_SECOND_LIMIT * 10,
            searches / HUBSPOT_SEARCH_PER_SECOND,
        )
    return seconds


def move_five_percent(sandbox: sandbox_process.SandboxProcess) -> int:
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
    return moved


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
        columns=["measure", "value"],
    )
    os.environ.setdefault(AUDIT_KEY_ENV_VAR, BENCH_AUDIT_KEY)
    sandbox = sandbox_process.start(ACCOUNTS, seed=3)
    folder = tempfile.mkdtemp()
    try:
        os.environ.update(sandbox.env)
        overrides: dict[str, Any] = {
            "database": {"url": f"sqlite:///{folder}/related.db"},
            "territories": {"file": str(territory_file(folder))},
            "sync": {"blast_radius": 1.0},
        }
        fast = load_settings(
            None,
            overrides={
                **overrides,
                "hubspot": {"requests_per_ten_seconds": 5000, "search_requests_per_second": 50},
            },
        )
        database = open_database(fast.database_url)
        sandbox.command("limits 100000 100")
        setup_started = time.perf_counter()
        setup = run_sync(fast, database, SyncRequest(actor="bench", full=True))
        setup_seconds = time.perf_counter() - setup_started
        run_sync(fast, database, SyncRequest(actor="bench"))
        age_everything(sandbox, database, fast.sync.lookback_seconds)
        moved = move_five_percent(sandbox)
        sandbox.command(f"limits {HUBSPOT_TEN_SECOND_LIMIT} {HUBSPOT_SEARCH_PER_SECOND}")
        sandbox.command(f"faults latency_ms={LATENCY_S * 1000:.0f}")
        time.sleep(BURST_WINDOW_SECONDS + 1)
        nightly = load_settings(None, overrides=overrides)
        phases = PhaseClock()
        started = time.perf_counter()
        result = run_sync(
            nightly, database, SyncRequest(actor="bench", trigger="schedule"), progress=phases
        )
        elapsed = time.perf_counter() - started
        phases.stop()
        database.dispose()
    finally:
        sandbox.stop()
    figures = result.figures
    calls = figures["api_calls"]
    floor = 0.0
    rows: list[list[str]] = []
    for source in ("salesforce", "hubspot"):
        pulled = figures["pull"][source]["pulled"]
        related_pulled = {
            kind: part["pulled"]
            for kind, part in figures["pull"][source].get("related", {}).items()
        }
        written = {"account": figures["by_crm"].get(source, {}).get("written", 0)}
        for kind in RELATED_KINDS[source]:
            written[kind] = figures["related"].get(f"{source} {kind}", {}).get("written", 0)
        pull_min, write_min = minimum_calls(source, pulled, written)
        searches = (
            max(1, math.ceil(pulled / PULL_PAGE[source])) + len(RELATED_KINDS[source])
            if source == "hubspot"
            else 0
        )
        floor += api_floor(source, pull_min, write_min, searches, nightly.sync.concurrency)
        made = calls[source]["calls"]
        kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(calls[source]["by_kind"].items()))
        rows += [
            [
                f"{source}: accounts pulled / related records pulled",
                f"{pulled:,} / " + ", ".join(f"{k} {v:,}" for k, v in related_pulled.items()),
            ],
            [
                f"{source}: written (accounts, contacts, opportunities)",
                ", ".join(f"{k} {v:,}" for k, v in written.items()),
            ],
            [
                f"{source}: API calls / minimum (pulls {pull_min:,} + writes {write_min:,})",
                f"{made:,} / {pull_min + write_min:,} = {made / max(1, pull_min + write_min):.2f}x",
            ],
            [f"{source}: calls by kind", kinds],
        ]
    report.rows += [
        ["accounts moved by people (per CRM)", f"{moved:,}"],
        ["wall time of the run", f"{elapsed:.1f} s"],
        ["API floor (minimum calls at 20 ms, HubSpot limits)", f"{floor:.1f} s"],
        ["wall time / API floor", f"{elapsed / floor:.2f}x"],
        [
            "time by phase",
            ", ".join(f"{name} {spent:.1f} s" for name, spent in phases.seconds.items()),
        ],
        [
            "failed / conflicts / unfinished",
            f"{figures['failed']} / {figures['conflicts']} / {figures['unfinished']}",
        ],
        *rows,
        ["peak memory of the product process (whole benchmark)", f"{peak_memory_mib():,.0f} MiB"],
    ]
    seeded = setup.figures["pull"]
    report.notes.append(
        "Seeded per CRM: "
        + "; ".join(
            f"{source} {seeded[source]['pulled']:,} accounts, "
            + ", ".join(
                f"{k} {v['pulled']:,}" for k, v in seeded[source].get("related", {}).items()
            )
            for source in ("salesforce", "hubspot")
        )
        + f". Setup's full sync with write-back took {setup_seconds:.0f} s (limits raised, no "
        f"latency). One timed run (the setup takes minutes). Load average when it ended: "
        f"{load_average()}."
    )
    return report
