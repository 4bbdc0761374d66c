"""Starting long operations from the console: a plan (dry run or saved), applying a plan, and
the what-if of an uploaded territory file.

All run in the background through `JobRunner` (one at a time, under the run lock). Plans and
applies call the same `run_sync` / `apply_saved_plan` as the command line, with trigger `admin`
and the token's name as the actor in the audit log; a what-if writes nothing (`what_if`).

The console's apply form confirms what it writes (`apply_outline`, `check_confirmation`): the
number of owners, typed by the admin when a guard rail stopped the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request

from mapping.territories.balance import parse_move_caps
from sync.plan import get_plan
from sync.runner import SyncRequest, run_sync
from sync.saved_plans import apply_saved_plan
from sync.store.changes import UNFINISHED_STATES, PlanStatus
from sync.store.database import Database
from sync.store.runs import RunTrigger
from web.auth import Principal
from web.errors import ApiError
from web.jobs import Job, JobBusyError, JobWork
from web.queries import ChangeFilter, change_counts, checked_text
from web.state import database_of, jobs_of, settings_of
from web.what_if import WHAT_IF_TIME_LIMIT_SECONDS, checked_upload, what_if_work

PlanScope = Literal["all", "territory", "account"]


def _start(request: Request, kind: str, principal: Principal, work: JobWork) -> Job:
    try:
        return jobs_of(request).start(kind, principal.actor, work)
    except JobBusyError as busy:
        extra = {"run_id": busy.run_id, "job_id": busy.job_id}
        raise ApiError(409, str(busy), code="run_in_progress", **extra) from None


def start_plan(
    request: Request,
    principal: Principal,
    scope: PlanScope,
    territory: str | None,
    account: str | None,
    dry_run: bool,
) -> Job:
    """Pull, evaluate and save a plan for the scope; nothing is written to the CRMs."""
    territory = checked_text(territory, "territory")
    account = checked_text(account, "account")
    if scope == "territory" and not territory:
        raise ApiError(422, "scope territory needs a territory name, e.g. NA-West")
    if scope == "account" and not account:
        raise ApiError(422, "scope account needs a CRM record id")
    sync_request = SyncRequest(
        trigger=RunTrigger.ADMIN.value,
        actor=principal.actor,
        dry_run=dry_run,
        plan_only=not dry_run,
        territory=territory if scope == "territory" else None,
        account=account if scope == "account" else None,
    )
    settings, database = settings_of(request), database_of(request)
    connectors = getattr(request.app.state, "connectors", None)
    return _start(
        request,
        "plan",
        principal,
        lambda progress, stop: run_sync(
            settings,
            database,
            sync_request,
            connectors=connectors() if connectors else None,
            stop=stop,
            progress=progress,
        ),
    )


APPLICABLE = (PlanStatus.DRAFT.value, PlanStatus.PARTIAL.value, PlanStatus.APPLYING.value)
"""Plan statuses the console offers to apply (a superseded plan is re-planned instead)."""


@dataclass(frozen=True)
class ApplyOutline:
    """What applying a plan writes now: its unfinished changes per CRM; and whether a guard rail
    stopped it, in which case the admin confirms by typing how many owners it writes."""

    plan_id: int
    by_crm: dict[str, int]
    stopped_by_guard_rail: bool

    @property
    def total(self) -> int:
        return sum(self.by_crm.values())


def apply_outline(database: Database, plan: Mapping[str, Any]) -> ApplyOutline:
    """The outline of applying `plan` (a stored plan row), counted by the database."""
    unfinished = ChangeFilter(plan["id"], tuple(state.value for state in UNFINISHED_STATES))
    verdict = plan.get("guard_rails") or {}
    return ApplyOutline(
        plan_id=plan["id"],
        by_crm=change_counts(database, unfinished, "source"),
        stopped_by_guard_rail=verdict.get("allowed", True) is False,
    )


def check_confirmation(outline: ApplyOutline, confirm: str) -> None:
    """Refuse an apply whose form does not confirm what it writes now: 422 without a
    confirmation or with a wrong number typed, 409 when the plan has nothing left to write or
    writes another number than the one confirmed."""
    plan_id, total = outline.plan_id, outline.total
    if total == 0:
        raise ApiError(409, f"plan {plan_id} has nothing left to write", code="plan_not_applicable")
    given = confirm.strip().replace(",", "")
    if not given:
        raise ApiError(
            422,
            f"applying plan {plan_id} needs a confirmation: open /plans/{plan_id}/apply, check "
            "what it writes where, and confirm there; nothing was written",
        )
    if given == str(total):
        return
    if outline.stopped_by_guard_rail:
        raise ApiError(
            422,
            f"{confirm.strip()!r} is not the number of owners plan {plan_id} writes: type "
            f"{total} to confirm; nothing was written",
        )
    raise ApiError(
        409,
        f"plan {plan_id} changed since it was confirmed: it now writes {total:,} owner(s); "
        "review it again; nothing was written",
        code="plan_changed",
    )


def start_apply(request: Request, principal: Principal, plan_id: int) -> Job:
    """Apply exactly the reviewed plan."""
    settings, database = settings_of(request), database_of(request)
    plan = get_plan(database, plan_id)
    if plan is None:
        raise ApiError(404, f"there is no plan {plan_id}; create one with POST /api/plans")
    if plan["status"] == PlanStatus.APPLIED.value:
        raise ApiError(
            409, f"plan {plan_id} is {plan['status']}: make a new plan", code="plan_not_applicable"
        )
    sync_request = SyncRequest(trigger=RunTrigger.ADMIN.value, actor=principal.actor)
    connectors = getattr(request.app.state, "connectors", None)
    return _start(
        request,
        "apply",
        principal,
        lambda progress, stop: apply_saved_plan(
            settings,
            database,
            plan_id,
            sync_request,
            connectors=connectors() if connectors else None,
            stop=stop,
            progress=progress,
        ),
    )


def start_what_if(
    request: Request, principal: Principal, proposed: bytes, max_moves: str = ""
) -> Job:
    """Compare a proposed territory file with the current one over the stored book; the job's
    `result` holds the moves and the balance before and after, and with `max_moves` (caps such
    as "0, 10, 50") the trade-off under each cap. 413 for a file over the limit, 422 for caps
    that are not whole numbers."""
    content = checked_upload(proposed)
    try:
        caps = parse_move_caps(max_moves) if max_moves.strip() else []
    except ValueError as error:
        raise ApiError(422, f"move caps to compare: {error}") from None
    time_limit = getattr(request.app.state, "what_if_time_limit", WHAT_IF_TIME_LIMIT_SECONDS)
    if caps:
        # The what-if evaluates the book twice; the trade-off once more, and once per cap.
        time_limit *= (2 + 1 + len(caps)) / 2
    work = what_if_work(settings_of(request), database_of(request), content, time_limit, caps)
    return _start(request, "what-if", principal, work)
