"""Engine and sessions for the product's database: an SQLite file by default, PostgreSQL by URL.

`open_database()` is the one way in: it builds the engine with the right settings per dialect
and, for an embedded SQLite file, applies pending migrations first, so every command works on a
fresh machine. A PostgreSQL database is upgraded explicitly (`territory-sync db upgrade`), because
a shared server is not something a read-only command should alter.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session

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
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: keeps the upsert's index pages in memory
    cursor.close()


def create_db_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(
            f"database URL {url!r} is not valid; use sqlite:///path/to/file.db or "
            "postgresql://user@host:5432/dbname"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
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

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool | None = None) -> Database:
    """Connect; `upgrade` None means: migrate an SQLite file automatically, check PostgreSQL."""
    from sync.store.migrate import check_current, upgrade_to_head

    database = Database(normalise_database_url(url), create_db_engine(url))
    try:
        if upgrade or (upgrade is None and database.is_sqlite):
            upgrade_to_head(database)
        else:
            check_current(database)
    except OperationalError as exc:
        database.dispose()
        raise DatabaseError(
            f"cannot reach the database at {redact_url(database.url)}: {exc.orig}"
        ) from exc
    return database
