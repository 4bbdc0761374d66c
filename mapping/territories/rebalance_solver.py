"""The balancing optimisation as numbers: CP-SAT models of owner moves, and the least moves any
plan needs.

`rebalance` turns a territory into a `Problem` (its members' loads and bands per measure, and
groups of interchangeable businesses) and applies the `Solution` it gets back; this module knows
nothing of accounts, reps or CRMs.

The model has one integer per (group, member other than the group's holder): how many of the
group's businesses move there. Its objective is lexicographic, by weights: first the members'
total distance from their bands, then the moves of kept businesses, then the moves of just-dealt
ones, then the skill match. The solver runs on one worker with a deterministic work limit, so
the same problem always gives the same plan, on any machine and under any load. Presolve is off:
these models are small and already tight, and presolving them cost more than solving (the
benchmark on accounts and revenue: 31 s of solver time with it, 11 s without, and plans as close
to the bands).

A plan within every band is proven optimal without the solver's proof when its moves meet
`zero_distance_needs`, a combinatorial bound the search is stopped at (`_enough_when`); that
bound is also part of the lower bound reported for plans the work limit left unproven.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ortools.sat.python import cp_model

KEPT, DEALT = 0, 1
SAFE_OBJECTIVE = 2**60
"""Objectives whose weighted terms could pass this are solved in two steps (CP-SAT refuses a
model whose objective may overflow 64 bits)."""
THREADS = min(4, os.cpu_count() or 1)
"""Territory models solved side by side (the solver releases the interpreter while it works;
each model still runs on one worker, so the plans do not depend on this)."""

Group = tuple[int, int, tuple[int, ...], tuple[int, ...], tuple[int, ...]]
"""(holder slot, KEPT or DEALT, eligible slots, each eligible slot's skill match, the business's
value in each measure in model units)."""


@dataclass
class Problem:
    """One territory in model units."""

    loads: list[list[int]]
    """Per measure, per member: the load now (every business the member holds there)."""
    low: list[list[int]]
    high: list[list[int]]
    weights: list[int]
    """Per measure: the objective weight of one model unit out of band."""
    counts: list[int]
    """Per member: businesses held now (what a capacity limits)."""
    capacities: list[int | None]
    groups: list[tuple[Group, int]]
    """Each group of interchangeable movable businesses and how many it holds, in a fixed
    order."""

    @property
    def members(self) -> int:
        return len(self.counts)


@dataclass
class Solution:
    """Moves per problem (group -> member -> how many of the group go there), or None when the
    work limit ran out before any plan (nothing moves)."""

    moves: list[dict[Group, dict[int, int]]] | None
    optimal: bool
    kept_moves: int = 0
    kept_moves_bound: int = 0
    """No plan as close to the bands needs fewer moves of kept businesses."""
    statuses: list[str] = field(default_factory=list)


def solve_each(problems: Sequence[Problem], work: float) -> list[Solution]:
    """Each problem on its own (they share nothing), `work` each, in order."""
    if len(problems) < 2 or THREADS < 2:
        return [solve([problem], None, work) for problem in problems]
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda problem: solve([problem], None, work), problems))


def solve(problems: Sequence[Problem], move_cap: int | None, work: float) -> Solution:
    """One model of `problems` together: at most `move_cap` moves of kept businesses in all."""
    # Imported here, not with the module: OR-Tools and the pandas it loads add 54 MiB to a
    # process, which a run that rebalances nothing does not carry.
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    kept = sum(n for p in problems for (_, kind, *_), n in p.groups if kind == KEPT)
    dealt = sum(n for p in problems for (_, kind, *_), n in p.groups if kind == DEALT)
    # Skill gained counts least; it can never outweigh one move, nor a move one unit out of band.
    best_skill = sum(
        n * (max(scores) - min(scores))
        for p in problems
        for (*_, scores, _), n in p.groups
        if scores
    )
    dealt_weight = best_skill + 1
    kept_weight = dealt_weight * (dealt + 1)
    distance_weight = kept_weight * (kept + 1)
    distance_terms: list[cp_model.LinearExprT] = []
    distance_reach = 0
    """The largest the distance can be (for the objective's size)."""
    kept_terms: list[cp_model.LinearExprT] = []
    dealt_terms: list[cp_model.LinearExprT] = []
    skill_terms: list[cp_model.LinearExprT] = []
    variables: list[list[dict[int, cp_model.IntVar]]] = []
    for problem in problems:
        members = range(problem.members)
        arriving: list[list[tuple[cp_model.IntVar, tuple[int, ...]]]] = [[] for _ in members]
        leaving: list[list[tuple[cp_model.IntVar, tuple[int, ...]]]] = [[] for _ in members]
        per_group: list[dict[int, cp_model.IntVar]] = []
        for group, size in problem.groups:
            holder, kind, eligible, scores, scaled = group
            goes: dict[int, cp_model.IntVar] = {}
            for slot in eligible:
                if slot != holder:
                    goes[slot] = (
                        model.new_bool_var("") if size == 1 else model.new_int_var(0, size, "")
                    )
            moved = list(goes.values())
            if len(moved) > 1:
                if size == 1:
                    model.add_at_most_one(moved)
                else:
                    model.add(cp_model.LinearExpr.sum(moved) <= size)
            for slot, variable in goes.items():
                arriving[slot].append((variable, scaled))
                leaving[holder].append((variable, scaled))
            (kept_terms if kind == KEPT else dealt_terms).extend(moved)
            if scores:
                own = scores[eligible.index(holder)]
                skill_terms += [
                    (score - own) * goes[slot]
                    for slot, score in zip(eligible, scores, strict=True)
                    if slot != holder and score != own
                ]
            per_group.append(goes)
        variables.append(per_group)
        for slot in members:
            into = [variable for variable, _ in arriving[slot]]
            out = [variable for variable, _ in leaving[slot]]
            capacity = problem.capacities[slot]
            if capacity is not None and into:
                model.add(
                    problem.counts[slot]
                    + cp_model.LinearExpr.sum(into)
                    - cp_model.LinearExpr.sum(out)
                    <= max(capacity, problem.counts[slot])
                )
            for measure, weight in enumerate(problem.weights):
                load = (
                    problem.loads[measure][slot]
                    + cp_model.LinearExpr.weighted_sum(
                        into, [scaled[measure] for _, scaled in arriving[slot]]
                    )
                    - cp_model.LinearExpr.weighted_sum(
                        out, [scaled[measure] for _, scaled in leaving[slot]]
                    )
                )
                ceiling = max(sum(problem.loads[measure]), 1)
                low, high = problem.low[measure][slot], problem.high[measure][slot]
                over = model.new_int_var(0, ceiling, "")
                under = model.new_int_var(0, max(low, 0), "")
                model.add(over >= load - high)
                model.add(under >= low - load)
                distance_terms += [weight * over, weight * under]
                distance_reach += weight * (ceiling + max(low, 0))
    kept_moves = cp_model.LinearExpr.sum(kept_terms)
    dealt_moves = cp_model.LinearExpr.sum(dealt_terms)
    if move_cap is not None:
        model.add(kept_moves <= move_cap)
    distance = cp_model.LinearExpr.sum(distance_terms)
    rest_of_objective = (
        kept_weight * kept_moves + dealt_weight * dealt_moves - cp_model.LinearExpr.sum(skill_terms)
    )
    needs = zero_distance_needs(problems)
    reached = _Reached()
    enough = (
        _enough_when()(distance, kept_moves, dealt_moves, needs, reached)
        if needs is not None and not skill_terms
        else None
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.cp_model_presolve = False
    if any(any(value != 1 for value in g[4]) for p in problems for g, _ in p.groups):
        # Revenue and employees make each business its own item (a packing problem, not a
        # flow): the LP relaxation's cuts find far better plans and bounds in the same work
        # (20,000 accounts in 1,000 territories: 14 s against 35 s, bound 96% of the moves
        # against 78%).
        solver.parameters.linearization_level = 2
    if distance_weight * (distance_reach + 1) < SAFE_OBJECTIVE:
        # One objective, its parts kept in order by their weights.
        solver.parameters.max_deterministic_time = work
        model.minimize(distance_weight * distance + rest_of_objective)
        statuses = [solver.solve(model, enough)]
    else:
        # Weights that large would overflow CP-SAT's 64-bit objective: the same order in two
        # solves, the distance first, then the rest at that distance.
        solver.parameters.max_deterministic_time = work / 2
        model.minimize(distance)
        statuses = [solver.solve(model)]
        if statuses[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            model.add(distance <= round(solver.objective_value))
            model.minimize(rest_of_objective)
            statuses.append(solver.solve(model, enough))
        distance_weight = 0  # the second objective holds no distance term
    names = [status.name for status in statuses]
    if statuses[-1] not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Leaving every business where it is is always feasible, so this only happens when
        # the work limit ran out before any plan.
        return Solution(None, False, statuses=names)
    moves = [
        {
            group: counts
            for (group, _), goes in zip(problem.groups, per_group, strict=True)
            if (counts := {slot: v for slot, var in goes.items() if (v := solver.value(var))})
        }
        for problem, per_group in zip(problems, variables, strict=True)
    ]
    found = solver.value(kept_moves)
    if all(s == cp_model.OPTIMAL for s in statuses) or reached.stopped:
        # Proven by the solver, or meeting the least any plan within the bands needs.
        return Solution(moves, True, found, found, names)
    # Any plan this close: kept_weight x moves + dealt_weight x dealt moves - skill gained
    # >= bound - distance, with dealt moves at most `dealt` and skill gained at least
    # -best_skill (it is counted from each group's holder, so a plan may lose some).
    bound = math.ceil(solver.best_objective_bound - 1e-6)
    rest = bound - distance_weight * solver.value(distance) - dealt_weight * dealt - best_skill
    least = max(0, -(-rest // kept_weight))
    if needs is not None and solver.value(distance) == 0:
        least = max(least, needs[1])
    return Solution(moves, False, found, min(found, least), names)


@dataclass
class _Reached:
    """Whether the search was stopped at a plan meeting `zero_distance_needs`."""

    stopped: bool = False


@cache
def _enough_when() -> Callable[
    [cp_model.LinearExprT, cp_model.LinearExprT, cp_model.LinearExprT, tuple[int, int], _Reached],
    cp_model.CpSolverSolutionCallback,
]:
    """The solution callback class that stops the search at a plan meeting
    `zero_distance_needs` (into `_Reached`), defined on the first solve: it derives from
    OR-Tools' callback class, imported then."""
    from ortools.sat.python import cp_model

    class EnoughWhen(cp_model.CpSolverSolutionCallback):
        """Stops the search at a plan within every band whose moves meet `zero_distance_needs` (no
        plan can do better, so proving it would only spend the work limit)."""

        def __init__(
            self,
            distance: cp_model.LinearExprT,
            kept: cp_model.LinearExprT,
            dealt: cp_model.LinearExprT,
            needs: tuple[int, int],
            reached: _Reached,
        ) -> None:
            super().__init__()
            self._distance, self._kept, self._dealt = distance, kept, dealt
            self._total, self._kept_needed = needs
            self._reached = reached

        def on_solution_callback(self) -> None:
            kept = self.value(self._kept)
            if (
                self.value(self._distance) == 0
                and kept == self._kept_needed
                and kept + self.value(self._dealt) == self._total
            ):
                self._reached.stopped = True
                self.stop_search()

    return EnoughWhen


def zero_distance_needs(problems: Sequence[Problem]) -> tuple[int, int] | None:
    """The fewest moves, and the fewest moves of kept businesses, any plan that brings every
    member within its bands needs; None when even this bound finds no such plan.

    Per member and measure: above its band, a member must give away at least its excess, so at
    least as many businesses as its largest movable ones need to add up to it (kept ones: after
    every dealt one it holds has gone); below, it must take in its shortfall, so at least as many
    as the others' largest businesses it may hold need. Every move leaves one member and joins
    one, so the moves are at least the larger of the two sums. Capacities and the interplay of
    the measures are left out, which keeps it a bound; often a plan meets it (the benchmark on
    accounts and revenue: 754 of 995 territories)."""
    total = kept = 0
    for problem in problems:
        found = _problem_needs(problem)
        if found is None:
            return None
        total, kept = total + found[0], kept + found[1]
    return total, kept


def _problem_needs(problem: Problem) -> tuple[int, int] | None:
    members = problem.members
    out_all, out_kept, in_all, in_kept = ([0] * members for _ in range(4))
    for measure in range(len(problem.weights)):
        held: list[list[tuple[int, int, tuple[int, ...]]]] = [[] for _ in range(members)]
        for (holder, kind, eligible, _, scaled), size in problem.groups:
            held[holder] += [(scaled[measure], kind, eligible)] * size
        for slot in range(members):
            load = problem.loads[measure][slot]
            low, high = problem.low[measure][slot], problem.high[measure][slot]
            if load > high:
                found = _fewest([(value, kind) for value, kind, _ in held[slot]], load - high)
                if found is None:
                    return None
                out_all[slot] = max(out_all[slot], found[0])
                out_kept[slot] = max(out_kept[slot], found[1])
            elif load < low:
                items = [
                    (value, kind)
                    for other in range(members)
                    if other != slot
                    for value, kind, eligible in held[other]
                    if slot in eligible
                ]
                found = _fewest(items, low - load)
                if found is None:
                    return None
                in_all[slot] = max(in_all[slot], found[0])
                in_kept[slot] = max(in_kept[slot], found[1])
    return max(sum(out_all), sum(in_all)), max(sum(out_kept), sum(in_kept))


def _fewest(items: list[tuple[int, int]], need: int) -> tuple[int, int] | None:
    """How many of `items` ((value, kind)) must move to move `need` in all, and how many kept
    ones once every dealt one has moved; None if all of them fall short."""
    everything = _count_to_reach(sorted((v for v, _ in items), reverse=True), need)
    dealt = sum(v for v, kind in items if kind == DEALT)
    kept = _count_to_reach(
        sorted((v for v, kind in items if kind == KEPT), reverse=True), need - dealt
    )
    if everything is None or kept is None:
        return None
    return everything, kept


def _count_to_reach(descending: list[int], need: int) -> int | None:
    if need <= 0:
        return 0
    reached = 0
    for count, value in enumerate(descending, start=1):
        reached += value
        if reached >= need:
            return count
    return None
