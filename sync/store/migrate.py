"""Schema migrations (Alembic), run from code so no `alembic.ini` is needed beside the database.

Upgrades are serialised, so any number of processes opening a fresh or outdated database at once
all come up with the schema migrated exactly once: on SQLite an exclusive `flock` on a file beside
the database (`<db>.migrate.lock`), on PostgreSQL a transaction-level advisory lock taken by the
migration's own transaction. Whoever gets the lock second re-reads the revision and finds nothing
left to do.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

import migrations
from territory_sync.errors import DatabaseError
from territory_sync.logs import log_event

if TYPE_CHECKING:  # avoids an import cycle at run time
    from sync.store.database import Database

MIGRATIONS_DIR = Path(migrations.__file__).parent
MIGRATION_LOCK_KEY = 0x7E5511D
"""The advisory lock (one bigint) that serialises migrations on PostgreSQL; not the run lock's."""
MIGRATION_LOCK_WAIT_SECONDS = 300.0
"""How long an opening waits for another process's migration before giving up."""


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def _revision_on(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return _revision_on(connection)


def migration_lock_path(sqlite_path: Path) -> Path:
    return sqlite_path.with_name(sqlite_path.name + ".migrate.lock")


@contextmanager
def _file_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    """An exclusive flock on `path`, waited for up to `wait_seconds` (released by the OS if the
    holder dies)."""
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseError(
                        f"another process has been migrating the database for over "
                        f"{wait_seconds:.0f} s (it holds {path}): wait for it to finish, or stop "
                        "it and run `territory-sync db upgrade`"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _upgrade(database: Database, connection: Connection, before: str | None) -> None:
    config = alembic_config(database)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
    log_event("database.migrated", revision_from=before, revision_to=head_revision())


def upgrade_to_head(
    database: Database, *, wait_seconds: float = MIGRATION_LOCK_WAIT_SECONDS
) -> None:
    """Migrate to the latest schema unless it is there already, one process at a time."""
    head = head_revision()
    if current_revision(database) == head:
        return
    sqlite_path = database.sqlite_path
    if database.is_sqlite and sqlite_path is None:  # in memory: nobody else can see it
        with database.engine.begin() as connection:
            _upgrade(database, connection, _revision_on(connection))
        return
    if sqlite_path is not None:
        lock = _file_lock(migration_lock_path(sqlite_path), wait_seconds)
        with lock, database.engine.begin() as connection:
            before = _revision_on(connection)
            if before != head:
                _upgrade(database, connection, before)
        return
    with database.engine.begin() as connection:
        # Waited for inside the migration's transaction and released by its commit; a
        # statement timeout turns an endless wait into an error naming the lock.
        connection.execute(text(f"SET LOCAL lock_timeout = '{int(wait_seconds * 1000)}ms'"))
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.execute(text("SET LOCAL lock_timeout = 0"))
        before = _revision_on(connection)
        if before != head:
            _upgrade(database, connection, before)


def check_current(database: Database) -> None:
    current = current_revision(database)
    if current != head_revision():
        state = "empty" if current is None else f"at revision {current}"
        raise DatabaseError(
            f"the database is {state}, not at the latest schema ({head_revision()}); "
            "run `territory-sync db upgrade`"
        )
