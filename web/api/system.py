"""`GET /healthz` (no token: for load balancers and monitors) and `GET /metrics` (viewer token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sync.scheduling.instances import liveness
from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.metrics import CONTENT_TYPE, render_metrics
from web.state import database_of, jobs_of

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness, database reachability and the scheduler's heartbeat")
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers and the scheduler, if one is expected, is alive; 503 with
    the reason otherwise. A scheduler is expected once one has registered on this database and
    not stopped cleanly; it is stale when its heartbeat is older than three intervals."""
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    database = database_of(request)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        verdict = liveness(database)
    except SQLAlchemyError:
        body = {"status": "unavailable", "database": "unreachable"}
        return JSONResponse(body, status_code=503)
    active = jobs_of(request).active()
    body["active_job"] = active.id if active else None
    body["scheduler"] = {
        "state": verdict.state,
        "healthy": verdict.healthy,
        "reason": verdict.reason,
        "active": verdict.active,
    }
    if not verdict.healthy:
        body["status"] = "unhealthy"
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


@router.get(
    "/metrics",
    summary="Figures in the Prometheus text format",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}, **error_responses(401)},
)
def metrics(request: Request, _who: Principal = Depends(require_viewer)) -> PlainTextResponse:
    registry: CollectorRegistry = request.app.state.metrics_registry
    return PlainTextResponse(render_metrics(registry), media_type=CONTENT_TYPE)
