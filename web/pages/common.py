"""What every page shares: the templates (with `display`'s filters), the signed-in person, the
CSRF check on form posts, and the page a refusal is shown as."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from web.auth import BrowserSession, Principal, check_csrf, request_session, session_principal
from web.errors import ApiError
from web.pages.display import FILTERS

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TEMPLATES.env.filters.update(FILTERS)


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


def _way_back(path: str, status: int) -> tuple[str, str]:
    """Where a person goes from a refusal at `path`: the page the request came from, or the
    list that holds what was not found."""
    parts = path.strip("/").split("/")
    if status == 401:
        return "/signin", "Sign in"
    if parts[0] in ("runs", "plans") and len(parts) > 1 and parts[1].isdigit() and status != 404:
        what = "run" if parts[0] == "runs" else "plan"
        return f"/{parts[0]}/{parts[1]}", f"Back to {what} {parts[1]}"
    if parts[0] == "resync":
        return "/resync", "Back to Resync"
    if parts[0] == "audit":
        return "/audit", "Back to the audit log"
    if parts[0] == "runs":
        return "/runs", "See all runs"
    return "/runs", "Back to the console"


def _signed_in(request: Request) -> tuple[Principal | None, str]:
    """The signed-in person and the session's CSRF token, for the layout's menu; nobody when the
    session cannot be read (the refusal may be about the database itself)."""
    try:
        session = request_session(request)
        return session_principal(request), session.csrf if session else ""
    except Exception:  # an error page renders whatever else failed
        return None, ""


def error_page(
    request: Request, status: int, message: str, extra: Mapping[str, Any] | None = None
) -> Response:
    """A refusal as a page in the console's layout: its title, the message, a way back, and a
    link to the job or run it names (a busy console names the job to watch)."""
    user, csrf = _signed_in(request)
    back, back_text = _way_back(request.url.path, status)
    named = extra or {}
    links = []
    if named.get("job_id"):
        links.append((f"/jobs/{named['job_id']}", f"Watch job {named['job_id']}"))
    elif named.get("run_id"):
        links.append((f"/runs/{named['run_id']}", f"See run {named['run_id']}"))
    return TEMPLATES.TemplateResponse(
        request,
        "error.html",
        {
            "user": user,
            "csrf": csrf,
            "title": ERROR_TITLES.get(status, "Error"),
            "message": message[:1].upper() + message[1:],
            "status": status,
            "back": back,
            "back_text": back_text,
            "links": links,
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
