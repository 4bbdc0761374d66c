"""Evaluation: every business gets a territory and a rep, or an explicit reason it has none.

Order of decisions for one business (its records read primary first, see `facts`):
1. a holdout matches -> never reassigned (rep None: the owner stays); holdouts are tested by the
   same generated function as the candidates, first;
2. a named account entry matches (CRM id before domain) -> its territory, or its rep directly;
3. the territory index gives the candidates for the business's (country, region); the first
   whose remaining criteria hold wins, unless another of the same priority and depth also holds
   (a `tie`: no territory, owner stays); the runner-up names the rule that decided (`priority`,
   `specificity`, or `only_match`);
4. no territory matched -> the catch-all territory, or the owner stays (`unmatched_keep_owner`);
5. inside the territory: the current owner stays if an eligible member (`sticky`), otherwise the
   account waits and is dealt after the pass (see `balancing`); with `settings.balancing`, the
   fewest accounts then move between members to bring each within tolerance (`rebalance`).
   Eligibility is per CRM: a rep inactive in one CRM keeps the records they own in the other,
   and a linked business's record in a CRM where its rep is inactive is decided on its own (see
   `balancing`).

The pass over the businesses is one loop with everything it needs in local variables: no dict or
list is allocated per business except its `Assignment` (and a small tuple for waiting ones).
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import cast

from mapping.territories.assignment import (
    CATCH_ALL,
    FIRST_TOUCH,
    HOLDOUT,
    KEEP_OWNER,
    NAMED_ACCOUNT,
    NAMED_CONFLICT,
    NAMED_IN_CRM,
    NAMED_REP,
    NO_ELIGIBLE_MEMBER,
    NO_OWNER,
    NONE_ACTIVE_HERE,
    TIE,
    UNMATCHED_KEEP_OWNER,
    Assignment,
    FirstTouchNote,
    SplitRecord,
)
from mapping.territories.balancing import MemberLoad, Pool, measure_for
from mapping.territories.checks import territories_without_active_member
from mapping.territories.codegen import HELD_OUT
from mapping.territories.facts import (
    ACTIVE_NOWHERE,
    SALESFORCE,
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
)
from mapping.territories.index import Candidate, rule_against
from mapping.territories.rebalance import RebalanceOutcome, rebalance
from mapping.territories.rules import (
    LoadedTerritories,
    NamedAccount,
    NamedLookup,
)


@dataclass(frozen=True)
class EvaluationSummary:
    """Counts for the run summary."""

    accounts: int
    by_territory_rule: dict[str, int]
    by_rep_rule: dict[str, int]
    ties: dict[tuple[str, ...], int]
    """Accounts left unassigned by each unresolved tie, by the tied territory names."""
    unassigned: int
    """Accounts with no territory (holdouts, ties, unmatched, conflicts; named-to-rep excluded)."""
    orphans_redistributed: int
    """Accounts with a record moved off an owner who is inactive (in that record's CRM or
    everywhere), unknown, no longer a member or over capacity."""
    unowned_assigned: int
    """Accounts without an owner that were given one (and none moved off an owner)."""


@dataclass(eq=False)
class Evaluation:
    """The outcome of one `evaluate`: an assignment per business, in input order, and the loads
    each territory's eligible owners ended with."""

    rules: LoadedTerritories
    assignments: list[Assignment]
    pools: dict[str, Pool] = field(repr=False)
    reps: Mapping[str, RepDirectoryEntry] = field(repr=False)
    rebalanced: RebalanceOutcome | None = None
    """What balancing did (`settings.balancing`); None when the file does not ask for it."""

    def __iter__(self) -> Iterator[Assignment]:
        return iter(self.assignments)

    def __len__(self) -> int:
        return len(self.assignments)

    @cached_property
    def by_key(self) -> dict[str, Assignment]:
        return {assignment.key: assignment for assignment in self.assignments}

    def member_loads(self, territory: str) -> list[MemberLoad]:
        """Accounts and load per eligible owner member after this evaluation."""
        pool = self.pools.get(territory)
        return pool.member_loads() if pool else []

    def territories_without_active_member(self) -> dict[str, list[str]]:
        """CRM -> the territories (sorted names) that have owner members but none active in
        that CRM, whose records there keep their owners; only CRMs some rep has a seat in, and
        only CRMs with such a territory."""
        return territories_without_active_member(self.rules.territories.values(), self.reps)

    @cached_property
    def summary(self) -> EvaluationSummary:
        by_territory: Counter[str] = Counter()
        by_rep: Counter[str] = Counter()
        ties: Counter[tuple[str, ...]] = Counter()
        unassigned = orphans = unowned = 0
        for assignment in self.assignments:
            by_territory[assignment.territory_rule] += 1
            by_rep[assignment.rep_rule] += 1
            if assignment.territory_rule == TIE:
                ties[assignment.tied] += 1
            if assignment.unassigned:
                unassigned += 1
            # A record given a rep carries why its previous owner did not keep it.
            note = assignment.rep_note if assignment.rep_email is not None else None
            split = assignment.split
            if (
                split is not None
                and split.rep_email is not None
                and split.note is not None
                and (note is None or note == NO_OWNER)
            ):
                note = split.note
            if note is not None:
                if note == NO_OWNER:
                    unowned += 1
                else:
                    orphans += 1
        return EvaluationSummary(
            accounts=len(self.assignments),
            by_territory_rule=dict(by_territory),
            by_rep_rule=dict(by_rep),
            ties=dict(ties),
            unassigned=unassigned,
            orphans_redistributed=orphans,
            unowned_assigned=unowned,
        )


def evaluate(
    companies: Iterable[CompanyFacts],
    rules: LoadedTerritories,
    reps: Mapping[str, RepDirectoryEntry],
    *,
    as_of: datetime | None = None,
) -> Evaluation:
    """Territory and rep for every business, in input order. `reps` is keyed by lower-case email.

    Deterministic and independent of input order (given unique keys), and idempotent: feeding
    each record's rep (`rep_for` its CRM) back in as its owner gives the same territories and
    reps. Balancing's `never_move: {gained_within_days: N}` counts back from `as_of` (now when
    not given).

    The pass creates no reference cycles, so the cyclic garbage collector is paused while it runs:
    otherwise it would rescan the growing list of assignments again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _evaluate(companies, rules, reps, as_of)
    finally:
        if collecting:
            gc.enable()


def _evaluate(
    companies: Iterable[CompanyFacts],
    rules: LoadedTerritories,
    reps: Mapping[str, RepDirectoryEntry],
    as_of: datetime | None,
) -> Evaluation:
    settings = rules.settings
    primary = settings.primary_source
    index = rules.index
    cache = index.cache
    bucket_for = index.bucket
    measure = measure_for(settings.balance_by)
    by_measure = settings.balance_by != "accounts"
    pools = {
        name: Pool(territory, reps, by_measure, rules.skills)
        for name, territory in rules.territories.items()
    }
    catch_all = rules.catch_all
    catch_pool = pools[catch_all.name] if catch_all is not None else None
    first_touch_at = settings.first_touch_at
    lookup = rules.named_lookup
    any_named = bool(lookup)
    named_get = cast(Callable[[str | None], NamedAccount | None], lookup.any_identifier.get)

    assignments: list[Assignment] = []
    append = assignments.append
    kept_records: list[tuple[RecordFacts, RecordFacts | None]] | None = (
        [] if settings.balancing is not None else None
    )
    """Each business's records in decision order, for balancing's skill preferences."""
    for company in companies:
        records = company.records
        first = records[0]
        second: RecordFacts | None = None
        other: str | None = None
        if len(records) > 1:
            if first.source == primary:
                second = records[1]
            else:
                second, first = first, records[1]
            other = second.source
        source = first.source
        key = company.key
        if kept_records is not None:
            kept_records.append((first, second))

        country = first.country
        if country is None and second is not None:
            country = second.country
        region = first.region
        if region is None and second is not None:
            region = second.region
        by_region = cache.get(country)
        bucket = by_region.get(region) if by_region is not None else None
        if bucket is None:
            bucket = bucket_for(country, region)
        at = bucket.first_match(first, second)
        if at == HELD_OUT:
            holdout = _holdout_name(rules, first, second)
            append(Assignment(key, None, None, HOLDOUT, KEEP_OWNER, holdout, source, other))
            continue

        pool: Pool
        note: object
        named: NamedAccount | tuple[NamedAccount, NamedAccount] | None = None
        if any_named and (
            named_get(first.domain) is not None
            or named_get(first.external_id) is not None
            or (
                second is not None
                and (
                    named_get(second.domain) is not None
                    or named_get(second.external_id) is not None
                )
            )
        ):
            named = named_entry(first, second, lookup)
        if named is not None:
            if isinstance(named, tuple):
                append(
                    Assignment(key, None, None, NAMED_CONFLICT, KEEP_OWNER, named, source, other)
                )
                continue
            if named.rep is not None:
                append(_pinned_to_rep(key, named, reps.get(named.rep), first, second))
                continue
            assert named.territory is not None
            pool, territory_rule, note = pools[named.territory], NAMED_ACCOUNT, named
        else:
            if at < 0:
                if catch_pool is None:
                    append(
                        Assignment(
                            key, None, None, UNMATCHED_KEEP_OWNER, KEEP_OWNER, None, source, other
                        )
                    )
                    continue
                pool, territory_rule, note = catch_pool, CATCH_ALL, None
            else:
                winner = bucket.candidates[at]
                touched = None
                # Settled speaks of ties and the runner-up down to the parent; before depth,
                # first touch also weighs territories of other branches ranked below it.
                if first_touch_at is not None and (first_touch_at < 2 or not winner.settled):
                    touched = _first_touch(
                        bucket.candidates, at, first_touch_at, first, second, pools
                    )
                if touched is not None:
                    chosen, email, touch_note = touched
                    pool = pools[chosen]
                    touched_slot = pool.slot_of[email]
                    pool.counts[touched_slot] += 1
                    if by_measure:
                        pool.loads[touched_slot] += measure(first, second)
                    if pool.has_capacity:
                        pool.sticky[touched_slot].append((key, len(assignments), first, second))
                    append(
                        Assignment(
                            key, chosen, email, FIRST_TOUCH, FIRST_TOUCH, touch_note, source, other
                        )
                    )
                    continue
                if winner.settled:
                    territory_rule, note = winner.decided
                else:
                    if winner.tie_partners:
                        tied = _tied(winner, first, second)
                        if tied is not None:
                            append(
                                Assignment(key, None, None, TIE, KEEP_OWNER, tied, source, other)
                            )
                            continue
                    territory_rule, note = _runner_up(winner, first, second)
                pool = pools[winner.name]

        # The rep: the current owner stays when eligible, otherwise the account waits.
        slot_of = pool.slot_of
        if not slot_of:
            append(
                Assignment(
                    key, pool.name, None, territory_rule, NO_ELIGIBLE_MEMBER, note, source, other
                )
            )
            continue
        if not pool.everywhere and not pool.covers_records(first, second):
            # Some member is inactive in a CRM of this business: decided record by record.
            pool.place(assignments, key, first, second, territory_rule, note, measure)
            continue
        slot = slot_of.get(first.current_owner_email)
        if slot is None and second is not None:
            slot = slot_of.get(second.current_owner_email)
        if slot is None:
            pool.waiting.append((key, len(assignments), first, second))
            append(
                Assignment(key, pool.name, None, territory_rule, pool.rep_rule, note, source, other)
            )
            continue
        pool.counts[slot] += 1
        if by_measure:
            pool.loads[slot] += measure(first, second)
        if pool.has_capacity:
            pool.sticky[slot].append((key, len(assignments), first, second))
        append(
            Assignment(
                key,
                pool.name,
                pool.emails[slot],
                territory_rule,
                pool.sticky_rule,
                note,
                source,
                other,
            )
        )

    for pool in pools.values():
        if pool.has_capacity:
            pool.release_over_capacity(assignments, measure)
        pool.deal(assignments, measure, reps)
    rebalanced = None
    if settings.balancing is not None:
        assert kept_records is not None
        rebalanced = rebalance(assignments, pools, settings.balancing, kept_records, as_of)
    return Evaluation(rules, assignments, pools, reps, rebalanced)


def _pinned_to_rep(
    key: str,
    named: NamedAccount,
    entry: RepDirectoryEntry | None,
    first: RecordFacts,
    second: RecordFacts | None,
) -> Assignment:
    """A business the file pins to a rep: the rep owns its records in the CRMs where they are
    active; the others keep their owner."""
    rep = named.rep
    active_in = entry.active_in if entry is not None else ACTIVE_NOWHERE
    source = first.source
    other = second.source if second is not None else None
    if source in active_in:
        assignment = Assignment(key, None, rep, NAMED_ACCOUNT, NAMED_REP, named, source, other)
        if second is not None and second.source not in active_in:
            assignment.split = SplitRecord(
                second.source, None, NO_ELIGIBLE_MEMBER, NAMED_IN_CRM, second.current_owner_email
            )
        return assignment
    assignment = Assignment(
        key, None, None, NAMED_ACCOUNT, NO_ELIGIBLE_MEMBER, named, source, other
    )
    if active_in:
        assignment.rep_note = NONE_ACTIVE_HERE
        if second is not None and second.source in active_in:
            assignment.split = SplitRecord(
                second.source, rep, NAMED_REP, NAMED_IN_CRM, second.current_owner_email
            )
    return assignment


def _first_touch(
    candidates: tuple[Candidate, ...],
    at: int,
    position: int,
    first: RecordFacts,
    second: RecordFacts | None,
    pools: Mapping[str, Pool],
) -> tuple[str, str, FirstTouchNote] | None:
    """The territory and rep first touch gives a business several territories match: among the
    matching territories still level when first touch is asked (`position`: 0 all of them, 1
    those of the top priority, 2 those of the top priority and depth), the best ranked in which
    the rep who owns (else opened) its earliest opportunity is an owner member active in each of
    the business's CRMs. None
    (the next rule decides) when it has no first touch, a tied one, fewer than two territories
    are level, or the rep is a member of none of them."""
    touch = first.first_touch
    if second is not None and second.first_touch is not None:
        touch = second.first_touch.earlier(touch)
    if touch is None or touch.tied:
        return None
    matching = [c for c in candidates[at:] if c.test is None or c.test(first, second)]
    # A territory contains its children's accounts: only the most specific matching territory of
    # each branch is an overlap to decide, never a parent against its own child.
    above = {id(parent) for c in matching for parent in _ancestors(c)}
    matching = [c for c in matching if id(c) not in above]
    top = matching[0]
    if position >= 1:
        matching = [c for c in matching if c.priority == top.priority]
    if position >= 2:
        matching = [c for c in matching if c.territory.depth == top.territory.depth]
    if len(matching) < 2:
        return None
    for email in touch.candidates:
        for candidate in matching:
            pool = pools[candidate.name]
            active = pool.slot_in
            if email in active[first.source] and (second is None or email in active[second.source]):
                others = tuple(c.name for c in matching if c is not candidate)
                opened = email != touch.owner_email
                note = FirstTouchNote(touch.opportunity_id, touch.created_at, email, opened, others)
                return candidate.name, email, note
    return None


def _ancestors(candidate: Candidate) -> Iterator[Candidate]:
    parent = candidate.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _tied(
    winner: Candidate, first: RecordFacts, second: RecordFacts | None
) -> tuple[str, ...] | None:
    tied = [
        other.name
        for other in winner.tie_partners
        if other.test is None or other.test(first, second)
    ]
    return tuple(sorted([winner.name, *tied])) if tied else None


def _runner_up(
    winner: Candidate, first: RecordFacts, second: RecordFacts | None
) -> tuple[str, str | None]:
    """The best other matching territory below the winner's tie group, and the deciding rule."""
    for other in winner.runner_up_scan:  # in rank order
        if other.test is None or other.test(first, second):
            return rule_against(winner, other)
    return winner.decided


def _holdout_name(
    rules: LoadedTerritories, first: RecordFacts, second: RecordFacts | None
) -> str | None:
    """The first holdout (in file order) holding the account, named in its reason."""
    if len(rules.holdouts) == 1:
        return rules.holdouts[0].name
    for holdout in rules.holdouts:
        if holdout.criterion.test(first, second):
            return holdout.name
    return None


def named_entry(
    first: RecordFacts, second: RecordFacts | None, lookup: NamedLookup
) -> NamedAccount | tuple[NamedAccount, NamedAccount] | None:
    """The named-account entry for a business: CRM ids first, then domains; two entries that
    disagree on the target are returned as a pair (a conflict the file must settle)."""
    found: NamedAccount | None = None
    for level in (0, 1):
        for record in (first, second):
            if record is None:
                continue
            if level == 0:
                if record.source == SALESFORCE:
                    entry = lookup.salesforce_get(record.external_id)
                else:
                    entry = lookup.by_hubspot_id.get(record.external_id)
            else:
                entry = lookup.by_domain.get(record.domain) if record.domain else None
            if entry is None:
                continue
            if found is None:
                found = entry
            elif (found.territory, found.rep) != (entry.territory, entry.rep):
                return (found, entry)
        if found is not None:
            return found
    return None
