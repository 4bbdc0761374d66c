"""Fault profiles: the trouble a sandbox injects, deterministic for a given seed and request.

A profile is given as a name (`none`, `chaos`, `slow`) or as `key=value` pairs separated by
commas, for example `latency_ms=20,rate_429=0.05`, or both (`chaos,latency_ms=50`): pairs after a
name override the name's values. The same text is accepted from `--faults` and from the
`TERRITORY_SYNC_SANDBOX_FAULTS` environment variable.

Most faults refuse a request before anything changes. The `applied_*` ones strike *write*
requests after the write has been applied: the answer is then an error, a dropped connection or a
stall, so a client cannot tell from the answer whether its write landed. Explicit, per-request
fault schedules live in `sandbox.fault_schedule`.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, fields, replace
from typing import Literal

FAULTS_ENV_VAR = "TERRITORY_SYNC_SANDBOX_FAULTS"

WRITE_KINDS: frozenset[str] = frozenset({"collections-update", "batch-update"})
"""Request-log kinds of the requests that change owners (Salesforce sObject Collections update,
HubSpot companies batch update): the only ones the random `applied_*` faults strike. A new write
endpoint joins the random after-write faults by adding its kind here."""

AppliedFault = Literal["applied_5xx", "applied_drop", "applied_timeout"]
"""A request served in full whose answer is then lost: answered 503 (or 502), the connection
dropped before the body, or the answer held back `stall_seconds`."""
APPLIED_FAULTS: tuple[AppliedFault, ...] = ("applied_5xx", "applied_drop", "applied_timeout")


class FaultProfileError(ValueError):
    """A fault profile or fault schedule that cannot be understood."""


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
    applied_5xx: float = 0.0
    """Share of write requests applied in full and then answered as a server error (Salesforce
    503 `SERVER_UNAVAILABLE`; HubSpot the 503 body or the 502 page, alternately)."""
    applied_drop: float = 0.0
    """Share of write requests applied in full and then dropped: the status line and headers may
    arrive, the body never does, and the connection closes."""
    applied_timeout: float = 0.0
    """Share of write requests applied in full and then answered only after `stall_seconds`, so
    a client with a shorter read timeout gives up on an answer that was on its way."""
    stall_seconds: float = 2.0
    """How long an `applied_timeout` answer is held back."""

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
        applied_5xx=0.03,
        applied_drop=0.02,
        applied_timeout=0.01,
        stall_seconds=2.0,
    ),
}

_FIELD_TYPES = {f.name: f.type for f in fields(FaultProfile)}
_SHARES = frozenset(
    {"rate_429", "rate_5xx", "lock_errors", "applied_5xx", "applied_drop", "applied_timeout"}
)
"""Settings that are probabilities, so at most 1."""


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
        if value < 0 or (key in _SHARES and value > 1):
            bounds = "between 0 and 1" if key in _SHARES else "0 or more"
            raise FaultProfileError(f"fault setting {key}={raw} is out of range; use {bounds}")
        profile = replace(profile, **{key: value})  # type: ignore[arg-type]
    return profile


class FaultDice:
    """Deterministic coin flips for one emulator, independent of the order requests arrive in.

    Each roll is a hash of the seed, the request's identity (for example its method, path and a
    digest of its body, or a record id), how many times that same identity has been rolled for
    before, and what is rolled for. So the faults a request meets depend on the seed and on that
    request's own history only: four writer threads interleaving differently from run to run
    meet the same faults, and a resent request (its identity seen once more) gets fresh dice.
    """

    def __init__(self, profile: FaultProfile, seed: int) -> None:
        self.profile = profile
        self._seed = seed
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def occurrence(self, identity: str) -> str:
        """Count one more roll for `identity` and return the key its dice are rolled under."""
        with self._lock:
            nth = self._seen.get(identity, 0)
            self._seen[identity] = nth + 1
        return f"{identity}#{nth}"

    def roll(self, share: float, key: str, what: str) -> bool:
        """True with probability `share`, fixed by (seed, key, what)."""
        if share <= 0:
            return False
        digest = hashlib.blake2b(f"{self._seed}|{key}|{what}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2.0**64 < share

    def throttle(self, key: str) -> bool:
        return self.roll(self.profile.rate_429, key, "429")

    def server_error(self, key: str) -> bool:
        return self.roll(self.profile.rate_5xx, key, "5xx")

    def lock_error(self, record_id: str) -> bool:
        """For one record in a write: whether it fails with a retryable lock error."""
        if self.profile.lock_errors <= 0:
            return False
        return self.roll(self.profile.lock_errors, self.occurrence(f"record:{record_id}"), "lock")

    def applied_fault(self, key: str) -> AppliedFault | None:
        """For a write request: which after-write fault strikes it, if any."""
        profile = self.profile
        shares = (profile.applied_5xx, profile.applied_drop, profile.applied_timeout)
        for fault, share in zip(APPLIED_FAULTS, shares, strict=True):
            if self.roll(share, key, fault):
                return fault
        return None
