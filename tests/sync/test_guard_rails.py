"""Guard rails stop a plan that moves too much, and flag reps whose book swings hard."""

from __future__ import annotations

from sync.guard_rails import PlanTally, check_guard_rails
from sync.store.changes import ChangeState
from tests.sync.support import change


def moves(count: int, new: str = "ana") -> list:
    return [change(f"A{n}", "bo", new) for n in range(count)]


def test_a_plan_within_the_blast_radius_is_allowed() -> None:
    verdict = check_guard_rails(
        PlanTally.of(moves(10)), 100, blast_radius=0.1, rep_change_flag=50, allow_mass_change=False
    )
    assert verdict.allowed and "within the 10% limit" in verdict.message


def test_a_plan_above_the_blast_radius_is_stopped_with_what_to_do() -> None:
    verdict = check_guard_rails(
        PlanTally.of(moves(11)), 100, blast_radius=0.1, rep_change_flag=50, allow_mass_change=False
    )
    assert not verdict.allowed
    assert "nothing was written" in verdict.message and "--allow-mass-change" in verdict.message


def test_allowing_mass_change_lets_a_large_plan_through_and_says_so() -> None:
    verdict = check_guard_rails(
        PlanTally.of(moves(50)), 100, blast_radius=0.1, rep_change_flag=50, allow_mass_change=True
    )
    assert verdict.allowed and verdict.overridden


def test_skipped_changes_do_not_count_toward_the_blast_radius() -> None:
    skipped = [change(f"S{n}", "bo", None, state=ChangeState.SKIPPED) for n in range(50)]
    verdict = check_guard_rails(
        PlanTally.of(skipped), 100, blast_radius=0.1, rep_change_flag=50, allow_mass_change=False
    )
    assert verdict.allowed and verdict.changes == 0


def test_a_rep_gaining_more_than_the_flag_is_flagged() -> None:
    verdict = check_guard_rails(
        PlanTally.of(moves(6)), 100, blast_radius=1.0, rep_change_flag=5, allow_mass_change=False
    )
    assert [(s.email, s.gains, s.losses) for s in verdict.flagged_reps] == [
        ("ana@acme.example", 6, 0),
        ("bo@acme.example", 0, 6),
    ]
