"""Choosing the rep inside a territory: stickiness first, then the lowest load, within capacity.

Each territory has a pool of eligible members: owners (never overlays) whom the last pull knows
as active in at least one CRM. During the first pass an account whose current owner is eligible
stays (`sticky`) and counts toward that owner's load; every other account waits. Then each pool
deals its waiting accounts in a fixed order (by key, or by load measure, largest first, then key)
to the member with the lowest load per unit of weight (ties by email), skipping members at
capacity. Nothing depends on the order accounts arrived in, loads are whole numbers (so summing
in another order cannot change a comparison), and the engine's own output fed back in stays put:
every record then already sits with an eligible member under capacity.

Status is per CRM. A record's owner is eligible for it when they are an owner member active in
that record's CRM. For a business in both CRMs the primary record decides the business's rep: its
own eligible owner, else the other record's eligible owner if active in the primary's CRM too,
else a dealt member (one active in both CRMs when there is one with room). The other record
follows that rep, except:
- the rep is inactive in the other record's CRM: the other record stays with its own owner if
  they are eligible for it, else it alone is dealt among the members active in its CRM;
- the other record's owner is eligible for it but inactive in the primary's CRM (so they could
  never hold the whole business): they keep it;
- the primary record keeps its owner (no member active in its CRM, or all full): the other record
  is decided on its own, the same way.
A business counts once toward each member holding one of its records. A pool whose members are
all active in the same CRMs, given a business whose records are all in those CRMs, follows the
simple path (no record is ever split), which is what almost every account takes.

A member over capacity from earlier runs (a capacity newly lowered) keeps the records of the
businesses that sort first by key and releases the rest to the others.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mapping.territories.assignment import (
    BALANCED,
    CAPACITY_FULL,
    CHOSEN_INACTIVE,
    FULL_HERE,
    NO_ELIGIBLE_MEMBER,
    NO_OWNER,
    NONE_ACTIVE_HERE,
    OWN_SEAT_ONLY,
    OWNER_INACTIVE,
    OWNER_INACTIVE_IN,
    OWNER_LACKS_SKILLS,
    OWNER_NOT_MEMBER,
    OWNER_OVER_CAPACITY,
    OWNER_UNKNOWN,
    PRIMARY_KEPT,
    SINGLE_OWNER,
    STICKY,
    Assignment,
    SplitRecord,
)
from mapping.territories.facts import (
    ACTIVE_EVERYWHERE,
    ACTIVE_NOWHERE,
    SOURCES,
    RecordFacts,
    RepDirectoryEntry,
)
from mapping.territories.rules import SINGLE, WORKLOAD, Territory
from mapping.territories.skills import NO_SKILLS, SkillSet, matched, preference, qualifies

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


WORKLOAD_SCALE = 1_000
"""The workload is counted in thousandths of a point (loads are whole numbers)."""


def balancing_measure(name: str, workload: Sequence[tuple[str, float]] = ()) -> Measure:
    """What one account adds to a balanced measure: `measure_for`, or for the workload its
    points (`workload`: per measure, the points one unit counts) in thousandths."""
    if name != WORKLOAD:
        return measure_for(name)
    parts = [(measure_for(part), points) for part, points in workload]

    def points(first: RecordFacts, second: RecordFacts | None) -> int:
        return round(WORKLOAD_SCALE * sum(p * value(first, second) for value, p in parts))

    return points


def _one(first: RecordFacts, second: RecordFacts | None) -> int:
    return 1


def why_not_kept(
    owner: str | None,
    source: str,
    reps: Mapping[str, RepDirectoryEntry],
    unskilled: frozenset[str] = frozenset(),
) -> str:
    """Why `owner` of a record in `source` does not keep it (they are not an eligible member;
    `unskilled`: the territory's owner members who lack the skills it requires)."""
    if owner is None:
        return NO_OWNER
    entry = reps.get(owner)
    if entry is None:
        return OWNER_UNKNOWN
    if not entry.active_in:
        return OWNER_INACTIVE
    if source not in entry.active_in:
        return OWNER_INACTIVE_IN[source]
    return OWNER_LACKS_SKILLS if owner in unskilled else OWNER_NOT_MEMBER


@dataclass(frozen=True, slots=True)
class MemberLoad:
    email: str
    weight: float
    capacity: int | None
    accounts: int
    load: int
    """Sum of the balance measure over the member's accounts in the territory."""
    active_in: frozenset[str]
    """The CRMs where the member is active."""


class Pool:
    """The eligible owner members of one territory and their loads during an evaluation."""

    __slots__ = (
        "active_in",
        "capacities",
        "counts",
        "covers",
        "emails",
        "everywhere",
        "has_capacity",
        "loads",
        "member_skills",
        "name",
        "overlays",
        "prefer",
        "rep_rule",
        "slot_in",
        "slot_of",
        "split_sticky",
        "split_waiting",
        "sticky",
        "sticky_rule",
        "territory",
        "uniform",
        "unskilled",
        "waiting",
        "weights",
    )

    def __init__(
        self,
        territory: Territory,
        reps: Mapping[str, RepDirectoryEntry],
        by_measure: bool,
        skills: Mapping[str, SkillSet] | None = None,
    ) -> None:
        self.territory = territory
        self.name = territory.name
        skills = skills or {}
        require = territory.require
        self.unskilled = frozenset(
            m.email
            for m in territory.owners
            if require and not qualifies(skills.get(m.email, NO_SKILLS), require)
        )
        """Owner members without the skills the territory requires: never eligible."""
        members = sorted(
            (
                m
                for m in territory.owners
                if m.email in reps and reps[m.email].active_in and m.email not in self.unskilled
            ),
            key=lambda m: m.email,
        )
        self.emails = [m.email for m in members]
        self.slot_of: dict[str | None, int] = {m.email: slot for slot, m in enumerate(members)}
        """Every member active in some CRM."""
        self.active_in = [reps[m.email].active_in for m in members]
        self.slot_in: dict[str, dict[str | None, int]] = {
            source: {
                email: slot
                for slot, email in enumerate(self.emails)
                if source in self.active_in[slot]
            }
            for source in SOURCES
        }
        """The members active in each CRM."""
        distinct = set(self.active_in)
        self.uniform = len(distinct) <= 1
        """Every member is active in the same CRMs."""
        self.covers = next(iter(distinct)) if len(distinct) == 1 else ACTIVE_NOWHERE
        """The CRMs every member is active in, when `uniform`."""
        self.everywhere = self.covers == ACTIVE_EVERYWHERE
        """Every member is active in every CRM: no record is ever split."""
        self.weights = [m.weight for m in members]
        self.capacities = [m.capacity for m in members]
        self.has_capacity = any(c is not None for c in self.capacities)
        self.counts = [0] * len(members)
        self.loads = [0] * len(members) if by_measure else self.counts
        """Sum of the balance measure per member; the counts themselves when balancing by
        accounts (one list, so the per-account path updates one number, not two)."""
        self.sticky: list[list[Waiting]] = [[] for _ in members] if self.has_capacity else []
        """Per member, the businesses whose primary record they keep (with capacities only)."""
        self.split_sticky: list[list[Waiting]] = [[] for _ in members] if self.has_capacity else []
        """Per member, the businesses whose other record alone they keep."""
        self.waiting: list[Waiting] = []
        self.split_waiting: list[Waiting] = []
        """Businesses whose other record alone is to be dealt in its CRM."""
        self.overlays = frozenset(m.email for m in territory.overlays)
        self.prefer = territory.prefer
        """Skills that decide between members for a dealt account (before the load)."""
        self.member_skills = [skills.get(email, NO_SKILLS) for email in self.emails]
        self.rep_rule = SINGLE_OWNER if territory.assignment == SINGLE else BALANCED
        """The rule for an account dealt here."""
        self.sticky_rule = SINGLE_OWNER if territory.assignment == SINGLE else STICKY
        """The rule for an account kept by its current owner."""

    def covers_records(self, first: RecordFacts, second: RecordFacts | None) -> bool:
        """Every member is active in the CRMs of both records: the simple path applies."""
        covers = self.covers
        return first.source in covers and (second is None or second.source in covers)

    # --- the first pass, for businesses the simple path does not cover -----------------------

    def place(
        self,
        assignments: list[Assignment],
        key: str,
        first: RecordFacts,
        second: RecordFacts | None,
        territory_rule: str,
        note: object,
        measure: Measure,
    ) -> None:
        """Append the business's assignment: its records' eligible owners keep them, the rest
        wait (see the module docstring)."""
        source = first.source
        other = second.source if second is not None else None
        assignment = Assignment(
            key, self.name, None, territory_rule, self.rep_rule, note, source, other
        )
        item: Waiting = (key, len(assignments), first, second)
        assignments.append(assignment)
        chosen = self.slot_in[source].get(first.current_owner_email)
        kept = None
        if second is not None:
            kept = self.slot_in[second.source].get(second.current_owner_email)
            if chosen is None and kept is not None and source in self.active_in[kept]:
                chosen = kept
        if chosen is not None:
            self._hold(chosen, item, measure, self.sticky)
            assignment.rep_email = self.emails[chosen]
            assignment.rep_rule = self.sticky_rule
            if second is not None:
                self._place_other(assignment, chosen, kept, item, measure)
            return
        if not self.slot_in[source]:
            assignment.rep_rule = NO_ELIGIBLE_MEMBER
            assignment.rep_note = NONE_ACTIVE_HERE
            if second is not None:
                self._place_other(assignment, None, kept, item, measure)
            return
        self.waiting.append(item)
        if second is not None and kept is not None:
            # Inactive in the primary's CRM (else chosen above): they keep the other record
            # whoever is dealt the primary; `_after_primary` says why once that is known.
            self._place_other(assignment, None, kept, item, measure)

    def _place_other(
        self,
        assignment: Assignment,
        chosen: int | None,
        kept: int | None,
        item: Waiting,
        measure: Measure,
    ) -> None:
        """The other record, once the primary's rep is known (`chosen` None: the primary keeps
        its owner). `kept` is the other record's owner's slot when they are eligible for it."""
        first, second = item[2], item[3]
        assert second is not None
        other = second.source
        active_in = self.active_in
        if chosen is not None and other in active_in[chosen]:
            if kept is None or kept == chosen or first.source in active_in[kept]:
                return  # the other record follows the business's rep
            why = OWN_SEAT_ONLY
        else:
            why = CHOSEN_INACTIVE if chosen is not None else PRIMARY_KEPT
        split = SplitRecord(other, None, self.rep_rule, why, second.current_owner_email)
        assignment.split = split
        if kept is not None:
            self._hold(kept, item, measure, self.split_sticky)
            split.rep_email = self.emails[kept]
            split.rep_rule = self.sticky_rule
        elif not self.slot_in[other]:
            split.rep_rule = NO_ELIGIBLE_MEMBER
        else:
            self.split_waiting.append(item)

    def _hold(self, slot: int, item: Waiting, measure: Measure, held: list[list[Waiting]]) -> None:
        self.counts[slot] += 1
        if self.loads is not self.counts:
            self.loads[slot] += measure(item[2], item[3])
        if self.has_capacity:
            held[slot].append(item)

    # --- after the pass ----------------------------------------------------------------------

    def release_over_capacity(self, assignments: list[Assignment], measure: Measure) -> None:
        """Members holding more than their capacity keep the first businesses by key."""
        for slot, capacity in enumerate(self.capacities):
            if capacity is None:
                continue
            primary, other = self.sticky[slot], self.split_sticky[slot]
            if len(primary) + len(other) <= capacity:
                continue
            held = [(item, False) for item in primary] + [(item, True) for item in other]
            held.sort(key=lambda entry: entry[0][0])
            for item, is_other in held[capacity:]:
                _, position, first, second = item
                self.counts[slot] -= 1
                if self.loads is not self.counts:
                    self.loads[slot] -= measure(first, second)
                assignment = assignments[position]
                split = assignment.split
                if is_other and split is not None:
                    split.rep_email = None
                    split.rep_rule = self.rep_rule
                    split.note = OWNER_OVER_CAPACITY
                    self.split_waiting.append(item)
                    continue
                assignment.rep_email = None
                assignment.rep_rule = self.rep_rule
                assignment.rep_note = OWNER_OVER_CAPACITY
                assignment.previous_owner = self.emails[slot]
                self.waiting.append(item)
            self.sticky[slot] = [item for item, is_other in held[:capacity] if not is_other]
            self.split_sticky[slot] = [item for item, is_other in held[:capacity] if is_other]

    def deal(
        self,
        assignments: list[Assignment],
        measure: Measure,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        """Give every waiting business to the member with the lowest load per weight, then
        every other record waiting alone to the lowest-loaded member active in its CRM."""
        waiting = self.waiting
        if waiting:
            by_measure = self.loads is not self.counts
            if by_measure:
                waiting.sort(key=lambda item: (-measure(item[2], item[3]), item[0]))
            else:
                waiting.sort()  # keys are unique, so tuples compare by key alone
            if self.uniform and not self.prefer:
                self._deal_by_heap(assignments, measure, reps)
            else:
                self._deal_by_scan(assignments, measure, reps)
            waiting.clear()
        if self.split_waiting:
            self._deal_other_records(assignments, measure, reps)

    def _deal_by_heap(
        self,
        assignments: list[Assignment],
        measure: Measure,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        """Members all active in the same CRMs: one heap of (load per weight, email)."""
        counts, loads, weights, capacities, emails = (
            self.counts,
            self.loads,
            self.weights,
            self.capacities,
            self.emails,
        )
        by_measure = loads is not counts
        heap = [
            (loads[slot] / weights[slot], emails[slot], slot)
            for slot in range(len(emails))
            if capacities[slot] is None or counts[slot] < capacities[slot]  # type: ignore[operator]
        ]
        heapq.heapify(heap)
        rep_rule = self.rep_rule
        simple = self.everywhere
        known = reps.get
        for item in self.waiting:
            _, position, first, second = item
            assignment = assignments[position]
            if assignment.rep_note is None:  # `why_not_kept`, inline: most accounts pass here
                owner, source = first.current_owner_email, first.source
                if owner is None and second is not None:
                    owner, source = second.current_owner_email, second.source
                assignment.previous_owner = owner
                if owner is None:
                    assignment.rep_note = NO_OWNER
                else:
                    entry = known(owner)
                    assignment.rep_note = (
                        OWNER_UNKNOWN
                        if entry is None
                        else (OWNER_LACKS_SKILLS if owner in self.unskilled else OWNER_NOT_MEMBER)
                        if source in entry.active_in
                        else OWNER_INACTIVE_IN[source]
                        if entry.active_in
                        else OWNER_INACTIVE
                    )
            if not heap:
                assignment.rep_rule = CAPACITY_FULL
                if second is not None and not simple:
                    self._after_primary(assignment, None, item, measure)
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
            if second is not None and not simple:
                self._after_primary(assignment, slot, item, measure)

    def _deal_by_scan(
        self,
        assignments: list[Assignment],
        measure: Measure,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        """Members active in different CRMs: each business looks for the lowest-loaded member
        active in its primary's CRM, preferring one active in its other record's CRM too."""
        by_measure = self.loads is not self.counts
        for item in self.waiting:
            _, position, first, second = item
            assignment = assignments[position]
            if assignment.rep_note is None:
                self._note_previous_owner(assignment, first, second, reps)
            also = second.source if second is not None and assignment.split is None else None
            scores = self.scores(first, second) if self.prefer else None
            slot = self._lowest(first.source, also, scores)
            if scores is not None and slot is not None and scores[slot]:
                assignment.rep_detail = matched(
                    self.member_skills[slot], self.prefer, first, second
                )
            if slot is None:
                assignment.rep_rule = CAPACITY_FULL
                assignment.rep_note = FULL_HERE
            else:
                self.counts[slot] += 1
                if by_measure:
                    self.loads[slot] += measure(first, second)
                assignment.rep_email = self.emails[slot]
                assignment.rep_rule = self.rep_rule
            if second is not None:
                self._after_primary(assignment, slot, item, measure)

    def _after_primary(
        self, assignment: Assignment, slot: int | None, item: Waiting, measure: Measure
    ) -> None:
        """The other record of a business whose primary was just dealt (`slot` None: it keeps
        its owner)."""
        split = assignment.split
        if split is None:
            self._place_other(assignment, slot, None, item, measure)
            return
        other = split.source
        if slot is None:
            split.why = PRIMARY_KEPT
        elif other not in self.active_in[slot]:
            split.why = CHOSEN_INACTIVE
        else:
            split.why = OWN_SEAT_ONLY

    def _deal_other_records(
        self,
        assignments: list[Assignment],
        measure: Measure,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        waiting = self.split_waiting
        if self.loads is not self.counts:
            waiting.sort(key=lambda item: (-measure(item[2], item[3]), item[0]))
        else:
            waiting.sort()
        for item in waiting:
            _, position, first, second = item
            assert second is not None
            split = assignments[position].split
            assert split is not None
            source = split.source
            if split.note is None:
                split.note = why_not_kept(second.current_owner_email, source, reps, self.unskilled)
            slot = self._lowest(source, None)
            if slot is None:
                split.rep_rule = CAPACITY_FULL
                continue
            self.counts[slot] += 1
            if self.loads is not self.counts:
                self.loads[slot] += measure(first, second)
            split.rep_email = self.emails[slot]
            split.rep_rule = self.rep_rule
        waiting.clear()

    def scores(self, first: RecordFacts, second: RecordFacts | None) -> list[int]:
        """Each member's match with the business on the skills the territory prefers."""
        prefer = self.prefer
        return [preference(skills, prefer, first, second) for skills in self.member_skills]

    def _lowest(self, source: str, also: str | None, scores: list[int] | None = None) -> int | None:
        """The member active in `source` with room and the lowest load per weight (ties by
        email), preferring members active in `also` as well and, with `scores`, the best
        skill match before the load; None when all are full."""
        best: tuple[bool, int, float, str] | None = None
        found = None
        counts, loads, weights, capacities, emails = (
            self.counts,
            self.loads,
            self.weights,
            self.capacities,
            self.emails,
        )
        for slot in self.slot_in[source].values():
            capacity = capacities[slot]
            if capacity is not None and counts[slot] >= capacity:
                continue
            rank = (
                also is not None and also not in self.active_in[slot],
                -scores[slot] if scores is not None else 0,
                loads[slot] / weights[slot],
                emails[slot],
            )
            if best is None or rank < best:
                best, found = rank, slot
        return found

    def _note_previous_owner(
        self,
        assignment: Assignment,
        first: RecordFacts,
        second: RecordFacts | None,
        reps: Mapping[str, RepDirectoryEntry],
    ) -> None:
        """Why the business's owner (the primary's, else the other record's) did not keep it."""
        owner, source = first.current_owner_email, first.source
        if owner is None and second is not None:
            owner, source = second.current_owner_email, second.source
        assignment.previous_owner = owner
        assignment.rep_note = why_not_kept(owner, source, reps, self.unskilled)

    def member_loads(self) -> list[MemberLoad]:
        return [
            MemberLoad(
                email,
                self.weights[s],
                self.capacities[s],
                self.counts[s],
                self.loads[s],
                self.active_in[s],
            )
            for s, email in enumerate(self.emails)
        ]
