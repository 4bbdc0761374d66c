"""The balancing solver on small problems, against every placement: its plans are the best, and
the bound it stops at is never more than any plan within the bands needs."""

from __future__ import annotations

import itertools
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mapping.territories import rebalance_solver
from mapping.territories.rebalance_solver import (
    DEALT,
    KEPT,
    Problem,
    solve,
    solve_each,
    zero_distance_needs,
)


@st.composite
def problems(draw: Any, skills: bool = False) -> Problem:
    members = draw(st.integers(2, 3))
    measures = draw(st.integers(1, 2))
    items = draw(st.integers(1, 6))
    groups = []
    loads = [[draw(st.integers(0, 6)) for _ in range(members)] for _ in range(measures)]
    counts = [draw(st.integers(0, 3)) for _ in range(members)]
    for _ in range(items):
        holder = draw(st.integers(0, members - 1))
        others = [slot for slot in range(members) if slot != holder]
        going = draw(st.sets(st.sampled_from(others), min_size=1))
        eligible = tuple(sorted({holder, *going}))
        values = tuple(draw(st.integers(0, 9)) for _ in range(measures))
        scores = tuple(draw(st.integers(0, 3)) for _ in eligible) if skills else ()
        kind = draw(st.sampled_from([KEPT, DEALT]))
        groups.append(((holder, kind, eligible, scores, values), 1))
        counts[holder] += 1
        for measure, value in enumerate(values):
            loads[measure][holder] += value
    low, high = [], []
    for _ in range(measures):
        bounds = [sorted(draw(st.integers(0, 30)) for _ in range(2)) for _ in range(members)]
        low.append([b[0] for b in bounds])
        high.append([b[1] for b in bounds])
    capacities = [draw(st.one_of(st.none(), st.integers(0, 8))) for _ in range(members)]
    return Problem(loads, low, high, [1] * measures, counts, capacities, groups)


def placements(problem: Problem) -> list[tuple[int, int, int]]:
    """(distance, kept moves, dealt moves) of every placement the capacities allow."""
    found = []
    for places in itertools.product(*(group[2] for group, _ in problem.groups)):
        loads = [list(row) for row in problem.loads]
        counts = list(problem.counts)
        kept = dealt = 0
        for ((holder, kind, _, _, values), _), slot in zip(problem.groups, places, strict=True):
            if slot == holder:
                continue
            kept, dealt = (kept + 1, dealt) if kind == KEPT else (kept, dealt + 1)
            counts[holder] -= 1
            counts[slot] += 1
            for measure, value in enumerate(values):
                loads[measure][holder] -= value
                loads[measure][slot] += value
        if any(
            cap is not None and count > max(cap, before)
            for cap, count, before in zip(problem.capacities, counts, problem.counts, strict=True)
        ):
            continue
        distance = sum(
            max(0, low - load) + max(0, load - high)
            for row, lows, highs in zip(loads, problem.low, problem.high, strict=True)
            for load, low, high in zip(row, lows, highs, strict=True)
        )
        found.append((distance, kept, dealt))
    return found


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_bound_never_exceeds_what_a_plan_within_the_bands_needs(problem: Problem) -> None:
    within = [(kept, dealt) for distance, kept, dealt in placements(problem) if distance == 0]
    needs = zero_distance_needs([problem])
    if needs is None:
        assert not within
        return
    total, kept = needs
    for plan_kept, plan_dealt in within:
        assert plan_kept >= kept
        assert plan_kept + plan_dealt >= total


@settings(max_examples=200, deadline=None)
@given(problems())
def test_the_plan_is_the_best_placement(problem: Problem) -> None:
    best = min(placements(problem))  # distance, then kept moves, then dealt moves
    solution = solve([problem], None, 10.0)
    assert solution.moves is not None and solution.optimal
    kept = dealt = 0
    for (holder, kind, *_), going in solution.moves[0].items():
        assert holder not in going
        if kind == KEPT:
            kept += sum(going.values())
        else:
            dealt += sum(going.values())
    assert (kept, dealt) == best[1:]
    assert solution.kept_moves == solution.kept_moves_bound == kept


def distance_of(problem: Problem, moves: dict[Any, dict[int, int]]) -> int:
    loads = [list(row) for row in problem.loads]
    for (holder, _, _, _, values), going in moves.items():
        for slot, count in going.items():
            for measure, value in enumerate(values):
                loads[measure][holder] -= value * count
                loads[measure][slot] += value * count
    return sum(
        max(0, low - load) + max(0, load - high)
        for row, lows, highs in zip(loads, problem.low, problem.high, strict=True)
        for load, low, high in zip(row, lows, highs, strict=True)
    )


@settings(max_examples=200, deadline=None)
@given(problems(skills=True), st.sampled_from([0.00001, 0.0001, 10.0]))
def test_the_reported_bound_holds_for_every_plan_as_close_to_the_bands(
    problem: Problem, work: float
) -> None:
    solution = solve([problem], None, work)
    if solution.moves is None:
        return
    reached = distance_of(problem, solution.moves[0])
    closest = min(distance for distance, _, _ in placements(problem))
    as_close = [kept for distance, kept, _ in placements(problem) if distance <= reached]
    assert solution.kept_moves_bound <= min(as_close)
    assert solution.kept_moves_bound <= solution.kept_moves
    if solution.optimal:
        assert reached == closest


def test_a_plan_that_meets_the_bound_is_optimal_and_says_so() -> None:
    # One member holds ten single accounts, the other none: five must move, and five do.
    groups = [((0, KEPT, (0, 1), (), (1,)), 10)]
    problem = Problem([[10, 0]], [[5, 5]], [[5, 5]], [1], [10, 0], [None, None], groups)
    assert zero_distance_needs([problem]) == (5, 5)
    solution = solve([problem], None, 10.0)
    assert solution.optimal and solution.kept_moves == solution.kept_moves_bound == 5


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_plans_do_not_depend_on_how_many_models_are_solved_at_once(
    threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Member 0 holds twelve accounts worth 0 to 11; the others hold a few fixed ones.
    batch = [
        Problem(
            [[12 + n, n % 3, 1], [66 + n, 2, n]],
            [[4, 4, 4], [20, 20, 20]],
            [[6, 6, 6], [26, 26, 26]],
            [1, 1],
            [12 + n, n % 3, 1],
            [None, 7, None],
            [((0, KEPT, (0, 1, 2), (), (1, v)), 1) for v in range(12)],
        )
        for n in range(6)
    ]
    monkeypatch.setattr(rebalance_solver, "THREADS", 1)
    alone = solve_each(batch, 1.0)
    monkeypatch.setattr(rebalance_solver, "THREADS", threads)
    assert solve_each(batch, 1.0) == alone


def test_a_bound_left_unproven_allows_for_skill_a_plan_may_lose() -> None:
    # The work limit stops the search early; a plan moving only the dealt businesses (no kept
    # move, within the bands) exists, so the bound on kept moves must stay at 0.
    groups = [
        ((0, KEPT, (0, 1, 2), (3, 3, 1), (5,)), 1),
        ((1, DEALT, (0, 1, 2), (1, 2, 1), (5,)), 1),
        ((2, KEPT, (0, 1, 2), (0, 1, 1), (1,)), 1),
        ((2, KEPT, (0, 1, 2), (3, 2, 3), (3,)), 1),
        ((2, DEALT, (0, 1, 2), (3, 0, 3), (3,)), 1),
        ((2, DEALT, (0, 1, 2), (3, 2, 3), (7,)), 1),
    ]
    problem = Problem([[5, 5, 14]], [[7, 7, 7]], [[9, 9, 9]], [1], [1, 1, 4], [None] * 3, groups)
    assert min(kept for distance, kept, _ in placements(problem) if distance == 0) == 0
    solution = solve([problem], None, 3e-5)
    assert solution.kept_moves_bound == 0


def test_the_product_imports_the_solver_library_only_when_it_solves() -> None:
    # OR-Tools (with the pandas it loads) adds about 54 MiB to a process: a run that rebalances
    # nothing does not carry it.
    code = (
        "import sys, sync.runner, web.app, scheduler\n"
        "assert 'ortools' not in sys.modules, 'imported'\n"
        "from mapping.territories.rebalance_solver import solve\n"
        "assert 'ortools' not in sys.modules, 'imported by the solver module'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
