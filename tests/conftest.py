"""Shared fixtures: a migrated database on SQLite and, when configured, on PostgreSQL.

Database tests take the `database` fixture and run once per database. PostgreSQL runs when
`TERRITORY_SYNC_TEST_POSTGRES_URL` names a server the tests may create databases on (CI sets it:
postgresql://postgres@127.0.0.1:5432/test), or, when it is unset, when a server answers at that
local address, so a developer's `make test` covers what CI covers; otherwise those cases are
skipped with that hint.

Every test runs with an audit signing key in `TERRITORY_SYNC_AUDIT_KEY` (none from a previous
rotation) and its run checkpoints in its own temporary folder, so neither the key nor a
checkpoint file comes from the machine the tests run on.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sandbox.launcher import RunningSandbox, start_sandbox
from sync.store.database import Database, create_db_engine, normalise_database_url, open_database

# Test workers run with the terminal width the parallel runner hands them (COLUMNS=80); the
# command line's console would fix its width to it at import. Tests that need a width set COLUMNS
# themselves, as a person's shell would.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.pop("COLUMNS", None)

# Property tests draw the same examples on every run and every machine (a fixed seed per test,
# no saved examples), so the suite never passes or fails by luck; widen a search on purpose by
# raising `max_examples` locally.
hypothesis_settings.register_profile("territory-sync", derandomize=True, database=None)
hypothesis_settings.load_profile("territory-sync")

AUDIT_TEST_KEY = "territory-sync-test-audit-key-0123456789abcdef"
POSTGRES_ENV_VAR = "TERRITORY_SYNC_TEST_POSTGRES_URL"
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
POSTGRES_SKIP_REASON = (
    f"PostgreSQL tests need {POSTGRES_ENV_VAR}, e.g. "
    f"{POSTGRES_ENV_VAR}=postgresql://postgres@127.0.0.1:5432/test (make test sets it in CI)"
)


@pytest.fixture(scope="session", autouse=True)
def audit_key() -> Iterator[str]:
    """The audit signing key every test (and every module or session fixture) runs with."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TERRITORY_SYNC_AUDIT_KEY", AUDIT_TEST_KEY)
        patch.delenv("TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS", raising=False)
        yield AUDIT_TEST_KEY


@pytest.fixture(autouse=True)
def fresh_log_handlers() -> Iterator[None]:
    """Each test starts with no log handlers on the product's and APScheduler's loggers: a
    command run by an earlier test binds its handler to that test's captured standard error,
    which is closed by the time a later test logs ("--- Logging error ---")."""
    yield
    for name in ("territory_sync", "apscheduler"):
        named = logging.getLogger(name)
        for handler in list(named.handlers):
            named.removeHandler(handler)


@pytest.fixture(autouse=True)
def audit_checkpoints(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where the runs of a test append their audit checkpoints: the test's own folder."""
    path = tmp_path / "territory-sync.audit-checkpoints"
    monkeypatch.setenv("TERRITORY_SYNC_AUDIT_CHECKPOINT_FILE", str(path))
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    database = open_database(f"sqlite:///{path}", upgrade=True)
    with database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return path


def _local_postgres() -> str | None:
    """The local server's URL when one answers there within a second."""
    engine = create_engine(
        normalise_database_url(LOCAL_POSTGRES_URL), connect_args={"connect_timeout": 1}
    )
    try:
        with engine.connect():
            return LOCAL_POSTGRES_URL
    except Exception:
        return None
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV_VAR) or _local_postgres()
    if not url:
        pytest.skip(POSTGRES_SKIP_REASON)
    return normalise_database_url(url)


@pytest.fixture(scope="session")
def postgres_session_database(postgres_server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated once, dropped at the end."""
    name = f"territory_sync_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    database = open_database(url, upgrade=True)
    database.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(database: Database) -> None:
    with database.engine.begin() as connection:
        tables = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            quoted = ", ".join(f'"{t}"' for t in tables)
            connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated database: an SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "territory-sync.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        db = Database(url, create_db_engine(url))
    else:
        url = request.getfixturevalue("postgres_session_database")
        db = Database(url, create_db_engine(url))
        _truncate_all(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def database_url(database: Database) -> str:
    return database.url


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """Both CRM emulators, seeded with a small realistic book, on free loopback ports."""
    running = start_sandbox(accounts=300, seed=7)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox_env(sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    """The sandbox, with the environment pointing the connectors at it (as `sandbox` prints)."""
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    return sandbox
