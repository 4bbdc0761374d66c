"""Server-rendered pages (Jinja2 templates, one CSS file): nothing to build, no script needed."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import accounts, balance, resync, scorecard, session, territories, views


def pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in (session, views, accounts, resync, balance, scorecard, territories):
        router.include_router(module.router)
    return router
