"""The audit log's signing keys: read from the environment at the point of use, never stored.

`TERRITORY_SYNC_AUDIT_KEY` signs every new audit row, the chain head and every checkpoint with
HMAC-SHA256. After a rotation, `TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS` (comma-separated) holds the
keys that signed older segments, so they stay verifiable. A row records only the signing key's
id, a fingerprint from which the key cannot be recovered: the first 16 hex digits of
HMAC(key, "territory-sync audit key id").

`AuditKey` never shows its secret: not in `repr`, not in logs, not in any message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from territory_sync.errors import ConfigurationError
from territory_sync.secrets import require_secret, secret_list

AUDIT_KEY_ENV_VAR = "TERRITORY_SYNC_AUDIT_KEY"
PREVIOUS_KEYS_ENV_VAR = "TERRITORY_SYNC_AUDIT_PREVIOUS_KEYS"
MIN_KEY_LENGTH = 32
KEY_ID_LABEL = b"territory-sync audit key id"
KEY_HINT = "generate one with `openssl rand -hex 32` and keep it outside the database"


def canonical_json(payload: Mapping[str, Any]) -> bytes:
    """The one encoding every hash and signature of the audit log is computed over."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


@dataclass(frozen=True)
class AuditKey:
    """One signing key and its public id."""

    key_id: str
    secret: bytes = field(repr=False)

    @classmethod
    def from_text(cls, text: str, variable: str) -> AuditKey:
        if len(text) < MIN_KEY_LENGTH:
            raise ConfigurationError(
                f"the audit key in {variable} is too short: use at least {MIN_KEY_LENGTH} "
                f"characters ({KEY_HINT})"
            )
        secret = text.encode("utf-8")
        key_id = hmac.new(secret, KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]
        return cls(key_id=key_id, secret=secret)

    def sign(self, purpose: str, payload: Mapping[str, Any]) -> str:
        """HMAC-SHA256 (hex) over the canonical JSON of `payload` with its `purpose` added, so a
        signature made for one kind of thing (a row, a head) never fits another."""
        message = canonical_json({**payload, "purpose": purpose})
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def signed(self, purpose: str, payload: Mapping[str, Any], signature: str | None) -> bool:
        return signature is not None and hmac.compare_digest(self.sign(purpose, payload), signature)


def current_audit_key(purpose: str) -> AuditKey:
    """The key new rows are signed with; `MissingCredentialError` naming the variable if unset."""
    text = require_secret(AUDIT_KEY_ENV_VAR, f"{purpose} needs the audit signing key ({KEY_HINT})")
    return AuditKey.from_text(text, AUDIT_KEY_ENV_VAR)


@dataclass(frozen=True)
class AuditKeyring:
    """The current key and the previous ones, by key id: what verifying needs."""

    current: AuditKey
    previous: tuple[AuditKey, ...] = ()

    def get(self, key_id: str | None) -> AuditKey | None:
        if key_id is None:
            return None
        for key in (self.current, *self.previous):
            if key.key_id == key_id:
                return key
        return None


def audit_keyring(purpose: str) -> AuditKeyring:
    current = current_audit_key(purpose)
    texts = secret_list(PREVIOUS_KEYS_ENV_VAR)
    previous = tuple(AuditKey.from_text(text, PREVIOUS_KEYS_ENV_VAR) for text in texts)
    return AuditKeyring(current, previous)
