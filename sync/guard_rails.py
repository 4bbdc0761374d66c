"""Guard rails: stop a plan that would move too much, and flag reps whose book swings hard.

A bad territory file must not reassign the whole book overnight: when more than the configured
share of evaluated accounts would change owner, the run saves the plan and stops (exit code 3)
unless the admin allows it explicitly (`--allow-mass-change`, or `apply` of the reviewed plan).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.plan import ProposedChange
from sync.store.changes import ChangeState


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
            f"{moving} would change owner, more than the {self.limit:.0%} blast-radius limit; "
            "nothing was written. Review the saved plan, then apply it with "
            "`territory-sync apply PLAN_ID`, or rerun with --allow-mass-change "
            "(or raise [sync] blast_radius)"
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["message"] = self.message
        return data


def rep_swings(changes: Iterable[ProposedChange], threshold: int) -> list[RepSwing]:
    gains: Counter[str] = Counter()
    losses: Counter[str] = Counter()
    for change in changes:
        if change.state != ChangeState.PLANNED:
            continue
        if change.new_owner_email:
            gains[change.new_owner_email] += 1
        if change.old_owner_email:
            losses[change.old_owner_email] += 1
    return [
        RepSwing(email, gains[email], losses[email])
        for email in sorted(set(gains) | set(losses))
        if gains[email] > threshold or losses[email] > threshold
    ]


def check_guard_rails(
    changes: list[ProposedChange],
    evaluated: int,
    *,
    blast_radius: float,
    rep_change_flag: int,
    allow_mass_change: bool,
) -> GuardRailVerdict:
    moving = sum(1 for change in changes if change.state == ChangeState.PLANNED)
    share = moving / evaluated if evaluated else 0.0
    over = share > blast_radius
    return GuardRailVerdict(
        allowed=not over or allow_mass_change,
        changes=moving,
        evaluated=evaluated,
        share=share,
        limit=blast_radius,
        overridden=over and allow_mass_change,
        flagged_reps=rep_swings(changes, rep_change_flag),
    )
