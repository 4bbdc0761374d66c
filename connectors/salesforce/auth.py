"""Salesforce credentials from the environment, and the access tokens they are exchanged for.

Three ways in, chosen by which variables are set: client credentials (`SALESFORCE_CLIENT_ID` +
`SALESFORCE_CLIENT_SECRET`), JWT bearer (`SALESFORCE_CLIENT_ID` + `SALESFORCE_USERNAME` +
`SALESFORCE_PRIVATE_KEY_FILE`, an RS256 assertion signed with PyJWT), or a ready-made
`SALESFORCE_ACCESS_TOKEN` that cannot be renewed. The token request is made here with requests:
simple-salesforce's own login code only knows `*.salesforce.com` login hosts. Salesforce tokens
carry no expiry, so `TokenSource.renew` fetches a new one when a call answers 401; it is
thread-safe and renews once however many threads saw the same stale token.

Every refusal names the variable (or setting) to fix and never shows a secret's value.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import requests

from connectors.errors import call_error
from connectors.retry import RetryPolicy, call_with_retry
from connectors.salesforce.errors import from_vendor
from connectors.salesforce.settings import (
    ACCESS_TOKEN_VAR,
    CLIENT_CREDENTIALS_GRANT,
    CLIENT_ID_VAR,
    CLIENT_SECRET_VAR,
    INSTANCE_URL_VAR,
    JWT_ALGORITHM,
    JWT_BEARER_GRANT,
    JWT_LIFETIME_SECONDS,
    PRIVATE_KEY_FILE_VAR,
    SOURCE,
    TOKEN_PATH,
    USERNAME_VAR,
)
from territory_sync.errors import ConfigurationError, CrmAuthenticationError, MissingCredentialError


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth 2.0 client credentials flow: the connected app runs as its execution user."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class JwtBearer:
    """OAuth 2.0 JWT bearer flow: an assertion signed with the key whose certificate the connected
    app holds, for a pre-authorised integration user."""

    client_id: str
    username: str
    private_key_file: str = field(repr=False)


@dataclass(frozen=True)
class AccessToken:
    """A session id obtained elsewhere; it cannot be renewed when Salesforce expires it."""

    token: str = field(repr=False)


SalesforceCredentials = ClientCredentials | JwtBearer | AccessToken

_ANY_FLOW = (
    f"{CLIENT_ID_VAR} and {CLIENT_SECRET_VAR} (client credentials), or {CLIENT_ID_VAR}, "
    f"{USERNAME_VAR} and {PRIVATE_KEY_FILE_VAR} (JWT bearer), or {ACCESS_TOKEN_VAR}"
)


def _value(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name, "").strip() or None


def instance_url_from(configured: str, environ: Mapping[str, str]) -> str:
    """The My Domain URL from settings `salesforce.instance_url` or SALESFORCE_INSTANCE_URL."""
    url = (configured or "").strip() or _value(environ, INSTANCE_URL_VAR)
    if not url:
        raise MissingCredentialError(
            INSTANCE_URL_VAR,
            "Salesforce needs your org's My Domain URL, e.g. https://acme.my.salesforce.com "
            "(or [salesforce] instance_url in the configuration file)",
        )
    return url.rstrip("/")


def credentials_from_environ(environ: Mapping[str, str]) -> SalesforceCredentials:
    """The credentials the set variables describe; a half-configured flow names what is missing."""
    client_id = _value(environ, CLIENT_ID_VAR)
    secret = _value(environ, CLIENT_SECRET_VAR)
    username = _value(environ, USERNAME_VAR)
    key_file = _value(environ, PRIVATE_KEY_FILE_VAR)
    token = _value(environ, ACCESS_TOKEN_VAR)
    if username or key_file:
        purpose = "Salesforce JWT bearer sign-in needs the connected app's consumer key"
        if not client_id:
            raise MissingCredentialError(CLIENT_ID_VAR, purpose)
        if not username:
            raise MissingCredentialError(
                USERNAME_VAR,
                "Salesforce JWT bearer sign-in needs the integration user's username",
            )
        if not key_file:
            raise MissingCredentialError(
                PRIVATE_KEY_FILE_VAR,
                "Salesforce JWT bearer sign-in needs the path of the PEM private key whose "
                "certificate the connected app holds",
            )
        return JwtBearer(client_id, username, key_file)
    if client_id and secret:
        return ClientCredentials(client_id, secret)
    if secret:
        raise MissingCredentialError(
            CLIENT_ID_VAR, "Salesforce client credentials need the connected app's consumer key"
        )
    if client_id and not token:
        raise MissingCredentialError(
            CLIENT_SECRET_VAR,
            "Salesforce client credentials need the connected app's consumer secret (or use "
            f"the JWT bearer flow with {USERNAME_VAR} and {PRIVATE_KEY_FILE_VAR})",
        )
    if token:
        return AccessToken(token)
    raise MissingCredentialError(_ANY_FLOW, "Salesforce needs credentials")


@dataclass(frozen=True)
class IssuedToken:
    """One access token and the order it was issued in (to renew each stale token only once)."""

    value: str = field(repr=False)
    generation: int


def _read_private_key(path_text: str) -> str:
    path = Path(path_text).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ConfigurationError(
            f"the private key file it names cannot be read ({reason}): set it to the path of "
            "the PEM private key whose certificate the connected app holds",
            source=f"environment variable {PRIVATE_KEY_FILE_VAR}",
        ) from error


def jwt_assertion(credentials: JwtBearer, audience: str, now: float) -> str:
    """The signed JWT bearer assertion (iss, sub, aud, exp)."""
    key = _read_private_key(credentials.private_key_file)
    claims = {
        "iss": credentials.client_id,
        "sub": credentials.username,
        "aud": audience.rstrip("/"),
        "exp": int(now) + JWT_LIFETIME_SECONDS,
    }
    try:
        return jwt.encode(claims, key, algorithm=JWT_ALGORITHM)
    except (ValueError, TypeError, jwt.PyJWTError) as error:
        raise ConfigurationError(
            "the file it names does not hold a PEM RSA private key: set it to the key whose "
            "certificate was uploaded to the connected app",
            source=f"environment variable {PRIVATE_KEY_FILE_VAR}",
        ) from error


def _refusal(credentials: SalesforceCredentials, error: str, description: str) -> str:
    """What to fix when the token endpoint refuses, naming the variable and never its value."""
    said = f"({error}: {description})" if description else f"({error})"
    text = description.lower()
    if error == "invalid_client_id":
        return (
            f"Salesforce does not know the consumer key in {CLIENT_ID_VAR} {said}: set it to the "
            "connected app's consumer key"
        )
    if error == "invalid_client":
        return (
            f"Salesforce rejected the consumer secret in {CLIENT_SECRET_VAR} {said}: copy the "
            "connected app's consumer secret into it"
        )
    if error == "unsupported_grant_type":
        flow = "JWT bearer" if isinstance(credentials, JwtBearer) else "client credentials"
        return (
            f"Salesforce refused the {flow} flow {said}: enable it in the connected app named by "
            f"{CLIENT_ID_VAR}"
        )
    if isinstance(credentials, JwtBearer):
        if "audience" in text:
            return (
                f"Salesforce refused the JWT audience {said}: set [salesforce] login_url "
                "(SALESFORCE_LOGIN_URL) to https://login.salesforce.com, or "
                "https://test.salesforce.com for a sandbox org"
            )
        if "approved" in text or "user" in text:
            return (
                f"Salesforce refused the user in {USERNAME_VAR} {said}: check the username and "
                "pre-authorise that user (or their profile) for the connected app"
            )
        if "expired" in text:
            return f"Salesforce found the JWT assertion expired {said}: check this machine's clock"
        return (
            f"Salesforce rejected the JWT assertion {said}: check that the key in "
            f"{PRIVATE_KEY_FILE_VAR} matches the certificate of the connected app in "
            f"{CLIENT_ID_VAR}"
        )
    return (
        f"Salesforce refused the client credentials {said}: check {CLIENT_ID_VAR} and "
        f"{CLIENT_SECRET_VAR}, and that the connected app has a run-as user for the client "
        "credentials flow"
    )


def request_token(
    session: requests.Session,
    instance_url: str,
    credentials: ClientCredentials | JwtBearer,
    *,
    login_url: str,
    timeout: float,
    now: float,
) -> str:
    """One token request; refusals raise CrmAuthenticationError, transient failures CrmCallError."""
    form: dict[str, str]
    if isinstance(credentials, JwtBearer):
        form = {
            "grant_type": JWT_BEARER_GRANT,
            "assertion": jwt_assertion(credentials, login_url, now),
        }
    else:
        form = {
            "grant_type": CLIENT_CREDENTIALS_GRANT,
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
        }
    what = "Salesforce sign-in"
    try:
        response = session.post(
            instance_url + TOKEN_PATH,
            data=form,
            headers={"Accept": "application/json"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise from_vendor(error, what, instance_url) from error
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code in (400, 401, 403) and isinstance(body, dict) and "error" in body:
        raise CrmAuthenticationError(
            _refusal(credentials, str(body["error"]), str(body.get("error_description") or "")),
            crm=SOURCE,
            status=response.status_code,
            code=str(body["error"]),
        )
    if response.status_code >= 300:
        raise call_error(
            SOURCE, response.status_code, None, f"{what} failed ({response.status_code})"
        )
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise call_error(
            SOURCE,
            response.status_code,
            "NO_ACCESS_TOKEN",
            f"{what} answered without an access token: check {INSTANCE_URL_VAR} points at the "
            "org's My Domain URL",
        )
    return token


class TokenSource:
    """Hands out the current access token; fetches the first one lazily and renews on request."""

    def __init__(
        self,
        credentials: SalesforceCredentials,
        *,
        instance_url: str,
        login_url: str,
        session: requests.Session,
        timeout: float,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.time,
        on_request: Callable[[str], None] = lambda kind: None,
    ) -> None:
        self.credentials = credentials
        self._instance_url = instance_url
        self._login_url = login_url
        self._session = session
        self._timeout = timeout
        self._policy = policy
        self._clock = clock
        self._on_request = on_request
        self._lock = threading.Lock()
        self._current: IssuedToken | None = None
        self._generation = 0
        if isinstance(credentials, AccessToken):
            self._current = IssuedToken(credentials.token, 0)

    @property
    def renewable(self) -> bool:
        return not isinstance(self.credentials, AccessToken)

    def current(self) -> IssuedToken:
        with self._lock:
            if self._current is None:
                self._current = self._fetch()
            return self._current

    def renew(self, stale: IssuedToken | None) -> None:
        """Replace `stale` with a fresh token, unless another thread already did."""
        if not self.renewable:
            return
        with self._lock:
            if self._current is not None and stale is not None and self._current is not stale:
                return
            self._current = self._fetch()

    def _fetch(self) -> IssuedToken:
        credentials = self.credentials
        assert not isinstance(credentials, AccessToken)

        def attempt() -> str:
            self._on_request("token")
            return request_token(
                self._session,
                self._instance_url,
                credentials,
                login_url=self._login_url,
                timeout=self._timeout,
                now=self._clock(),
            )

        value = call_with_retry(attempt, policy=self._policy, what="Salesforce sign-in")
        self._generation += 1
        return IssuedToken(value, self._generation)
