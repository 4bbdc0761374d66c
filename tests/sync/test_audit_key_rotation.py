"""Rotating the audit key starts a new segment; older segments stay verifiable with the old key."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sync.audit_keys import AuditKey
from sync.audit_verify import verify_audit
from sync.store.database import Database
from territory_sync.logs import scrub
from tests.conftest import AUDIT_TEST_KEY
from tests.sync.audit_support import audit_rows, logged_run

NEW_KEY = "territory-sync-test-audit-key-rotated-fedcba9876543210"


def rotate(monkeypatch: pytest.MonkeyPatch, *, keep_previous: bool = True) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_AUDIT_KEY", NEW_KEY)
    if keep_previous:
        monkeypatch.setenv(
            "TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS", f"some-older-key-{'x' * 32},{AUDIT_TEST_KEY}"
        )


def test_the_first_row_under_a_new_key_is_a_key_rotated_row_linking_to_the_old_head(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=3)
    rotate(monkeypatch)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        rows = audit_rows(connection)
    old_id = AuditKey.from_text(AUDIT_TEST_KEY, "test").key_id
    new_id = AuditKey.from_text(NEW_KEY, "test").key_id
    rotation = rows[3]
    assert [row["status"] for row in rows] == ["written"] * 3 + ["key_rotated"] + ["written"] * 2
    assert rotation["prev_hash"] == rows[2]["row_hash"]
    assert [row["key_id"] for row in rows] == [old_id] * 3 + [new_id] * 3
    assert f"signed by key {old_id}" in rotation["reason"]


def test_after_a_rotation_both_segments_verify_with_the_previous_key_listed(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=3)
    rotate(monkeypatch)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    assert report.intact
    assert [(segment.first_id, segment.last_id) for segment in report.segments] == [(1, 3), (4, 6)]


def test_without_the_previous_key_the_older_segment_is_reported_naming_the_variable(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=3)
    rotate(monkeypatch, keep_previous=False)
    logged_run(database, rows=2)
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    first = report.first_problem
    assert first is not None
    assert (first.row_id, first.kind) == (1, "unknown_key")
    assert "TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS" in str(first)


def test_a_change_of_key_without_a_key_rotated_row_is_caught(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=3)
    rotate(monkeypatch)
    logged_run(database, rows=2)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 4"))
        report = verify_audit(connection)
    kinds = {(problem.row_id, problem.kind) for problem in report.problems}
    assert (5, "key_changed") in kinds
    assert (5, "deleted") in kinds


def test_the_current_and_every_previous_key_are_scrubbed_from_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    older = f"some-older-key-{'y' * 32}"
    rotate(monkeypatch)
    monkeypatch.setenv("TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS", f"{older}, {AUDIT_TEST_KEY}")
    scrubbed = scrub(f"keys {NEW_KEY} and {older} and {AUDIT_TEST_KEY}")
    assert NEW_KEY not in scrubbed
    assert older not in scrubbed
    assert AUDIT_TEST_KEY not in scrubbed
