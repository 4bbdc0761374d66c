"""The run lock: one run at a time, across processes and machines.

On SQLite the lock is an exclusive `flock` on a file beside the database (`<db>.lock`); on
PostgreSQL it is a session advisory lock held on a dedicated connection for the whole run. Either
way the operating system or the server releases it when the holder dies, even by `kill -9`. The
holder writes who it is (run id, start time, pid, host) so a refused run can say who holds it.
PostgreSQL ends a killed holder's session (and so frees its lock) a moment after the connection
drops; a run that finds the lock held by a process that no longer exists on this machine waits up
to `DEAD_HOLDER_WAIT_SECONDS` for that instead of being refused by a dead process.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, select, text

from sync.store.database import Database
from sync.store.runs import Run, RunStatus
from territory_sync.errors import RunLockedError

ADVISORY_LOCK_KEY = 0x7E5511C  # "territory-sync", as one bigint for pg_try_advisory_lock
DEAD_HOLDER_WAIT_SECONDS = 5.0
"""How long a run waits for the PostgreSQL lock of a holder that has just died on this machine."""


@dataclass
class LockHolder:
    run_id: int | None
    started_at: str | None
    pid: int | None
    host: str | None

    def describe(self) -> str:
        who = f"run {self.run_id}" if self.run_id is not None else "a run"
        when = f" started {self.started_at}" if self.started_at else ""
        where = f" (pid {self.pid} on {self.host})" if self.pid else ""
        return f"{who}{when}{where}"


@dataclass
class RunLock:
    """Acquire with `acquire()`; record the run id with `claim(run_id)`; `release()` at the end."""

    database: Database
    _file: IO[str] | None = None
    _connection: Connection | None = None
    _claim: dict[str, Any] = field(default_factory=dict)

    @property
    def lock_path(self) -> Path:
        path = self.database.sqlite_path
        assert path is not None
        return path.with_name(path.name + ".lock")

    def acquire(self) -> None:
        if self.database.is_sqlite:
            self._acquire_file()
        else:
            self._acquire_advisory()

    def _acquire_file(self) -> None:
        path = self.lock_path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _holder_from_text(handle.read())
            handle.close()
            raise RunLockedError(f"another run holds the lock: {holder.describe()}") from None
        self._file = handle
        self._write_claim(run_id=None)

    def _acquire_advisory(self) -> None:
        gone_deadline = time.monotonic() + DEAD_HOLDER_WAIT_SECONDS
        while True:
            connection = self.database.engine.connect()
            locked = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            connection.commit()
            if locked:
                self._connection = connection
                return
            connection.close()
            holder = self._running_run_holder()
            # The holder records its run right after taking the lock: give it a moment.
            for _ in range(20):
                if holder.run_id is not None:
                    break
                time.sleep(0.05)
                holder = self._running_run_holder()
            if died_on_this_host(holder.pid, holder.host) and time.monotonic() < gone_deadline:
                # Killed (kill -9, a crash) a moment ago: the server ends its session, and so
                # releases the lock, as soon as it sees the connection drop.
                time.sleep(0.1)
                continue
            raise RunLockedError(f"another run holds the lock: {holder.describe()}")

    def _running_run_holder(self) -> LockHolder:
        runs = Run.__table__  # type: ignore[attr-defined]
        with self.database.engine.connect() as connection:
            row = connection.execute(
                select(runs.c.id, runs.c.started_at, runs.c.pid, runs.c.host)
                .where(runs.c.status == RunStatus.RUNNING.value)
                .order_by(runs.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return LockHolder(None, None, None, None)
        return LockHolder(row[0], row[1].isoformat(timespec="seconds"), row[2], row[3])

    def claim(self, run_id: int) -> None:
        """Name the run that holds the lock (the file form; PostgreSQL reads the runs table)."""
        if self._file is not None:
            self._write_claim(run_id=run_id)

    def _write_claim(self, run_id: int | None) -> None:
        assert self._file is not None
        self._claim = {
            "run_id": run_id,
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "host": socket.gethostname(),
        }
        self._file.seek(0)
        self._file.truncate()
        self._file.write(json.dumps(self._claim))
        self._file.flush()

    def release(self) -> None:
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            self._connection.commit()
            self._connection.close()
            self._connection = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def died_on_this_host(pid: int | None, host: str | None) -> bool:
    """Whether process `pid` of machine `host` ran on this machine and no longer exists."""
    if pid is None or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _holder_from_text(content: str) -> LockHolder:
    try:
        data = json.loads(content) if content.strip() else {}
    except json.JSONDecodeError:
        data = {}
    return LockHolder(data.get("run_id"), data.get("started_at"), data.get("pid"), data.get("host"))


def current_holder(database: Database) -> LockHolder | None:
    """Who holds the run lock now, as far as can be read without taking it (for messages)."""
    if database.is_sqlite:
        lock = RunLock(database)
        if lock.database.sqlite_path is None:
            return None
        try:
            content = lock.lock_path.read_text(encoding="utf-8")
        except OSError:
            return None
        holder = _holder_from_text(content)
        return holder if holder.pid is not None else None
    holder = RunLock(database)._running_run_holder()
    return holder if holder.run_id is not None else None
