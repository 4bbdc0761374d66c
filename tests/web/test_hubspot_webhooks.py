"""`POST /webhooks/hubspot`: HubSpot's signed calls start a quick assignment at once; forged,
stale or unconfigured calls change nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from sandbox.hubspot.webhooks import sign_v3
from sandbox.launcher import RunningSandbox
from sandbox.server import serve_in_thread
from sync.lock import RunLock
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database
from territory_sync.settings import Settings
from tests.end_to_end.conftest import product_settings
from tests.web.conftest import SECRET_KEY
from web.app import create_app
from web.hubspot_signature import decode_uri, signature_v3
from web.webhooks import CLIENT_SECRET_ENV_VAR, HUBSPOT_WEBHOOK_PATH

CLIENT_SECRET = "0f4c7a2e-hubspot-app-client-secret"
URI = f"http://127.0.0.1{HUBSPOT_WEBHOOK_PATH}"
NA_WEST_OWNERS = {"41800001", "41800002"}
NEW_IN_CALIFORNIA = {
    "name": "Webhook Robotics",
    "country": "United States of America",
    "region": "CA",
    "city": "San Jose",
}


def creation_events(*company_ids: str) -> list[dict[str, Any]]:
    return [
        {
            "eventId": n,
            "subscriptionId": 1001,
            "portalId": 24000001,
            "appId": 3000001,
            "occurredAt": int(time.time() * 1000),
            "subscriptionType": "company.creation",
            "attemptNumber": 0,
            "objectId": int(company_id),
            "changeFlag": "NEW",
            "changeSource": "CRM",
        }
        for n, company_id in enumerate(company_ids, 1)
    ]


def post_signed(
    client: TestClient,
    events: list[dict[str, Any]],
    *,
    secret: str = CLIENT_SECRET,
    age_ms: int = 0,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST the events as HubSpot would, signed with `secret`, `age_ms` ago."""
    body = json.dumps(events).encode()
    timestamp = int(time.time() * 1000) - age_ms
    signed = {
        "Content-Type": "application/json",
        "X-HubSpot-Signature-v3": sign_v3(secret, "POST", URI, body, timestamp),
        "X-HubSpot-Request-Timestamp": str(timestamp),
        **(headers or {}),
    }
    return client.post(HUBSPOT_WEBHOOK_PATH, content=body, headers=signed)


def runs(database: Database) -> list[tuple[str, dict[str, Any]]]:
    with database.engine.connect() as connection:
        rows = connection.execute(text("SELECT trigger, scope FROM runs ORDER BY id")).all()
    return [(row[0], json.loads(row[1]) if isinstance(row[1], str) else row[1]) for row in rows]


@pytest.fixture
def secret_set(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(CLIENT_SECRET_ENV_VAR, CLIENT_SECRET)
    return CLIENT_SECRET


@pytest.fixture
def product_events(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    product_logger = logging.getLogger("territory_sync")
    product_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="territory_sync"):
            yield caplog
    finally:
        product_logger.removeHandler(caplog.handler)


@pytest.fixture
def covered(sandbox_client: TestClient, database: Database) -> Settings:
    """The nightly run has covered the book; returns the console's settings."""
    settings: Settings = sandbox_client.app.state.settings  # type: ignore[attr-defined]
    run_sync(settings, database, SyncRequest(trigger="schedule", actor="nightly"))
    return settings


@pytest.fixture
def served_console(
    database: Database,
    sandbox_env: RunningSandbox,
    territory_file: Any,
    secret_set: str,
) -> Iterator[tuple[FastAPI, str]]:
    """The console served over HTTP on loopback, so the sandbox can call its webhook."""
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    app = create_app(settings, database, secret_key=SECRET_KEY)
    served = serve_in_thread(app)
    try:
        yield app, served.url
    finally:
        app.state.quick_assign.shutdown()
        app.state.jobs.shutdown()
        served.stop()


def test_a_company_created_in_hubspot_gets_its_owner_from_the_webhook_at_once(
    served_console: tuple[FastAPI, str], sandbox_env: RunningSandbox, database: Database
) -> None:
    app, console_url = served_console
    run_sync(app.state.settings, database, SyncRequest(trigger="schedule", actor="nightly"))
    sandbox = sandbox_env.hubspot_url
    answer = requests.post(
        f"{sandbox}/__sandbox/webhooks",
        json={"target_url": f"{console_url}{HUBSPOT_WEBHOOK_PATH}", "client_secret": CLIENT_SECRET},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text

    created = requests.post(
        f"{sandbox}/__sandbox/records", json={"records": [NEW_IN_CALIFORNIA]}, timeout=30
    ).json()

    assert created["webhook"] == [{"status": 204}]
    assert app.state.quick_assign.wait_idle(60)
    (company_id,) = created["ids"]
    assert sandbox_env.hubspot.owner_of(company_id) in NA_WEST_OWNERS
    trigger, scope = runs(database)[-1]
    assert trigger == "webhook"
    assert scope["accounts"] == [company_id] and scope["only_unowned_or_new"] is True
    (job,) = app.state.jobs.jobs()
    assert (job.kind, job.actor, job.run_status) == ("quick-assign", "hubspot-webhook", "succeeded")


def test_webhooks_during_a_run_wait_as_one_follow_up(
    sandbox_client: TestClient,
    sandbox_env: RunningSandbox,
    covered: Settings,
    secret_set: str,
    database: Database,
) -> None:
    app = sandbox_client.app
    assignments = app.state.quick_assign  # type: ignore[attr-defined]
    hubspot = sandbox_env.hubspot
    first, second = hubspot.create_records([NEW_IN_CALIFORNIA, {**NEW_IN_CALIFORNIA, "name": "B"}])
    nightly = RunLock(database)
    nightly.acquire()
    try:
        assert post_signed(sandbox_client, creation_events(first)).status_code == 204
        assert post_signed(sandbox_client, creation_events(second)).status_code == 204
        assert assignments.pending() == {first, second}
        assert app.state.jobs.jobs() == []  # type: ignore[attr-defined]
    finally:
        nightly.release()

    assert assignments.wait_idle(60)
    (job,) = app.state.jobs.jobs()  # type: ignore[attr-defined]
    assert job.kind == "quick-assign" and job.run_status == "succeeded"
    assert runs(database)[-1][1]["accounts"] == sorted([first, second])
    assert {hubspot.owner_of(first), hubspot.owner_of(second)} <= NA_WEST_OWNERS


def test_a_forged_signature_is_refused_with_401_and_changes_nothing(
    client: TestClient,
    database: Database,
    secret_set: str,
    product_events: pytest.LogCaptureFixture,
) -> None:
    forged = post_signed(client, creation_events("30000000001"), secret="not-the-app-secret")

    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "invalid_signature"
    assert client.app.state.quick_assign.pending() == set()  # type: ignore[attr-defined]
    assert client.app.state.jobs.jobs() == []  # type: ignore[attr-defined]
    assert runs(database) == []
    refused = [r for r in product_events.records if r.getMessage() == "webhook.refused"]
    assert refused
    logged = json.dumps([r.__dict__.get("fields") for r in product_events.records])
    assert CLIENT_SECRET not in logged
    assert forged.request.headers["X-HubSpot-Signature-v3"] not in logged


def test_a_stale_timestamp_is_refused_with_401_and_changes_nothing(
    client: TestClient, database: Database, secret_set: str
) -> None:
    six_minutes = 6 * 60 * 1000
    stale = post_signed(client, creation_events("30000000001"), age_ms=six_minutes)

    assert stale.status_code == 401
    assert "5 minutes" in stale.json()["error"]["message"]
    assert client.app.state.jobs.jobs() == []  # type: ignore[attr-defined]
    assert runs(database) == []


def test_a_call_without_the_signature_headers_is_refused_with_401(
    client: TestClient, secret_set: str
) -> None:
    answer = client.post(HUBSPOT_WEBHOOK_PATH, json=creation_events("30000000001"))
    assert answer.status_code == 401
    assert "X-HubSpot-Signature-v3" in answer.json()["error"]["message"]


def test_a_timestamp_of_non_ascii_digits_is_refused_with_401(
    client: TestClient, secret_set: str
) -> None:
    answer = client.post(
        HUBSPOT_WEBHOOK_PATH,
        content=b"[]",
        headers={
            "Content-Type": "application/json",
            "X-HubSpot-Signature-v3": "c2lnbmF0dXJl",
            "X-HubSpot-Request-Timestamp": b"\xb2",  # "²" in Latin-1
        },
    )
    assert answer.status_code == 401


def test_without_the_client_secret_the_endpoint_answers_503_naming_the_variable(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CLIENT_SECRET_ENV_VAR, raising=False)
    answer = post_signed(client, creation_events("30000000001"))
    assert answer.status_code == 503
    assert CLIENT_SECRET_ENV_VAR in answer.json()["error"]["message"]
    assert client.app.state.jobs.jobs() == []  # type: ignore[attr-defined]


def test_only_the_webhook_path_is_spared_the_same_origin_check(
    client: TestClient, secret_set: str
) -> None:
    foreign = {"Origin": "https://evil.example"}
    signed = post_signed(client, [], headers=foreign)
    assert signed.status_code == 204, "HubSpot's signature is what authenticates it"
    forged = post_signed(client, [], secret="wrong", headers=foreign)
    assert forged.status_code == 401
    elsewhere = client.post("/api/plans", json={"scope": "all"}, headers=foreign)
    assert elsewhere.status_code == 403


def test_a_signed_call_naming_no_company_event_starts_nothing(
    client: TestClient, secret_set: str
) -> None:
    other = [{**creation_events("30000000001")[0], "subscriptionType": "contact.creation"}]
    assert post_signed(client, other).status_code == 204
    assert client.app.state.quick_assign.pending() == set()  # type: ignore[attr-defined]


def test_the_uri_is_signed_with_hubspots_listed_escapes_decoded() -> None:
    encoded = "https://console.example/webhooks/hubspot?x=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B%20"
    assert decode_uri(encoded) == "https://console.example/webhooks/hubspot?x=:/?@!$'()*,;%20"
    assert decode_uri("%3a%2f") == ":/"
    # HubSpot signs the decoded form: the sandbox's signature and the check agree on it.
    body = b'[{"objectId": 1}]'
    assert signature_v3(CLIENT_SECRET, "POST", encoded, body, "1700000000000") == sign_v3(
        CLIENT_SECRET, "POST", encoded, body, 1700000000000
    )


def test_a_query_string_with_escaped_characters_is_verified_as_hubspot_sent_it(
    client: TestClient, secret_set: str
) -> None:
    path = f"{HUBSPOT_WEBHOOK_PATH}?portal=24000001&tag=a%2Cb"
    body = b"[]"
    timestamp = int(time.time() * 1000)
    signature = sign_v3(CLIENT_SECRET, "POST", f"http://127.0.0.1{path}", body, timestamp)
    headers = {
        "X-HubSpot-Signature-v3": signature,
        "X-HubSpot-Request-Timestamp": str(timestamp),
    }
    assert client.post(path, content=body, headers=headers).status_code == 204
