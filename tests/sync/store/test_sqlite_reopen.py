"""Opening the SQLite database again in a process that has it open keeps that process's locks.

The scheduler opens the database once for its own state and again for every run. Were the file
checked through a plain file handle, closing that handle would drop the process's POSIX locks on
it, and another command finishing meanwhile would take itself for the last reader and delete the
write-ahead log still in use: the next write then damages the database
(https://www.sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from sync.store.database import open_database


def test_reopening_the_database_leaves_the_write_ahead_log_to_the_process_using_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "territory-sync.db"
    url = f"sqlite:///{path}"
    held = open_database(url)
    try:
        with held.engine.connect() as connection:  # the pool keeps this connection open
            connection.execute(text("SELECT 1"))
        again = open_database(url)  # as a scheduled run does, beside the scheduler's own
        again.dispose()
        reader = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT count(*) FROM sqlite_master').fetchall(); c.close()"
        )
        subprocess.run([sys.executable, "-c", reader, str(path)], check=True)
        assert path.with_name(path.name + "-wal").exists()
        with held.engine.begin() as connection:
            connection.execute(text("SELECT count(*) FROM alembic_version"))
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        held.dispose()
