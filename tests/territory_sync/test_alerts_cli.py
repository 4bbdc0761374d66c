"""`territory-sync alerts`: `test` reports each channel (ok or the error, never a URL) and exits
1 when one failed; `list --status failed` shows only those; the settings come from the
environment like every other (`TERRITORY_SYNC_ALERTS_*`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.alerts.messages import EMAIL_CHANNEL, Destination, Notice, addressed
from sync.alerts.outbox import list_alerts, note_error, record
from sync.store.database import open_database
from territory_sync.cli import main
from territory_sync.errors import ExitCode
from tests.alert_servers import SmtpServer, WebhookServer, free_port, webhook

ADMIN = "revops@acme.example"
HOOK_VAR = "TERRITORY_SYNC_WEBHOOK_SALES_MANAGERS"
REP_HOOK_VAR = "TERRITORY_SYNC_WEBHOOK_MAYA"
MAYA = "maya.chen@acme-revenue.example"

__all__ = ["webhook"]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("TERRITORY_SYNC_ALERTS_", "SMTP_")) or name == "TERRITORY_SYNC_CONFIG":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_TIMEOUT_SECONDS", "2")
    return tmp_path


@pytest.fixture
def smtp(environment: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    monkeypatch.setenv("SMTP_HOST", server.address)
    try:
        yield server
    finally:
        server.stop()


def test_alerts_test_sends_a_sample_through_each_channel_and_says_ok(
    smtp: SmtpServer,
    webhook: WebhookServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_EMAIL_ADMINS", ADMIN)
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_WEBHOOKS", f"sales-managers={HOOK_VAR}")
    monkeypatch.setenv(HOOK_VAR, webhook.url("/hooks/sales"))
    assert main(["alerts", "test"]) == ExitCode.OK
    assert capsys.readouterr().out.splitlines() == [
        f"email {ADMIN}: ok",
        "webhook:sales-managers sales-managers: ok",
    ]
    (sample,) = smtp.to(ADMIN)
    assert sample.subject == "territory-sync: test alert"
    ((path, payload),) = webhook.posts
    assert path == "/hooks/sales"
    assert payload["text"].startswith("territory-sync: test alert")


def test_alerts_test_names_each_failure_without_its_url_and_exits_1(
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/services/T0SECRET-token-123456"
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_EMAIL_TO_REPS", "true")
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_WEBHOOKS", f"sales-managers={HOOK_VAR}")
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_REP_WEBHOOKS", f"{MAYA}={REP_HOOK_VAR}")
    monkeypatch.setenv(HOOK_VAR, dead)
    monkeypatch.delenv(REP_HOOK_VAR, raising=False)
    assert main(["alerts", "test", "--to", ADMIN]) == ExitCode.CHANGES_FAILED
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"email {ADMIN}: ok",
        "webhook:sales-managers sales-managers: error: webhook:sales-managers: could not reach "
        "the webhook (ConnectionError)",
        f"webhook:rep {MAYA}: error: the webhook URL of webhook:rep: set the environment "
        f"variable {REP_HOOK_VAR}",
    ]
    assert "T0SECRET" not in out


def test_alerts_test_without_a_recipient_for_email_says_how_to_give_one(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TERRITORY_SYNC_ALERTS_EMAIL_TO_REPS", "true")
    assert main(["alerts", "test", "--json"]) == ExitCode.CHANGES_FAILED
    (check,) = json.loads(capsys.readouterr().out)
    assert check["ok"] is False
    assert "pass --to ADDRESS" in check["error"]
    assert smtp.messages == []


def test_alerts_test_with_no_channel_configured_says_what_to_set(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "test"]) == ExitCode.USAGE
    assert "no alert channel is configured" in capsys.readouterr().err


def test_alerts_list_shows_the_failed_ones_with_their_error(
    environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{environment / 'territory-sync.db'}"
    database = open_database(url)
    try:
        for key in ("a", "b"):
            notice = Notice("run_failed", f"run {key} failed", "body", key, run_id=1)
            record(database, addressed(notice, [Destination(EMAIL_CHANNEL, ADMIN)]))
        failed = list_alerts(database)[0]
        note_error(database, failed["id"], "email: SMTP x:25 refused: 550 no", failed=True)
    finally:
        database.dispose()
    assert main(["--database-url", url, "alerts", "list", "--status", "failed", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["status"], row["subject"]) == (failed["id"], "failed", "run b failed")
    assert row["last_error"] == "email: SMTP x:25 refused: 550 no"
    assert main(["--database-url", url, "alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert "run a failed" in out and "run b failed" in out
