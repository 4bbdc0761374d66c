"""Explicit fault schedules, and the per-request decision that combines them with the random dice.

A schedule says exactly which request fails and how, so a test can state "the second batch update
is applied and its answer lost" instead of hoping a seed does it. Each entry names a request-log
kind (`collections-update`, `batch-update`, `batch-read`, `query`, `query-all`, `search`, `list`,
...), the 1-based occurrence of that kind counted from when the schedule was set, and the fault:

- `503`: refused before anything changes (Salesforce 503 `SERVER_UNAVAILABLE`, HubSpot 503);
- `429`: refused as throttled (HubSpot 429; Salesforce 403 `REQUEST_LIMIT_EXCEEDED`, its throttle);
- `applied_5xx`, `applied_drop`, `applied_timeout`: served in full, then the answer is lost (see
  `sandbox.faults`); on a read this means the read was served and its answer lost.

`person_edits: N` also reassigns the first N records the request names to another active owner,
as a person in the CRM would during the client's back-off (see `pick_other_owner`).

Occurrences are counted among requests that reach fault injection: authenticated and, on
Salesforce, within the daily allocation. A scheduled fault wins over the random dice for its
request; the dice are still rolled for it, so a schedule does not shift the random faults of the
requests around it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

from sandbox.faults import (
    APPLIED_FAULTS,
    WRITE_KINDS,
    AppliedFault,
    FaultDice,
    FaultProfileError,
)

RECORD_NAMING_KINDS: frozenset[str] = frozenset(
    {"collections-update", "sobject-get", "batch-update", "batch-read", "get"}
)
"""Kinds whose requests name records (in the body or the path): the only ones person edits can
follow, since a query, list or search names no record to edit."""

RefusalFault = Literal["503", "429"]
ScheduledFaultName = Literal["503", "429", "applied_5xx", "applied_drop", "applied_timeout"]
SCHEDULED_FAULT_NAMES: tuple[str, ...] = ("503", "429", *APPLIED_FAULTS)


@dataclass(frozen=True)
class ScheduledFault:
    """One request that fails in a stated way: the `nth` request of `kind` gets `fault`."""

    kind: str
    nth: int
    fault: ScheduledFaultName
    person_edits: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise FaultProfileError(
                "a scheduled fault needs the request kind it strikes, as the request log names "
                "it (e.g. collections-update, batch-update, query, search)"
            )
        if isinstance(self.nth, bool) or not isinstance(self.nth, int) or self.nth < 1:
            raise FaultProfileError(
                f"scheduled fault nth={self.nth!r} must be a whole number from 1 (the first "
                f"{self.kind} request after the schedule is set)"
            )
        if self.fault not in SCHEDULED_FAULT_NAMES:
            raise FaultProfileError(
                f"unknown scheduled fault {self.fault!r}; known faults: "
                f"{', '.join(SCHEDULED_FAULT_NAMES)}"
            )
        edits = self.person_edits
        if isinstance(edits, bool) or not isinstance(edits, int) or edits < 0:
            raise FaultProfileError(
                f"person_edits={edits!r} must be a whole number of records, 0 or more"
            )
        if edits and self.kind not in RECORD_NAMING_KINDS:
            raise FaultProfileError(
                f"person_edits need a request that names records; {self.kind} requests name "
                f"none. Use one of: {', '.join(sorted(RECORD_NAMING_KINDS))}"
            )

    @classmethod
    def from_json(cls, value: object) -> ScheduledFault:
        """`{"kind": ..., "nth": ..., "fault": ..., "person_edits": ...}`; person_edits may be
        left out."""
        if not isinstance(value, Mapping):
            raise FaultProfileError(
                'each scheduled fault must be an object {"kind": ..., "nth": ..., "fault": ...}'
            )
        unknown = set(value) - {"kind", "nth", "fault", "person_edits"}
        if unknown:
            raise FaultProfileError(
                f"unknown scheduled fault key(s) {sorted(unknown)}; use kind, nth, fault and "
                "person_edits"
            )
        fault = value.get("fault")
        return cls(
            kind=cast(str, value.get("kind")),
            nth=cast(int, value.get("nth")),
            fault=cast(ScheduledFaultName, str(fault) if isinstance(fault, int) else fault),
            person_edits=cast(int, value.get("person_edits", 0)),
        )

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "nth": self.nth,
            "fault": self.fault,
            "person_edits": self.person_edits,
        }


def parse_fault_schedule(value: object) -> list[ScheduledFault]:
    """A schedule from its JSON form: a list of scheduled-fault objects."""
    if not isinstance(value, list):
        raise FaultProfileError(
            '"schedule" must be a list of {"kind": ..., "nth": ..., "fault": ...} objects'
        )
    return [ScheduledFault.from_json(item) for item in value]


class FaultSchedule:
    """The schedule an emulator follows, counting requests of each kind since it was set."""

    def __init__(self, faults: Iterable[ScheduledFault] = ()) -> None:
        self._lock = threading.Lock()
        self._faults: list[ScheduledFault] = []
        self._seen: Counter[str] = Counter()
        self._struck: set[int] = set()
        self.replace(faults)

    def replace(self, faults: Iterable[ScheduledFault]) -> None:
        """Follow `faults` from now on; occurrences count afresh from the next request."""
        chosen = list(faults)
        for fault in chosen:
            if not isinstance(fault, ScheduledFault):
                raise FaultProfileError(f"not a ScheduledFault: {fault!r}")
        slots = Counter((f.kind, f.nth) for f in chosen)
        doubled = sorted(f"{kind} #{nth}" for (kind, nth), count in slots.items() if count > 1)
        if doubled:
            raise FaultProfileError(
                f"the schedule names the same request more than once: {', '.join(doubled)}; "
                "give each request one fault"
            )
        with self._lock:
            self._faults = chosen
            self._seen = Counter()
            self._struck = set()

    def strike(self, kind: str) -> ScheduledFault | None:
        """Count one request of `kind`; the scheduled fault for it, if there is one."""
        with self._lock:
            if not self._faults:
                return None
            self._seen[kind] += 1
            occurrence = self._seen[kind]
            for index, fault in enumerate(self._faults):
                if fault.kind == kind and fault.nth == occurrence:
                    self._struck.add(index)
                    return fault
            return None

    def entries(self) -> list[dict[str, object]]:
        """The schedule as JSON, each entry saying whether it has struck yet."""
        with self._lock:
            return [
                {**fault.as_json(), "struck": index in self._struck}
                for index, fault in enumerate(self._faults)
            ]

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


@dataclass(frozen=True)
class FaultDecision:
    """What happens to one request: refused up front, or served and then its answer lost."""

    refuse: RefusalFault | None = None
    lose_answer: AppliedFault | None = None
    person_edits: int = 0
    scheduled: bool = False
    """True when a schedule, not the dice, chose the fault."""

    @property
    def name(self) -> str:
        """The fault's name for the request log ('' when none strikes)."""
        return self.refuse or self.lose_answer or ""


NO_FAULT = FaultDecision()


def decide_faults(
    dice: FaultDice, schedule: FaultSchedule, kind: str, identity: str = ""
) -> FaultDecision:
    """The faults for one request of `kind`, decided before anything changes.

    `identity` names the request (method, path, query and a digest of the body: see
    `request_identity`), so the dice it meets do not depend on what other requests came first.
    The dice decide throttle, then server error, then, for a write kind only, the after-write
    faults; a scheduled fault for this request then replaces whatever the dice said.
    """
    decision = NO_FAULT
    key = dice.occurrence(f"{kind}|{identity}")
    if dice.throttle(key):
        decision = FaultDecision(refuse="429")
    elif dice.server_error(key):
        decision = FaultDecision(refuse="503")
    elif kind in WRITE_KINDS:
        applied = dice.applied_fault(key)
        if applied is not None:
            decision = FaultDecision(lose_answer=applied)
    scheduled = schedule.strike(kind)
    if scheduled is None:
        return decision
    edits = scheduled.person_edits
    if scheduled.fault in ("503", "429"):
        return FaultDecision(refuse=scheduled.fault, person_edits=edits, scheduled=True)
    applied_fault = cast(AppliedFault, scheduled.fault)
    return FaultDecision(lose_answer=applied_fault, person_edits=edits, scheduled=True)


def request_identity(method: str, path: str, query: str, body: bytes) -> str:
    """What names a request for the fault dice: the same call sent again has the same identity."""
    digest = hashlib.blake2b(body, digest_size=12).hexdigest() if body else ""
    return f"{method} {path}?{query} {digest}"


def pick_other_owner(
    active_owners: Sequence[str], current: str | None, requested: str | None
) -> str | None:
    """The owner a person reassigns a record to: the next active owner in id order after the
    current one (wrapping round) that is neither the current owner nor the one the request asked
    for; failing that, any other active owner; None when there is no other active owner."""
    if not active_owners:
        return None
    start = active_owners.index(current) + 1 if current in active_owners else 0
    rotated = [*active_owners[start:], *active_owners[:start]]
    for candidate in rotated:
        if candidate not in (current, requested):
            return candidate
    for candidate in rotated:
        if candidate != current:
            return candidate
    return None


class ScheduledFaults:
    """What both emulators share about faults: the dice and the schedule a request's faults are
    decided by. The emulator sets `_dice` and `_schedule` (and `lock`) in its constructor."""

    _dice: FaultDice
    _schedule: FaultSchedule
    lock: threading.RLock

    def decide_faults(self, kind: str, identity: str = "") -> FaultDecision:
        """The faults for one authenticated request of `kind` (named by `identity`, see
        `request_identity`), decided before anything changes: refused (throttled or a server
        error), served and its answer lost, or neither."""
        with self.lock:
            return decide_faults(self._dice, self._schedule, kind, identity)

    @property
    def fault_schedule(self) -> FaultSchedule:
        return self._schedule

    def set_fault_schedule(self, faults: Iterable[ScheduledFault]) -> None:
        """Follow these scheduled faults from the next request on (an empty list clears them)."""
        self._schedule.replace(faults)
