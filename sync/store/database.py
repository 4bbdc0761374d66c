"""The engine of the product's database: an SQLite file by default, PostgreSQL by URL.

`open_database()` is the one way in: it builds the engine with the right settings per dialect
and applies pending migrations first, so every command and service works on a fresh or outdated
database; the upgrade is serialised (`sync.store.migrate`), so processes started together migrate
it once. With `upgrade=False` (`[database] migrate_on_open = false`, for a PostgreSQL server whose
schema changes only by `territory-sync db upgrade`) an outdated database is refused instead.

A database that cannot be opened is a `DatabaseError` of one line naming it and what to do: an
SQLite path in a missing folder, a file that is not SQLite or not a territory-sync database, a
read-only or damaged file (`sync.store.sqlite_file`), a schema from another version, a server
that does not answer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, create_engine, delete, event, false
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from sync.store.sqlite_file import check_sqlite_file, error_for_sqlite
from territory_sync.errors import DatabaseError


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable database URL)"


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 2 MiB a connection (the pool holds several, and the write-back's threads each use one):
    # every connection's cache fills as it reads, and counts in a run's peak memory. With 64
    # MiB a full sync at 50,000 accounts per CRM peaked at 508 MiB, with 8 at 265, with 2 at 248;
    # the upsert benchmark's SQLite passes (200,000 accounts) were no slower with 2 than with 8
    # (72-74k vs 64-65k rows/s inserted, 76k vs 57-59k updated, two runs each, same machine).
    cursor.execute("PRAGMA cache_size=-2048")
    cursor.close()


def take_sqlite_write_lock(connection: Connection, table: Table) -> None:
    """On SQLite, take the database's write lock now, before the transaction reads anything:
    a write that changes nothing (a delete of no row of `table`) waits for any other writer
    (`busy_timeout`). A transaction that read first would hold a snapshot, and its first write
    would be refused at once ("database is locked": waiting cannot help) if another process
    committed in between. Nothing on PostgreSQL, whose transactions read committed rows."""
    if connection.dialect.name == "sqlite":
        connection.execute(delete(table).where(false()))


def _sqlite_file(database: str | None, *, uri: object) -> Path | None:
    """The file an SQLite URL names; None for an in-memory database or an SQLite `file:` URI,
    whose options (mode=ro...) are the caller's own business."""
    if not database or database == ":memory:" or (uri and database.startswith("file:")):
        return None
    return Path(database).expanduser()


def create_db_engine(url: str) -> Engine:
    """An engine for the URL; an SQLite file is checked first (`sync.store.sqlite_file`): a
    missing folder, a file that is not a territory-sync database or is read-only are refused."""
    url = normalise_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"database URL {url!r} is not valid; use sqlite:///path/to/file.db or "
            "postgresql://user@host:5432/dbname"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed.database, uri=parsed.query.get("uri"))
        if path is not None:
            check_sqlite_file(path)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # A server that stops answering fails a new connection after 10 s instead of hanging a
        # run or a scheduler's stop (libpq's connect_timeout, seconds).
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"connect_timeout": 10},
        )
    raise DatabaseError(
        f"database {parsed.get_backend_name()!r} is not supported; use SQLite or PostgreSQL"
    )


@dataclass
class Database:
    url: str
    engine: Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        database = self.engine.url.database
        if not self.is_sqlite or not database or database == ":memory:":
            return None
        return Path(database)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = True) -> Database:
    """Connect, then migrate to the latest schema (`upgrade`) or check that it is there."""
    from sync.store.migrate import check_current, upgrade_to_head

    database = Database(normalise_database_url(url), create_db_engine(url))
    try:
        if upgrade:
            upgrade_to_head(database)
        else:
            check_current(database)
    except (SQLAlchemyDatabaseError, CommandError) as exc:
        database.dispose()
        raise _opening_error(database, exc) from exc
    except BaseException:
        database.dispose()
        raise
    return database


def _opening_error(database: Database, error: Exception) -> DatabaseError:
    """One line for what went wrong opening the database, naming it and what to do."""
    where = str(database.sqlite_path) if database.sqlite_path else redact_url(database.url)
    if isinstance(error, CommandError):
        # Alembic cannot find the database's revision among this version's migrations.
        return DatabaseError(
            f"the database {where} has a schema this version of territory-sync does not know "
            f"({error}): it was made by a newer territory-sync (use that version) or by another "
            "application (point [database] url, or --database-url, at the territory-sync database)"
        )
    original = getattr(error, "orig", None)
    path = database.sqlite_path
    if path is not None and isinstance(original, sqlite3.Error):
        return error_for_sqlite(path, original)
    detail = " ".join(str(original or error).split())  # drivers' messages span lines
    return DatabaseError(f"cannot reach the database at {where}: {detail}")
