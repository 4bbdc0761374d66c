"""`GET /healthz` (no token: for load balancers) and `GET /metrics` (Prometheus, viewer token)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.metrics import CONTENT_TYPE, render_metrics
from web.state import database_of, jobs_of

router = APIRouter(tags=["system"])


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(request: Request) -> JSONResponse:
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        with database_of(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        body = {"status": "unavailable", "database": "unreachable"}
        return JSONResponse(body, status_code=503)
    active = jobs_of(request).active()
    body["active_job"] = active.id if active else None
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
