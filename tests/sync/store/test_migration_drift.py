"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL.

After upgrading to head, Alembic's autogenerate comparison of the database with the one metadata
(`migrations.schema`) must find nothing to do: a difference is a migration to write or a model to
fix, and an autogenerate run would otherwise propose it (dropping a table missing from the
metadata, say). Alembic's own command line works from the repository root too (`alembic.ini`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import Column, MetaData, String, inspect

from migrations.schema import target_metadata
from sync.store.database import Database
from sync.store.migrate import current_revision, head_revision
from sync.store.scheduler_jobs import SCHEDULER_JOBS

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


def _differences(database: Database, metadata: MetaData = target_metadata) -> list[Any]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, metadata))


def _alembic(*arguments: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    """Alembic's command line, run from the repository root as a developer would."""
    environment = {k: v for k, v in os.environ.items() if k != "TERRITORY_SYNC_DATABASE_URL"}
    if url is not None:
        environment["TERRITORY_SYNC_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "alembic", *arguments],
        cwd=REPOSITORY_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_database_at_head_matches_the_models_exactly(database: Database) -> None:
    assert current_revision(database) == head_revision()
    differences = _differences(database)
    assert differences == [], "\n".join(str(difference) for difference in differences)


def test_a_column_the_migrations_do_not_create_is_reported_as_a_difference(
    database: Database,
) -> None:
    ahead = MetaData()
    for table in target_metadata.tables.values():
        table.to_metadata(ahead)
    ahead.tables["accounts"].append_column(Column("nickname", String(40)))
    (difference,) = _differences(database, ahead)
    assert difference[0] == "add_column"
    assert (difference[2], difference[3].name) == ("accounts", "nickname")


def test_every_table_of_the_database_is_in_the_one_metadata(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(target_metadata.tables)


def test_the_scheduler_table_in_the_metadata_is_the_one_apscheduler_defines() -> None:
    store = SQLAlchemyJobStore(url="sqlite://", tablename=SCHEDULER_JOBS.name)
    theirs = {column.name: repr(column.type) for column in store.jobs_t.columns}
    ours = {column.name: repr(column.type) for column in SCHEDULER_JOBS.columns}
    assert ours == theirs
    assert {index.name for index in store.jobs_t.indexes} == {
        index.name for index in SCHEDULER_JOBS.indexes
    }


def test_alembic_upgrades_a_new_database_named_by_the_environment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    upgraded = _alembic("upgrade", "head", url=url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = _alembic("current", url=url)
    assert current.returncode == 0, current.stderr
    assert f"{head_revision()} (head)" in current.stdout


def test_alembic_check_finds_nothing_to_generate_for_a_database_at_head(
    database: Database,
) -> None:
    checked = _alembic("-x", f"url={database.url}", "check")
    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


def test_alembic_without_a_database_says_how_to_name_one() -> None:
    answer = _alembic("current")
    assert answer.returncode != 0
    assert "set TERRITORY_SYNC_DATABASE_URL or pass -x url=" in answer.stderr
    assert "Traceback" not in answer.stderr
