"""`/api/plans` and `/api/jobs`: make a plan (admin), read it, apply it (admin), watch the job."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from web.actions import PlanScope, start_apply, start_plan
from web.auth import Principal, require_admin, require_viewer
from web.errors import ApiError, error_responses
from web.queries import plan_with_changes
from web.state import database_of, jobs_of

router = APIRouter(tags=["plans"])
MAX_ID = 2**31 - 1


class PlanRequest(BaseModel):
    scope: PlanScope = "all"
    territory: str | None = Field(default=None, max_length=200)
    """With scope `territory`: the territory's name."""
    account: str | None = Field(default=None, max_length=64)
    """With scope `account`: a CRM record id."""
    dry_run: bool = True
    """True: a dry run; False: a plan saved for review. Neither writes; apply writes."""


def accepted(job: dict[str, Any]) -> JSONResponse:
    """202 with the job, and where to watch it."""
    return JSONResponse(job, status_code=202, headers={"Location": f"/api/jobs/{job['id']}"})


@router.post(
    "/plans",
    summary="Start a plan (pull, evaluate, save the changes) in the background",
    status_code=202,
    responses=error_responses(401, 403, 409, 422),
)
def create_plan(
    request: Request, body: PlanRequest, who: Principal = Depends(require_admin)
) -> JSONResponse:
    job = start_plan(request, who, body.scope, body.territory, body.account, body.dry_run)
    return accepted(job.as_dict())


@router.get(
    "/plans/{plan_id}",
    summary="A plan with its changes and guard-rail verdict",
    responses=error_responses(401, 404, 422),
)
def show_plan(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    return plan_with_changes(database_of(request), plan_id)


@router.post(
    "/plans/{plan_id}/apply",
    summary="Apply a plan's changes to the CRMs in the background",
    status_code=202,
    responses=error_responses(401, 403, 404, 409, 422),
)
def apply_plan(
    request: Request,
    plan_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    who: Principal = Depends(require_admin),
) -> JSONResponse:
    return accepted(start_apply(request, who, plan_id).as_dict())


@router.get("/jobs", summary="Background jobs, newest first", responses=error_responses(401))
def jobs(request: Request, _who: Principal = Depends(require_viewer)) -> dict[str, Any]:
    return {"jobs": [job.as_dict() for job in jobs_of(request).jobs()]}


@router.get(
    "/jobs/{job_id}",
    summary="One job's progress and outcome",
    responses=error_responses(401, 404, 422),
)
def job(
    request: Request,
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    found = jobs_of(request).get(job_id)
    if found is None:
        raise ApiError(404, f"there is no job {job_id}; GET /api/jobs lists them")
    return found.as_dict()
