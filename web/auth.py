"""Who is asking: API tokens (Bearer), browser sessions (a signed cookie) and CSRF tokens.

A browser signs in with a token once; the session cookie then names the token's id (never its
secret), is signed with HMAC-SHA256 under the server's secret key (`TERRITORY_SYNC_SECRET_KEY`, or
a random key per process, which signs everyone out at each restart), HttpOnly, SameSite=Lax and
Secure over https. Every request re-reads the token, so revoking it ends its sessions at once.
Each session carries a random CSRF token that every state-changing form must send back; API calls
with a Bearer token need none (a browser never adds that header by itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.responses import Response

from sync.store.database import Database
from web.errors import ApiError
from web.token_store import ApiToken, Role, authenticate, get_token

SECRET_KEY_ENV_VAR = "TERRITORY_SYNC_SECRET_KEY"
SESSION_COOKIE = "ts_session"
SESSION_MAX_AGE_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def server_secret_key() -> bytes:
    """The configured key, or a random one for this process (sessions end at restart)."""
    configured = os.environ.get(SECRET_KEY_ENV_VAR, "")
    return configured.encode("utf-8") if configured else secrets.token_bytes(32)


@dataclass(frozen=True)
class Session:
    token_id: int | None
    csrf: str
    issued_at: int

    @staticmethod
    def fresh(token_id: int | None = None) -> Session:
        return Session(token_id, secrets.token_urlsafe(24), int(time.time()))


def _sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def encode_session(key: bytes, session: Session) -> str:
    data = json.dumps({"t": session.token_id, "c": session.csrf, "i": session.issued_at})
    payload = base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")
    return f"{payload}.{_sign(key, payload.encode())}"


def decode_session(key: bytes, cookie: str | None) -> Session | None:
    """The session in a cookie whose signature holds and which has not expired, else None."""
    if not cookie or len(cookie) > 1000 or "." not in cookie:
        return None
    payload, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(_sign(key, payload.encode()), signature):
        return None
    try:
        data: dict[str, Any] = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        session = Session(data["t"], str(data["c"]), int(data["i"]))
    except (ValueError, KeyError, TypeError):
        return None
    if time.time() - session.issued_at > SESSION_MAX_AGE_SECONDS:
        return None
    return session


def set_session_cookie(response: Response, request: Request, session: Session) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        encode_session(request.app.state.secret_key, session),
        max_age=SESSION_MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


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


def request_session(request: Request) -> Session | None:
    cached = getattr(request.state, "session", None)
    if cached is None:
        cached = decode_session(request.app.state.secret_key, request.cookies.get(SESSION_COOKIE))
        request.state.session = cached
    return cached


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


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
    if session is None or session.token_id is None:
        return None
    token = get_token(_database(request), session.token_id)
    if token is None or not token.active:
        return None
    return Principal(token, via_session=True)


def check_csrf(request: Request, presented: str | None) -> None:
    session = request_session(request)
    if session is None or not presented or not hmac.compare_digest(session.csrf, presented):
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
