"""The audit log is append-only and tamper-evident: verify names the first row that does not fit
and what is wrong with it, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from sync.audit import append_audit
from sync.audit_keys import AuditKey, current_audit_key
from sync.audit_verify import verify_audit
from sync.runs import open_run
from sync.store.database import Database
from territory_sync.errors import ConfigurationError, MissingCredentialError
from tests.conftest import AUDIT_TEST_KEY
from tests.sync.audit_support import (
    audit_rows,
    decisions,
    foreign_keys_off,
    logged_run,
    recompute_without_key,
)


def test_an_untouched_log_verifies_as_intact(database: Database) -> None:
    logged_run(database)
    logged_run(database)
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    assert report.intact
    assert report.rows_checked == 10
    assert [segment.rows for segment in report.segments] == [10]


def test_every_row_names_the_key_that_signed_it_and_never_holds_the_key(
    database: Database,
) -> None:
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        rows = audit_rows(connection)
    key_id = AuditKey.from_text(AUDIT_TEST_KEY, "test").key_id
    assert {row["key_id"] for row in rows} == {key_id}
    assert [row["seq"] for row in rows] == [1, 2]
    assert all(AUDIT_TEST_KEY not in str(value) for row in rows for value in row.values())


def test_rows_appended_by_later_runs_chain_onto_earlier_ones(database: Database) -> None:
    logged_run(database, rows=2)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        rows = audit_rows(connection)
    assert all(rows[i]["prev_hash"] == rows[i - 1]["row_hash"] for i in range(1, len(rows)))


def test_editing_a_row_is_caught_and_named(database: Database) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET new_owner_id = '005EVIL' WHERE id = 3"))
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        "row 3: its content does not match its signature (edited, or its hash recomputed "
        "without the audit key)"
    ]


def test_deleting_a_row_in_the_middle_is_caught_as_a_gap_before_the_next_row(
    database: Database,
) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 2"))
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        "row 3: 1 row(s) before it are missing (chain position 2): deleted"
    ]


def test_reordering_rows_is_caught_and_named(database: Database) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET id = 1000 WHERE id = 3"))
        connection.execute(text("UPDATE audit_log SET id = 3 WHERE id = 4"))
        connection.execute(text("UPDATE audit_log SET id = 4 WHERE id = 1000"))
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        "row 4: rows were reordered: it is the chain's row 3, which belongs before row 3 "
        "(the chain's row 4)"
    ]


def test_deleting_the_newest_rows_is_caught_through_the_chain_head_and_the_run(
    database: Database,
) -> None:
    run_id = logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id >= 4"))
        report = verify_audit(connection)
    assert [problem.kind for problem in report.problems] == ["truncated", "truncated"]
    assert str(report.problems[0]) == (
        f"run {run_id} recorded the log up to row 5 (5 rows), but it now ends at row 3 "
        "(the chain's row 3): the newest rows were removed"
    )
    assert "the chain head records 5 rows up to row 5" in str(report.problems[1])


def test_removing_the_newest_rows_with_the_head_rewound_is_caught_by_the_checkpoint_file(
    database: Database, tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit-checkpoints"
    logged_run(database, checkpoints=checkpoints)
    with database.engine.connect() as connection:
        earlier_head = dict(
            connection.execute(text("SELECT * FROM audit_chain_head")).mappings().one()
        )
    later_run = logged_run(database, checkpoints=checkpoints)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id > 5"))
        connection.execute(text("DELETE FROM runs WHERE id = :run"), {"run": later_run})
        connection.execute(
            text(
                "UPDATE audit_chain_head SET row_count = :row_count, last_id = :last_id, "
                "last_hash = :last_hash, key_id = :key_id, signature = :signature"
            ),
            earlier_head,
        )
    with database.engine.connect() as connection:
        without_checkpoint = verify_audit(connection)
        report = verify_audit(connection, checkpoint_file=checkpoints)
    assert without_checkpoint.intact  # everything left in the database agrees with itself
    assert len(report.problems) == 1
    assert report.problems[0].kind == "truncated"
    assert f"({checkpoints} line 2) recorded the log up to row 10 (10 rows)" in str(
        report.problems[0]
    )
    assert "but it now ends at row 5" in str(report.problems[0])


def test_a_chain_recomputed_without_the_key_is_caught_at_the_first_recomputed_row(
    database: Database,
) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET new_owner_id = '005EVIL' WHERE id = 3"))
        recompute_without_key(connection, from_id=3)
        report = verify_audit(connection)
    first = report.first_problem
    assert first is not None
    assert (first.row_id, first.kind) == (3, "recomputed")
    assert str(first) == (
        "row 3: its hash is a plain SHA-256, not the audit key's HMAC: the chain was recomputed "
        "without the key"
    )


def test_passing_signed_rows_off_as_legacy_rows_is_caught(database: Database) -> None:
    logged_run(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET new_owner_id = '005EVIL' WHERE id = 3"))
        recompute_without_key(connection, from_id=3, strip_key=True)
        report = verify_audit(connection)
    first = report.first_problem
    assert first is not None
    assert str(first) == (
        "row 3: it carries no signing key but follows signed rows: its hash was recomputed "
        "without the audit key, or the row was inserted"
    )


def test_a_row_appended_to_a_run_after_it_ended_is_caught(database: Database) -> None:
    run_id = logged_run(database, rows=2)
    late = decisions(run_id, 1)[0]
    late.at = datetime.now(UTC) + timedelta(minutes=5)
    with database.engine.begin() as connection:
        append_audit(connection, [late])
        report = verify_audit(connection)
    assert len(report.problems) == 1
    problem = report.problems[0]
    assert (problem.row_id, problem.kind) == (3, "outside_run")
    assert f"after run {run_id} had ended" in str(problem)


def test_a_row_naming_a_run_that_does_not_exist_is_caught(database: Database) -> None:
    logged_run(database, rows=2)
    with foreign_keys_off(database) as connection:
        append_audit(connection, decisions(9999, 1))
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        "row 3: it names run 9999, which does not exist (appended outside a run)"
    ]


def test_a_decision_recorded_outside_any_run_is_caught_but_an_admin_action_is_not(
    database: Database,
) -> None:
    logged_run(database, rows=1)
    with database.engine.begin() as connection:
        append_audit(connection, decisions(None, 1, status="hold_released"))
        append_audit(connection, decisions(None, 1, status="written"))
        report = verify_audit(connection)
    assert len(report.problems) == 1
    assert report.problems[0].row_id == 3
    assert str(report.problems[0]).startswith(
        "row 3: status 'written' with no run: outside runs only admin actions are recorded"
    )


def test_appending_without_the_key_is_refused_naming_the_variable(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    monkeypatch.delenv("TERRITORY_SYNC_AUDIT_KEY")
    with (
        pytest.raises(MissingCredentialError, match="TERRITORY_SYNC_AUDIT_KEY"),
        database.engine.begin() as connection,
    ):
        append_audit(connection, decisions(run_id, 1))
    with database.engine.connect() as connection:
        assert audit_rows(connection) == []


def test_verifying_without_the_key_is_refused_naming_the_variable(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=1)
    monkeypatch.delenv("TERRITORY_SYNC_AUDIT_KEY")
    with (
        pytest.raises(MissingCredentialError, match="TERRITORY_SYNC_AUDIT_KEY"),
        database.engine.connect() as connection,
    ):
        verify_audit(connection)


def test_a_run_does_not_start_without_the_key(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TERRITORY_SYNC_AUDIT_KEY")
    with pytest.raises(MissingCredentialError) as refused:
        open_run(database, kind="sync", trigger="cli", actor="ana@example.com")
    assert "a run needs the audit signing key" in str(refused.value)
    assert "set the environment variable TERRITORY_SYNC_AUDIT_KEY" in str(refused.value)


def test_a_key_too_short_to_be_safe_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_AUDIT_KEY", "hunter2hunter2")
    with pytest.raises(
        ConfigurationError, match="too short: use at least 32 characters"
    ) as refused:
        current_audit_key("appending to the audit log")
    assert "hunter2" not in str(refused.value)
