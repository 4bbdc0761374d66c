"""Five processes started at once on a fresh database all come up, and the schema is migrated
once: the scheduler, the console and three command-line reads, on SQLite and on PostgreSQL."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sync.store.database import Database, create_db_engine
from sync.store.migrate import current_revision, head_revision
from territory_sync.errors import ExitCode
from tests.end_to_end.scheduler_processes import Process, territory_sync, wait_for

READS = (("runs", "--json"), ("holds", "list"), ("links",))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database nobody has opened yet: a new SQLite path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server: str = request.getfixturevalue("postgres_server_url")
    name = f"territory_sync_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrations_run(processes: list[Process]) -> int:
    return sum(p.stderr().count('"event": "database.migrated"') for p in processes)


@pytest.mark.slow
def test_five_processes_started_together_on_a_fresh_database_all_start_and_migrate_it_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    options = {
        "database_url": fresh_database_url,
        "environment": {"TERRITORY_SYNC_LOGGING_LEVEL": "info"},
    }
    processes = [
        territory_sync(None, tmp_path, "scheduler", "scheduler", **options),
        territory_sync(None, tmp_path, "console", "serve", "--port", str(port), **options),
        *(
            territory_sync(None, tmp_path, f"read-{n}", *read, **options)
            for n, read in enumerate(READS)
        ),
    ]
    scheduler, console, *reads = processes
    try:
        for read in reads:
            assert read.wait(60) == ExitCode.OK, read.output()
        wait_for(lambda: "next run: " in scheduler.stdout(), "the scheduler", watching=(scheduler,))

        def console_answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_for(console_answers, "the console", watching=(console,))
        assert scheduler.stop() == ExitCode.OK, scheduler.output()
        console.stop()
    finally:
        for process in processes:
            process.kill()

    for process in processes:
        assert "Traceback" not in process.stdout() + process.stderr(), process.output()
    assert migrations_run(processes) == 1, "\n".join(p.output() for p in processes)
    database = Database(fresh_database_url, create_db_engine(fresh_database_url))
    try:
        assert current_revision(database) == head_revision()
    finally:
        database.dispose()
