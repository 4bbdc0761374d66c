"""What every page shares: the templates, the signed-in person, the CSRF check on form posts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from web.auth import BrowserSession, Principal, check_csrf, request_session, session_principal
from web.errors import ApiError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))


class SignInRequiredError(Exception):
    """A page was asked for without a session: the browser is sent to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def page_user(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        if request.method == "GET":
            raise SignInRequiredError(request.url.path)
        raise ApiError(401, "your session has ended or was revoked; sign in again at /signin")
    return principal


def page_admin(request: Request) -> Principal:
    principal = page_user(request)
    if not principal.is_admin:
        raise ApiError(403, "this needs an admin token; viewers may only read")
    return principal


def require_form_csrf(request: Request, csrf_token: str | None) -> None:
    check_csrf(request, csrf_token)


ERROR_TITLES = {
    400: "This request cannot be read",
    401: "Sign in again",
    403: "Refused",
    404: "Not found",
    405: "Not allowed here",
    409: "Busy",
    413: "Too large",
    422: "This cannot be used",
    500: "Something went wrong",
}


def error_page(request: Request, status: int, message: str) -> Response:
    """A refusal as a page: its title, the message, a way back (no user menu, no form)."""
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {
            "user": None,
            "csrf": "",
            "title": ERROR_TITLES.get(status, "Error"),
            "message": message,
        },
        status_code=status,
    )


def render(
    request: Request,
    template: str,
    user: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    session: BrowserSession | None = request_session(request)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "csrf": session.csrf if session else "", **context},
        status_code=status_code,
    )
