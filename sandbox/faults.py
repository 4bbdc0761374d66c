"""Fault profiles: the trouble a sandbox injects, deterministic for a given seed.

A profile is given as a name (`none`, `chaos`, `slow`) or as `key=value` pairs separated by
commas, for example `latency_ms=20,rate_429=0.05`, or both (`chaos,latency_ms=50`): pairs after a
name override the name's values. The same text is accepted from `--faults` and from the
`TERRITORY_SYNC_SANDBOX_FAULTS` environment variable.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, fields, replace

FAULTS_ENV_VAR = "TERRITORY_SYNC_SANDBOX_FAULTS"


class FaultProfileError(ValueError):
    """A fault profile text that cannot be understood."""


@dataclass(frozen=True)
class FaultProfile:
    """What goes wrong, and how often. Shares are probabilities between 0 and 1 per request."""

    latency_ms: float = 0.0
    """Added to every API response (not to `/__sandbox` inspection calls)."""
    rate_429: float = 0.0
    """Share of API calls refused as throttled: HubSpot answers 429 RATE_LIMIT; Salesforce, which
    throttles with 403 `REQUEST_LIMIT_EXCEEDED` "ConcurrentPerOrgLongTxn Limit exceeded.", that."""
    rate_5xx: float = 0.0
    """Share of API calls answered 503 (Salesforce `SERVER_UNAVAILABLE`, HubSpot a 502/503 body)."""
    lock_errors: float = 0.0
    """Share of records in a write that fail with a retryable lock error (Salesforce
    `UNABLE_TO_LOCK_ROW`; HubSpot has no such per-record error: a retryable error in a 207)."""
    session_expiry_after: int = 0
    """Every K authenticated calls the current token expires (401); 0 keeps tokens valid."""
    daily_allocation: int = 0
    """Overrides the daily API allocation (0 keeps the CRM's realistic default)."""
    search_delay_s: float = 0.0
    """HubSpot only: how long a write takes to show in search results (eventual consistency)."""

    def is_quiet(self) -> bool:
        return self == FaultProfile()


NAMED_PROFILES: dict[str, FaultProfile] = {
    "none": FaultProfile(),
    "slow": FaultProfile(latency_ms=20.0),
    "chaos": FaultProfile(
        latency_ms=2.0,
        rate_429=0.05,
        rate_5xx=0.03,
        lock_errors=0.05,
        session_expiry_after=150,
    ),
}

_FIELD_TYPES = {f.name: f.type for f in fields(FaultProfile)}


def parse_fault_profile(text: str | None) -> FaultProfile:
    """Read a profile from `--faults` or the environment; an empty text means no faults."""
    profile = FaultProfile()
    if not text or not text.strip():
        return profile
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if "=" not in part:
            if part not in NAMED_PROFILES:
                known = ", ".join(sorted(NAMED_PROFILES))
                raise FaultProfileError(f"unknown fault profile {part!r}; known profiles: {known}")
            profile = NAMED_PROFILES[part] if profile.is_quiet() else profile
            continue
        key, _, raw = (s.strip() for s in part.partition("="))
        if key not in _FIELD_TYPES:
            known = ", ".join(sorted(_FIELD_TYPES))
            raise FaultProfileError(f"unknown fault setting {key!r}; known settings: {known}")
        try:
            value: float | int = int(raw) if _FIELD_TYPES[key] == "int" else float(raw)
        except ValueError as exc:
            raise FaultProfileError(f"fault setting {key} needs a number, got {raw!r}") from exc
        if value < 0 or ((key.startswith("rate_") or key == "lock_errors") and value > 1):
            raise FaultProfileError(f"fault setting {key}={raw} is out of range")
        profile = replace(profile, **{key: value})  # type: ignore[arg-type]
    return profile


class FaultDice:
    """Deterministic coin flips for one emulator: the same seed gives the same faults in order."""

    def __init__(self, profile: FaultProfile, seed: int) -> None:
        self.profile = profile
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, share: float) -> bool:
        if share <= 0:
            return False
        with self._lock:
            return self._random.random() < share

    def throttle(self) -> bool:
        return self.roll(self.profile.rate_429)

    def server_error(self) -> bool:
        return self.roll(self.profile.rate_5xx)

    def lock_error(self) -> bool:
        return self.roll(self.profile.lock_errors)
