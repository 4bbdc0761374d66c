"""`ScorecardSnapshot`: one figure of one scorecard as a run left it (built by migration 0010).

After every run that wrote, each territory with goals gets one row per metric for itself
(`rep_email` empty) and one per owner member and metric: the period it was taken in (`2026-Q4`,
`2026-11`, `FY2027`), the goal (empty where none is set), the actual and, for amounts, the
reporting currency. Rows of one run share `taken_at` and `run_id`. Trends and "what changed
since" are read from here (`sync.scorecards`), so a past period is never recomputed from a book
that has moved on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric
from sqlmodel import Field, SQLModel

from mapping.model.columns import UtcDateTime


class ScorecardSnapshot(SQLModel, table=True):
    __tablename__ = "scorecard_snapshots"
    __table_args__ = (
        Index("ix_scorecard_snapshots_period_territory", "period", "territory", "taken_at"),
        Index("ix_scorecard_snapshots_run", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = None
    taken_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    period: str = Field(max_length=16)
    territory: str = Field(max_length=255)
    rep_email: str | None = Field(default=None, max_length=320)
    """Empty for the territory's own figures."""
    metric: str = Field(max_length=32)
    goal: Decimal | None = Field(default=None, sa_column=Column(Numeric(20, 4)))
    actual: Decimal = Field(sa_column=Column(Numeric(20, 4), nullable=False))
    currency: str | None = Field(default=None, max_length=3)
    """The reporting currency for amounts; empty for counts, shares and ratios."""
