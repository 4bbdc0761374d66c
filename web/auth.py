"""Who is asking: API tokens (Bearer), browser sessions and CSRF tokens.

A browser signs in with a token once; that starts a console session (`session_store`): a row in
the database, named in the browser's cookie by a random id, signed and timestamped by itsdangerous
(HMAC-SHA256) under the server's secret key (`TERRITORY_SYNC_SECRET_KEY`, or a random key per
process, which signs everyone out at each restart). A cookie whose signature fails, or signed longer
ago than its lifetime, names no session. The cookie is HttpOnly, SameSite=Lax and Secure over https
and carries that id only, so the session ends on the server at once: at sign-out, when its token is
revoked, after an hour without a request, twelve hours after sign-in. Every request re-reads the
session and its token.

A session's forms carry a CSRF token derived from its id (its signature under the secret key).
Before sign-in the sign-in form's CSRF token rides in a signed cookie of its own, good for an hour,
which grants nothing. Each use signs under its own salt, so a value signed for one is refused by
the others. API calls with a Bearer token need no CSRF token (a browser never adds that header by
itself). Where a change may come from is checked before all of this (`security`).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, Signer, TimestampSigner
from starlette.responses import Response

from sync.store.database import Database
from web.errors import ApiError
from web.session_store import (
    ABSOLUTE_LIFETIME,
    ConsoleSession,
    EndReason,
    end_session,
    live_session,
    start_session,
)
from web.token_store import ApiToken, Role, authenticate, get_token

SECRET_KEY_ENV_VAR = "TERRITORY_SYNC_SECRET_KEY"
SESSION_COOKIE = "ts_session"
SIGNIN_COOKIE = "ts_signin"
SIGNIN_MAX_AGE_SECONDS = 3600
"""How long a sign-in form stays usable."""
SESSION_MAX_AGE = int(ABSOLUTE_LIFETIME.total_seconds())
"""How long a session cookie's signature holds (the server ends the session then too)."""
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_COOKIE_LENGTH = 300
_SESSION_SALT = "territory-sync.session"
_SIGNIN_SALT = "territory-sync.signin"
_CSRF_SALT = "territory-sync.csrf"


def server_secret_key() -> bytes:
    """The configured key, or a random one for this process (sessions end at restart)."""
    configured = os.environ.get(SECRET_KEY_ENV_VAR, "")
    return configured.encode("utf-8") if configured else secrets.token_bytes(32)


@dataclass(frozen=True)
class BrowserSession:
    """What a browser's cookies establish: its console session (None before sign-in) and the CSRF
    token its forms must send back."""

    csrf: str
    record: ConsoleSession | None = None
    secret: str | None = None
    """The session id the cookie carries (to end the session at sign-out)."""


class _CookieSigner(TimestampSigner):
    """itsdangerous's timestamped HMAC-SHA256 signer, reading the clock here (`time.time`)."""

    def get_timestamp(self) -> int:
        return int(time.time())


def _signer(key: bytes, salt: str) -> _CookieSigner:
    return _CookieSigner(key, salt=salt, digest_method=hashlib.sha256)


def _signed(key: bytes, salt: str, payload: str) -> str:
    """`payload.timestamp.signature`, all URL-safe."""
    return _signer(key, salt).sign(payload).decode("ascii")


def _verified(key: bytes, salt: str, cookie: str | None, max_age: int) -> str | None:
    """The payload of a cookie signed for this use no more than `max_age` seconds ago, else None."""
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return None
    try:
        return _signer(key, salt).unsign(cookie, max_age=max_age).decode("utf-8")
    except BadSignature:  # a wrong or missing signature, a malformed or expired timestamp
        return None


def _csrf_token(key: bytes, session_secret: str) -> str:
    """The CSRF token of a session: the signature of its id, for that use only."""
    signer = Signer(key, salt=_CSRF_SALT, digest_method=hashlib.sha256)
    return signer.get_signature(session_secret).decode("ascii")


def _same(expected: str, presented: str) -> bool:
    """Constant-time comparison that any presented text (not only ASCII) fails, never raises."""
    return secrets.compare_digest(expected.encode("utf-8"), presented.encode("utf-8", "replace"))


def _key(request: Request) -> bytes:
    key: bytes = request.app.state.secret_key
    return key


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _read_session(request: Request) -> BrowserSession | None:
    key = _key(request)
    secret = _verified(key, _SESSION_SALT, request.cookies.get(SESSION_COOKIE), SESSION_MAX_AGE)
    if secret:
        record = live_session(_database(request), secret)
        if record is not None:
            return BrowserSession(_csrf_token(key, secret), record, secret)
    nonce = _verified(key, _SIGNIN_SALT, request.cookies.get(SIGNIN_COOKIE), SIGNIN_MAX_AGE_SECONDS)
    return BrowserSession(nonce) if nonce else None


def request_session(request: Request) -> BrowserSession | None:
    """The browser's session as its cookies establish it (read once per request)."""
    if not getattr(request.state, "session_read", False):
        request.state.session = _read_session(request)
        request.state.session_read = True
    session: BrowserSession | None = request.state.session
    return session


def _set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _forget_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )


def sign_in_form_session(request: Request) -> tuple[BrowserSession, bool]:
    """The browser's session for a sign-in form, and whether it is new (then remember it with
    `remember_sign_in_form`)."""
    current = request_session(request)
    if current is not None:
        return current, False
    fresh = BrowserSession(secrets.token_urlsafe(24))
    request.state.session, request.state.session_read = fresh, True
    return fresh, True


def remember_sign_in_form(response: Response, request: Request, browser: BrowserSession) -> None:
    value = _signed(_key(request), _SIGNIN_SALT, browser.csrf)
    _set_cookie(response, request, SIGNIN_COOKIE, value, SIGNIN_MAX_AGE_SECONDS)


def sign_in_browser(request: Request, response: Response, token: ApiToken) -> None:
    """Start a console session for the token (a new id: any earlier session of this browser
    ends) and hand the browser its cookie."""
    current = request_session(request)
    if current is not None and current.secret:
        end_session(_database(request), current.secret, EndReason.REPLACED)
    _, secret = start_session(_database(request), token.id)
    value = _signed(_key(request), _SESSION_SALT, secret)
    _set_cookie(response, request, SESSION_COOKIE, value, SESSION_MAX_AGE)
    _forget_cookie(response, request, SIGNIN_COOKIE)


def sign_out_browser(request: Request, response: Response) -> None:
    """End the browser's console session on the server and drop its cookies."""
    current = request_session(request)
    if current is not None and current.secret:
        end_session(_database(request), current.secret, EndReason.SIGNED_OUT)
    _forget_cookie(response, request, SESSION_COOKIE)
    _forget_cookie(response, request, SIGNIN_COOKIE)


@dataclass(frozen=True)
class Principal:
    token: ApiToken
    via_session: bool

    @property
    def role(self) -> Role:
        return self.token.role

    @property
    def is_admin(self) -> bool:
        return self.token.role == Role.ADMIN

    @property
    def actor(self) -> str:
        """Who the audit log names: the token's name, never its secret."""
        return f"token:{self.token.name}"


def bearer_principal(request: Request) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    token = authenticate(_database(request), secret.strip())
    if token is None:
        raise ApiError(
            401,
            "the API token is not valid or was revoked; create one with "
            "`territory-sync tokens create --role viewer|admin --name NAME`",
        )
    return Principal(token, via_session=False)


def session_principal(request: Request) -> Principal | None:
    session = request_session(request)
    if session is None or session.record is None:
        return None
    token = get_token(_database(request), session.record.token_id)
    if token is None or not token.active:
        return None
    return Principal(token, via_session=True)


def check_csrf(request: Request, presented: str | None) -> None:
    session = request_session(request)
    if session is None or not presented or not _same(session.csrf, presented):
        raise ApiError(
            403,
            "the form's CSRF token is missing or stale; reload the page and submit it again",
            code="csrf_failed",
        )


def api_principal(request: Request) -> Principal:
    """A Bearer token, or a browser session (which must send its CSRF token to change state)."""
    principal = bearer_principal(request) or session_principal(request)
    if principal is None:
        raise ApiError(
            401,
            "sign in: send `Authorization: Bearer TOKEN` (create one with "
            "`territory-sync tokens create --role viewer --name NAME`)",
        )
    if principal.via_session and request.method not in SAFE_METHODS:
        check_csrf(request, request.headers.get(CSRF_HEADER))
    return principal


def require_viewer(request: Request) -> Principal:
    return api_principal(request)


def require_admin(request: Request) -> Principal:
    principal = api_principal(request)
    if not principal.is_admin:
        raise ApiError(403, "this needs an admin token; viewers may only read")
    return principal
