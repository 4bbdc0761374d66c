"""Rows written before keyed hashing (plain SHA-256) survive the upgrade as a legacy segment."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sync.audit import GENESIS_HASH, legacy_row_hash
from sync.audit_verify import verify_audit
from sync.store.database import Database, create_db_engine
from sync.store.migrate import alembic_config, upgrade_to_head
from tests.sync.audit_support import audit_rows, decisions, logged_run


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_before_keyed_audit(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Database]:
    """A database at revision 0003, the schema before the keyed audit chain."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        admin, name = None, None
    else:
        server: str = request.getfixturevalue("postgres_server_url")
        name = f"territory_sync_legacy_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    database = Database(url, create_db_engine(url))
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    try:
        yield database
    finally:
        database.dispose()
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def write_legacy_log(database: Database, rows: int) -> None:
    """Rows as the product wrote them before: an unkeyed SHA-256 chain."""
    started = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    with database.engine.begin() as connection:
        run_id = connection.execute(
            text(
                "INSERT INTO runs (kind, trigger, actor, status, dry_run, started_at, finished_at,"
                " scope, figures) VALUES ('sync', 'cli', 'ana', 'succeeded', false, :started, "
                ":finished, '{}', '{}') RETURNING id"
            ),
            {"started": started, "finished": started + timedelta(hours=1)},
        ).scalar_one()
        previous = GENESIS_HASH
        for n, record in enumerate(decisions(run_id, rows)):
            content = {k: v for k, v in vars(record).items() if k != "at"}
            at = started + timedelta(minutes=n)
            digest = legacy_row_hash(content, at, previous)
            connection.execute(
                text(
                    "INSERT INTO audit_log (at, run_id, trigger, actor, source, external_id, "
                    "account_name, old_owner_id, new_owner_id, territory, rule, reason, status, "
                    "attempts, prev_hash, row_hash) VALUES (:at, :run_id, :trigger, :actor, "
                    ":source, :external_id, :account_name, :old_owner_id, :new_owner_id, "
                    ":territory, :rule, :reason, :status, :attempts, :prev_hash, :row_hash)"
                ),
                {**content, "at": at, "prev_hash": previous, "row_hash": digest},
            )
            previous = digest


def test_an_upgraded_legacy_log_verifies_and_says_it_is_protected_against_naive_edits_only(
    database_before_keyed_audit: Database,
) -> None:
    database = database_before_keyed_audit
    write_legacy_log(database, rows=4)
    upgrade_to_head(database)
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    assert report.intact
    assert [segment.describe() for segment in report.segments] == [
        "rows 1-4 (4): legacy segment, plain SHA-256 written before keyed signing "
        "(protected against naive edits only)"
    ]


def test_the_first_signed_row_after_the_upgrade_rotates_the_key_onto_the_legacy_head(
    database_before_keyed_audit: Database,
) -> None:
    database = database_before_keyed_audit
    write_legacy_log(database, rows=4)
    upgrade_to_head(database)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        rows = audit_rows(connection)
        report = verify_audit(connection)
    assert [row["seq"] for row in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[4]["status"] == "key_rotated"
    assert rows[4]["prev_hash"] == rows[3]["row_hash"]
    assert report.intact
    assert [segment.key_id is None for segment in report.segments] == [True, False]


def test_an_edited_legacy_row_is_still_caught(database_before_keyed_audit: Database) -> None:
    database = database_before_keyed_audit
    write_legacy_log(database, rows=4)
    upgrade_to_head(database)
    logged_run(database, rows=1)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET new_owner_id = '005EVIL' WHERE id = 2"))
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        "row 2: its content does not match its hash (edited)"
    ]
