"""The run lock: a second run is refused with the holder's id and start time."""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from sync.lock import ADVISORY_LOCK_KEY, RunLock
from sync.store.database import Database, create_db_engine
from sync.store.runs import Run
from territory_sync.errors import ExitCode, RunLockedError


def test_a_second_run_is_refused_while_the_first_holds_the_lock(database: Database) -> None:
    first = RunLock(database)
    first.acquire()
    first.claim(41)
    try:
        with pytest.raises(RunLockedError) as refused:
            RunLock(database).acquire()
        assert refused.value.exit_code == ExitCode.LOCKED == 4
        assert "another run holds the lock" in str(refused.value)
    finally:
        first.release()


def test_the_lock_is_free_again_after_release(database: Database) -> None:
    with RunLock(database):
        pass
    with RunLock(database):
        pass


def test_sqlite_refusal_names_the_holding_run(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("the lock file is the SQLite form of the lock")
    first = RunLock(database)
    first.acquire()
    first.claim(41)
    try:
        with pytest.raises(RunLockedError, match=r"run 41 started .* \(pid \d+ on "):
            RunLock(database).acquire()
    finally:
        first.release()


def _hold_lock_then_die(url: str, ready: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    database = Database(url, create_db_engine(url))
    lock = RunLock(database)
    lock.acquire()
    ready.set()
    time.sleep(60)


def test_a_killed_holder_releases_the_lock(database: Database, tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    holder = context.Process(target=_hold_lock_then_die, args=(database.url, ready))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(RunLockedError):
            RunLock(database).acquire()
        holder.kill()
        holder.join(10)
        deadline = time.monotonic() + 10
        while True:
            try:
                with RunLock(database):
                    break
            except RunLockedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        if holder.is_alive():
            holder.kill()


def test_a_run_waits_for_the_lock_of_a_holder_that_just_died_on_this_machine(
    database: Database,
) -> None:
    """After a kill -9 the server releases the dead session's advisory lock a moment later; the
    run started right after the crash waits for that rather than being refused."""
    if database.is_sqlite:
        pytest.skip("the operating system releases a dead holder's lock file at once")
    dead_pid = subprocess.Popen(["true"])
    dead_pid.wait()
    with database.engine.begin() as connection:
        connection.execute(
            insert(Run.__table__).values(  # type: ignore[attr-defined]
                kind="sync",
                trigger="cli",
                actor="crashed",
                status="running",
                dry_run=False,
                started_at=datetime.now(UTC),
                host=socket.gethostname(),
                pid=dead_pid.pid,
            )
        )
    lingering = database.engine.connect()
    lingering.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    lingering.commit()

    def server_ends_the_dead_session() -> None:
        lingering.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
        lingering.commit()
        lingering.close()

    ender = threading.Timer(0.5, server_ends_the_dead_session)
    ender.start()
    try:
        with RunLock(database):
            pass
    finally:
        ender.join()
