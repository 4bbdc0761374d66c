"""Migrations build the whole schema from an empty database and are safe to apply twice."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from sync.store.database import Database, create_db_engine, open_database
from sync.store.migrate import current_revision, head_revision, upgrade_to_head
from territory_sync.errors import DatabaseError

EXPECTED_TABLES = {
    "accounts",
    "reps",
    "company_links",
    "link_overrides",
    "runs",
    "pull_cursors",
    "plans",
    "owner_changes",
    "audit_log",
    "audit_chain_head",
    "apscheduler_jobs",
}


def test_an_empty_sqlite_file_is_migrated_to_the_latest_schema_on_open(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_migrated_on_open_unless_that_is_switched_off(
    postgres_server_url: str,
) -> None:
    name = f"territory_sync_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        with pytest.raises(DatabaseError, match="territory-sync db upgrade"):
            open_database(url, upgrade=False)
        database = open_database(url)
        assert set(inspect(database.engine).get_table_names()) >= EXPECTED_TABLES
        database.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrading_an_up_to_date_database_changes_nothing(database: Database) -> None:
    before = current_revision(database)
    upgrade_to_head(database)
    assert current_revision(database) == before == head_revision()


def test_an_unreachable_database_is_reported_with_its_url_and_no_password() -> None:
    url = "postgresql://app:hunter22secret@127.0.0.1:1/nowhere"
    with pytest.raises(DatabaseError) as caught:
        open_database(url)
    assert "cannot reach the database" in str(caught.value)
    assert "hunter22secret" not in str(caught.value)


def test_an_unsupported_database_url_is_refused_with_the_supported_forms() -> None:
    with pytest.raises(DatabaseError, match="SQLite or PostgreSQL"):
        create_db_engine("mysql://root@127.0.0.1/test")
    with pytest.raises(DatabaseError, match="sqlite:///"):
        create_db_engine("not a url")
