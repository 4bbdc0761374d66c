"""Quick assignment: the accounts a run scoped to new and unowned accounts may touch.

`[schedule] quick_assign` (every 10 minutes, say), `territory-sync sync --new-only` and the
console's HubSpot webhook (`web.webhooks`) start the ordinary sync (`sync.runner.run_sync`) with
`only_unowned_or_new`: the same incremental pull, plan, guard rails, write-back and audit, under
the same run lock, but once the pull is done the planner is given only these records
(`sync.planner.Scope.candidates`):

- **new**: first seen by the store after the latest earlier run that covered the record's CRM
  finished, and never given an owner by territory-sync (no written owner change for it). A run
  covers a CRM when it wrote (not a dry run or a plan), pulled that CRM, was scoped to no
  territory and no account (a quick assignment over the whole book counts) and succeeded, or
  partly succeeded. Before the first such run no account is new: the first full run assigns the
  book, under its own guard rails.
- **without an active owner**: no owner id, or an owner id that no active rep has in that CRM (a
  rep who left, a deactivated Salesforce user, an archived HubSpot owner).

An account whose owner differs from its territory's rep, but is an active rep, is not touched: that
is the nightly run's decision (and a person may just have set it). The records are found in SQL,
after the run's pull and under its lock.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, exists, or_, select

from mapping.model.accounts import Account
from mapping.model.reps import Rep
from sync.plan import CHANGES
from sync.store.changes import ACCOUNT_OBJECT, ChangeState
from sync.store.database import Database
from sync.store.runs import Run, RunStatus

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
REPS: Table = Rep.__table__  # type: ignore[attr-defined]
RUNS: Table = Run.__table__  # type: ignore[attr-defined]

QUICK_ASSIGN_TRIGGER = "quick_assign"
"""The trigger of the scheduler's quick assignments (runs and audit rows)."""
WEBHOOK_TRIGGER = "webhook"
"""The trigger of the quick assignments a HubSpot webhook started."""

_REP_COLUMNS = {
    "salesforce": ("salesforce_user_id", "salesforce_active"),
    "hubspot": ("hubspot_owner_id", "hubspot_active"),
}
_COVERING_STATUSES = (RunStatus.SUCCEEDED.value, RunStatus.PARTIAL.value)
_ASSIGNED_STATES = (ChangeState.WRITTEN.value, ChangeState.ROLLED_BACK.value)


@dataclass(frozen=True)
class QuickAssignRecords:
    """The records (CRM, id) a quick assignment plans, and why, as the run's figures say."""

    records: frozenset[tuple[str, str]]
    new: int
    without_active_owner: int
    covered_until: dict[str, str | None]
    """Per CRM, when the run that "new" counts from finished (None: no such run yet)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidates": len(self.records),
            "new": self.new,
            "without_active_owner": self.without_active_owner,
            "new_since": self.covered_until,
        }


def covers(scope: dict[str, Any], source: str) -> bool:
    """Whether a run of this scope planned every record of `source` it had pulled."""
    if scope.get("territory") or scope.get("account") or scope.get("accounts"):
        return False
    sources = scope.get("sources") or ()
    return not sources or source in sources


def covered_until(connection: Connection, source: str, before_run_id: int) -> datetime | None:
    """When the latest run before `before_run_id` that covered `source` finished."""
    rows = connection.execution_options(yield_per=100).execute(
        select(RUNS.c.scope, RUNS.c.finished_at)
        .where(
            RUNS.c.id < before_run_id,
            RUNS.c.kind == "sync",
            RUNS.c.dry_run.is_(False),
            RUNS.c.status.in_(_COVERING_STATUSES),
            RUNS.c.finished_at.is_not(None),
        )
        .order_by(RUNS.c.id.desc())
    )
    for scope, finished_at in rows:
        if covers(scope or {}, source):
            finished: datetime = finished_at
            return finished
    return None


def _without_active_owner(source: str) -> Any:
    id_column, active_column = _REP_COLUMNS[source]
    active_ids = select(REPS.c[id_column]).where(
        REPS.c[active_column].is_(True), REPS.c[id_column].is_not(None)
    )
    return or_(
        ACCOUNTS.c.owner_id.is_(None),
        ACCOUNTS.c.owner_id == "",
        ACCOUNTS.c.owner_id.not_in(active_ids),
    )


def _never_assigned() -> Any:
    return ~exists().where(
        CHANGES.c.source == ACCOUNTS.c.source,
        CHANGES.c.external_id == ACCOUNTS.c.external_id,
        CHANGES.c.object_name == ACCOUNT_OBJECT,
        CHANGES.c.state.in_(_ASSIGNED_STATES),
    )


def quick_assign_records(
    database: Database, sources: Collection[str], *, run_id: int
) -> QuickAssignRecords:
    """The live records of `sources` that are new or have no active owner (module docstring),
    as run `run_id` sees them after its pull."""
    records: set[tuple[str, str]] = set()
    new = unowned = 0
    since: dict[str, str | None] = {}
    with database.engine.connect() as connection:
        for source in sources:
            live = and_(ACCOUNTS.c.source == source, ACCOUNTS.c.deleted.is_(False))
            found = {
                row[0]
                for row in connection.execute(
                    select(ACCOUNTS.c.external_id).where(live, _without_active_owner(source))
                )
            }
            unowned += len(found)
            finished = covered_until(connection, source, run_id)
            since[source] = finished.isoformat(timespec="seconds") if finished else None
            if finished is not None:
                fresh = {
                    row[0]
                    for row in connection.execute(
                        select(ACCOUNTS.c.external_id).where(
                            live, ACCOUNTS.c.first_seen_at > finished, _never_assigned()
                        )
                    )
                }
                new += len(fresh - found)
                found |= fresh
            records.update((source, external_id) for external_id in found)
    return QuickAssignRecords(frozenset(records), new, unowned, since)
