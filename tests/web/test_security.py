"""Headers on every answer, errors included; changes accepted only from the console's own origin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from sync.store.database import Database
from territory_sync.settings import Settings
from tests.web.conftest import SECRET_KEY, bearer, csrf_in, sign_in
from web.app import create_app

CONSOLE = "http://127.0.0.1"
EVIL = "https://evil.example"


def _assert_security_headers(answer: Any) -> None:
    headers = answer.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == "no-store"


@pytest.fixture
def app(console_settings: Settings, database: Database) -> Iterator[FastAPI]:
    console = create_app(console_settings, database, secret_key=SECRET_KEY)
    yield console
    console.state.jobs.wait(30)


@pytest.mark.parametrize("path", ["/api/nothing-here", "/nothing-here", "/static/missing.css"])
def test_a_404_carries_the_security_headers(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    _assert_security_headers(answer)


def test_an_unexpected_error_answers_500_in_the_error_shape_with_the_security_headers(
    app: FastAPI, viewer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the disk caught fire at /var/lib/secret-path")

    monkeypatch.setattr("web.api.runs.list_runs", broken)
    with TestClient(app, base_url=CONSOLE, raise_server_exceptions=False) as client:
        answer = client.get("/api/runs", headers=bearer(viewer_token))
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == "internal_error"
    assert "secret-path" not in answer.text
    _assert_security_headers(answer)


def test_an_oversized_request_body_is_413_with_the_headers(
    client: TestClient, admin_token: str
) -> None:
    answer = client.post(
        "/api/plans",
        content=b'{"scope": "all", "territory": "' + b"x" * 200_000 + b'"}',
        headers={**bearer(admin_token), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"
    assert "64 KiB at most" in answer.json()["error"]["message"]
    _assert_security_headers(answer)


def test_an_oversized_body_sent_without_a_length_is_refused_once_it_passes_the_bound(
    client: TestClient, admin_token: str
) -> None:
    chunks = iter([b'{"scope": "all", "territory": "'] + [b"x" * 8192] * 20 + [b'"}'])
    answer = client.post(
        "/api/plans",
        content=chunks,
        headers={**bearer(admin_token), "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_plain_http_answers_carry_no_hsts(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/healthz").headers


def test_answers_over_https_carry_hsts(app: FastAPI) -> None:
    with TestClient(app, base_url="https://127.0.0.1") as client:
        answer = client.get("/healthz")
    assert answer.headers["strict-transport-security"] == "max-age=31536000"


def test_behind_a_trusted_proxy_saying_https_answers_carry_hsts(app: FastAPI) -> None:
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="*")  # what `serve --proxy-headers` adds
    with TestClient(proxied, base_url=CONSOLE) as client:
        over_https = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        over_http = client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert over_https.headers["strict-transport-security"] == "max-age=31536000"
    assert "strict-transport-security" not in over_http.headers


def test_a_cross_origin_api_post_with_a_valid_csrf_token_is_refused(
    client: TestClient, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        "/api/plans",
        json={"scope": "all"},
        headers={"X-CSRF-Token": csrf, "Origin": EVIL},
    )
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["code"] == "foreign_origin"
    assert EVIL in error["message"] and CONSOLE in error["message"]
    _assert_security_headers(answer)
    assert client.get("/api/jobs").json()["jobs"] == []


def test_the_same_post_from_the_console_itself_goes_on_to_the_route(
    client: TestClient, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        "/api/plans", json={"scope": "territory"}, headers={"X-CSRF-Token": csrf, "Origin": CONSOLE}
    )
    assert answer.status_code == 422, answer.text
    assert "needs a territory name" in answer.json()["error"]["message"]


def test_a_cross_origin_form_post_shows_the_refusal_as_a_page(
    client: TestClient, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        "/resync",
        data={"scope": "territory", "territory": "NA-West", "csrf_token": csrf},
        headers={"Origin": EVIL, "Accept": "text/html,application/xhtml+xml"},
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith("text/html")
    assert "sent from another site" in answer.text
    _assert_security_headers(answer)


def test_a_referer_from_another_site_is_refused_when_there_is_no_origin(
    client: TestClient,
) -> None:
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"token": "x", "csrf_token": csrf_in(form.text)},
        headers={"Referer": f"{EVIL}/phish"},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "foreign_origin"


def test_a_referer_from_the_console_passes_on_to_the_form_checks(client: TestClient) -> None:
    form = client.get("/signin")
    answer = client.post(
        "/signin",
        data={"token": "not-a-token", "csrf_token": csrf_in(form.text)},
        headers={"Referer": f"{CONSOLE}/signin"},
    )
    assert answer.status_code == 401


@pytest.mark.parametrize(
    "origin",
    ["null", "http://127.0.0.1:8001", "https://127.0.0.1", "http://127.0.0.1.evil.example"],
)
def test_an_opaque_or_near_miss_origin_is_refused(
    client: TestClient, admin_token: str, origin: str
) -> None:
    answer = client.post(
        "/api/plans", json={"scope": "all"}, headers={**bearer(admin_token), "Origin": origin}
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "foreign_origin"


def test_a_script_with_a_token_and_no_origin_is_not_asked_for_one(
    client: TestClient, admin_token: str
) -> None:
    answer = client.post("/api/plans/4242/apply", headers=bearer(admin_token))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
