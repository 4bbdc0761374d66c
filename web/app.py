"""The admin console's application: the JSON API, the pages, the static CSS, the error shape.

`create_app(settings, database)` wires the same settings and database the command line uses;
`territory-sync serve` hands it to uvicorn, tests hand it to a TestClient. Around the routes: the
security headers on every answer, the same-origin check on every change (`security`), a bound on
every request body, and one error shape (`errors`). HubSpot's webhook calls (`webhooks`) are the
one route the same-origin check leaves alone: they authenticate by HubSpot's signature. The API's
reference is `/openapi.json`, listed for people at `/docs` (`pages.api_reference`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import ASGIApp

from connectors.base import CrmConnector
from sync.store.database import Database
from territory_sync import __version__
from territory_sync.settings import Settings
from web.api import api_router
from web.auth import server_secret_key
from web.errors import ErrorAnswers, install_error_handlers
from web.jobs import JobRunner
from web.limits import BodyLimit, BodyLimitMiddleware
from web.metrics import metrics_registry
from web.pages import api_reference, pages_router
from web.pages.common import SignInRequiredError, error_page
from web.quick_assign import WebhookAssignments
from web.security import SameOriginMiddleware, SecurityHeadersMiddleware
from web.webhooks import HUBSPOT_WEBHOOK_PATH
from web.webhooks import router as webhooks_router
from web.what_if import UPLOAD_LIMIT, WHAT_IF_PATHS, WHAT_IF_TIME_LIMIT_SECONDS

STATIC_DIR = Path(__file__).resolve().parent / "static"
REQUEST_LIMIT = BodyLimit(64 * 1024)
"""Every request body (forms, JSON) but the what-if upload's."""
UPLOAD_LIMITS = dict.fromkeys(WHAT_IF_PATHS, UPLOAD_LIMIT)
"""Paths that take an upload, with their larger bound."""


class ConsoleApp(FastAPI):
    """FastAPI with the security headers outside everything, its error middleware included."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack())


def create_app(
    settings: Settings,
    database: Database,
    *,
    secret_key: bytes | None = None,
    connectors: Callable[[], Mapping[str, CrmConnector]] | None = None,
    what_if_time_limit: float = WHAT_IF_TIME_LIMIT_SECONDS,
) -> FastAPI:
    """The console over `database`; `connectors` replaces the CRM clients (tests only), and
    `what_if_time_limit` bounds a what-if job (seconds)."""
    jobs = JobRunner(database)
    quick_assign = WebhookAssignments(settings, database, jobs, connectors=connectors)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        quick_assign.shutdown()
        jobs.shutdown()

    app = ConsoleApp(
        title="territory-sync admin console",
        version=__version__,
        description=(
            "Runs, plans, the audit log, accounts and balance over the territory-sync database. "
            "Send `Authorization: Bearer TOKEN` (`territory-sync tokens create`)."
        ),
        lifespan=lifespan,
        # No Swagger UI or ReDoc: their assets come from a CDN the content security policy
        # refuses (a blank page); `/docs` lists the operations instead (`api_reference`).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.metrics_registry = metrics_registry(database)
    app.state.secret_key = secret_key or server_secret_key()
    app.state.jobs = jobs
    app.state.quick_assign = quick_assign
    app.state.connectors = connectors
    app.state.what_if_time_limit = what_if_time_limit
    answers = ErrorAnswers(page=error_page)
    install_error_handlers(app, answers)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequiredError)
        return RedirectResponse(f"/signin?next={quote(exc.next_path)}", status_code=303)

    app.add_exception_handler(SignInRequiredError, sign_in_first)

    def refuse_foreign_origin(request: Request, why: str) -> Response:
        return answers.answer(request, 403, "foreign_origin", why)

    def refuse_too_large(request: Request, why: str) -> Response:
        return answers.answer(request, 413, "too_large", why)

    app.add_middleware(
        BodyLimitMiddleware,
        default=REQUEST_LIMIT,
        by_path=UPLOAD_LIMITS,
        too_large=refuse_too_large,
    )
    # Added last, runs first: a foreign origin is refused before its body is even measured.
    app.add_middleware(
        SameOriginMiddleware,
        refuse=refuse_foreign_origin,
        signed_paths=frozenset({HUBSPOT_WEBHOOK_PATH}),
    )
    app.include_router(api_router())
    app.include_router(webhooks_router)
    app.include_router(pages_router())
    app.include_router(api_reference.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
