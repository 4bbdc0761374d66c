"""`territory-sync audit verify` and `audit checkpoint` as an auditor types them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from sqlalchemy import text

from sync.store.database import Database
from territory_sync.cli import main
from tests.end_to_end.conftest import Product
from tests.sync.audit_support import logged_run

WEBHOOK = "https://hooks.example.com/services/T000/B000/XXXXXXXX"


@pytest.fixture(autouse=True)
def no_configuration_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_CONFIG", "")


def audit(database: Database, *args: str) -> int:
    return main(["--database-url", database.url, "audit", *args])


def test_after_a_sync_verify_exits_0_checked_against_the_runs_checkpoint(
    product: Product,
    audit_checkpoints: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_TERRITORIES_FILE", str(product.territory_file))
    monkeypatch.setenv("TERRITORY_SYNC_SYNC_BLAST_RADIUS", "1")
    assert main(["--database-url", product.database.url, "sync", "--yes"]) == 0
    [line] = audit_checkpoints.read_text(encoding="utf-8").splitlines()
    capsys.readouterr()
    assert audit(product.database, "verify") == 0
    out = capsys.readouterr().out
    assert f"the checkpoint of {json.loads(line)['at']} ({audit_checkpoints} line 1)" in out
    assert "audit log intact:" in out


def test_checkpoint_to_standard_output_prints_one_signed_json_line(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    logged_run(database, rows=3)
    capsys.readouterr()
    assert audit(database, "checkpoint", "--output", "-") == 0
    [line] = capsys.readouterr().out.splitlines()
    checkpoint = json.loads(line)
    assert checkpoint["checkpoint"] == "territory-sync audit chain"
    assert (checkpoint["count"], checkpoint["last_id"], checkpoint["run_id"]) == (3, 3, None)
    assert set(checkpoint) >= {"last_hash", "key_id", "at", "signature"}


def test_rows_removed_after_a_checkpoint_make_verify_exit_1_naming_where_the_log_ends(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = tmp_path / "kept-elsewhere.jsonl"
    logged_run(database, rows=3)
    assert audit(database, "checkpoint", "--output", str(kept)) == 0
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE id = 3"))
        connection.execute(text("UPDATE runs SET figures = '{}'"))
    capsys.readouterr()
    assert audit(database, "verify", "--checkpoint", str(kept)) == 1
    out = capsys.readouterr().out
    assert f"({kept} line 1) recorded the log up to row 3 (3 rows), but it now ends at row 2" in out
    assert "audit log NOT intact" in out


def test_verify_without_the_key_exits_2_naming_the_variable(
    database: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=1)
    monkeypatch.delenv("TERRITORY_SYNC_AUDIT_KEY")
    capsys.readouterr()
    assert audit(database, "verify") == 2
    assert "set the environment variable TERRITORY_SYNC_AUDIT_KEY" in capsys.readouterr().err


def test_checkpoint_to_the_webhook_posts_the_signed_head(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged_run(database, rows=2)
    monkeypatch.setenv("TERRITORY_SYNC_WEBHOOK_URL", WEBHOOK)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        mocked.add(responses.POST, WEBHOOK, json={"ok": True})
        assert audit(database, "checkpoint", "--webhook") == 0
        [call] = mocked.calls
    body = call.request.body
    payload = json.loads(body if isinstance(body, str | bytes) else b"{}")
    assert payload["text"].startswith("territory-sync audit checkpoint: 2 rows, last row 2")
    assert payload["checkpoint"]["count"] == 2
