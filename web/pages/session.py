"""Signing in with an API token (which starts a console session) and signing out (which ends it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from web.auth import (
    remember_sign_in_form,
    sign_in_browser,
    sign_in_form_session,
    sign_out_browser,
)
from web.pages.common import render, require_form_csrf
from web.state import database_of
from web.token_store import authenticate

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    """Only a path on this site: never another host (`//evil`, `https://...`)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return "/runs"


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> Response:
    session, fresh = sign_in_form_session(request)
    response = render(request, "signin.html", None, next=_safe_next(next), problem=None)
    if fresh:
        remember_sign_in_form(response, request, session)
    return response


@router.post("/signin")
def signin(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=300)] = "/runs",
) -> Response:
    require_form_csrf(request, csrf_token)
    found = authenticate(database_of(request), token.strip())
    if found is None:
        return render(
            request,
            "signin.html",
            None,
            status_code=401,
            next=_safe_next(next),
            problem="That token is not valid or was revoked. Ask an admin for a token "
            "(territory-sync tokens create --role viewer --name NAME).",
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    sign_in_browser(request, response, found)
    return response


@router.post("/signout")
def signout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    require_form_csrf(request, csrf_token)
    response = RedirectResponse("/signin", status_code=303)
    sign_out_browser(request, response)
    return response
