"""Choosing the rep inside a territory: stickiness first, then the lowest load, within capacity.

Each territory has a pool of eligible members: owners (never overlays) who are active reps the
last pull knows. During the first pass an account whose current owner is in the pool stays
(`sticky`) and counts toward that owner's load; every other account waits. Then each pool deals
its waiting accounts in a fixed order (by key, or by load measure, largest first, then key) to the
member with the lowest load per unit of weight (ties by email), skipping members at capacity.
Nothing depends on the order accounts arrived in, loads are whole numbers (so summing in another
order cannot change a comparison), and the engine's own output fed back in stays put: every
account then already sits with an eligible member under capacity.

A member over capacity from earlier runs (a capacity newly lowered) keeps the accounts that sort
first by key and releases the rest to the others.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mapping.territories.assignment import (
    BALANCED,
    CAPACITY_FULL,
    NO_OWNER,
    OWNER_INACTIVE,
    OWNER_NOT_MEMBER,
    OWNER_OVER_CAPACITY,
    OWNER_UNKNOWN,
    SINGLE_OWNER,
    STICKY,
    Assignment,
)
from mapping.territories.facts import RecordFacts, RepDirectoryEntry
from mapping.territories.rules import SINGLE, Territory

Measure = Callable[[RecordFacts, RecordFacts | None], int]
Waiting = tuple[str, int, RecordFacts, RecordFacts | None]
"""(key, position in the output, primary record, other record)."""


def measure_for(balance_by: str) -> Measure:
    """The load one account adds: 1, or its revenue or employees in whole units (0 if unknown)."""
    if balance_by == "accounts":
        return _one
    field = "annual_revenue" if balance_by == "revenue" else "employees"

    def measure(first: RecordFacts, second: RecordFacts | None) -> int:
        value = getattr(first, field)
        if value is None and second is not None:
            value = getattr(second, field)
        return int(value) if value is not None and value > 0 else 0

    return measure


def _one(first: RecordFacts, second: RecordFacts | None) -> int:
    return 1


@dataclass(frozen=True, slots=True)
class MemberLoad:
    email: str
    weight: float
    capacity: int | None
    accounts: int
    load: int
    """Sum of the balance measure over the member's accounts in the territory."""


class Pool:
    """The eligible owner members of one territory and their loads during an evaluation."""

    __slots__ = (
        "capacities",
        "counts",
        "emails",
        "has_capacity",
        "loads",
        "name",
        "overlays",
        "rep_rule",
        "slot_of",
        "sticky",
        "sticky_rule",
        "territory",
        "waiting",
        "weights",
    )

    def __init__(
        self, territory: Territory, reps: Mapping[str, RepDirectoryEntry], by_measure: bool
    ) -> None:
        self.territory = territory
        self.name = territory.name
        members = sorted(
            (m for m in territory.owners if m.email in reps and reps[m.email].active),
            key=lambda m: m.email,
        )
        self.emails = [m.email for m in members]
        self.slot_of: dict[str | None, int] = {m.email: slot for slot, m in enumerate(members)}
        self.weights = [m.weight for m in members]
        self.capacities = [m.capacity for m in members]
        self.has_capacity = any(c is not None for c in self.capacities)
        self.counts = [0] * len(members)
        self.loads = [0] * len(members) if by_measure else self.counts
        """Sum of the balance measure per member; the counts themselves when balancing by
        accounts (one list, so the per-account path updates one number, not two)."""
        self.sticky: list[list[Waiting]] = [[] for _ in members] if self.has_capacity else []
        self.waiting: list[Waiting] = []
        self.overlays = frozenset(m.email for m in territory.overlays)
        self.rep_rule = SINGLE_OWNER if territory.assignment == SINGLE else BALANCED
        """The rule for an account dealt here."""
        self.sticky_rule = SINGLE_OWNER if territory.assignment == SINGLE else STICKY
        """The rule for an account kept by its current owner."""

    def release_over_capacity(self, assignments: list[Assignment], measure: Measure) -> None:
        """Members holding more than their capacity keep the first accounts by key."""
        for slot, capacity in enumerate(self.capacities):
            held = self.sticky[slot] if self.has_capacity else []
            if capacity is None or len(held) <= capacity:
                continue
            held.sort(key=lambda item: item[0])
            for item in held[capacity:]:
                _, position, first, second = item
                self.counts[slot] -= 1
                if self.loads is not self.counts:
                    self.loads[slot] -= measure(first, second)
                assignment = assignments[position]
                assignment.rep_email = None
                assignment.rep_rule = self.rep_rule
                assignment.rep_note = OWNER_OVER_CAPACITY
                assignment.previous_owner = self.emails[slot]
                self.waiting.append(item)
            del held[capacity:]

    def deal(
        self,
        assignments: list[Assignment],
        measure: Measure,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        """Give every waiting account to the member with the lowest load per weight."""
        waiting = self.waiting
        if not waiting:
            return
        by_measure = self.loads is not self.counts
        if by_measure:
            waiting.sort(key=lambda item: (-measure(item[2], item[3]), item[0]))
        else:
            waiting.sort()  # keys are unique, so tuples compare by key alone
        counts, loads, weights, capacities, emails = (
            self.counts,
            self.loads,
            self.weights,
            self.capacities,
            self.emails,
        )
        heap = [
            (loads[slot] / weights[slot], emails[slot], slot)
            for slot in range(len(emails))
            if capacities[slot] is None or counts[slot] < capacities[slot]  # type: ignore[operator]
        ]
        heapq.heapify(heap)
        rep_rule = self.rep_rule
        known = reps.get
        for _, position, first, second in waiting:
            assignment = assignments[position]
            if assignment.rep_note is None:
                owner = first.current_owner_email
                if owner is None and second is not None:
                    owner = second.current_owner_email
                assignment.previous_owner = owner
                if owner is None:
                    assignment.rep_note = NO_OWNER
                else:
                    entry = known(owner)
                    assignment.rep_note = (
                        OWNER_UNKNOWN
                        if entry is None
                        else OWNER_NOT_MEMBER
                        if entry.active
                        else OWNER_INACTIVE
                    )
            if not heap:
                assignment.rep_rule = CAPACITY_FULL
                continue
            _, email, slot = heap[0]
            counts[slot] += 1
            if by_measure:
                loads[slot] += measure(first, second)
            assignment.rep_email = email
            assignment.rep_rule = rep_rule
            capacity = capacities[slot]
            if capacity is not None and counts[slot] >= capacity:
                heapq.heappop(heap)
            else:
                heapq.heapreplace(heap, (loads[slot] / weights[slot], email, slot))
        waiting.clear()

    def member_loads(self) -> list[MemberLoad]:
        return [
            MemberLoad(email, self.weights[s], self.capacities[s], self.counts[s], self.loads[s])
            for s, email in enumerate(self.emails)
        ]
