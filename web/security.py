"""What every answer of the console carries, and where a request that changes something comes from.

`SecurityHeadersMiddleware` wraps the whole application, outside Starlette's error middleware, so
404s, 413s and 500s carry the same headers as pages: a strict content security policy, no framing,
no MIME sniffing, no referrer to other sites, nothing cached. Over https (served directly, or behind
a proxy trusted with `territory-sync serve --proxy-headers`, which sets the request's scheme from
`X-Forwarded-Proto`) it adds HSTS.

`SameOriginMiddleware` refuses a POST, PUT, PATCH or DELETE whose `Origin` header (or, when a
browser sent none, its `Referer`) names another origin than the console's own, before any route
runs. This is on top of the session's CSRF token: a browser always says where a cross-site form
comes from, so a forged request fails even if a token leaked. A request with neither header (a
script with a Bearer token) goes on to the route's own checks. The paths given as `signed_paths`
(HubSpot's webhook calls only: `web.webhooks`) are not checked: they take no cookie and no token,
and their route accepts nothing that is not signed with the app's secret.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = (
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")
"""One year (RFC 6797, https://www.rfc-editor.org/rfc/rfc6797#section-6.1.1); not for subdomains,
which the console does not speak for."""

STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SHOWN_ORIGIN = 200

Origin = tuple[str, str, int]
Refusal = Callable[[Request, str], Response]
"""Builds the 403 answer for a request from another origin, given the sentence saying so."""


class SecurityHeadersMiddleware:
    """Adds `SECURITY_HEADERS` (and HSTS over https) to every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault(*HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of a URL or an `Origin` value; None when it names no web origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def own_origin(scope: Scope) -> tuple[Origin | None, str]:
    """The console's origin as the browser addressed it (scheme and `Host`), and as text."""
    host = Headers(scope=scope).get("host")
    if not host:
        server = scope.get("server")
        host = f"{server[0]}:{server[1]}" if server else ""
    written = f"{scope.get('scheme', 'http')}://{host}"
    return origin_of(written), written


def foreign_origin(scope: Scope) -> str | None:
    """Why a state-changing request is refused as sent from elsewhere, or None when it may go on."""
    headers = Headers(scope=scope)
    claimed = headers.get("origin")
    header = "Origin"
    if claimed is None:
        claimed = headers.get("referer")
        header = "Referer"
    if claimed is None:
        return None
    mine, mine_written = own_origin(scope)
    theirs = origin_of(claimed)
    if theirs is not None and theirs == mine:
        return None
    shown = claimed.strip()[:_SHOWN_ORIGIN] or "(empty)"
    return (
        f"this request was sent from another site ({header} {shown}), not from this console "
        f"({mine_written}): changes are accepted only from the console's own pages or from a "
        "client with a token; behind a proxy, have it pass the original Host header"
    )


class SameOriginMiddleware:
    """Answers `refuse(request, why)` to a state-changing request from another origin."""

    def __init__(
        self, app: ASGIApp, refuse: Refusal, signed_paths: frozenset[str] = frozenset()
    ) -> None:
        self.app = app
        self.refuse = refuse
        self.signed_paths = signed_paths
        """Exact paths whose routes authenticate each request by its signature instead."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in STATE_CHANGING_METHODS
            and scope["path"] not in self.signed_paths
        ):
            why = foreign_origin(scope)
            if why is not None:
                response = self.refuse(Request(scope, receive), why)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
