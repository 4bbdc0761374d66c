"""Guard rails: stop a plan that would move too much, and flag reps whose book swings hard.

A bad territory file must not reassign the whole book overnight: when more than the configured
share of evaluated accounts would change owner, the run saves the plan and stops (exit code 3)
unless the admin allows it explicitly (`--allow-mass-change`, or `apply` of the reviewed plan).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.plan import ProposedChange
from sync.store.changes import ChangeState

GO_AHEAD_WITHOUT_A_PLAN = "rerun with --allow-mass-change (or raise [sync] blast_radius)"


@dataclass
class RepSwing:
    email: str
    gains: int
    losses: int


@dataclass
class GuardRailVerdict:
    allowed: bool
    changes: int
    evaluated: int
    share: float
    limit: float
    overridden: bool = False
    flagged_reps: list[RepSwing] = field(default_factory=list)

    @property
    def message(self) -> str:
        moving = f"{self.changes:,} of {self.evaluated:,} evaluated accounts ({self.share:.1%})"
        if self.allowed and self.overridden:
            return f"{moving} change owner: above the {self.limit:.0%} limit, allowed explicitly"
        if self.allowed:
            return f"{moving} change owner: within the {self.limit:.0%} limit"
        return (
            f"{self._over_the_limit}; nothing was written. Review the saved plan, then apply it "
            f"with `territory-sync apply PLAN_ID`, or {GO_AHEAD_WITHOUT_A_PLAN}"
        )

    @property
    def _over_the_limit(self) -> str:
        return (
            f"{self.changes:,} of {self.evaluated:,} evaluated accounts ({self.share:.1%}) would "
            f"change owner, more than the {self.limit:.0%} blast-radius limit"
        )

    def would_stop(self, plan_id: int) -> str:
        """For a plan that was not to be written (a dry run, `plan`): the line saying a real run
        would stop at the guard rail, and how to go ahead; "" when it would not stop."""
        if self.allowed:
            return ""
        return (
            f"A real run would stop here: {self._over_the_limit}. To go ahead, review plan "
            f"{plan_id} and apply it with `territory-sync apply {plan_id}`, or "
            f"{GO_AHEAD_WITHOUT_A_PLAN}"
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = self.message
        return data


@dataclass
class PlanTally:
    """What the guard rails read of a plan, added up change by change as the plan streams by:
    its planned changes, and each rep's gains and losses (skipped changes count for nothing)."""

    planned: int = 0
    gains: Counter[str] = field(default_factory=Counter)
    losses: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, changes: Iterable[ProposedChange]) -> PlanTally:
        tally = cls()
        for _ in tally.counting(changes):
            pass
        return tally

    def counting(self, changes: Iterable[ProposedChange]) -> Iterator[ProposedChange]:
        """`changes`, handed on one by one, each counted as it passes."""
        for change in changes:
            if change.state == ChangeState.PLANNED:
                self.planned += 1
                if change.new_owner_email:
                    self.gains[change.new_owner_email] += 1
                if change.old_owner_email:
                    self.losses[change.old_owner_email] += 1
            yield change


def rep_swings(tally: PlanTally, threshold: int) -> list[RepSwing]:
    gains, losses = tally.gains, tally.losses
    return [
        RepSwing(email, gains[email], losses[email])
        for email in sorted(set(gains) | set(losses))
        if gains[email] > threshold or losses[email] > threshold
    ]


def check_guard_rails(
    tally: PlanTally,
    evaluated: int,
    *,
    blast_radius: float,
    rep_change_flag: int,
    allow_mass_change: bool,
) -> GuardRailVerdict:
    """The verdict on a plan from its tally; `evaluated` is the book's records (the plan
    figures' `book_records`)."""
    moving = tally.planned
    share = moving / evaluated if evaluated else 0.0
    over = share > blast_radius
    return GuardRailVerdict(
        allowed=not over or allow_mass_change,
        changes=moving,
        evaluated=evaluated,
        share=share,
        limit=blast_radius,
        overridden=over and allow_mass_change,
        flagged_reps=rep_swings(tally, rep_change_flag),
    )
