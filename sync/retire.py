"""Retiring a plan that must not be finished: stale, superseded, or belonging to a rolled-back run.

Its planned changes are superseded (never written); its in-flight changes may have landed, so they
are read back (never written): landed ones are recorded as written, the rest superseded, and those
that cannot be read stay in flight for the next run to look at again. A plan with nothing left to
do is finished instead of retired, so a fully written plan keeps its `applied` status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import CrmConnector
from sync.plan import plan_changes
from sync.plan_lifetime import records_of, retire_plan
from sync.rollback_plan import mark_rolled_back
from sync.store.changes import ChangeState, PlanStatus
from sync.writeback import WriteContext, finish_plan_status, settle_without_writing
from territory_sync.logs import log_event


def retire_unfinished(
    context: WriteContext,
    plan: Mapping[str, Any],
    reason: str,
    connectors: Mapping[str, CrmConnector],
) -> None:
    """Retire a stale plan: planned changes are superseded, in-flight ones read back (those that
    cannot be read stay in flight, and the plan is looked at again by the next run). A plan with
    nothing left to do is finished instead."""
    if not records_of(context.database, [plan["id"]]):
        if plan["status"] != PlanStatus.SUPERSEDED.value:
            if plan["kind"] == "rollback":
                mark_rolled_back(context.database, plan)
            finish_plan_status(context.database, plan["id"])
        return
    retire_plan(context.database, plan["id"], reason)
    in_flight = plan_changes(context.database, plan["id"], [ChangeState.IN_FLIGHT])
    for source in sorted({change["source"] for change in in_flight}):
        settle_without_writing(
            context,
            connectors.get(source),
            [change for change in in_flight if change["source"] == source],
            not_landed=ChangeState.SUPERSEDED,
            reason=f"not written: {reason}",
            audit_status={},
        )
    log_event("plan.retired", plan_id=plan["id"], reason=reason)
