"""`POST /webhooks/hubspot`: HubSpot's webhook subscription calls, so new companies get an owner
within moments instead of at the next run.

The app's webhook settings point its target URL here, with subscriptions to `company.creation`
and to `company.propertyChange` of `hubspot_owner_id` (apps on the developer platform send
`object.creation` / `object.propertyChange` with `objectTypeId` `0-2`, taken alike). HubSpot posts
a JSON array of events (`objectId`, `subscriptionType`, `propertyName`, `occurredAt`, ...); see
https://developers.hubspot.com/docs/api/webhooks.

The endpoint authenticates by HubSpot's v3 signature alone (`web.hubspot_signature`), keyed with
the app's client secret from `HUBSPOT_CLIENT_SECRET`; it takes no token, session or CSRF token,
and the same-origin check leaves this one path alone (`web.app`). Without the variable it answers
503 naming it; a missing, forged or stale signature answers 401 and is logged (without the secret
or the signature), and nothing else happens. A signed call answers 204 at once: the companies it
names go to `web.quick_assign`, which starts one quick assignment for them (or, while a run is in
progress, one follow-up for every company named meanwhile).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from territory_sync.errors import WebhookSignatureError
from territory_sync.logs import log_event
from territory_sync.secrets import optional_secret
from web.errors import ApiError
from web.hubspot_signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_v3
from web.quick_assign import WebhookAssignments

HUBSPOT_WEBHOOK_PATH = "/webhooks/hubspot"
CLIENT_SECRET_ENV_VAR = "HUBSPOT_CLIENT_SECRET"
COMPANY_TYPE_ID = "0-2"
OWNER_PROPERTY = "hubspot_owner_id"

router = APIRouter()


def request_uri(request: Request) -> str:
    """The URI the caller sent the request to, as sent: scheme (from the proxy with
    `--proxy-headers`), the `Host` header, and the raw path and query, still percent-encoded."""
    scope = request.scope
    host = request.headers.get("host") or request.url.netloc
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


def _is_company_event(event: dict[str, Any]) -> bool:
    kind = str(event.get("subscriptionType", ""))
    if kind.startswith("object."):
        if str(event.get("objectTypeId", "")) != COMPANY_TYPE_ID:
            return False
        kind = "company." + kind.removeprefix("object.")
    if kind in ("company.creation", "company.restore"):
        return True
    return kind == "company.propertyChange" and event.get("propertyName") == OWNER_PROPERTY


def companies_named(body: bytes) -> list[str]:
    """The ids of the companies created (or restored) or whose owner changed, in the events;
    `ValueError` when the body is not a JSON array of event objects."""
    try:
        events = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"the body is not JSON ({error})") from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise ValueError("the body is not a JSON array of webhook events")
    named = {
        str(event["objectId"])
        for event in events
        if _is_company_event(event) and str(event.get("objectId", "")).isdigit()
    }
    return sorted(named)


@router.post(
    HUBSPOT_WEBHOOK_PATH,
    status_code=204,
    # HubSpot's contract, not the API's: it takes no token and answers 503 until configured.
    include_in_schema=False,
)
async def hubspot_webhook(request: Request) -> Response:
    secret = optional_secret(CLIENT_SECRET_ENV_VAR)
    if secret is None:
        log_event("webhook.not_configured", level=logging.WARNING, source="hubspot")
        raise ApiError(
            503,
            f"HubSpot webhooks are not set up on this console: set the environment variable "
            f"{CLIENT_SECRET_ENV_VAR} to the HubSpot app's client secret and restart it",
            code="webhooks_not_configured",
        )
    body = await request.body()
    uri = request_uri(request)
    try:
        verify_v3(
            secret=secret,
            method=request.method,
            uri=uri,
            body=body,
            signature=request.headers.get(SIGNATURE_HEADER),
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            now_ms=int(time.time() * 1000),
        )
    except WebhookSignatureError as error:
        log_event(
            "webhook.refused",
            level=logging.WARNING,
            source="hubspot",
            reason=str(error),
            client=request.client.host if request.client else None,
        )
        raise ApiError(401, str(error), code="invalid_signature") from None
    try:
        companies = companies_named(body)
    except ValueError as error:
        log_event("webhook.unreadable", level=logging.WARNING, source="hubspot", error=str(error))
        raise ApiError(422, f"{error}: HubSpot sends a JSON array of events") from None
    log_event("webhook.received", source="hubspot", companies=len(companies), bytes=len(body))
    if companies:
        assignments: WebhookAssignments = request.app.state.quick_assign
        assignments.request(companies)
    return Response(status_code=204)
