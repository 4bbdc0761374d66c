"""One scheduler per SQLite database: an exclusive `flock` on `<db>.scheduler.lock`.

Schedulers can share a PostgreSQL database (one runs each fire time, the others stand by), but an
SQLite file lives on one machine, where a second scheduler adds nothing but contention; it is
refused at start with who holds the file. The operating system releases the lock when the holder
dies, even by `kill -9`.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.scheduling.instances import SchedulerInstance
from sync.store.database import Database
from territory_sync.errors import SchedulerRunningError


def scheduler_lock_path(sqlite_path: Path) -> Path:
    return sqlite_path.with_name(sqlite_path.name + ".scheduler.lock")


def _holder(text: str) -> str:
    try:
        data = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError:
        data = {}
    if not data.get("pid"):
        return "another scheduler"
    return f"pid {data['pid']} on {data.get('host')}, started {data.get('started_at')}"


@contextmanager
def only_scheduler(database: Database, instance: SchedulerInstance) -> Iterator[None]:
    """Hold the scheduler lock of an SQLite file for the block; nothing for PostgreSQL."""
    path = database.sqlite_path
    if path is None:
        yield
        return
    lock_path = scheduler_lock_path(path)
    handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise SchedulerRunningError(
                f"another scheduler is running on {path} ({_holder(handle.read())}): one "
                f"scheduler per SQLite database (it holds {lock_path}); stop that one first, or "
                "use PostgreSQL to run a standby"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "pid": instance.pid,
                    "host": instance.host,
                    "started_at": instance.started_at.isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()
