"""An end-to-end nightly run: 100,000 Salesforce accounts and 100,000 HubSpot companies.

Target (issue #14): wall time within 1.3x of the API floor, API calls within 1.1x of the minimum
per CRM (pull included), and peak memory, for a nightly (incremental) run in which 5% of accounts
are moved, with 20 ms of latency on every sandbox call and HubSpot's real limits (190 requests per
10 s, search 5 per second). The territory file is the bundled template, whose runs pull contacts
and opportunities too (the sandbox seeds one to seven contacts and zero to five opportunities per
account).

Setup (untimed): seed, a first full sync that brings every owner in line with the territories
(limits raised for speed; the peak memory after it is that of a full sync with write-back), and a
second run that pulls back the owners it wrote. Then, `RUNS` times: the book is aged (every
account, contact and opportunity modified before the lookback of the stored cursors, as a book
set up long ago would be, so the nightly run reads only what moved since); people move 5% of each
CRM's accounts to a rep who has left; and the timed run must read and reassign exactly those. The
figures are the median of the timed runs, with the lowest and highest.

The minimum calls per CRM are those no implementation can avoid for what the run read and wrote:
one token request (Salesforce), the reps (one query of users; HubSpot's active and archived
owners, two lists), each pull's pages at the CRM's largest page size (Salesforce query pages of
2,000 records; HubSpot search pages of 200; one call when nothing changed; per HubSpot deal page
one associations read that names its company), and per write batch one read of current owners and
one update (Salesforce 200 records a batch, HubSpot 100). The API floor is the time those calls
need: one after another for the pulls, in parallel (the write-back concurrency) for the write
batches, and for HubSpot no less than its rate limits allow.

`bench.related_records` runs the same night with contacts and open opportunities following their
accounts.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import sandbox_process
from bench.report import Report, load_average, peak_memory_mib
from bench.report import median_and_spread as spread
from connectors.hubspot.settings import BURST_WINDOW_SECONDS
from sync.audit_keys import AUDIT_KEY_ENV_VAR
from sync.pull import read_cursor
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database, open_database
from territory_sync.memory import limit_malloc_arenas
from territory_sync.settings import Settings, load_settings

ACCOUNTS = int(os.environ.get("TERRITORY_SYNC_BENCH_ACCOUNTS", "100000"))
RUNS = int(os.environ.get("TERRITORY_SYNC_BENCH_RUNS", "5"))
"""Timed runs on one seeded book: before each, the book is aged and 5% moved again."""
SHARE_REASSIGNED = 0.05
LATENCY_S = 0.020
HUBSPOT_TEN_SECOND_LIMIT = 190
HUBSPOT_SEARCH_PER_SECOND = 5
WRITE_BATCH = {"salesforce": 200, "hubspot": 100}
PULL_PAGE = {"salesforce": 2_000, "hubspot": 200}
AUTH_CALLS = {"salesforce": 1, "hubspot": 0}
REP_CALLS = {"salesforce": 1, "hubspot": 2}
"""Salesforce: one query of users; HubSpot: active owners and archived owners are separate lists."""
INACTIVE_SALESFORCE_USER = "0055g0000000004AAA"  # marcus.williams: inactive in the seeded roster
INACTIVE_HUBSPOT_OWNER = "41800004"
BENCH_AUDIT_KEY = "territory-sync-benchmark-audit-key-never-for-production"
TERRITORY_FILE = (
    Path(__file__).resolve().parent.parent / "territory_sync/templates/territories.yaml"
)


RELATED_KINDS = ("contact", "opportunity")
"""The related objects a run may pull (each CRM's contacts and opportunities or deals)."""
PLURAL = {"account": "accounts", "contact": "contacts", "opportunity": "opportunities"}
MASS_UPDATE_OBJECTS = {
    "salesforce": ("contacts", "opportunities"),
    "hubspot": ("contacts", "deals"),
}
"""The sandbox's names of the related objects, for `mass-update`."""


def minimum_calls(
    source: str, pulled: int, related: dict[str, int], written: dict[str, int]
) -> tuple[int, int]:
    """(calls before and of the pulls, write calls): the least the run could make. Each pull
    reads its changed records at the largest page size (one call when nothing changed); a
    HubSpot deal page needs one associations read for its companies. `related` holds what each
    related pull the run made read."""
    pulls = AUTH_CALLS[source] + REP_CALLS[source] + max(1, math.ceil(pulled / PULL_PAGE[source]))
    for kind, count in related.items():
        pages = max(1, math.ceil(count / PULL_PAGE[source]))
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


def age_everything(
    sandbox: sandbox_process.SandboxProcess, database: Database, lookback: float
) -> None:
    """Accounts, contacts and opportunities modified before the stored cursors' lookback, as
    a book set up long ago would be: a nightly run then reads only what moved since. The time is
    before the earliest of the CRM's cursors (accounts and each related object): a night in which
    no contact changed leaves the contacts' cursor where it was, while the accounts' moves on."""
    with database.engine.connect() as connection:
        for crm in ("salesforce", "hubspot"):
            cursors = [
                read_cursor(connection, crm, object_name)
                for object_name in ("account", *RELATED_KINDS)
            ]
            earliest = min(c.modified_at for c in cursors if c is not None)
            assert cursors[0] is not None, f"no {crm} cursor after setup"
            before = int((earliest.timestamp() - lookback - 60) * 1000)
            sandbox.control(crm, "mass-update", {"count": ACCOUNTS * 2, "modified_ms": before})
            for kind in MASS_UPDATE_OBJECTS[crm]:
                sandbox.control(
                    crm,
                    "mass-update",
                    {"count": ACCOUNTS * 10, "modified_ms": before, "object": kind},
                )


FULL_SYNC_MEMORY_ACCOUNTS = (50_000, 200_000)
"""Book sizes (per CRM) whose full sync with write-back is measured alone, in a fresh process."""


def book_settings(folder: str, database_name: str, territory_file: Path) -> dict[str, Any]:
    """The benchmark product's settings overrides: a SQLite file in `folder`, no blast radius."""
    return {
        "database": {"url": f"sqlite:///{folder}/{database_name}.db"},
        "territories": {"file": str(territory_file)},
        "sync": {"blast_radius": 1.0},
    }


def setup_settings(overrides: dict[str, Any]) -> Settings:
    """The settings a benchmark's untimed setup runs with: HubSpot's limits raised."""
    return load_settings(
        None,
        overrides={
            **overrides,
            "hubspot": {"requests_per_ten_seconds": 5000, "search_requests_per_second": 50},
        },
    )


def move_to_a_rep_who_left(
    sandbox: sandbox_process.SandboxProcess,
    with_records: Callable[[str, list[str]], list[str]] = lambda crm, accounts: [],
) -> int:
    """People move 5% of each CRM's accounts (and `with_records` of them) to a rep who has left:
    the timed run reassigns them. Returns how many accounts per CRM."""
    moved = int(ACCOUNTS * SHARE_REASSIGNED)
    for crm, owner in (
        ("salesforce", INACTIVE_SALESFORCE_USER),
        ("hubspot", INACTIVE_HUBSPOT_OWNER),
    ):
        accounts = sorted(sandbox.control(crm, "owners")["owners"])[::20][:moved]
        ids = accounts + with_records(crm, accounts)
        for start in range(0, len(ids), 5000):
            sandbox.control(
                crm,
                "owner-changes",
                {"changes": [{"id": i, "owner_id": owner} for i in ids[start : start + 5000]]},
            )
    return moved


def at_real_limits(sandbox: sandbox_process.SandboxProcess) -> None:
    """HubSpot's real limits and 20 ms on every call. A nightly run follows no other within
    HubSpot's 10-second window; started straight after the setup's runs, it would wait out
    their calls' 429s and count the retries."""
    sandbox.command(f"limits {HUBSPOT_TEN_SECOND_LIMIT} {HUBSPOT_SEARCH_PER_SECOND}")
    sandbox.command(f"faults latency_ms={LATENCY_S * 1000:.0f}")
    time.sleep(BURST_WINDOW_SECONDS + 1)


def high_water_mib() -> float:
    """Peak resident memory of this process image (`VmHWM`): unlike `ru_maxrss`, which a child
    inherits from the process that started it, it begins afresh at exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return peak_memory_mib()


def full_sync_memory(accounts: int) -> dict[str, float]:
    """Seed `accounts` per CRM, then one full sync with write-back, in this process: its peak
    resident memory before and after the sync, and the owners written."""
    os.environ.setdefault(AUDIT_KEY_ENV_VAR, BENCH_AUDIT_KEY)
    sandbox = sandbox_process.start(accounts, seed=3)
    folder = tempfile.mkdtemp()
    try:
        os.environ.update(sandbox.env)
        settings = setup_settings(book_settings(folder, "full", TERRITORY_FILE))
        database = open_database(settings.database_url)
        sandbox.command("limits 100000 100")
        before = high_water_mib()
        started = time.perf_counter()
        result = run_sync(settings, database, SyncRequest(actor="bench", full=True))
        seconds = time.perf_counter() - started
        database.dispose()
    finally:
        sandbox.stop()
    return {
        "before": before,
        "peak": high_water_mib(),
        "written": float(result.figures.get("written", 0)),
        "seconds": seconds,
    }


def measured_apart(accounts: int) -> dict[str, float]:
    """`full_sync_memory` in a child process, so nothing else this benchmark did counts."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.nightly_run", "full-sync-memory", str(accounts)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


class PhaseClock:
    """A run's progress listener that times its phases (pull, link, evaluate, write...)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._current: str | None = None
        self._since = time.perf_counter()

    def phase(self, name: str, total: int | None = None) -> None:
        self.stop()
        self._current, self._since = name, time.perf_counter()

    def advance(self, amount: int = 1) -> None:
        return None

    def stop(self) -> None:
        if self._current is not None:
            spent = time.perf_counter() - self._since
            self.seconds[self._current] = self.seconds.get(self._current, 0.0) + spent
            self._current = None


def timed_run(
    sandbox: sandbox_process.SandboxProcess,
    database: Database,
    nightly: Settings,
    lookback: float,
    with_records: Callable[[str, list[str]], list[str]] = lambda crm, accounts: [],
) -> dict[str, Any]:
    """Age the book, move 5% (and `with_records` of them), and time the nightly run that moves
    them back at real limits and latency: its seconds, the API floor, phases and calls."""
    sandbox.command("limits 100000 100")
    sandbox.command("faults latency_ms=0")
    age_everything(sandbox, database, lookback)
    moved = move_to_a_rep_who_left(sandbox, with_records)
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
        related_pulled = {
            kind: part["pulled"]
            for kind, part in figures["pull"][source].get("related", {}).items()
        }
        written = {"account": figures["by_crm"].get(source, {}).get("written", 0)}
        for kind in related_pulled:
            written[kind] = figures["related"].get(f"{source} {kind}", {}).get("written", 0)
        pull_min, write_min = minimum_calls(source, pulled, related_pulled, written)
        searches = sum(
            max(1, math.ceil(count / PULL_PAGE[source]))
            for count in (pulled, *related_pulled.values())
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
        "evaluated": figures["evaluated"],
        "elapsed": elapsed,
        "floor": floor,
        "phases": phases.seconds,
        "outcomes": (figures["failed"], figures["conflicts"], figures["unfinished"]),
        "crm": per_crm,
    }


def timed_rows(runs: list[dict[str, Any]]) -> list[list[str]]:
    """The report's rows for `timed_run`s: medians with the lowest and highest run."""
    rows: list[list[str]] = []
    for source in ("salesforce", "hubspot"):
        crm = [r["crm"][source] for r in runs]
        minimum = [sum(c["minimum"]) for c in crm]
        kinds = sorted({k for c in crm for k in c["by_kind"]})
        related = [k for k in RELATED_KINDS if any(k in c["related_pulled"] for c in crm)]
        rows += [
            [f"{source}: accounts pulled", spread([c["pulled"] for c in crm])],
            *[
                [
                    f"{source}: {PLURAL[kind]} pulled",
                    spread([c["related_pulled"].get(kind, 0) for c in crm]),
                ]
                for kind in related
            ],
            *[
                [
                    f"{source}: {PLURAL[kind]} written",
                    spread([c["written"].get(kind, 0) for c in crm]),
                ]
                for kind in ("account", *related)
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
    return [
        ["accounts moved by people (per CRM)", spread([r["moved"] for r in runs])],
        ["records evaluated", spread([r["evaluated"] for r in runs])],
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
            )
            + "; before the first (lock, plans, connectors) "
            + f"{statistics.median(r['elapsed'] - sum(r['phases'].values()) for r in runs):.1f} s",
        ],
        [
            "failed / conflicts / unfinished (every run)",
            ", ".join(" / ".join(str(n) for n in r["outcomes"]) for r in runs),
        ],
        *rows,
    ]


def run() -> Report:
    report = Report(
        name="nightly_run",
        title=(
            f"Nightly run end to end ({ACCOUNTS:,} + {ACCOUNTS:,} accounts, 5% moved, "
            "20 ms latency)"
        ),
        target=(
            "wall time within 1.3x of the API floor; API calls within 1.1x of the minimum per CRM "
            "(pull included); peak memory of a full sync with write-back under 300 MB"
        ),
        columns=["measure", f"median of {RUNS} runs (lowest-highest)"],
    )
    os.environ.setdefault(AUDIT_KEY_ENV_VAR, BENCH_AUDIT_KEY)
    sandbox = sandbox_process.start(ACCOUNTS, seed=3)
    folder = tempfile.mkdtemp()
    try:
        os.environ.update(sandbox.env)
        overrides = book_settings(folder, "nightly", TERRITORY_FILE)
        settings = setup_settings(overrides)
        database = open_database(settings.database_url)
        sandbox.command("limits 100000 100")
        setup_started = time.perf_counter()
        setup = run_sync(settings, database, SyncRequest(actor="bench", full=True))
        full_sync_seconds = time.perf_counter() - setup_started
        memory_after_full_sync = peak_memory_mib()
        # A second run pulls back the owners the first one wrote: the steady state of a night.
        run_sync(settings, database, SyncRequest(actor="bench"))
        nightly = load_settings(None, overrides=overrides)
        runs = [
            timed_run(sandbox, database, nightly, settings.sync.lookback_seconds)
            for _ in range(RUNS)
        ]
        database.dispose()
    finally:
        sandbox.stop()
    report.rows += [
        *timed_rows(runs),
        [
            f"peak memory after the setup's full sync with write-back ({ACCOUNTS:,} per CRM)",
            f"{memory_after_full_sync:,.0f} MiB",
        ],
        ["peak memory of the product process (whole benchmark)", f"{peak_memory_mib():,.0f} MiB"],
    ]
    for size in FULL_SYNC_MEMORY_ACCOUNTS:
        alone = measured_apart(size)
        report.rows.append(
            [
                f"peak memory of a full sync with write-back alone ({size:,} per CRM, "
                f"{alone['written']:,.0f} owners written, fresh process)",
                f"{alone['peak']:,.0f} MiB ({alone['before']:,.0f} MiB before the sync)",
            ]
        )
    report.notes.append(
        f"Seeded per CRM: {seeded_line(setup.figures['pull'])}. Setup's full sync with "
        f"write-back took {full_sync_seconds:.0f} s (limits raised, no latency); {RUNS} timed "
        "runs followed on the same book, each after aging it (accounts, contacts and "
        "opportunities modified before the cursors' lookback) and moving 5% again. Load average "
        f"when the benchmark ended: {load_average()} (a shared 2-core machine)."
    )
    return report


def seeded_line(pulled: dict[str, Any]) -> str:
    """What the setup's full pull read from each CRM: accounts and related records."""
    return "; ".join(
        f"{source} {pulled[source]['pulled']:,} accounts"
        + "".join(
            f", {PLURAL[k]} {v['pulled']:,}" for k, v in pulled[source].get("related", {}).items()
        )
        for source in ("salesforce", "hubspot")
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["full-sync-memory"]:
        limit_malloc_arenas()  # as the product's entry point does
        print(json.dumps(full_sync_memory(int(sys.argv[2]))))
