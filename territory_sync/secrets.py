"""Secrets: read only from the environment, at the point of use, and never echoed anywhere.

`SECRET_ENV_VARS` lists every variable that holds a secret (`SECRET_LIST_ENV_VARS` those that hold
several, comma-separated). `require_secret` gives the value or raises `MissingCredentialError`
naming the variable to set; `secret_list` gives a list variable's values; `secret_values` lets the
log formatter and error printer scrub any value that slipped into a message. Variables whose names
come from the configuration (the alert webhooks of `[alerts.webhooks]`) are read with
`configured_secret`, which scrubs them from then on too.
"""

from __future__ import annotations

import os

from territory_sync.errors import MissingCredentialError

SECRET_ENV_VARS = (
    "SALESFORCE_CLIENT_SECRET",
    "SALESFORCE_ACCESS_TOKEN",
    "SALESFORCE_PRIVATE_KEY_FILE",
    "HUBSPOT_ACCESS_TOKEN",
    "HUBSPOT_CLIENT_SECRET",
    "TERRITORY_SYNC_WEBHOOK_URL",
    "TERRITORY_SYNC_SECRET_KEY",
    "TERRITORY_SYNC_AUDIT_KEY",
    "TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS",
    "SMTP_PASSWORD",
)
SECRET_LIST_ENV_VARS = frozenset({"TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS"})

_MIN_SCRUB_LENGTH = 6  # shorter values would scrub ordinary words
_configured: set[str] = set()


def optional_secret(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def require_secret(name: str, purpose: str) -> str:
    value = optional_secret(name)
    if value is None:
        raise MissingCredentialError(name, purpose)
    return value


def configured_secret(name: str) -> str | None:
    """A secret in a variable the configuration names; scrubbed from every log and error from
    now on, like those of `SECRET_ENV_VARS`."""
    _configured.add(name)
    return optional_secret(name)


def secret_list(name: str) -> list[str]:
    """The comma-separated values of a list variable, blanks dropped; empty when unset."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def secret_values() -> list[str]:
    values: list[str] = []
    for name in (*SECRET_ENV_VARS, *sorted(_configured)):
        value = os.environ.get(name, "").strip()
        parts = [value, *secret_list(name)] if name in SECRET_LIST_ENV_VARS else [value]
        values.extend(part for part in parts if len(part) >= _MIN_SCRUB_LENGTH)
    return values
