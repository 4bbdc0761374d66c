"""The emulator's webhooks: a configured target gets HubSpot's signed event calls for created
companies and changed owners, and nothing is sent without one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.server import serve_in_thread
from tests.sandbox.hubspot.conftest import START_MS, PortalFactory, make_companies
from web.hubspot_signature import verify_v3

SECRET = "sandbox-app-client-secret"
TIMEOUT = 10


class Receiver:
    """A webhook target that keeps every call it gets."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def take(self, request: Request) -> Response:
        self.calls.append(
            {
                "headers": dict(request.headers),
                "body": await request.body(),
                "url": str(request.url),
            }
        )
        return Response(status_code=204)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    kept = Receiver()
    served = serve_in_thread(
        Starlette(routes=[Route("/hooks/hubspot", kept.take, methods=["POST"])])
    )
    try:
        yield kept, f"{served.url}/hooks/hubspot"
    finally:
        served.stop()


def test_a_created_company_is_announced_to_the_target_signed_as_hubspot_signs(
    serve: PortalFactory, receiver: tuple[Receiver, str]
) -> None:
    _, url = serve(make_companies(1))
    kept, target = receiver
    settings = {"target_url": target, "client_secret": SECRET}
    assert httpx.post(f"{url}/__sandbox/webhooks", json=settings).status_code == 200

    answer = httpx.post(
        f"{url}/__sandbox/records", json={"records": [{"name": "New"}]}, timeout=TIMEOUT
    ).json()

    assert answer["webhook"] == [{"status": 204}]
    (call,) = kept.calls
    (event,) = json.loads(call["body"])
    assert event["subscriptionType"] == "company.creation"
    assert str(event["objectId"]) == answer["ids"][0]
    assert event["occurredAt"] == START_MS and event["attemptNumber"] == 0
    assert call["headers"]["x-hubspot-request-timestamp"] == str(START_MS)
    verify_v3(  # the product's own reading of HubSpot's rule accepts it
        secret=SECRET,
        method="POST",
        uri=target,
        body=call["body"],
        signature=call["headers"]["x-hubspot-signature-v3"],
        timestamp=call["headers"]["x-hubspot-request-timestamp"],
        now_ms=START_MS,
    )


def test_a_person_changing_a_company_owner_is_a_property_change_event(
    serve: PortalFactory, receiver: tuple[Receiver, str]
) -> None:
    portal, url = serve(make_companies(1))
    kept, target = receiver
    httpx.post(f"{url}/__sandbox/webhooks", json={"target_url": target, "client_secret": SECRET})
    company = portal.first_ids(1)[0]

    httpx.post(
        f"{url}/__sandbox/owner-changes",
        json={"changes": [{"id": company, "owner_id": None}]},
        timeout=TIMEOUT,
    )

    (event,) = json.loads(kept.calls[0]["body"])
    assert event["subscriptionType"] == "company.propertyChange"
    assert (event["propertyName"], event["propertyValue"]) == ("hubspot_owner_id", "")
    assert str(event["objectId"]) == company


def test_without_a_target_nothing_is_sent(
    serve: PortalFactory, receiver: tuple[Receiver, str]
) -> None:
    _, url = serve(make_companies(1))
    kept, target = receiver
    httpx.post(f"{url}/__sandbox/webhooks", json={"target_url": target, "client_secret": SECRET})
    httpx.post(f"{url}/__sandbox/webhooks", json={"target_url": None})

    answer = httpx.post(f"{url}/__sandbox/records", json={"records": [{"name": "New"}]}).json()

    assert "webhook" not in answer
    assert kept.calls == []


def test_the_settings_show_the_target_never_the_secret_and_refuse_a_bad_url(
    serve: PortalFactory, receiver: tuple[Receiver, str]
) -> None:
    _, url = serve(make_companies(1))
    _, target = receiver
    httpx.post(f"{url}/__sandbox/webhooks", json={"target_url": target, "client_secret": SECRET})

    shown = httpx.get(f"{url}/__sandbox/webhooks")
    assert shown.json() == {"target_url": target}
    assert SECRET not in shown.text
    bad = httpx.post(
        f"{url}/__sandbox/webhooks", json={"target_url": "ftp://x", "client_secret": "s"}
    )
    assert bad.status_code == 400 and "http" in bad.json()["error"]
    no_secret = httpx.post(f"{url}/__sandbox/webhooks", json={"target_url": target})
    assert no_secret.status_code == 400 and "client_secret" in no_secret.json()["error"]
