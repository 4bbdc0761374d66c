"""Server-rendered pages (Jinja2 templates, one CSS file): nothing to build, no script needed."""

from __future__ import annotations

from fastapi import APIRouter

from web.pages import balance, resync, scorecard, session, views


def pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for module in (session, views, resync, balance, scorecard):
        router.include_router(module.router)
    return router
