"""Appends are serialised by the chain head: writers appending at the same time never fork it."""

from __future__ import annotations

import threading

from sqlalchemy import text

from sync.audit import append_audit
from sync.audit_verify import verify_audit
from sync.runs import open_run
from sync.store.database import Database, create_db_engine
from tests.sync.audit_support import decisions

WRITERS = 2
APPENDS_EACH = 25
ROWS_EACH_APPEND = 3


def test_two_writers_appending_at_once_never_fork_the_chain(database: Database) -> None:
    run_id = open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def writer() -> None:
        engine = create_db_engine(database.url)  # one engine (and connection) per writer
        try:
            start.wait()
            for _ in range(APPENDS_EACH):
                with engine.begin() as connection:
                    append_audit(connection, decisions(run_id, ROWS_EACH_APPEND))
        except BaseException as error:  # reported by the test below
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with database.engine.connect() as connection:
        report = verify_audit(connection)
        places = connection.execute(text("SELECT seq FROM audit_log ORDER BY id")).scalars().all()
        links = connection.execute(text("SELECT COUNT(DISTINCT prev_hash) FROM audit_log")).scalar()
    total = WRITERS * APPENDS_EACH * ROWS_EACH_APPEND
    assert report.intact, report.problems
    assert places == list(range(1, total + 1))
    assert links == total  # no two rows chain onto the same previous row
