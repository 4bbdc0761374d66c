"""The JSON API under `/api` (plus `/healthz` and `/metrics`), described at `/openapi.json`."""

from __future__ import annotations

from fastapi import APIRouter

from web.api import accounts, audit, balance, plans, runs, system


def api_router() -> APIRouter:
    router = APIRouter()
    router.include_router(system.router)
    for module in (runs, plans, audit, accounts, balance):
        router.include_router(module.router, prefix="/api")
    return router
