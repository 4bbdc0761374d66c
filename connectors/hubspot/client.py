"""The one way this product calls HubSpot: paced, timed out, counted, retried and wrapped.

`HubSpotTransport.call` sends one request through a generated API method of
`hubspot-api-client` and returns the status and JSON body. Around it: the proactive limiter
(burst window, or search's per-second limit), the daily-allocation headers fed to the budget and
usage, a timeout on every call, and the shared retry policy. urllib3's own retries are off
(`retry=False`) so that the policy here governs every call (the default urllib3 `Retry(3)`
silently retries some GETs and raises `MaxRetryError` instead of an `ApiException`:
https://github.com/HubSpot/hubspot-api-python/issues/117).

Responses are read as JSON rather than as the SDK's models: building the models costs about ten
times the HTTP round trip itself (20,000 companies: 6.9 s against 0.74 s on loopback), and a
status missing from the SDK's response map would otherwise come back as `None`
(hubspot-api-python#448). Every vendor exception is turned into a classified `CrmCallError` here,
so nothing above `connectors/` sees one. A failure without an answer is told apart by when it
happened (`connection_error`): before the request left (`NewConnectionError`,
`ConnectTimeoutError`: `CONNECTION_ERROR`) or after (`ReadTimeoutError`, `ProtocolError`,
`IncompleteRead`, or a 2xx whose body is not JSON: `ANSWER_LOST`, after which a write may have
been applied). Writes are sent with `idempotent=False`: see `connectors.retry`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.companies import ApiException as CompaniesApiException
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.deals import ApiException as DealsApiException
from hubspot.crm.owners import ApiException as OwnersApiException
from hubspot.crm.properties import ApiException as PropertiesApiException

from connectors.base import ApiUsage
from connectors.budget import ApiBudget
from connectors.errors import (
    ANSWER_LOST,
    CONNECTION_ERROR,
    CrmCallError,
    ErrorAction,
    call_error,
)
from connectors.hubspot.settings import (
    BASE_URL_SETTING,
    DAILY_LIMIT_HEADER,
    DAILY_REMAINING_HEADER,
    RETRY_AFTER_HEADER,
    SOURCE,
    TOKEN_ENV_VAR,
)
from connectors.rate_limit import SlidingWindowLimiter
from connectors.retry import RetryPolicy, call_with_retry

JsonObject = dict[str, Any]
VENDOR_API_EXCEPTIONS = (
    CompaniesApiException,
    ContactsApiException,
    DealsApiException,
    AssociationsApiException,
    OwnersApiException,
    PropertiesApiException,
)
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class ObjectApis:
    """The generated APIs of one CRM object type (list/read, search, batch)."""

    basic: Any
    search: Any
    batch: Any


@dataclass(frozen=True)
class HubSpotApis:
    """One reference per generated API object: the client builds a new one on every attribute
    access, so each is fetched once and kept (hubspot-api-python `hubspot/discovery`)."""

    companies: Any
    search: Any
    batch: Any
    owners: Any
    properties: Any
    related: Mapping[str, ObjectApis] = field(default_factory=dict)
    """Contacts and deals, by object type (`contacts`, `deals`)."""
    associations: Any = None
    """Associations v4 batch API (`crm.associations.v4.batch_api`)."""


def build_apis(access_token: str, base_url: str) -> HubSpotApis:
    client = HubSpot(access_token=access_token, host=base_url, retry=False)
    crm = client.crm
    return HubSpotApis(
        companies=crm.companies.basic_api,
        search=crm.companies.search_api,
        batch=crm.companies.batch_api,
        owners=crm.owners.owners_api,
        properties=crm.properties.core_api,
        related={
            "contacts": ObjectApis(
                crm.contacts.basic_api, crm.contacts.search_api, crm.contacts.batch_api
            ),
            "deals": ObjectApis(crm.deals.basic_api, crm.deals.search_api, crm.deals.batch_api),
        },
        associations=crm.associations.v4.batch_api,
    )


@dataclass(frozen=True)
class HubSpotResponse:
    status: int
    body: JsonObject


def _decode(body: object) -> JsonObject | None:
    """An error body as JSON, if it is JSON (`e.body` may be bytes; a 502 is an HTML page)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if not isinstance(body, str) or not body.strip():
        return None
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:  # a plain dict is case-sensitive; HTTPHeaderDict is not
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def api_error(error: Any) -> CrmCallError:
    """A classified error for an `ApiException` of any hubspot sub-package (they share no base
    class: classify by `.status`)."""
    status = int(getattr(error, "status", 0) or 0) or None
    body = _decode(getattr(error, "body", None)) or {}
    headers = getattr(error, "headers", None)
    retry_after = _number(_header(headers, RETRY_AFTER_HEADER))
    if status == 429:
        # 429 bodies name the policy: TEN_SECONDLY_ROLLING, SECONDLY or DAILY
        # (https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details; a real one in
        # https://github.com/HubSpot/hubspot-api-python/issues/117).
        code = body.get("policyName") or "RATE_LIMIT"
        message = f"HubSpot throttled the request ({body.get('message') or code})"
    elif status == 401:
        # HubSpot's own text points at OAuth documentation; say what to do instead. The token
        # itself is never part of a message.
        code = body.get("category") or "INVALID_AUTHENTICATION"
        message = (
            f"HubSpot rejected the access token in {TOKEN_ENV_VAR} (401 {code}); set "
            f"{TOKEN_ENV_VAR} to a current private-app access token for this portal"
        )
    elif status == 403:
        code = body.get("category") or "MISSING_SCOPES"
        message = (
            f"HubSpot refused the request (403 {code}: {body.get('message') or 'forbidden'}); "
            f"give the private app behind {TOKEN_ENV_VAR} the scopes crm.objects.companies.read, "
            "crm.objects.companies.write and crm.objects.owners.read"
        )
    else:
        code = body.get("category")
        detail = body.get("message") or getattr(error, "reason", None) or "no details"
        message = f"HubSpot answered {status}: {str(detail)[:_MESSAGE_LIMIT]}"
    return call_error(SOURCE, status, code, message, retry_after=retry_after)


_NOT_SENT = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
"""Failures before the request left (urllib3 2: `NewConnectionError`, DNS failures included, is
itself a `ConnectTimeoutError`)."""


def connection_error(error: Exception, base_url: str, timeout_seconds: float) -> CrmCallError:
    """A failure with no HTTP answer (both retryable for reads): not sent (refused, DNS, connect
    time-out) or answer lost (read time-out, reset or closed connection, body cut short). A
    failure that is neither counts as lost: for a write that only costs a read-back."""
    cause = error.reason if isinstance(error, urllib3.exceptions.MaxRetryError) else error
    if isinstance(cause, _NOT_SENT):
        return call_error(
            SOURCE,
            None,
            CONNECTION_ERROR,
            f"could not reach HubSpot at {base_url} ({type(cause).__name__}); check "
            f"{BASE_URL_SETTING} and the network",
        )
    if isinstance(cause, urllib3.exceptions.ReadTimeoutError):
        what = f"no answer from HubSpot at {base_url} within {timeout_seconds:g} s"
    else:
        what = f"HubSpot's answer was lost after the request was sent ({type(cause).__name__})"
    return call_error(
        SOURCE, None, ANSWER_LOST, f"{what}; check {BASE_URL_SETTING} and the network"
    )


class HubSpotTransport:
    """Sends requests for one connector; safe to share between threads."""

    def __init__(
        self,
        apis: HubSpotApis,
        *,
        base_url: str,
        timeout_seconds: float,
        policy: RetryPolicy,
        burst_limiter: SlidingWindowLimiter,
        search_limiter: SlidingWindowLimiter,
        usage: ApiUsage,
        budget: ApiBudget,
    ) -> None:
        self.apis = apis
        self.base_url = base_url
        self.timeout_seconds = timeout_seconds
        self.policy = policy
        self.burst_limiter = burst_limiter
        self.search_limiter = search_limiter
        self.usage = usage
        self.budget = budget
        self._lock = threading.Lock()

    def call(
        self,
        kind: str,
        method: Callable[..., Any],
        *,
        search: bool = False,
        idempotent: bool = True,
        **params: Any,
    ) -> HubSpotResponse:
        """Call `method` (a generated `*_with_http_info` method) with `params`; raises the
        product's `CrmError` types when the call cannot succeed. A write passes
        `idempotent=False`: an answer that leaves its effect unknown then raises
        `AmbiguousWriteError` at once instead of sending it again."""
        limiter = self.search_limiter if search else self.burst_limiter

        def attempt() -> HubSpotResponse:
            limiter.acquire()
            self._count(kind)
            try:
                raw = method(
                    **params, _request_timeout=self.timeout_seconds, _preload_content=False
                )
                status, headers, data = int(raw.status), raw.headers, raw.data
            except VENDOR_API_EXCEPTIONS as exc:
                self._observe(exc.headers)
                error = api_error(exc)
                if error.status == 429 and error.action == ErrorAction.RETRY:
                    limiter.pause(error.retry_after or limiter.window_seconds)
                raise error from exc
            except urllib3.exceptions.HTTPError as exc:
                raise connection_error(exc, self.base_url, self.timeout_seconds) from exc
            self._observe(headers)
            body = _decode(data)
            if body is None:
                # Cut short in transit, or not an API answer at all: what it said is lost.
                raise call_error(
                    SOURCE,
                    status,
                    ANSWER_LOST,
                    f"HubSpot answered {status} with a body that is not a JSON object",
                )
            return HubSpotResponse(status, body)

        return call_with_retry(
            attempt, policy=self.policy, what=f"{SOURCE} {kind}", idempotent=idempotent
        )

    def _count(self, kind: str) -> None:
        with self._lock:
            self.usage.count(kind)

    def _observe(self, headers: Mapping[str, str] | None) -> None:
        """Feed the daily allocation headers (absent on search responses) to budget and usage."""
        limit = _number(_header(headers, DAILY_LIMIT_HEADER))
        remaining = _number(_header(headers, DAILY_REMAINING_HEADER))
        if limit is None or remaining is None or limit <= 0:
            return
        self.budget.observe_remaining(int(remaining), int(limit))
        with self._lock:
            self.usage.daily_limit = int(limit)
            self.usage.daily_used = max(int(limit) - int(remaining), 0)
