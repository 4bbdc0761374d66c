"""Signed checkpoints of the chain head: one per run, kept outside the database, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from sync.audit_checkpoint import (
    Checkpoint,
    checkpoint_file,
    current_checkpoint,
    default_checkpoint_file,
)
from sync.audit_keys import audit_keyring
from sync.audit_verify import verify_audit
from sync.runs import get_run
from sync.store.database import Database
from territory_sync.errors import AuditIntegrityError
from territory_sync.settings import load_settings
from tests.sync.audit_support import logged_run


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_run_appends_a_signed_checkpoint_and_records_it_as_its_audit_head(
    database: Database, tmp_path: Path
) -> None:
    checkpoints = tmp_path / "audit-checkpoints"
    first = logged_run(database, rows=3, checkpoints=checkpoints)
    second = logged_run(database, rows=2, checkpoints=checkpoints)
    written = lines(checkpoints)
    assert [(line["run_id"], line["count"], line["last_id"]) for line in written] == [
        (first, 3, 3),
        (second, 5, 5),
    ]
    assert all(
        Checkpoint.from_json(line).signature_valid(audit_keyring("test")) for line in written
    )
    run = get_run(database, second)
    assert run is not None
    assert run["figures"]["audit_head"] == written[1]
    assert run["figures"]["audit_checkpoint"] == {"written": True, "file": str(checkpoints)}


def test_a_checkpoint_that_cannot_be_written_is_reported_and_the_run_still_closes(
    database: Database, tmp_path: Path
) -> None:
    unwritable = tmp_path / "no-such-folder" / "audit-checkpoints"
    run_id = logged_run(database, rows=1, checkpoints=unwritable)
    run = get_run(database, run_id)
    assert run is not None
    assert run["status"] == "succeeded"
    outcome = run["figures"]["audit_checkpoint"]
    assert outcome["written"] is False
    assert outcome["error"].startswith("cannot write the checkpoint file")
    assert run["figures"]["audit_head"]["signature"]


def test_an_edited_checkpoint_line_is_reported_as_such(database: Database, tmp_path: Path) -> None:
    checkpoints = tmp_path / "audit-checkpoints"
    logged_run(database, rows=3, checkpoints=checkpoints)
    edited = {**lines(checkpoints)[0], "count": 2, "last_id": 2}
    checkpoints.write_text(json.dumps(edited) + "\n", encoding="utf-8")
    with database.engine.connect() as connection:
        report = verify_audit(connection, checkpoint_file=checkpoints)
    assert [problem.kind for problem in report.problems] == ["checkpoint"]
    assert "its signature does not verify (edited)" in str(report.problems[0])


def test_a_run_head_copied_from_an_earlier_run_is_caught(database: Database) -> None:
    first = logged_run(database, rows=2)
    second = logged_run(database, rows=2)
    with database.engine.begin() as connection:
        earlier = connection.execute(
            text("SELECT figures FROM runs WHERE id = :run"), {"run": first}
        ).scalar_one()
        figures = earlier if isinstance(earlier, dict) else json.loads(earlier)
        connection.execute(
            text("UPDATE runs SET figures = :figures WHERE id = :run"),
            {"figures": json.dumps(figures), "run": second},
        )
        report = verify_audit(connection)
    assert [str(problem) for problem in report.problems] == [
        f"run {second}: its recorded audit head was signed for run {first} "
        "(copied from another run)"
    ]


def test_no_checkpoint_is_signed_for_a_head_that_does_not_match_the_log(
    database: Database,
) -> None:
    logged_run(database, rows=3)
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 3"))
        with pytest.raises(AuditIntegrityError, match="does not match the log's last row"):
            current_checkpoint(connection)


def test_the_checkpoint_file_defaults_to_beside_an_sqlite_database(
    database: Database, tmp_path: Path
) -> None:
    settings = load_settings(None, environ={})
    expected = (
        database.sqlite_path.with_name("territory-sync.db.audit-checkpoints")
        if database.sqlite_path
        else settings.base_dir / "territory-sync.audit-checkpoints"
    )
    assert checkpoint_file(settings, database) == expected
    assert default_checkpoint_file(database) == (expected if database.is_sqlite else None)


def test_a_configured_checkpoint_file_is_relative_to_the_configuration(
    database: Database, tmp_path: Path
) -> None:
    config = tmp_path / "territory-sync.toml"
    config.write_text('[audit]\ncheckpoint_file = "anchors/audit.jsonl"\n', encoding="utf-8")
    settings = load_settings(config, environ={})
    assert checkpoint_file(settings, database) == tmp_path / "anchors" / "audit.jsonl"
