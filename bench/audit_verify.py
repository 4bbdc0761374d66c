"""Verifying a 1,000,000-row audit log on SQLite: wall time and peak memory of `verify_audit`.

The log is built fast but faithfully: records are signed by the product's own `signed_rows` (the
keyed HMAC chain `append_audit` writes) and inserted 50,000 at a time in one transaction, with the
chain head saved at the end and the run closed as a real run closes (its signed head and the
checkpoint line). A log of 100,000 rows is built the same way, to show that memory does not grow
with the log. Each verify runs in a fresh process, so its peak resident memory is its own; every
size is verified `REPEATS` times and reported as the median and the spread (lowest-highest).
Nothing about time is asserted.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bench.report import Report, median_and_spread
from sync.audit import AUDIT, AuditRecord, lock_chain_head, save_chain_head, signed_rows
from sync.audit_keys import AUDIT_KEY_ENV_VAR, current_audit_key
from sync.runs import close_run, open_run
from sync.store.database import open_database
from sync.store.runs import RunStatus

SIZES = (100_000, 1_000_000)
REPEATS = 3
INSERT_CHUNK = 50_000
BENCH_AUDIT_KEY = "territory-sync-benchmark-audit-key-never-for-production"


def records(run_id: int, start: int, count: int, first_at: datetime) -> list[AuditRecord]:
    return [
        AuditRecord(
            run_id=run_id,
            trigger="schedule",
            actor="scheduler",
            status="written" if n % 10 else "planned",
            source="salesforce" if n % 2 else "hubspot",
            external_id=f"0015g{n:013d}",
            account_name=f"Company {n} Holdings",
            old_owner_id="0055g0000000001AAA",
            old_owner_email="maya.chen@acme-revenue.example",
            new_owner_id="0055g0000000002AAA",
            new_owner_email="daniel.okafor@acme-revenue.example",
            territory="NA-West",
            rule="balanced",
            reason="NA-West matches; daniel.okafor@acme-revenue.example is the least loaded member",
            attempts=1,
            change_id=n + 1,
            at=first_at + timedelta(microseconds=n),
        )
        for n in range(start, start + count)
    ]


def build_log(path: Path, rows: int) -> float:
    """A signed log of `rows` rows in one closed run; returns the seconds it took."""
    started = time.perf_counter()
    database = open_database(f"sqlite:///{path}")
    key = current_audit_key("building the benchmark's audit log")
    run_id = open_run(database, kind="sync", trigger="schedule", actor="scheduler")
    first_at = datetime.now(UTC) - timedelta(hours=1)
    with database.engine.begin() as connection:
        head = lock_chain_head(connection)
        for start in range(0, rows, INSERT_CHUNK):
            batch, head = signed_rows(
                key, head, records(run_id, start, min(INSERT_CHUNK, rows - start), first_at)
            )
            connection.execute(AUDIT.insert(), batch)
        last_id = connection.execute(select(AUDIT.c.id).where(AUDIT.c.seq == head.count))
        save_chain_head(connection, replace(head, last_id=int(last_id.scalar_one())), key)
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures={})
    database.dispose()
    return time.perf_counter() - started


def peak_rss_mib() -> float:
    """This process image's peak resident memory. Linux's `ru_maxrss` keeps the parent's peak
    across fork and exec, so a child started by a large parent would report the parent's size;
    /proc/self/status's VmHWM belongs to this process image alone."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verify_once(path: str) -> None:
    """In a fresh process: verify the log at `path` and print seconds, peak memory, outcome."""
    from sync.audit_checkpoint import default_checkpoint_file
    from sync.audit_verify import verify_audit

    database = open_database(f"sqlite:///{path}")
    before = peak_rss_mib()
    started = time.perf_counter()
    with database.engine.connect() as connection:
        report = verify_audit(connection, checkpoint_file=default_checkpoint_file(database))
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    database.dispose()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak,
                "before_mib": before,
                "rows": report.rows_checked,
                "intact": report.intact,
            }
        )
    )


def verify_in_child(path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.audit_verify", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> Report:
    os.environ.setdefault(AUDIT_KEY_ENV_VAR, BENCH_AUDIT_KEY)
    report = Report(
        name="audit_verify",
        title="Audit log verify (1,000,000 signed rows, SQLite)",
        target=(
            "constant memory: peak resident memory does not grow with the log's length; "
            "wall time reported, not targeted"
        ),
        columns=[
            "rows",
            "verify wall time, median (spread)",
            "rows/s (median)",
            "peak RSS, median (spread)",
            "RSS before verifying (median)",
            "intact",
        ],
    )
    builds = []
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            path = Path(folder) / f"audit-{size}.db"
            builds.append(f"{size:,} rows in {build_log(path, size):,.0f} s")
            runs = [verify_in_child(path) for _ in range(REPEATS)]
            seconds = [r["seconds"] for r in runs]
            report.rows.append(
                [
                    f"{size:,}",
                    median_and_spread(seconds, "s", 1),
                    f"{size / statistics.median(seconds):,.0f}",
                    median_and_spread([r["peak_mib"] for r in runs], "MiB", 0),
                    f"{statistics.median(r['before_mib'] for r in runs):,.0f} MiB",
                    "yes" if all(r["intact"] and r["rows"] == size for r in runs) else "NO",
                ]
            )
            path.unlink()
    report.notes.append(
        f"{REPEATS} verifies per size, each in a fresh process (peak RSS is that process's own, "
        "interpreter and libraries included; 'before verifying' is after opening the database). "
        "Verify reads 5,000 rows a batch and checks each row's HMAC, place and run, then the end "
        "of the log against the chain head, the run's head and the checkpoint file. Most of the "
        "growth while verifying is one batch of rows and SQLite's page cache, which the store "
        "caps per connection (`sync.store.database`) and which the first rows read fill. Logs "
        "built with the product's signing code and 50,000-row inserts: "
        f"{'; '.join(builds)}."
    )
    return report


if __name__ == "__main__":
    verify_once(sys.argv[1])
