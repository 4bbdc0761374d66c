"""The console's signed cookies: valid only as signed, under this server's key, for their lifetime.

The session cookie names a server-side session for at most twelve hours and the sign-in form's
cookie carries its CSRF token for an hour; any alteration, another server's key or an age past the
lifetime makes the console treat the browser as signed out.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from sync.store.database import Database
from territory_sync.settings import Settings
from tests.web.conftest import csrf_in, sign_in
from web.app import create_app


def _signed_in(client: TestClient) -> bool:
    return client.get("/runs", follow_redirects=False).status_code == 200


def _clock_moved(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    later = time.time() + seconds
    monkeypatch.setattr("web.auth.time", SimpleNamespace(time=lambda: later))


def test_a_session_cookie_is_the_session_id_a_timestamp_and_a_signature(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    cookie = client.cookies.get("ts_session")
    assert cookie
    session_id, timestamp, signature = cookie.split(".")
    assert len(session_id) >= 43 and timestamp and len(signature) == 43  # HMAC-SHA256, base64


def test_a_session_cookie_with_an_altered_session_id_is_ignored(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    cookie = client.cookies.get("ts_session")
    assert cookie
    first = "B" if cookie[0] != "B" else "C"
    client.cookies.set("ts_session", first + cookie[1:])
    assert not _signed_in(client)


def test_a_session_cookie_without_its_signature_is_ignored(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    cookie = client.cookies.get("ts_session")
    assert cookie
    client.cookies.set("ts_session", cookie.rpartition(".")[0])
    assert not _signed_in(client)


def test_a_session_cookie_signed_under_another_servers_key_is_ignored(
    client: TestClient, console_settings: Settings, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    cookie = client.cookies.get("ts_session")
    assert cookie
    other = create_app(console_settings, database, secret_key=b"another-servers-secret-key")
    with TestClient(other, base_url="http://127.0.0.1") as other_client:
        other_client.cookies.set("ts_session", cookie)
        assert not _signed_in(other_client)


def test_a_session_cookie_signed_more_than_twelve_hours_ago_is_refused(
    client: TestClient, viewer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, viewer_token)
    assert _signed_in(client)
    _clock_moved(monkeypatch, 12 * 3600 + 1)
    assert not _signed_in(client)


def test_a_sign_in_form_used_within_the_hour_signs_in(
    client: TestClient, viewer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = csrf_in(client.get("/signin").text)
    _clock_moved(monkeypatch, 3599)
    answer = client.post(
        "/signin", data={"token": viewer_token, "csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303


def test_a_sign_in_cookie_altered_in_its_csrf_token_is_refused(
    client: TestClient, viewer_token: str
) -> None:
    csrf = csrf_in(client.get("/signin").text)
    cookie = client.cookies.get("ts_signin")
    assert cookie and cookie.startswith(csrf)
    forged = "x" * len(csrf)
    client.cookies.set("ts_signin", forged + cookie[len(csrf) :])
    answer = client.post("/signin", data={"token": viewer_token, "csrf_token": forged})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"
