"""Balancing as an optimisation: the fewest owner moves that even out each territory's members.

With `settings.balancing` in the territory file, the engine first chooses reps as always (the
current owner stays when eligible, the others are dealt, see `balancing`); then this pass moves
accounts between the owner members of each territory so that every member ends within the
tolerance of their target, moving as few accounts off their owner as that needs:

- a member's target is the territory's accounts (every business a member holds there) times their
  weight over the members' total weight; "within tolerance" is from floor(target x (1 - t)) to
  ceil(target x (1 + t)) accounts, so a small target always has a whole number inside;
- only businesses a member holds whole may move (`sticky` ones, kept by their owner, and `balanced`
  ones, just dealt): holdouts, named accounts, single-owner territories and a linked business
  whose records are split between two reps never move; a linked Salesforce/HubSpot pair moves as
  one business, and only to a member active in both CRMs;
- capacities are never exceeded; with a move cap (`max_moves`, a number or a share of the
  accounts that could move) at most that many accounts leave their owner in the whole book.

The model is solved exactly with OR-Tools' CP-SAT (one small model per territory; one model of
them all when a move cap ties them together), one integer per (group of interchangeable
businesses, member): businesses with the same holder, the same kind (kept or dealt) and the same
eligible members are interchangeable. Its objective is lexicographic, by weights: first the total
distance of the members from their tolerance bands (in accounts), then the moves of kept accounts
(what reps feel), then the moves of dealt accounts (they change owner anyway). Territories already
within tolerance stay out of the model (any move there only adds cost). The solver runs on one
worker with a deterministic time limit, so the same input always gives the same plan; its bound is
reported, so an admin sees whether the plan is proven optimal. Which businesses of a group move is
decided by key: the first ones by key stay, the rest go in key order.

Fed its own output, the pass moves nothing: every member is then within tolerance (or as close
as the constraints allow, which the same optimum reproduces with no move).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from mapping.territories.assignment import BALANCED, NAMED_ACCOUNT, REBALANCED, STICKY, Assignment
from mapping.territories.balancing import Pool
from mapping.territories.facts import RecordFacts
from mapping.territories.rules import Balancing

DETERMINISTIC_SECONDS = 60.0
"""CP-SAT's work limit (its deterministic time, not wall time, so the answer never depends on the
machine's speed or load). Small books solve to optimality far below it."""

_KEPT, _DEALT = 0, 1
Group = tuple[int, int, tuple[int, ...], tuple[int, ...]]
"""(holder slot, kept or dealt, eligible slots, each eligible slot's skill match)."""


@dataclass(frozen=True)
class MemberBalance:
    """One owner member of a balanced territory, before and after the pass."""

    email: str
    target: float
    low: int
    high: int
    before: int
    after: int
    moved_in: int
    moved_out: int


@dataclass(frozen=True)
class TerritoryBalance:
    territory: str
    members: tuple[MemberBalance, ...]

    @property
    def within_before(self) -> bool:
        return all(m.low <= m.before <= m.high for m in self.members)

    @property
    def within_after(self) -> bool:
        return all(m.low <= m.after <= m.high for m in self.members)


@dataclass
class RebalanceOutcome:
    """What the pass did, for the run's figures and the balance report."""

    tolerance: float
    move_cap: int | None
    moves: int = 0
    """Accounts moved off the owner who kept them."""
    dealt_moves: int = 0
    """Accounts just dealt that went to another member instead."""
    distance_before: int = 0
    """Accounts outside the members' tolerance bands, summed over members, before the pass."""
    distance_after: int = 0
    optimal: bool = True
    """The solver proved no plan is better (fewer accounts out of band, then fewer moves)."""
    moves_lower_bound: int = 0
    """No plan as close to the bands needs fewer moves than this (equal to `moves` if optimal)."""
    territories: list[TerritoryBalance] = field(default_factory=list)
    """Every territory the pass looked at (those with two or more owner members)."""

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
            "move_cap": self.move_cap,
            "moves": self.moves,
            "dealt_moves": self.dealt_moves,
            "moves_lower_bound": self.moves_lower_bound,
            "optimal": self.optimal,
            "accounts_outside_before": self.distance_before,
            "accounts_outside_after": self.distance_after,
            "territories": len(self.territories),
            "territories_outside_tolerance": self.outside_tolerance,
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
                            "before": m.before,
                            "after": m.after,
                            "target": round(m.target, 2),
                            "low": m.low,
                            "high": m.high,
                            "moved_in": m.moved_in,
                            "moved_out": m.moved_out,
                        }
                        for m in t.members
                    ],
                }
                for t in self.territories
                if t.members and (not t.within_before or any(m.moved_in for m in t.members))
            ]
        return figures


@dataclass
class _Territory:
    pool: Pool
    low: list[int]
    high: list[int]
    target: list[float]
    fixed: list[int]
    groups: dict[Group, list[int]]
    """Interchangeable businesses -> their positions."""


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
    total, weights = sum(pool.counts), sum(pool.weights)
    return [total * weight / weights for weight in pool.weights] if weights else []


def band(target: float, tolerance: float) -> tuple[int, int]:
    """The whole numbers of accounts within `tolerance` of `target` (never empty)."""
    return math.floor(target * (1 - tolerance) + 1e-9), math.ceil(target * (1 + tolerance) - 1e-9)


def rebalance(
    assignments: Sequence[Assignment],
    pools: Mapping[str, Pool],
    balancing: Balancing,
    records: Sequence[tuple[RecordFacts, RecordFacts | None]] = (),
) -> RebalanceOutcome:
    """Move the fewest accounts that bring each territory's owner members within tolerance (see
    the module docstring); changes `assignments` in place and the pools' counts with them.
    `records` (each business's records, primary first) serve territories that prefer skills."""
    territories = _territories(assignments, pools, balancing.tolerance, records)
    movable: int = sum(
        len(positions)
        for territory in territories
        for (_, kind, _, _), positions in territory.groups.items()
        if kind == _KEPT
    )
    outcome = RebalanceOutcome(balancing.tolerance, move_cap(balancing, movable))
    outcome.distance_before = sum(_distance(t, t.pool.counts) for t in territories)
    unbalanced = [t for t in territories if _distance(t, t.pool.counts) > 0]
    before = {t.pool.name: list(t.pool.counts) for t in territories}
    moved_in: dict[str, list[int]] = {t.pool.name: [0] * len(t.low) for t in territories}
    moved_out: dict[str, list[int]] = {t.pool.name: [0] * len(t.low) for t in territories}
    if outcome.move_cap is None:
        # Territories share nothing without a cap: one small model each solves far faster
        # than one model of them all (3 ms a territory against 20 s for 925 together).
        for territory in unbalanced:
            _solve(assignments, [territory], outcome, moved_in, moved_out)
    elif unbalanced:
        _solve(assignments, unbalanced, outcome, moved_in, moved_out)
    outcome.distance_after = sum(_distance(t, t.pool.counts) for t in territories)
    for t in territories:
        name = t.pool.name
        outcome.territories.append(
            TerritoryBalance(
                name,
                tuple(
                    MemberBalance(
                        email,
                        t.target[slot],
                        t.low[slot],
                        t.high[slot],
                        before[name][slot],
                        t.pool.counts[slot],
                        moved_in[name][slot],
                        moved_out[name][slot],
                    )
                    for slot, email in enumerate(t.pool.emails)
                ),
            )
        )
    return outcome


def _territories(
    assignments: Sequence[Assignment],
    pools: Mapping[str, Pool],
    tolerance: float,
    records: Sequence[tuple[RecordFacts, RecordFacts | None]],
) -> list[_Territory]:
    balanced = {
        name: pool for name, pool in pools.items() if len(pool.emails) >= 2 and sum(pool.counts) > 0
    }
    positions: dict[str, list[int]] = defaultdict(list)
    for position, assignment in enumerate(assignments):
        if (
            assignment.territory in balanced
            and assignment.rep_email is not None
            and assignment.split is None
            and assignment.territory_rule != NAMED_ACCOUNT
            and assignment.rep_rule in (STICKY, BALANCED)
        ):
            positions[assignment.territory].append(position)
    found = []
    for name, pool in balanced.items():
        shares = targets(pool)
        bands = [band(target, tolerance) for target in shares]
        fixed = list(pool.counts)
        groups: dict[Group, list[int]] = defaultdict(list)
        for position in positions.get(name, ()):
            assignment = assignments[position]
            holder = pool.slot_of[assignment.rep_email]
            sources = assignment.sources
            eligible = tuple(
                slot
                for slot, active_in in enumerate(pool.active_in)
                if all(source in active_in for source in sources)
            )
            if len(eligible) < 2 or holder not in eligible:
                continue
            kind = _KEPT if assignment.rep_rule == STICKY else _DEALT
            scores: tuple[int, ...] = ()
            if pool.prefer and records:
                every = pool.scores(*records[position])
                scores = tuple(every[slot] for slot in eligible)
            groups[(holder, kind, eligible, scores)].append(position)
            fixed[holder] -= 1
        found.append(
            _Territory(
                pool,
                [low for low, _ in bands],
                [high for _, high in bands],
                shares,
                fixed,
                dict(groups),
            )
        )
    return found


def _distance(territory: _Territory, counts: Sequence[int]) -> int:
    return sum(
        max(0, territory.low[slot] - count) + max(0, count - territory.high[slot])
        for slot, count in enumerate(counts)
    )


def _solve(
    assignments: Sequence[Assignment],
    territories: list[_Territory],
    outcome: RebalanceOutcome,
    moved_in: dict[str, list[int]],
    moved_out: dict[str, list[int]],
) -> None:
    model = cp_model.CpModel()
    kept = sum(len(p) for t in territories for (_, k, _, _), p in t.groups.items() if k == _KEPT)
    dealt = sum(len(p) for t in territories for (_, k, _, _), p in t.groups.items() if k == _DEALT)
    # Skill gained (over each group's worst placement) counts least; it can never outweigh
    # one move, nor a move one account out of band.
    best_skill = sum(
        len(p) * (max(scores) - min(scores))
        for t in territories
        for (_, _, _, scores), p in t.groups.items()
        if scores
    )
    skill_weight = 1
    dealt_weight = best_skill + 1
    kept_weight = dealt_weight * (dealt + 1)
    distance_weight = kept_weight * (kept + 1)
    distance_terms: list[cp_model.IntVar] = []
    kept_terms: list[cp_model.LinearExprT] = []
    dealt_terms: list[cp_model.LinearExprT] = []
    skill_terms: list[cp_model.LinearExprT] = []
    variables: list[dict[Group, dict[int, cp_model.IntVar]]] = []
    for number, t in enumerate(territories):
        pool = t.pool
        members = range(len(pool.emails))
        incoming: list[list[cp_model.IntVar]] = [[] for _ in members]
        per_group: dict[Group, dict[int, cp_model.IntVar]] = {}
        for group, positions in sorted(t.groups.items()):
            holder, kind, eligible, scores = group
            size = len(positions)
            shares = {
                slot: model.new_int_var(0, size, f"t{number}_g{holder}_{kind}_{slot}")
                for slot in eligible
            }
            model.add(cp_model.LinearExpr.sum(list(shares.values())) == size)
            for slot, share in shares.items():
                incoming[slot].append(share)
            (kept_terms if kind == _KEPT else dealt_terms).append(size - shares[holder])
            if scores:
                low = min(scores)
                skill_terms += [
                    (score - low) * shares[slot]
                    for slot, score in zip(eligible, scores, strict=True)
                    if score > low
                ]
            per_group[group] = shares
        variables.append(per_group)
        for slot in members:
            load = t.fixed[slot] + cp_model.LinearExpr.sum(incoming[slot])
            capacity = pool.capacities[slot]
            if capacity is not None:
                model.add(load <= max(capacity, pool.counts[slot]))
            over = model.new_int_var(0, sum(pool.counts), f"t{number}_over{slot}")
            under = model.new_int_var(0, max(t.low[slot], 0), f"t{number}_under{slot}")
            model.add(over >= load - t.high[slot])
            model.add(under >= t.low[slot] - load)
            distance_terms += [over, under]
    kept_moves = cp_model.LinearExpr.sum(kept_terms)
    if outcome.move_cap is not None:
        model.add(kept_moves <= outcome.move_cap)
    model.minimize(
        distance_weight * cp_model.LinearExpr.sum(distance_terms)
        + kept_weight * kept_moves
        + dealt_weight * cp_model.LinearExpr.sum(dealt_terms)
        - skill_weight * cp_model.LinearExpr.sum(skill_terms)
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = DETERMINISTIC_SECONDS
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Leaving every account where the engine put it is always feasible, so this only
        # happens when the work limit ran out before any plan: nothing moves here.
        outcome.optimal = False
        return
    moves_before = outcome.moves
    for t, per_group in zip(territories, variables, strict=True):
        _apply(assignments, t, per_group, solver, outcome, moved_in, moved_out)
    moves = outcome.moves - moves_before
    if status == cp_model.OPTIMAL:
        outcome.moves_lower_bound += moves
        return
    # No plan as close to the bands as this one needs fewer moves than the bound allows.
    outcome.optimal = False
    bound = math.ceil(solver.best_objective_bound - 1e-6)
    distance = sum(solver.value(term) for term in distance_terms)
    # Any plan this close: kept_weight x moves + dealt_weight x dealt moves >= bound - distance.
    rest = bound - distance_weight * distance - dealt_weight * dealt
    outcome.moves_lower_bound += min(moves, max(0, -(-rest // kept_weight)))


def _apply(
    assignments: Sequence[Assignment],
    territory: _Territory,
    per_group: dict[Group, dict[int, cp_model.IntVar]],
    solver: cp_model.CpSolver,
    outcome: RebalanceOutcome,
    moved_in: dict[str, list[int]],
    moved_out: dict[str, list[int]],
) -> None:
    pool = territory.pool
    before = list(pool.counts)
    moves: list[tuple[Assignment, int, int, int]] = []
    for group, shares in per_group.items():
        holder, kind, _, _ = group
        positions = sorted(territory.groups[group], key=lambda p: assignments[p].key)
        stay = solver.value(shares[holder])
        leaving = iter(positions[stay:])
        for slot, share in sorted(shares.items()):
            if slot == holder:
                continue
            for _ in range(solver.value(share)):
                moves.append((assignments[next(leaving)], holder, slot, kind))
    for _, holder, slot, _ in moves:
        pool.counts[holder] -= 1
        pool.counts[slot] += 1
    notes: dict[tuple[int, int], str] = {}
    for assignment, holder, slot, kind in moves:
        note = notes.get((holder, slot))
        if note is None:
            note = notes[(holder, slot)] = "; ".join(
                _figures(territory, s, before[s], pool.counts[s]) for s in (holder, slot)
            )
        if kind == _KEPT:
            assignment.previous_owner = pool.emails[holder]
            outcome.moves += 1
        else:
            outcome.dealt_moves += 1
        assignment.rep_email = pool.emails[slot]
        assignment.rep_rule = REBALANCED
        assignment.rep_detail = note
        moved_out[pool.name][holder] += 1
        moved_in[pool.name][slot] += 1


def _figures(territory: _Territory, slot: int, before: int, after: int) -> str:
    target = territory.target[slot]
    margin = max(round(target) - territory.low[slot], territory.high[slot] - round(target))
    return (
        f"{territory.pool.emails[slot]} {before} -> {after} accounts, "
        f"target {round(target)} \u00b1{margin}"
    )
