"""The admin console's application: the JSON API, the pages, the static CSS, the error shape.

`create_app(settings, database)` wires the same settings and database the command line uses;
`territory-sync serve` hands it to uvicorn, tests hand it to a TestClient.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from connectors.base import CrmConnector
from sync.store.database import Database
from territory_sync import __version__
from territory_sync.settings import Settings
from web.api import api_router
from web.auth import server_secret_key
from web.errors import install_error_handlers
from web.jobs import JobRunner
from web.pages import pages_router
from web.pages.common import SignInRequiredError

STATIC_DIR = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def create_app(
    settings: Settings,
    database: Database,
    *,
    secret_key: bytes | None = None,
    connectors: Callable[[], Mapping[str, CrmConnector]] | None = None,
) -> FastAPI:
    """The console over `database`; `connectors` replaces the CRM clients (tests only)."""
    jobs = JobRunner(database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()

    app = FastAPI(
        title="territory-sync admin console",
        version=__version__,
        description=(
            "Runs, plans, the audit log, accounts and balance over the territory-sync database. "
            "Send `Authorization: Bearer TOKEN` (`territory-sync tokens create`)."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.secret_key = secret_key or server_secret_key()
    app.state.jobs = jobs
    app.state.connectors = connectors
    install_error_handlers(app)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequiredError)
        return RedirectResponse(f"/signin?next={quote(exc.next_path)}", status_code=303)

    app.add_exception_handler(SignInRequiredError, sign_in_first)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.include_router(api_router())
    app.include_router(pages_router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
