"""Resync from the browser: the form, the job's progress, the plan with its verdict, then apply.

The job page serves every kind of job: a what-if's shows its result once it is done. Applying a
plan takes two steps: the plan page's apply button opens `/plans/ID/apply`, which says what will
be written where and asks for the confirmation (for a plan a guard rail stopped, the number of
owners typed); the apply itself is refused, writing nothing, without it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from web.actions import (
    APPLICABLE,
    ApplyOutline,
    PlanScope,
    apply_outline,
    check_confirmation,
    start_apply,
    start_plan,
)
from web.auth import Principal
from web.errors import ApiError
from web.pages.balance import charts
from web.pages.common import page_admin, page_user, render, require_form_csrf
from web.pages.display import by_crm, crm, guard_rail_sentence, label, number
from web.pages.job_view import job_view, plan_verdict
from web.pages.paging import MAX_PAGE, facets, paging
from web.queries import (
    CHANGE_STATES,
    change_count,
    change_counts,
    change_filter,
    change_page,
    plan_or_404,
)
from web.state import database_of, jobs_of

router = APIRouter(include_in_schema=False)
MAX_ID = 2**31 - 1


@router.get("/resync")
def resync_form(request: Request, user: Principal = Depends(page_user)) -> Response:
    active = jobs_of(request).active()
    return render(request, "resync.html", user, active=active)


@router.post("/resync")
def resync(
    request: Request,
    scope: Annotated[PlanScope, Form()] = "territory",
    territory: Annotated[str, Form(max_length=200)] = "",
    account: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    user: Principal = Depends(page_admin),
) -> Response:
    require_form_csrf(request, csrf_token)
    job = start_plan(request, user, scope, territory or None, account or None, dry_run=True)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(
    request: Request,
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    user: Principal = Depends(page_user),
) -> Response:
    job = jobs_of(request).get(job_id)
    if job is None:
        raise ApiError(404, f"there is no job {job_id}; start one from /resync")
    what_if = job.result if job.kind == "what-if" else None
    return render(
        request,
        "job.html",
        user,
        job=job,
        view=job_view(job, plan_verdict(database_of(request), job)),
        what_if=what_if,
        what_if_charts=charts(what_if["after"], "proposed") if what_if else None,
    )


Text = Annotated[str | None, Query(max_length=320)]


def _plan(request: Request, plan_id: int) -> dict[str, Any]:
    return plan_or_404(database_of(request), plan_id, made_by="a resync (/resync)")


def scope_words(scope: Mapping[str, Any]) -> str:
    """A plan's scope as a person says it: "Territory NA-West", "Every account"."""
    if scope.get("territory"):
        under = len(scope.get("territories") or ()) - 1
        if under > 0:
            return f"Territory {scope['territory']} and the {number(under)} under it"
        return f"Territory {scope['territory']}"
    if scope.get("account"):
        return f"Account {scope['account']}"
    if scope.get("accounts"):
        return f"{number(len(scope['accounts']))} chosen accounts"
    if scope.get("only_unowned_or_new"):
        return "New and unowned accounts"
    crms = [crm(source) for source in scope.get("sources") or ()]
    return "Every account" + (f" in {' and '.join(crms)}" if 0 < len(crms) < 2 else "")


def apply_sentence(outline: ApplyOutline) -> str:
    """ "Write 955 owners: 600 to Salesforce, 355 to HubSpot"."""
    owners = f"{number(outline.total)} owner{'' if outline.total == 1 else 's'}"
    where = by_crm(outline.by_crm)
    return f"Write {owners}" + (f": {where}" if where else "")


def guard_rail_advice(plan: Mapping[str, Any], outline: ApplyOutline) -> str | None:
    """What the admin can do about a plan a guard rail stopped, in the console's words."""
    if not outline.stopped_by_guard_rail:
        return None
    if plan["status"] not in APPLICABLE or not outline.total:
        return "Nothing was written. To change fewer owners, fix the territory file and resync."
    return f"Nothing was written. Apply anyway after review: type {outline.total} to confirm."


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    status: Text = None,
    territory: Text = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    user: Principal = Depends(page_user),
) -> Response:
    """The plan's summary, guard-rail verdict and apply button, then its changes a page at a
    time with counts per state and per territory that filter them."""
    database = database_of(request)
    plan = _plan(request, plan_id)
    filters = change_filter(plan_id, status=status, territory=territory)
    form = {"status": filters.states[0] if filters.states else None, "territory": filters.territory}
    shown = paging(f"/plans/{plan_id}", page, change_count(database, filters), form)
    state_facets, _ = facets(
        change_counts(database, replace(filters, states=()), "state"), "status", shown, label
    )
    territory_facets, more_territories = facets(
        change_counts(database, replace(filters, territory=None), "territory"),
        "territory",
        shown,
        str,
        empty="no territory",
    )
    outline = apply_outline(database, plan)
    verdict = plan.get("guard_rails") or {}
    return render(
        request,
        "plan.html",
        user,
        plan=plan,
        scope=scope_words(plan.get("scope") or {}),
        verdict=verdict,
        verdict_sentence=guard_rail_sentence(verdict),
        advice=guard_rail_advice(plan, outline),
        outline=outline,
        apply_sentence=apply_sentence(outline),
        applicable=plan["status"] in APPLICABLE and outline.total > 0,
        changes=change_page(database, filters, shown.size, shown.offset),
        paging=shown,
        state_facets=state_facets,
        territory_facets=territory_facets,
        more_territories=more_territories,
        states=CHANGE_STATES,
        form={name: value or "" for name, value in form.items()},
    )


def _applicable(request: Request, plan_id: int) -> tuple[dict[str, Any], ApplyOutline]:
    plan = _plan(request, plan_id)
    outline = apply_outline(database_of(request), plan)
    if plan["status"] not in APPLICABLE:
        raise ApiError(
            409,
            f"plan {plan_id} is {label(plan['status']).lower()}: it cannot be applied; make a "
            "new plan on the Resync page",
            code="plan_not_applicable",
        )
    return plan, outline


@router.get("/plans/{plan_id}/apply")
def apply_confirmation(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    user: Principal = Depends(page_admin),
) -> Response:
    """The second step of applying: what will be written where, and the confirmation (the
    number typed, for a plan a guard rail stopped)."""
    plan, outline = _applicable(request, plan_id)
    if outline.total == 0:
        raise ApiError(409, f"plan {plan_id} has nothing left to write", code="plan_not_applicable")
    verdict = plan.get("guard_rails") or {}
    return render(
        request,
        "plan_apply.html",
        user,
        plan=plan,
        outline=outline,
        apply_sentence=apply_sentence(outline),
        verdict_sentence=guard_rail_sentence(verdict),
    )


@router.post("/plans/{plan_id}/apply")
def apply(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    confirm: Annotated[str, Form(max_length=40)] = "",
    user: Principal = Depends(page_admin),
) -> Response:
    """Apply the plan once its form confirms what it writes now (`check_confirmation`)."""
    require_form_csrf(request, csrf_token)
    _plan_row, outline = _applicable(request, plan_id)
    check_confirmation(outline, confirm)
    job = start_apply(request, user, plan_id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
