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

import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import sandbox_process
from bench.nightly_run import (
    AUTH_CALLS,
    BENCH_AUDIT_KEY,
    HUBSPOT_SEARCH_PER_SECOND,
    HUBSPOT_TEN_SECOND_LIMIT,
    LATENCY_S,
    PULL_PAGE,
    REP_CALLS,
    WRITE_BATCH,
    PhaseClock,
    at_real_limits,
    book_settings,
    move_to_a_rep_who_left,
    setup_settings,
)
from bench.report import Report, load_average, peak_memory_mib
from bench.report import median_and_spread as spread
from sync.audit_keys import AUDIT_KEY_ENV_VAR
from sync.pull import read_cursor
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database, open_database
from sync.store.related import TABLES as RELATED_TABLES
from territory_sync.settings import Settings, load_settings

ACCOUNTS = int(os.environ.get("TERRITORY_SYNC_BENCH_ACCOUNTS", "100000"))
RUNS = int(os.environ.get("TERRITORY_SYNC_BENCH_RUNS", "5"))
"""Timed runs on one seeded book: before each, the book is aged and 5% moved again."""
TEMPLATE = Path(__file__).resolve().parent.parent / "territory_sync/templates/territories.yaml"
RULES = (
    "  related_records:\n    contacts: owned_by_previous_owner\n"
    "    open_opportunities: stay_until_closed\n"
)
FOLLOW = "  related_records:\n    contacts: follow_account\n    open_opportunities: follow\n"
RELATED_KINDS = {"salesforce": ("contact", "opportunity"), "hubspot": ("contact", "opportunity")}
PLURAL = {"account": "accounts", "contact": "contacts", "opportunity": "opportunities"}
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


def minimum_calls(
    source: str, pulled: int, related: dict[str, int], written: dict[str, int]
) -> tuple[int, int]:
    """(calls before and of the pulls, write calls): the least the run could make. Each pull
    reads its changed records at the largest page size (one call when nothing changed); a
    HubSpot deal page needs one associations read for its companies."""
    pulls = AUTH_CALLS[source] + REP_CALLS[source] + max(1, math.ceil(pulled / PULL_PAGE[source]))
    for kind in RELATED_KINDS[source]:
        pages = max(1, math.ceil(related.get(kind, 0) / PULL_PAGE[source]))
        pulls += 2 * pages if source == "hubspot" and kind == "opportunity" else pages
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


def _timed_run(
    sandbox: sandbox_process.SandboxProcess,
    database: Database,
    nightly: Settings,
    lookback: float,
) -> dict[str, Any]:
    """Age the book, move 5%, and time the nightly run that moves it back (at real limits)."""
    sandbox.command("limits 100000 100")
    sandbox.command("faults latency_ms=0")
    age_everything(sandbox, database, lookback)
    # People move accounts with their contacts and open opportunities, as Salesforce's Change
    # Owner offers.
    moved = move_to_a_rep_who_left(
        sandbox, lambda crm, accounts: related_of(database, crm, accounts)
    )
    at_real_limits(sandbox)
    phases = PhaseClock()
    started = time.perf_counter()
    result = run_sync(
        nightly, database, SyncRequest(actor="bench", trigger="schedule"), progress=phases
    )
    elapsed = time.perf_counter() - started
    phases.stop()
    figures = result.figures
    floor = 0.0
    per_crm: dict[str, dict[str, Any]] = {}
    for source in ("salesforce", "hubspot"):
        pulled = figures["pull"][source]["pulled"]
        written = {"account": figures["by_crm"].get(source, {}).get("written", 0)}
        for kind in RELATED_KINDS[source]:
            written[kind] = figures["related"].get(f"{source} {kind}", {}).get("written", 0)
        related_pulled = {
            kind: part["pulled"]
            for kind, part in figures["pull"][source].get("related", {}).items()
        }
        pull_min, write_min = minimum_calls(source, pulled, related_pulled, written)
        searches = sum(
            max(1, math.ceil(count / PULL_PAGE[source]))
            for count in (pulled, *(related_pulled.get(k, 0) for k in RELATED_KINDS[source]))
        )
        floor += api_floor(
            source,
            pull_min,
            write_min,
            searches if source == "hubspot" else 0,
            nightly.sync.concurrency,
        )
        per_crm[source] = {
            "pulled": pulled,
            "related_pulled": related_pulled,
            "written": written,
            "minimum": (pull_min, write_min),
            "calls": figures["api_calls"][source]["calls"],
            "by_kind": figures["api_calls"][source]["by_kind"],
        }
    return {
        "moved": moved,
        "elapsed": elapsed,
        "floor": floor,
        "phases": phases.seconds,
        "outcomes": (figures["failed"], figures["conflicts"], figures["unfinished"]),
        "crm": per_crm,
    }


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
            _timed_run(sandbox, database, nightly, fast.sync.lookback_seconds) for _ in range(RUNS)
        ]
        database.dispose()
    finally:
        sandbox.stop()

    rows: list[list[str]] = []
    for source in ("salesforce", "hubspot"):
        crm = [r["crm"][source] for r in runs]
        minimum = [sum(c["minimum"]) for c in crm]
        kinds = sorted({k for c in crm for k in c["by_kind"]})
        rows += [
            [f"{source}: accounts pulled", spread([c["pulled"] for c in crm])],
            *[
                [
                    f"{source}: {PLURAL[kind]} pulled",
                    spread([c["related_pulled"].get(kind, 0) for c in crm]),
                ]
                for kind in RELATED_KINDS[source]
            ],
            *[
                [f"{source}: {PLURAL[kind]} written", spread([c["written"][kind] for c in crm])]
                for kind in ("account", *RELATED_KINDS[source])
            ],
            [f"{source}: API calls", spread([c["calls"] for c in crm])],
            [
                f"{source}: minimum calls (pulls + writes)",
                spread(minimum)
                + f" = {spread([c['minimum'][0] for c in crm])} + "
                + spread([c["minimum"][1] for c in crm]),
            ],
            [
                f"{source}: calls / minimum",
                spread([c["calls"] / max(1, m) for c, m in zip(crm, minimum, strict=True)], "x", 2),
            ],
            [
                f"{source}: calls by kind (median)",
                ", ".join(
                    f"{k} {statistics.median(c['by_kind'].get(k, 0) for c in crm):,.0f}"
                    for k in kinds
                ),
            ],
        ]
    phases = sorted({name for r in runs for name in r["phases"]}, key=list(runs[0]["phases"]).index)
    report.rows += [
        ["accounts moved by people (per CRM)", spread([r["moved"] for r in runs])],
        ["wall time of the run", spread([r["elapsed"] for r in runs], "s", 1)],
        [
            "API floor (minimum calls at 20 ms, HubSpot limits)",
            spread([r["floor"] for r in runs], "s", 1),
        ],
        ["wall time / API floor", spread([r["elapsed"] / r["floor"] for r in runs], "x", 2)],
        [
            "time by phase (median)",
            ", ".join(
                f"{name} {statistics.median(r['phases'].get(name, 0.0) for r in runs):.1f} s"
                for name in phases
            ),
        ],
        [
            "failed / conflicts / unfinished (every run)",
            ", ".join(" / ".join(str(n) for n in r["outcomes"]) for r in runs),
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
        f"latency); {RUNS} timed runs followed on the same book, each after aging it and moving "
        f"5% again. Load average when it ended: {load_average()}."
    )
    return report
