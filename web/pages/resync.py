"""Resync from the browser: the form, the job's progress, the plan with its verdict, then apply.

The job page serves every kind of job: a what-if's shows its result once it is done."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from web.actions import PlanScope, start_apply, start_plan
from web.auth import Principal
from web.errors import ApiError
from web.pages.balance import charts
from web.pages.common import page_admin, page_user, render, require_form_csrf
from web.queries import plan_with_changes
from web.state import jobs_of

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
        raise ApiError(404, f"there is no job {job_id}; jobs are kept while the console runs")
    what_if = job.result if job.kind == "what-if" else None
    return render(
        request,
        "job.html",
        user,
        job=job,
        what_if=what_if,
        what_if_charts=charts(what_if["after"], "proposed") if what_if else None,
    )


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    user: Principal = Depends(page_user),
) -> Response:
    from web.state import database_of

    plan = plan_with_changes(database_of(request), plan_id)
    planned = [c for c in plan["changes"] if c["state"] == "planned"]
    return render(request, "plan.html", user, plan=plan, planned=planned)


@router.post("/plans/{plan_id}/apply")
def apply(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    user: Principal = Depends(page_admin),
) -> Response:
    require_form_csrf(request, csrf_token)
    job = start_apply(request, user, plan_id)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
