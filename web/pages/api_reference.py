"""The API reference at `/docs`: the console's operations listed in its own layout.

No Swagger UI ships offline with the installed packages, and the content security policy allows
no script from elsewhere (a CDN-hosted Swagger UI is a blank page), so FastAPI's interactive docs
are switched off. This page lists every operation of the OpenAPI document (`/openapi.json`, the
machine-readable reference for any OpenAPI viewer or client generator) with its summary, served
as plain HTML: readable signed in or not, with nothing to load.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.auth import session_principal
from web.pages.common import render

router = APIRouter(include_in_schema=False)
METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> list[dict[str, str]]:
    """Each operation of an OpenAPI document: method, path and its first line of description."""
    listed = []
    for path, item in sorted(document.get("paths", {}).items()):
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            words = operation.get("summary") or operation.get("description") or ""
            listed.append(
                {"method": method.upper(), "path": path, "summary": words.strip().split("\n")[0]}
            )
    return listed


@router.get("/docs")
def api_reference(request: Request) -> Response:
    document = request.app.openapi()
    return render(
        request,
        "api_reference.html",
        session_principal(request),
        info=document.get("info", {}),
        operations=operations(document),
    )
