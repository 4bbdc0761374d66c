"""Balancing as an optimisation: the fewest owner moves that even out each territory's members.

With `settings.balancing` in the territory file, the engine first chooses reps as always (the
current owner stays when eligible, the others are dealt, see `balancing`); then this pass moves
accounts between the owner members of each territory so that every member ends within the
tolerance of their target, moving as few accounts off their owner as that needs:

- a member's target, per balanced measure (`measure`: accounts, revenue, employees, or several
  together), is the territory's total (every business a member holds there) times their weight
  over the members' total weight; "within tolerance" is from floor(target x (1 - t)) to
  ceil(target x (1 + t)), so a small target always has a whole number inside;
- only businesses a member holds whole may move (`sticky` ones, kept by their owner, and `balanced`
  ones, just dealt): holdouts, named accounts, single-owner territories and a linked business
  whose records are split between two reps never move; a linked Salesforce/HubSpot pair moves as
  one business, and only to a member active in both CRMs;
- capacities are never exceeded; with a move cap (`max_moves`, a number or a share of the
  accounts that could move) at most that many accounts leave their owner in the whole book.

The model is solved with OR-Tools' CP-SAT (`rebalance_solver`: one small model per territory,
solved side by side; one model of them all when a move cap ties them together), over groups of
interchangeable businesses: the same holder, the same kind (kept or dealt), the same eligible
members, the same skill match and (balancing revenue or employees) the same value. Its objective
is lexicographic: first the members' distance from their bands (each measure weighted so that a
share of a target weighs alike), then the moves of kept accounts (what reps feel), then the moves
of dealt accounts (they change owner anyway), then the skill match. Territories already within
tolerance stay out of the model (any move there only adds cost). The solver's work is a
deterministic limit, so the same input always gives the same plan; a plan is proven optimal by
the solver or by meeting the least moves any plan within the bands needs, and otherwise the
bound is reported, so an admin sees how far from optimal it may be (revenue and employees make
each business its own item: a packing problem the work limit may stop short of proving). Which
businesses of a group move is decided by key: the first ones by key stay, the rest go in key
order.

Fed its own output, the pass moves nothing: every member is then within tolerance (or as close
as the constraints allow, which the same optimum reproduces with no move).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from mapping.territories.assignment import BALANCED, NAMED_ACCOUNT, REBALANCED, STICKY, Assignment
from mapping.territories.balancing import WORKLOAD_SCALE, Pool, balancing_measure
from mapping.territories.facts import RecordFacts
from mapping.territories.rebalance_solver import (
    DEALT,
    KEPT,
    Group,
    Problem,
    Solution,
    solve,
    solve_each,
)
from mapping.territories.rules import WORKLOAD, Balancing

WORK_SECONDS = 30.0
"""CP-SAT's work limit for one evaluation, shared between the territory models (its deterministic
time, not wall time, so the answer never depends on the machine's speed or load). Balancing
accounts solves to optimality far below it; balancing revenue or employees in many territories
may reach it, and then reports the solver's bound."""
LEAST_WORK_SECONDS = 0.02
"""The least work one territory's model is given."""


@dataclass(frozen=True)
class Figures:
    """One measure of one member: load before and after the pass, target and band."""

    before: int
    after: int
    target: float
    low: int
    high: int
    scale: int = 1
    """Stored units per shown unit (the workload is kept in thousandths of a point)."""

    def within(self, load: int) -> bool:
        return self.low <= load <= self.high

    def shown(self) -> dict[str, float]:
        """before, after, target, low and high in the measure's own units, for people."""
        return {
            "before": shown(self.before, self.scale),
            "after": shown(self.after, self.scale),
            "target": round(self.target / self.scale, 2),
            "low": shown(self.low, self.scale),
            "high": shown(self.high, self.scale),
        }


def shown(value: float, scale: int) -> float:
    """A stored amount in its measure's own units (whole when `scale` is 1)."""
    return value if scale == 1 else round(value / scale, 1)


@dataclass(frozen=True)
class MemberBalance:
    """One owner member of a balanced territory, before and after the pass."""

    email: str
    measures: tuple[tuple[str, Figures], ...]
    """Per balanced measure, in the file's order (accounts in accounts; revenue and employees
    in whole units)."""
    moved_in: int
    moved_out: int
    skill_before: float | None = None
    """In a territory that prefers skills: the member's average match with the businesses they
    hold there (`skills.preference`), before and after the pass."""
    skill_after: float | None = None

    @property
    def first(self) -> Figures:
        return self.measures[0][1]

    @property
    def before(self) -> int:
        return self.first.before

    @property
    def after(self) -> int:
        return self.first.after

    @property
    def target(self) -> float:
        return self.first.target

    @property
    def low(self) -> int:
        return self.first.low

    @property
    def high(self) -> int:
        return self.first.high


@dataclass(frozen=True)
class TerritoryBalance:
    territory: str
    members: tuple[MemberBalance, ...]

    @property
    def within_before(self) -> bool:
        return all(f.within(f.before) for m in self.members for _, f in m.measures)

    @property
    def within_after(self) -> bool:
        return all(f.within(f.after) for m in self.members for _, f in m.measures)


@dataclass
class RebalanceOutcome:
    """What the pass did, for the run's figures and the balance report."""

    tolerance: float
    move_cap: int | None
    measures: tuple[str, ...] = ("accounts",)
    moves: int = 0
    """Accounts moved off the owner who kept them."""
    dealt_moves: int = 0
    """Accounts just dealt that went to another member instead."""
    outside_before: dict[str, float] = field(default_factory=dict)
    """Per measure, how far the members were outside their bands, summed (accounts; revenue or
    employees in whole units; workload in points)."""
    outside_after: dict[str, float] = field(default_factory=dict)
    optimal: bool = True
    """The solver proved no plan is better (closer to the bands, then fewer moves)."""
    moves_lower_bound: int = 0
    """No plan as close to the bands needs fewer moves than this (equal to `moves` if optimal)."""
    territories: list[TerritoryBalance] = field(default_factory=list)
    """Every territory the pass looked at (those with two or more owner members)."""
    recently_gained: int = 0
    """Accounts left with an owner who gained them recently (`never_move`), in territories
    balancing had to change."""

    @property
    def distance_before(self) -> float:
        """The first measure's `outside_before`."""
        return self.outside_before.get(self.measures[0], 0)

    @property
    def distance_after(self) -> float:
        return self.outside_after.get(self.measures[0], 0)

    @property
    def outside_tolerance(self) -> list[str]:
        """Territories some member of which is still outside their band (capacities, members
        inactive in a CRM, or the move cap left no better plan)."""
        return [t.territory for t in self.territories if not t.within_after]

    def as_dict(self, *, members: bool = False) -> dict[str, object]:
        """The run's figures; with `members`, each balanced territory's members before and
        after (what the what-if shows)."""
        figures: dict[str, object] = {
            "tolerance": self.tolerance,
            "measures": list(self.measures),
            "move_cap": self.move_cap,
            "moves": self.moves,
            "dealt_moves": self.dealt_moves,
            "moves_lower_bound": self.moves_lower_bound,
            "optimal": self.optimal,
            "outside_before": dict(self.outside_before),
            "outside_after": dict(self.outside_after),
            "accounts_outside_before": self.outside_before.get("accounts"),
            "accounts_outside_after": self.outside_after.get("accounts"),
            "territories": len(self.territories),
            "territories_outside_tolerance": self.outside_tolerance,
            "recently_gained_kept": self.recently_gained,
        }
        if members:
            figures["by_territory"] = [
                {
                    "territory": t.territory,
                    "within_before": t.within_before,
                    "within_after": t.within_after,
                    "members": [
                        {
                            "email": m.email,
                            **m.first.shown(),
                            "moved_in": m.moved_in,
                            "moved_out": m.moved_out,
                            "skill_before": m.skill_before,
                            "skill_after": m.skill_after,
                            "by_measure": {name: f.shown() for name, f in m.measures},
                        }
                        for m in t.members
                    ],
                }
                for t in self.territories
                if t.members and (not t.within_before or any(m.moved_in for m in t.members))
            ]
        return figures


SCALED_SHARE = 1_000
"""Revenue and employees enter the model in units of about 1/SCALED_SHARE of a member's average
share (CP-SAT works in whole numbers), and at most a twentieth of the median account (`_unit`).
Coarser values make the packing easier, but rounding many small accounts the same way can carry
a member out of its band unseen; the median cap bounds that."""


@dataclass
class _Measure:
    """One balanced measure in one territory: the model's whole numbers and the real ones."""

    name: str
    unit: int
    """Real units per model unit (1 for accounts)."""
    weight: int
    """Objective weight of one model unit out of band (so that a share of a member's target
    weighs alike in every measure)."""
    low: list[int]
    high: list[int]
    load: list[int]
    """Per slot, in model units: the load before the pass (the sum of its businesses' rounded
    values, so that it stays what the moves make it)."""
    real: list[int]
    """Per slot, the real load (updated as businesses move)."""
    real_targets: list[float]
    scale: int = 1
    """Real units per shown unit (`Figures.scale`)."""


@dataclass
class _Territory:
    pool: Pool
    tolerance: float
    measures: list[_Measure]
    groups: dict[Group, list[int]]
    """Interchangeable businesses -> their positions."""
    values: dict[int, tuple[int, ...]]
    """Per position, its real value in each measure."""
    skills: dict[int, list[int]] = field(default_factory=dict)
    """In a territory that prefers skills: per held position, each member's match with it."""
    holders: dict[int, int] = field(default_factory=dict)
    """Per held position with `skills`, its member (updated as businesses move)."""
    recently_gained: int = 0
    """Kept businesses left out because their owner gained them recently (`never_move`)."""

    def skill_sums(self) -> list[tuple[int, int]]:
        """Per member: (summed match with the businesses they hold, how many)."""
        sums = [(0, 0)] * len(self.pool.emails)
        for position, slot in self.holders.items():
            total, count = sums[slot]
            sums[slot] = (total + self.skills[position][slot], count + 1)
        return sums

    def skill_match(
        self, slot: int, before: list[tuple[int, int]] | None
    ) -> tuple[float | None, float | None]:
        """The member's average match before and after (None without skill preferences)."""
        if before is None:
            return None, None
        after = self.skill_sums()[slot]
        return _average(*before[slot]), _average(*after)

    def problem(self) -> Problem:
        """The territory in the solver's terms."""
        return Problem(
            loads=[list(m.load) for m in self.measures],
            low=[m.low for m in self.measures],
            high=[m.high for m in self.measures],
            weights=[m.weight for m in self.measures],
            counts=list(self.pool.counts),
            capacities=list(self.pool.capacities),
            groups=[(group, len(positions)) for group, positions in sorted(self.groups.items())],
        )

    def distance(self) -> int:
        """The model's weighted distance from the bands before the pass."""
        return sum(
            m.weight * (max(0, low - load) + max(0, load - high))
            for m in self.measures
            for low, load, high in zip(m.low, m.load, m.high, strict=True)
        )


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def move_cap(balancing: Balancing, movable: int) -> int | None:
    """The most accounts that may leave their owner, given how many could."""
    caps = []
    if balancing.max_moves is not None:
        caps.append(balancing.max_moves)
    if balancing.max_share is not None:
        caps.append(math.floor(balancing.max_share * movable))
    return min(caps) if caps else None


def targets(pool: Pool) -> list[float]:
    """Each owner member's share of the accounts the territory's members hold, by weight."""
    return _shares(sum(pool.counts), pool.weights)


def _shares(total: float, weights: Sequence[float]) -> list[float]:
    whole = sum(weights)
    return [total * weight / whole for weight in weights] if whole else []


def band(target: float, tolerance: float) -> tuple[int, int]:
    """The whole numbers within `tolerance` of `target` (never empty)."""
    return math.floor(target * (1 - tolerance) + 1e-9), math.ceil(target * (1 + tolerance) - 1e-9)


def _outside(real: int, target: float, tolerance: float) -> int:
    low, high = band(target, tolerance)
    return max(0, low - real) + max(0, real - high)


def rebalance(
    assignments: Sequence[Assignment],
    pools: Mapping[str, Pool],
    balancing: Balancing,
    records: Sequence[tuple[RecordFacts, RecordFacts | None]] = (),
    as_of: datetime | None = None,
) -> RebalanceOutcome:
    """Move the fewest accounts that bring each territory's owner members within tolerance (see
    the module docstring); changes `assignments` in place and the pools' counts with them.
    `records` (each business's records, primary first) give revenue and employees and serve
    territories that prefer skills, and when each owner got the record (`never_move`, counted
    back from `as_of`, by default now)."""
    tolerance = balancing.tolerance
    territories = _territories(assignments, pools, balancing, records, as_of or datetime.now(UTC))
    movable: int = sum(
        len(positions)
        for territory in territories
        for (_, kind, *_), positions in territory.groups.items()
        if kind == KEPT
    )
    outcome = RebalanceOutcome(tolerance, move_cap(balancing, movable), balancing.measures)
    before = {t.pool.name: [list(m.real) for m in t.measures] for t in territories}
    before_skill = {t.pool.name: t.skill_sums() for t in territories if t.skills}
    outcome.outside_before = _outside_by_measure(territories, tolerance)
    unbalanced = [t for t in territories if t.distance() > 0]
    outcome.recently_gained = sum(t.recently_gained for t in unbalanced)
    moved_in: dict[str, list[int]] = {t.pool.name: [0] * len(t.pool.emails) for t in territories}
    moved_out: dict[str, list[int]] = {t.pool.name: [0] * len(t.pool.emails) for t in territories}
    if outcome.move_cap is None:
        # Territories share nothing without a cap: one small model each solves far faster
        # than one model of them all (3 ms a territory against 20 s for 925 together).
        work = max(LEAST_WORK_SECONDS, WORK_SECONDS / max(len(unbalanced), 1))
        solved = solve_each([t.problem() for t in unbalanced], work)
        for territory, solution in zip(unbalanced, solved, strict=True):
            _record(assignments, [territory], solution, outcome, moved_in, moved_out)
    elif unbalanced:
        solution = solve([t.problem() for t in unbalanced], outcome.move_cap, WORK_SECONDS)
        _record(assignments, unbalanced, solution, outcome, moved_in, moved_out)
    outcome.outside_after = _outside_by_measure(territories, tolerance)
    for t in territories:
        name = t.pool.name
        outcome.territories.append(
            TerritoryBalance(
                name,
                tuple(
                    MemberBalance(
                        email,
                        tuple(
                            (
                                m.name,
                                Figures(
                                    before[name][number][slot],
                                    m.real[slot],
                                    m.real_targets[slot],
                                    *band(m.real_targets[slot], tolerance),
                                    m.scale,
                                ),
                            )
                            for number, m in enumerate(t.measures)
                        ),
                        moved_in[name][slot],
                        moved_out[name][slot],
                        *t.skill_match(slot, before_skill.get(name)),
                    )
                    for slot, email in enumerate(t.pool.emails)
                ),
            )
        )
    return outcome


def _outside_by_measure(territories: Sequence[_Territory], tolerance: float) -> dict[str, float]:
    found: dict[str, int] = defaultdict(int)
    scales: dict[str, int] = {}
    for t in territories:
        for m in t.measures:
            scales[m.name] = m.scale
            found[m.name] += sum(
                _outside(real, target, tolerance)
                for real, target in zip(m.real, m.real_targets, strict=True)
            )
    return {name: shown(total, scales[name]) for name, total in found.items()}


def _territories(
    assignments: Sequence[Assignment],
    pools: Mapping[str, Pool],
    balancing: Balancing,
    records: Sequence[tuple[RecordFacts, RecordFacts | None]],
    as_of: datetime,
) -> list[_Territory]:
    balanced = {
        name: pool for name, pool in pools.items() if len(pool.emails) >= 2 and sum(pool.counts) > 0
    }
    by_value = [name for name in balancing.measures if name != "accounts"]
    valued = [balancing_measure(name, balancing.workload) for name in by_value]
    positions: dict[str, list[int]] = defaultdict(list)
    held: dict[str, list[int]] = defaultdict(list)
    days = balancing.gained_within_days
    gained_after = as_of - timedelta(days=days) if days is not None and records else None
    recently_gained: dict[str, int] = defaultdict(int)
    for position, assignment in enumerate(assignments):
        territory = assignment.territory
        if territory not in balanced or assignment.rep_email is None:
            continue
        held[territory].append(position)
        if (
            assignment.split is None
            and assignment.territory_rule != NAMED_ACCOUNT
            and assignment.rep_rule in (STICKY, BALANCED)
        ):
            if (
                gained_after is not None
                and assignment.rep_rule == STICKY
                and _gained_after(records[position], assignment.rep_email, gained_after)
            ):
                recently_gained[territory] += 1
                continue
            positions[territory].append(position)
    found = []
    for name, pool in balanced.items():
        members = len(pool.emails)
        values: dict[int, tuple[int, ...]] = {}
        real_value_loads = [[0] * members for _ in by_value]
        skills: dict[int, list[int]] = {}
        holders: dict[int, int] = {}
        for position in held.get(name, ()):
            slot = pool.slot_of.get(assignments[position].rep_email)
            if slot is None or not records:
                continue
            first, second = records[position]
            if pool.prefer:
                skills[position] = pool.scores(first, second)
                holders[position] = slot
            values[position] = tuple(value(first, second) for value in valued)
            for number, amount in enumerate(values[position]):
                real_value_loads[number][slot] += amount
        measures = []
        value_number = 0
        for measure_name in balancing.measures:
            if measure_name == "accounts":
                real, unit = list(pool.counts), 1
            else:
                real = real_value_loads[value_number]
                unit = _unit(sum(real), members, [v[value_number] for v in values.values()])
                value_number += 1
            real_targets = _shares(sum(real), pool.weights)
            scaled_targets = [target / unit for target in real_targets]
            bands = [band(target, balancing.tolerance) for target in scaled_targets]
            if unit == 1:
                model_loads = list(real)
            else:
                # The model's load is the sum of the businesses' rounded values, so that it
                # stays what the moves make it (and a rerun sees what the last run left).
                model_loads = [0] * members
                for position, amounts in values.items():
                    slot = pool.slot_of[assignments[position].rep_email]
                    model_loads[slot] += round(amounts[value_number - 1] / unit)
            measures.append(
                _Measure(
                    measure_name,
                    unit,
                    1,
                    [low for low, _ in bands],
                    [high for _, high in bands],
                    model_loads,
                    real,
                    real_targets,
                    WORKLOAD_SCALE if measure_name == WORKLOAD else 1,
                )
            )
        _weigh(measures, members)
        value_numbers = [None if m.name == "accounts" else by_value.index(m.name) for m in measures]
        no_values = (0,) * len(by_value)
        groups: dict[Group, list[int]] = defaultdict(list)
        eligible_by_sources: dict[tuple[str, ...], tuple[int, ...]] = {}
        for position in positions.get(name, ()):
            assignment = assignments[position]
            holder = pool.slot_of[assignment.rep_email]
            sources = tuple(assignment.sources)
            eligible = eligible_by_sources.get(sources)
            if eligible is None:
                eligible = eligible_by_sources[sources] = tuple(
                    slot
                    for slot, active_in in enumerate(pool.active_in)
                    if all(source in active_in for source in sources)
                )
            if len(eligible) < 2 or holder not in eligible:
                continue
            kind = KEPT if assignment.rep_rule == STICKY else DEALT
            scores: tuple[int, ...] = ()
            if position in skills:
                every = skills[position]
                scores = tuple(every[slot] for slot in eligible)
            own = values.get(position, no_values)  # none without `records`
            scaled = tuple(
                1 if number is None else round(own[number] / m.unit)
                for m, number in zip(measures, value_numbers, strict=True)
            )
            groups[(holder, kind, eligible, scores, scaled)].append(position)
        found.append(
            _Territory(
                pool,
                balancing.tolerance,
                measures,
                dict(groups),
                values,
                skills,
                holders,
                recently_gained.get(name, 0),
            )
        )
    return found


def _gained_after(
    records: tuple[RecordFacts, RecordFacts | None], rep: str | None, moment: datetime
) -> bool:
    """`rep` has owned some record of the business only since after `moment` (a record another
    rep owns, or one whose owner changed to someone else, does not count)."""
    return any(
        record is not None
        and record.current_owner_email == rep
        and record.owner_since is not None
        and record.owner_since > moment
        for record in records
    )


def _unit(total: int, members: int, amounts: list[int]) -> int:
    """Real units per model unit for a value measure: about 1/SCALED_SHARE of a member's share,
    and at most a twentieth of the median account's value, so that rounding each account moves
    a member's load by little even when its accounts are many and small."""
    positive = sorted(a for a in amounts if a > 0)
    if not positive:
        return 1
    median = positive[len(positive) // 2]
    return max(1, min(total // (members * SCALED_SHARE), median // 20))


def _weigh(measures: list[_Measure], members: int) -> None:
    """Weights so that the same share of a member's target weighs alike in every measure."""
    averages = [max(sum(m.real) / m.unit / members, 1.0) for m in measures]
    reference = max(averages)
    for m, average in zip(measures, averages, strict=True):
        m.weight = max(1, round(reference / average))


def _record(
    assignments: Sequence[Assignment],
    territories: list[_Territory],
    solution: Solution,
    outcome: RebalanceOutcome,
    moved_in: dict[str, list[int]],
    moved_out: dict[str, list[int]],
) -> None:
    if not solution.optimal:
        outcome.optimal = False
    if solution.moves is None:
        return
    for territory, moves in zip(territories, solution.moves, strict=True):
        _apply(assignments, territory, moves, outcome, moved_in, moved_out)
    outcome.moves_lower_bound += solution.kept_moves_bound


def _apply(
    assignments: Sequence[Assignment],
    territory: _Territory,
    moves_by_group: dict[Group, dict[int, int]],
    outcome: RebalanceOutcome,
    moved_in: dict[str, list[int]],
    moved_out: dict[str, list[int]],
) -> None:
    pool = territory.pool
    before = [list(m.real) for m in territory.measures]
    moves: list[tuple[int, int, int, int]] = []
    for group, going in moves_by_group.items():
        holder, kind, *_ = group
        positions = sorted(territory.groups[group], key=lambda p: assignments[p].key)
        leaving = iter(positions[len(positions) - sum(going.values()) :])
        for slot, count in sorted(going.items()):
            for _ in range(count):
                moves.append((next(leaving), holder, slot, kind))
    by_value = [m for m in territory.measures if m.name != "accounts"]
    for position, holder, slot, _ in moves:
        pool.counts[holder] -= 1
        pool.counts[slot] += 1
        if position in territory.holders:
            territory.holders[position] = slot
        amounts = territory.values.get(position, ())
        for m in territory.measures:
            if m.name == "accounts":
                m.real[holder] -= 1
                m.real[slot] += 1
        for m, amount in zip(by_value, amounts, strict=False):
            m.real[holder] -= amount
            m.real[slot] += amount
    notes: dict[tuple[int, int], str] = {}
    for position, holder, slot, kind in moves:
        assignment = assignments[position]
        note = notes.get((holder, slot))
        if note is None:
            note = notes[(holder, slot)] = "; ".join(
                _figures(territory, s, [b[s] for b in before]) for s in (holder, slot)
            )
        if kind == KEPT:
            assignment.previous_owner = pool.emails[holder]
            outcome.moves += 1
        else:
            outcome.dealt_moves += 1
        assignment.rep_email = pool.emails[slot]
        assignment.rep_rule = REBALANCED
        assignment.rep_detail = note
        moved_out[pool.name][holder] += 1
        moved_in[pool.name][slot] += 1


def _figures(territory: _Territory, slot: int, before: list[int]) -> str:
    """ "ana@x 437 -> 120 accounts, target 120 +-12" (and the same for revenue and employees)."""
    tolerance_parts = []
    for m, was in zip(territory.measures, before, strict=True):
        target = m.real_targets[slot]
        low, high = band(target, territory.tolerance)
        margin = max(round(target) - low, high - round(target))
        if m.scale == 1:
            tolerance_parts.append(
                f"{was:,} -> {m.real[slot]:,} {m.name}, target {round(target):,} \u00b1{margin:,}"
            )
        else:
            s = m.scale
            tolerance_parts.append(
                f"{shown(was, s):,} -> {shown(m.real[slot], s):,} {m.name} points, target "
                f"{shown(target, s):,} \u00b1{shown(margin, s):,}"
            )
    return f"{territory.pool.emails[slot]} " + ", ".join(tolerance_parts)
