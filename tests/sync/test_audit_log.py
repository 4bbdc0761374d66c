"""The audit log is append-only and tamper-evident: edits and deletions are caught by verify."""

from __future__ import annotations

from sqlalchemy import text

from sync.audit import AuditRecord, append_audit, verify_audit
from sync.runs import close_run, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus


def decisions(run_id: int, count: int) -> list[AuditRecord]:
    return [
        AuditRecord(
            run_id=run_id,
            trigger="cli",
            actor="ana@example.com",
            status="written",
            source="salesforce",
            external_id=f"001{n:015d}",
            account_name=f"Company {n}",
            old_owner_id="005OLD",
            new_owner_id="005NEW",
            territory="NA-West",
            rule="balanced",
            reason="new account goes to the least loaded member",
        )
        for n in range(count)
    ]


def logged_run(database: Database, rows: int = 5) -> int:
    run_id = open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    with database.engine.begin() as connection:
        append_audit(connection, decisions(run_id, rows))
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures={})
    return run_id


def test_an_untouched_log_verifies_as_intact(database: Database) -> None:
    logged_run(database)
    logged_run(database)
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    assert report.intact
    assert report.rows_checked == 10


def test_editing_a_row_is_caught_and_named(database: Database) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET new_owner_id = '005EVIL' WHERE id = 3"))
        report = verify_audit(connection)
    assert report.problems == ["row 3: its content does not match its hash (edited)"]


def test_deleting_a_row_in_the_middle_is_caught(database: Database) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
        report = verify_audit(connection)
    assert report.problems == [
        "row 3: its link to the previous row is broken (a row after row 1 was deleted or edited)"
    ]


def test_deleting_the_newest_rows_is_caught_through_the_run_that_wrote_them(
    database: Database,
) -> None:
    run_id = logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id >= 4"))
        report = verify_audit(connection)
    assert report.problems == [
        f"run {run_id} ended with audit row 5, which is missing or changed "
        "(rows at the end of the log were deleted or edited)"
    ]


def test_rows_appended_by_later_runs_chain_onto_earlier_ones(database: Database) -> None:
    logged_run(database, rows=2)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        hashes = connection.execute(
            text("SELECT prev_hash, row_hash FROM audit_log ORDER BY id")
        ).all()
    assert all(hashes[i][0] == hashes[i - 1][1] for i in range(1, len(hashes)))
