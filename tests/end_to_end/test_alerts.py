"""Alerts after real runs against the sandbox CRMs, delivered to a real SMTP server and webhook.

A run that moves accounts mails each affected rep one digest naming exactly the accounts the run
wrote to and away from them (checked against the plan's written changes and the audit log), and
the admins one summary; with the SMTP server down the run still succeeds, its alerts wait as
pending with the error, and `territory-sync alerts send` delivers them once the server is up; a
rep's own webhook receives the same digest; a guard rail or a failed run alerts the admins; and
the same run's alerts are recorded and sent once however often they are built; applying a saved
plan and rolling back a run alert as a run does.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select, text

from sync.alerts import alert_run
from sync.alerts.outbox import ALERTS
from sync.notify import slack_escape
from sync.rollback import rollback_run
from sync.runner import SyncRequest
from sync.saved_plans import apply_saved_plan
from sync.store.runs import RunStatus
from territory_sync.cli import main
from territory_sync.errors import ExitCode, TerritoryFileError
from territory_sync.settings import AlertsSettings
from tests.alert_servers import SmtpServer, WebhookServer, smtp, smtp_down, webhook
from tests.end_to_end.conftest import ALL_NORTH_AMERICA_TO_ONE_REP, Product

ADMIN = "revops@acme.example"
EMILY = "emily.johnson@acme-revenue.example"
EMILY_HOOK = "TERRITORY_SYNC_WEBHOOK_EMILY"
ALERT_ENV = {
    "TERRITORY_SYNC_ALERTS_EMAIL_TO_REPS": "true",
    "TERRITORY_SYNC_ALERTS_EMAIL_ADMINS": ADMIN,
    "TERRITORY_SYNC_ALERTS_FROM_ADDRESS": "territory-sync@acme.example",
    "TERRITORY_SYNC_ALERTS_ACCOUNTS_LISTED": "500",
    "TERRITORY_SYNC_ALERTS_MAX_ATTEMPTS": "2",
    "TERRITORY_SYNC_ALERTS_RETRY_INITIAL_SECONDS": "0.01",
    "TERRITORY_SYNC_ALERTS_TIMEOUT_SECONDS": "2",
}

__all__ = ["smtp", "smtp_down", "webhook"]


@pytest.fixture
def alerting(product: Product, monkeypatch: pytest.MonkeyPatch) -> Product:
    """The product with alerts to reps (by email) and to the admins, as the environment says."""
    for name, value in ALERT_ENV.items():
        monkeypatch.setenv(name, value)
    product.settings.alerts = AlertsSettings(
        email_to_reps=True,
        email_admins=[ADMIN],
        from_address="territory-sync@acme.example",
        accounts_listed=500,
        max_attempts=2,
        retry_initial_seconds=0.01,
        timeout_seconds=2.0,
    )
    return product


def written_changes(product: Product, plan_id: int | None) -> list[dict[str, Any]]:
    with product.database.engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                text(
                    "SELECT external_id, account_name, old_owner_email, new_owner_email "
                    "FROM owner_changes WHERE plan_id = :plan AND state = 'written' "
                    "AND object_name = 'account'"
                ),
                {"plan": plan_id},
            ).mappings()
        ]


def expected_digests(changes: list[dict[str, Any]]) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per rep: the names of the accounts gained and lost, as the plan's written changes say."""
    digests: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for c in changes:
        label = c["account_name"] or c["external_id"]
        if c["new_owner_email"]:
            digests.setdefault(c["new_owner_email"], (Counter(), Counter()))[0][label] += 1
        if c["old_owner_email"]:
            digests.setdefault(c["old_owner_email"], (Counter(), Counter()))[1][label] += 1
    return digests


def listed(body: str, heading: str) -> Counter[str]:
    """The names under the line starting with `heading`, up to the next blank line."""
    lines = body.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    names: Counter[str] = Counter()
    if start is None:
        return names
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        assert line.startswith("  - "), line
        names[line.removeprefix("  - ")] += 1
    return names


def alert_rows(product: Product) -> list[dict[str, Any]]:
    with product.database.engine.connect() as connection:
        return [
            dict(row) for row in connection.execute(select(ALERTS).order_by(ALERTS.c.id)).mappings()
        ]


def rep_digests(smtp: SmtpServer) -> dict[str, list[str]]:
    bodies: dict[str, list[str]] = {}
    for message in smtp.messages:
        if "your accounts changed" in message.subject:
            (recipient,) = message.recipients
            bodies.setdefault(recipient, []).append(message.body)
    return bodies


def test_a_run_that_moves_accounts_mails_each_affected_rep_one_digest_of_its_accounts(
    alerting: Product, smtp: SmtpServer
) -> None:
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    result = alerting.sync()
    assert result.exit_code == ExitCode.OK
    changes = written_changes(alerting, result.plan_id)
    assert len(changes) == result.figures["written"] > 50
    expected = expected_digests(changes)
    with alerting.database.engine.connect() as connection:
        audited = connection.execute(
            text(
                "SELECT new_owner_email, count(*) FROM audit_log WHERE run_id = :run AND "
                "status = 'written' AND object_name IS NULL GROUP BY new_owner_email"
            ),
            {"run": result.run_id},
        ).all()
    assert dict(audited) == {
        email: sum(gained.values()) for email, (gained, _) in expected.items() if gained
    }

    digests = rep_digests(smtp)
    assert set(digests) == set(expected)
    for email, (gained, lost) in expected.items():
        (body,) = digests[email]  # exactly one per rep, never one per account
        assert listed(body, "You gained") == gained
        assert listed(body, "You no longer own") == lost
    (summary,) = smtp.to(ADMIN)
    assert f"{EMILY}: +{sum(expected[EMILY][0].values())} / -0" in summary.body
    assert {row["status"] for row in alert_rows(alerting)} == {"sent"}


def test_with_the_smtp_server_down_the_run_succeeds_and_alerts_send_delivers_later(
    alerting: Product, smtp_down: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    result = alerting.sync()
    assert (result.status, result.exit_code) == (RunStatus.SUCCEEDED, ExitCode.OK)
    rows = alert_rows(alerting)
    assert rows and {row["status"] for row in rows} == {"pending"}
    assert all(f"SMTP {smtp_down.address}" in row["last_error"] for row in rows)
    assert "ConnectionRefusedError" in rows[0]["last_error"]

    smtp_down.start()
    database = ["--database-url", alerting.database.url]
    capsys.readouterr()
    assert main([*database, "alerts", "send"]) == ExitCode.OK
    assert f"Sent {len(rows)}" in capsys.readouterr().out
    digests = rep_digests(smtp_down)
    assert set(digests) == set(expected_digests(written_changes(alerting, result.plan_id)))
    assert all(len(bodies) == 1 for bodies in digests.values())
    assert {row["status"] for row in alert_rows(alerting)} == {"sent"}
    assert main([*database, "alerts", "send"]) == ExitCode.OK  # nothing left, nothing resent
    assert len(smtp_down.messages) == len(rows)


def test_a_reps_own_webhook_receives_the_same_digest(
    alerting: Product, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = WebhookServer().start()
    try:
        monkeypatch.setenv(EMILY_HOOK, hook.url("/hooks/emily"))
        alerting.settings.alerts.rep_webhooks = {EMILY: EMILY_HOOK}
        alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
        alerting.sync()
        (posted,) = hook.texts("/hooks/emily")
    finally:
        hook.stop()
    (email,) = (m for m in smtp.to(EMILY) if "your accounts changed" in m.subject)
    assert posted == slack_escape(f"{email.subject}\n\n{email.body.rstrip(chr(10))}")
    assert "You gained" in posted


def test_building_a_runs_alerts_again_records_and_sends_none_twice(
    alerting: Product, smtp: SmtpServer
) -> None:
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    result = alerting.sync()
    rows, sent = alert_rows(alerting), len(smtp.messages)
    alert_run(alerting.settings, alerting.database, result)
    assert alert_rows(alerting) == rows
    assert len(smtp.messages) == sent


def test_a_run_stopped_by_the_guard_rail_alerts_the_admins_and_no_rep(
    alerting: Product, smtp: SmtpServer
) -> None:
    alerting.settings.sync.blast_radius = 0.10
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    result = alerting.sync()
    assert result.exit_code == ExitCode.GUARD_RAIL
    (alert,) = smtp.messages
    assert alert.recipients == [ADMIN]
    assert f"run {result.run_id} was stopped" in alert.subject
    assert "blast-radius limit" in alert.body


def test_a_run_that_fails_alerts_the_admins(alerting: Product, smtp: SmtpServer) -> None:
    alerting.use_territories("version: 1\nterritories: [\n")
    with pytest.raises(TerritoryFileError):
        alerting.sync()
    (alert,) = smtp.messages
    assert alert.recipients == [ADMIN]
    assert "failed" in alert.subject
    assert "not valid YAML" in alert.body
    (row,) = alert_rows(alerting)
    assert (row["event"], row["status"]) == ("run_failed", "sent")


def test_applying_a_saved_plan_mails_each_affected_rep_one_digest(
    alerting: Product, smtp: SmtpServer
) -> None:
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    saved = alerting.sync(dry_run=True)
    assert not smtp.messages  # a dry run alerts nobody
    result = apply_saved_plan(
        alerting.settings, alerting.database, saved.plan_id, SyncRequest(actor="test")
    )
    assert result.exit_code == ExitCode.OK
    expected = expected_digests(written_changes(alerting, saved.plan_id))
    digests = rep_digests(smtp)
    assert set(digests) == set(expected)
    (body,) = digests[EMILY]
    assert listed(body, "You gained") == expected[EMILY][0]


def test_rolling_back_a_run_mails_the_reps_who_get_their_accounts_back(
    alerting: Product, smtp: SmtpServer
) -> None:
    alerting.use_territories(ALL_NORTH_AMERICA_TO_ONE_REP)
    moved = alerting.sync()
    smtp.messages.clear()
    result = rollback_run(
        alerting.settings, alerting.database, moved.run_id, SyncRequest(actor="test")
    )
    # Accounts whose owner before was a rep who has since left stay with Emily (skipped).
    assert result.exit_code == ExitCode.OK
    assert result.figures["failed"] == 0
    expected = expected_digests(written_changes(alerting, result.plan_id))
    digests = rep_digests(smtp)
    assert set(digests) == set(expected)
    (body,) = digests[EMILY]
    assert listed(body, "You no longer own") == expected[EMILY][1]
