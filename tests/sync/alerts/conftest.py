"""Fixtures of the alert tests: a real SMTP server and a webhook server on loopback, alert
settings with short waits, and the environment pointing the channels at those servers."""

from __future__ import annotations

from typing import Any

from territory_sync.settings import AlertsSettings
from tests.alert_servers import smtp, smtp_down, webhook

__all__ = ["smtp", "smtp_down", "webhook"]

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
