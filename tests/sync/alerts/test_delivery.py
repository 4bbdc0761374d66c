"""Delivering recorded alerts to a real SMTP server and a webhook: once each, retried, left
pending through an outage and sent after it, failed when refused for good, within a time budget,
STARTTLS before a password, and no secret in the table or the logs."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from sqlalchemy import select

from sync.alerts.channels import Channels
from sync.alerts.delivery import DeliveryPolicy, DeliveryReport, deliver_pending
from sync.alerts.messages import (
    EMAIL_CHANNEL,
    Destination,
    Notice,
    OutgoingAlert,
    addressed,
    webhook_channel,
)
from sync.alerts.outbox import ALERTS, claim_attempt, record
from sync.store.alerts import AlertStatus
from sync.store.database import Database
from territory_sync.settings import AlertsSettings
from tests.alert_servers import SmtpServer, WebhookServer, free_port, silent_server
from tests.sync.alerts.conftest import ADMIN, HOOK_VAR, alert_settings

MAYA = "maya.chen@acme-revenue.example"


def notice(key: str = "run:1:rep:maya", body: str = "You gained 1 account:\n  - Acme") -> Notice:
    return Notice("book_changed", "territory-sync: your accounts changed", body, key, run_id=1)


def to_email(*recipients: str, key: str = "run:1:rep:maya") -> list[OutgoingAlert]:
    return addressed(notice(key), [Destination(EMAIL_CHANNEL, r) for r in recipients])


def deliver(database: Database, settings: AlertsSettings) -> DeliveryReport:
    return deliver_pending(database, Channels(settings), DeliveryPolicy.of(settings))


def rows(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        return [
            dict(r) for r in connection.execute(select(ALERTS).order_by(ALERTS.c.id)).mappings()
        ]


def test_an_alert_recorded_twice_is_kept_once_and_sent_once(
    database: Database, smtp: SmtpServer
) -> None:
    assert record(database, to_email(MAYA)) == 1
    assert record(database, to_email(MAYA)) == 0
    assert deliver(database, alert_settings()).sent == 1
    assert record(database, to_email(MAYA)) == 0
    assert deliver(database, alert_settings()).sent == 0
    (received,) = smtp.to(MAYA)
    assert received.subject == "territory-sync: your accounts changed"
    assert "  - Acme" in received.body
    assert received.message["From"] == "territory-sync@acme.example"
    (row,) = rows(database)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert row["sent_at"] is not None


def test_with_the_smtp_server_down_alerts_stay_pending_with_the_error_until_it_is_up(
    database: Database, smtp_down: SmtpServer
) -> None:
    record(database, to_email(MAYA, ADMIN))
    report = deliver(database, alert_settings(max_attempts=3))
    assert report.as_dict() == {"sent": 0, "pending": 1, "failed": 0, "not_tried": 1}
    first, second = rows(database)
    assert first["status"] == second["status"] == "pending"
    assert first["attempts"] == 3  # every attempt counted
    assert f"SMTP {smtp_down.address}" in first["last_error"]
    assert "ConnectionRefusedError" in first["last_error"]
    # the outage is known: the second alert is not tried in that pass, and says why
    assert second["attempts"] == 0
    assert second["last_error"].startswith("not sent: email: SMTP")

    smtp_down.start()
    assert deliver(database, alert_settings()).sent == 2
    assert [m.recipients for m in smtp_down.messages] == [[MAYA], [ADMIN]]
    assert {row["status"] for row in rows(database)} == {"sent"}


def test_a_recipient_refused_for_good_is_failed_and_the_others_still_go(
    database: Database, smtp: SmtpServer
) -> None:
    smtp.refuse.add("gone@acme-revenue.example")
    record(database, to_email("gone@acme-revenue.example", MAYA))
    report = deliver(database, alert_settings())
    assert (report.failed, report.sent) == (1, 1)
    refused, sent = rows(database)
    assert refused["status"] == "failed"
    assert refused["attempts"] == 1  # not retried: it cannot help
    assert "550" in refused["last_error"]
    assert sent["status"] == "sent"


def test_an_alert_given_up_on_after_too_many_attempts_is_failed(
    database: Database, smtp_down: SmtpServer
) -> None:
    record(database, to_email(MAYA))
    settings = alert_settings(max_attempts=2, give_up_after_attempts=3)
    deliver(database, settings)
    assert rows(database)[0]["status"] == "pending"
    deliver(database, settings)
    (row,) = rows(database)
    assert (row["status"], row["attempts"]) == ("failed", 3)


def test_a_webhook_gets_the_text_escaped_for_slack(
    database: Database, webhook: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOOK_VAR, webhook.url("/hooks/sales"))
    alert = addressed(
        notice(body="<!channel> Fox & Cooper"), [Destination(webhook_channel("sales"), "sales")]
    )
    record(database, alert)
    settings = alert_settings(email_admins=[], webhooks={"sales": HOOK_VAR})
    assert deliver(database, settings).sent == 1
    ((path, payload),) = webhook.posts
    assert path == "/hooks/sales"
    assert payload["text"] == (
        "territory-sync: your accounts changed\n\n&lt;!channel&gt; Fox &amp; Cooper"
    )
    assert payload["blocks"][0]["text"]["verbatim"] is True


@pytest.mark.parametrize(("status", "outcome"), [(503, "pending"), (404, "failed")])
def test_a_webhook_outage_is_retried_and_a_refusal_is_not(
    database: Database,
    webhook: WebhookServer,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    outcome: str,
) -> None:
    webhook.status = status
    monkeypatch.setenv(HOOK_VAR, webhook.url("/hooks/sales"))
    record(database, addressed(notice(), [Destination(webhook_channel("sales"), "sales")]))
    deliver(database, alert_settings(email_admins=[], webhooks={"sales": HOOK_VAR}))
    (row,) = rows(database)
    assert row["status"] == outcome
    assert row["attempts"] == (2 if status == 503 else 1)
    assert row["last_error"] == f"webhook:sales: the webhook answered HTTP {status}"


def test_a_channel_no_longer_configured_fails_its_alerts(database: Database) -> None:
    record(database, addressed(notice(), [Destination(webhook_channel("gone"), "gone")]))
    assert deliver(database, alert_settings()).failed == 1
    assert "no channel 'gone' under [alerts.webhooks]" in rows(database)[0]["last_error"]


def test_an_unset_variable_is_named_and_the_alert_waits_for_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SMTP_HOST", raising=False)
    record(database, to_email(MAYA))
    assert deliver(database, alert_settings()).not_tried == 1
    (row,) = rows(database)
    assert row["status"] == "pending"
    assert "set the environment variable SMTP_HOST" in row["last_error"]


def test_a_hung_smtp_server_cannot_hold_a_pass_beyond_its_budget(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(database, [a for i in range(20) for a in to_email(f"rep{i}@acme.example", key=str(i))])
    settings = alert_settings(timeout_seconds=0.5, send_budget_seconds=1.5, max_attempts=3)
    with silent_server() as address:
        monkeypatch.setenv("SMTP_HOST", address)
        started = time.monotonic()
        report = deliver(database, settings)
        elapsed = time.monotonic() - started
    assert elapsed < 4
    assert report.sent == 0
    assert {row["status"] for row in rows(database)} == {"pending"}
    assert "timed out" in rows(database)[0]["last_error"]


def test_a_password_is_not_sent_to_a_server_without_starttls_unless_switched_off(
    database: Database, smtp_down: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp_down.user, smtp_down.password = "alerts", "smtp-password-of-the-test"
    smtp_down.start()
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", "smtp-password-of-the-test")
    record(database, to_email(MAYA))
    deliver(database, alert_settings())
    (row,) = rows(database)
    assert row["status"] == "pending"
    assert "does not offer STARTTLS" in row["last_error"]
    assert "smtp_starttls = false" in row["last_error"]
    assert smtp_down.logins == []

    assert deliver(database, alert_settings(smtp_starttls=False)).sent == 1
    assert smtp_down.logins == ["alerts"]


def test_smtp_credentials_come_in_pairs(
    database: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "smtp-password-of-the-test")
    record(database, to_email(MAYA))
    deliver(database, alert_settings())
    assert "set the environment variable SMTP_USER" in rows(database)[0]["last_error"]


def test_secrets_never_reach_the_alerts_table_or_the_logs(
    database: Database,
    smtp_down: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    password, token = "smtp-password-of-the-test", "T0SECRET/B0SECRET/abcdefghijklmnop"
    hook_url = f"http://127.0.0.1:{free_port()}/services/{token}"  # nothing answers there
    smtp_down.user, smtp_down.password = "alerts", "another-password"
    smtp_down.start()
    monkeypatch.setenv("SMTP_USER", "alerts")
    monkeypatch.setenv("SMTP_PASSWORD", password)
    monkeypatch.setenv(HOOK_VAR, hook_url)
    settings = alert_settings(webhooks={"sales": HOOK_VAR}, smtp_starttls=False)
    # A run's message may quote a secret (a CRM's error echoing a URL): it is recorded scrubbed.
    leaky = notice(body=f"run failed: POST {hook_url} with {password} refused")
    channels = Channels(settings)
    record(
        database,
        addressed(
            leaky, [Destination(EMAIL_CHANNEL, ADMIN), Destination("webhook:sales", "sales")]
        ),
    )
    with caplog.at_level(logging.DEBUG, logger="territory_sync"):
        report = deliver_pending(database, channels, DeliveryPolicy.of(settings))
    assert report.sent == 0
    stored = repr(rows(database))
    assert "[redacted]" in stored
    logged = repr([(r.getMessage(), getattr(r, "fields", None)) for r in caplog.records])
    errors = [row["last_error"] for row in rows(database)]
    assert any("SMTP_USER/SMTP_PASSWORD" in e for e in errors)  # refused credentials, named
    assert any("could not reach the webhook" in e for e in errors)
    for secret in (password, token, hook_url):
        assert secret not in stored
        assert secret not in logged


def test_an_attempt_is_claimed_by_one_sender_only(database: Database) -> None:
    record(database, to_email(MAYA))
    (row,) = rows(database)
    assert claim_attempt(database, row["id"], 0)
    assert not claim_attempt(database, row["id"], 0)  # a second sender saw the same row
    assert rows(database)[0]["attempts"] == 1


def test_a_long_subject_is_cut_to_the_column(database: Database) -> None:
    alert = addressed(
        Notice("run_failed", "x" * 400 + "\nnext line", "body", "k", run_id=1),
        [Destination(EMAIL_CHANNEL, ADMIN)],
    )
    record(database, alert)
    (row,) = rows(database)
    assert len(row["subject"]) == 255
    assert "\n" not in row["subject"]
    assert row["status"] == AlertStatus.PENDING
