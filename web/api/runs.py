"""`/api/runs`: runs with their status and figures, newest first; one run in detail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.queries import list_runs, run_or_404
from web.state import database_of

router = APIRouter(tags=["runs"])
MAX_ID = 2**31 - 1


@router.get("/runs", summary="Runs, newest first", responses=error_responses(401, 422))
def runs(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    return {
        "runs": list_runs(database_of(request), limit, offset),
        "limit": limit,
        "offset": offset,
    }


@router.get(
    "/runs/{run_id}", summary="One run with its figures", responses=error_responses(401, 404, 422)
)
def run(
    request: Request,
    run_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    return run_or_404(database_of(request), run_id)
