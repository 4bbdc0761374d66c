"""Verifying streams the log: its memory stays under a fixed bound however long the log is."""

from __future__ import annotations

import tracemalloc

from sync.audit import append_audit
from sync.audit_verify import VerifyReport, verify_audit
from sync.runs import open_run
from sync.store.database import Database
from tests.sync.audit_support import decisions

LOG_ROWS = 40_000
APPEND_CHUNK = 5_000
VERIFY_BATCH = 1_000
# Bytes: a batch of 1,000 rows and what checking it allocates, whatever the log's length. Keeping
# every row of this log would take about 120 MB, and even a dict of every row's hash about 10 MB.
MEMORY_BOUND = 8 * 1024 * 1024


def grow_log(database: Database, run_id: int, rows: int) -> None:
    for _ in range(rows // APPEND_CHUNK):
        with database.engine.begin() as connection:
            append_audit(connection, decisions(run_id, APPEND_CHUNK))


def traced_verify(database: Database) -> tuple[VerifyReport, int]:
    with database.engine.connect() as connection:
        tracemalloc.start()
        try:
            report = verify_audit(connection, batch=VERIFY_BATCH)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return report, peak


def test_verifying_40000_rows_stays_under_a_bound_set_by_the_batch_not_the_log(
    database: Database,
) -> None:
    run_id = open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    grow_log(database, run_id, LOG_ROWS)
    report, peak = traced_verify(database)
    assert report.intact
    assert report.rows_checked == LOG_ROWS
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MiB"
