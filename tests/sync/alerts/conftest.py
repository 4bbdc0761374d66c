"""Fixtures of the alert tests: a real SMTP server and a webhook server on loopback, alert
settings with short waits, and the environment pointing the channels at those servers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from territory_sync.settings import AlertsSettings
from tests.alert_servers import SmtpServer, WebhookServer

ADMIN = "revops@acme.example"
HOOK_VAR = "TERRITORY_SYNC_WEBHOOK_SALES_MANAGERS"
REP_HOOK_VAR = "TERRITORY_SYNC_WEBHOOK_MAYA"


def alert_settings(**values: Any) -> AlertsSettings:
    """Settings as a test wants them: quick retries, a short budget and short timeouts."""
    defaults: dict[str, Any] = {
        "email_admins": [ADMIN],
        "email_to_reps": True,
        "from_address": "territory-sync@acme.example",
        "max_attempts": 2,
        "retry_initial_seconds": 0.01,
        "timeout_seconds": 2.0,
        "send_budget_seconds": 20.0,
    }
    return AlertsSettings(**{**defaults, **values})


@pytest.fixture
def smtp_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """An SMTP server that is not running yet (`start()` it); SMTP_HOST points at it."""
    server = SmtpServer()
    monkeypatch.setenv("SMTP_HOST", server.address)
    for name in ("SMTP_USER", "SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp(smtp_down: SmtpServer) -> SmtpServer:
    """A running SMTP server that SMTP_HOST points at, keeping every message it receives."""
    return smtp_down.start()


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer().start()
    try:
        yield server
    finally:
        server.stop()
