"""Webhook calls as HubSpot sends them, from the emulator: a company created, an owner changed.

`POST /__sandbox/webhooks {"target_url": ..., "client_secret": ...}` says where the portal's app
sends its webhook events and the app's client secret that signs them (`{"target_url": null}`
switches them off; `GET /__sandbox/webhooks` shows the target URL, never the secret). Once set,
the companies created through `POST /__sandbox/records` are announced as `company.creation`
events, and the company owners a person changes through `POST /__sandbox/owner-changes` as
`company.propertyChange` events of `hubspot_owner_id`: one POST of a JSON array per control call,
at most 100 events a POST (HubSpot's batch), with HubSpot's event fields
(https://developers.hubspot.com/docs/api/webhooks), signed with signature v3 as HubSpot signs
(https://developers.hubspot.com/docs/api/webhooks/validating-requests): the base64 HMAC-SHA256,
keyed with the client secret, of method + target URL (HubSpot's listed escapes decoded) + body +
the `X-HubSpot-Request-Timestamp` (milliseconds).

Where HubSpot sends within seconds, the sandbox sends before the control call answers, so a test
needs no waiting; the control call's answer carries what the target answered (`webhook`). The
signing is written here on its own, not shared with the product's check, so a test of one
against the other compares two readings of HubSpot's rule.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

EVENTS_PER_CALL = 100
SEND_TIMEOUT_SECONDS = 10.0
APP_ID = 3_000_001
SUBSCRIPTION_IDS = {"company.creation": 1001, "company.propertyChange": 1002}
_ESCAPES = ("%3A", "%2F", "%3F", "%40", "%21", "%24", "%27", "%28", "%29", "%2A", "%2C", "%3B")
"""The URL-encoded characters HubSpot decodes in the URI it signs."""


def signed_uri(url: str) -> str:
    for escape in _ESCAPES:
        character = chr(int(escape[1:], 16))
        url = url.replace(escape, character).replace(escape.lower(), character)
    return url


def sign_v3(client_secret: str, method: str, url: str, body: bytes, timestamp_ms: int) -> str:
    message = f"{method}{signed_uri(url)}".encode() + body + str(timestamp_ms).encode()
    digest = hmac.new(client_secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    client_secret: str


class WebhookSender:
    """The portal's app: its target, its secret, and the events it sends there."""

    def __init__(self, portal_id: int, now_ms: Callable[[], int]) -> None:
        self.portal_id = portal_id
        self.now_ms = now_ms
        self._target: WebhookTarget | None = None
        self._event_ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def target(self) -> WebhookTarget | None:
        return self._target

    def configure(self, url: str | None, client_secret: str | None) -> None:
        if url is None:
            self._target = None
            return
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"target_url must be an http(s) URL, not {url!r}")
        if not client_secret:
            raise ValueError("client_secret is needed with a target_url: it signs every call")
        self._target = WebhookTarget(url, client_secret)

    def _event(self, kind: str, object_id: str, **extra: Any) -> dict[str, Any]:
        with self._lock:
            event_id = next(self._event_ids)
        return {
            "eventId": event_id,
            "subscriptionId": SUBSCRIPTION_IDS[kind],
            "portalId": self.portal_id,
            "appId": APP_ID,
            "occurredAt": self.now_ms(),
            "subscriptionType": kind,
            "attemptNumber": 0,
            "objectId": int(object_id),
            "changeSource": "CRM",
            **extra,
        }

    def creation_events(self, company_ids: Iterable[str]) -> list[dict[str, Any]]:
        return [self._event("company.creation", i, changeFlag="NEW") for i in company_ids]

    def owner_events(self, owners: Mapping[str, str | None]) -> list[dict[str, Any]]:
        return [
            self._event(
                "company.propertyChange",
                company_id,
                propertyName="hubspot_owner_id",
                propertyValue=owner or "",
            )
            for company_id, owner in owners.items()
        ]

    def deliver(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """POST the events, signed, to the target (nothing without one); per call, the status
        the target answered or the error."""
        target = self._target
        if target is None or not events:
            return []
        outcomes: list[dict[str, Any]] = []
        for start in range(0, len(events), EVENTS_PER_CALL):
            body = json.dumps(events[start : start + EVENTS_PER_CALL]).encode()
            timestamp = self.now_ms()
            headers = {
                "Content-Type": "application/json",
                "X-HubSpot-Signature-v3": sign_v3(
                    target.client_secret, "POST", target.url, body, timestamp
                ),
                "X-HubSpot-Request-Timestamp": str(timestamp),
            }
            try:
                answer = requests.post(
                    target.url, data=body, headers=headers, timeout=SEND_TIMEOUT_SECONDS
                )
            except requests.RequestException as error:
                outcomes.append({"error": f"{type(error).__name__}: {error}"[:300]})
            else:
                outcomes.append({"status": answer.status_code})
        return outcomes

    async def send(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`deliver` off the event loop, so the emulator keeps serving the target's calls."""
        if self._target is None or not events:
            return []
        return await asyncio.to_thread(self.deliver, events)


def webhook_routes(sender: WebhookSender) -> list[Route]:
    async def settings(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = json.loads(await request.body() or b"{}")
            except json.JSONDecodeError:
                body = None
            if not isinstance(body, dict) or "target_url" not in body:
                return JSONResponse(
                    {"error": 'send {"target_url": "http://...", "client_secret": "..."}'},
                    status_code=400,
                )
            url, secret = body.get("target_url"), body.get("client_secret")
            try:
                sender.configure(
                    None if url is None else str(url), None if secret is None else str(secret)
                )
            except ValueError as error:
                return JSONResponse({"error": str(error)}, status_code=400)
        target = sender.target
        return JSONResponse({"target_url": target.url if target else None})

    return [Route("/__sandbox/webhooks", settings, methods=["GET", "POST"])]
