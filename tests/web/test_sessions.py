"""Console sessions live on the server: sign-out, revocation, idleness and age end them at once."""

from __future__ import annotations

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from mapping.model.columns import utc_now
from sync.store.database import Database
from tests.web.conftest import csrf_in, sign_in
from web.session_store import (
    SESSIONS,
    ConsoleSession,
    EndReason,
    end_session,
    sessions_of_token,
    start_session,
)
from web.token_store import list_tokens, revoke_token


def _only_token_id(database: Database) -> int:
    (token,) = list_tokens(database)
    return token.id


def _sessions(database: Database) -> list[ConsoleSession]:
    return sessions_of_token(database, _only_token_id(database))


def _age_sessions(database: Database, **columns: timedelta) -> None:
    """Move the sessions' timestamps into the past by the given amounts."""
    now = utc_now()
    with database.engine.begin() as connection:
        connection.execute(update(SESSIONS).values(**{k: now - v for k, v in columns.items()}))


def _signed_in(client: TestClient) -> bool:
    return client.get("/runs", follow_redirects=False).status_code == 200


def test_signing_out_ends_the_session_and_the_old_cookie_is_refused_afterwards(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    csrf = sign_in(client, viewer_token)
    old_cookie = client.cookies.get("ts_session")
    assert old_cookie
    answer = client.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    client.cookies.set("ts_session", old_cookie)
    assert client.get("/runs", follow_redirects=False).status_code == 303
    assert client.get("/api/runs").status_code == 401
    (session,) = _sessions(database)
    assert session.end_reason == "signed_out"


def test_the_cookie_names_the_session_only_and_the_database_keeps_a_hash_of_it(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    cookie = client.cookies.get("ts_session")
    assert cookie
    session_id, _timestamp, _signature = cookie.split(".")
    assert "victor" not in cookie and viewer_token not in cookie
    with database.engine.connect() as connection:
        stored = [row.id for row in connection.execute(select(SESSIONS.c.id))]
    assert len(stored) == 1 and session_id not in stored


def test_revoking_a_token_ends_its_sessions_on_the_server(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    revoke_token(database, _only_token_id(database))
    (session,) = _sessions(database)
    assert session.end_reason == "token_revoked" and session.ended_at is not None
    assert not _signed_in(client)


def test_a_session_without_a_request_for_an_hour_ends(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    _age_sessions(database, last_seen_at=timedelta(minutes=61))
    assert not _signed_in(client)
    assert _sessions(database)[0].end_reason == "idle"


def test_a_request_within_the_hour_keeps_the_session_alive(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    _age_sessions(database, last_seen_at=timedelta(minutes=50))
    assert _signed_in(client)
    (session,) = _sessions(database)
    assert utc_now() - session.last_seen_at < timedelta(minutes=5)
    assert session.ended_at is None


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    _age_sessions(database, expires_at=timedelta(seconds=1))
    assert not _signed_in(client)
    assert _sessions(database)[0].end_reason == "expired"


def test_signing_in_again_replaces_the_browsers_earlier_session(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    first = client.cookies.get("ts_session")
    sign_in(client, viewer_token)
    assert client.cookies.get("ts_session") != first
    reasons = [session.end_reason for session in _sessions(database)]
    assert sorted(reasons, key=str) == sorted(["replaced", None], key=str)
    assert _signed_in(client)


def test_the_sign_in_forms_cookie_grants_nothing(client: TestClient) -> None:
    form = client.get("/signin")
    assert csrf_in(form.text)
    assert not _signed_in(client)
    assert client.get("/api/runs").status_code == 401


def test_a_sign_in_form_older_than_an_hour_is_refused(
    client: TestClient, viewer_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    csrf = csrf_in(client.get("/signin").text)
    later = time.time() + 3601
    monkeypatch.setattr("web.auth.time", SimpleNamespace(time=lambda: later))
    answer = client.post("/signin", data={"token": viewer_token, "csrf_token": csrf})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"


def test_sessions_that_ended_a_month_ago_are_deleted_at_the_next_sign_in(
    database: Database, viewer_token: str
) -> None:
    token_id = _only_token_id(database)
    long_ago = utc_now() - timedelta(days=40)
    _, old_secret = start_session(database, token_id, now=long_ago)
    end_session(database, old_secret, EndReason.SIGNED_OUT, now=long_ago)
    start_session(database, token_id)
    assert [session.ended for session in _sessions(database)] == [False]


def test_a_csrf_token_in_any_script_is_refused_not_an_error(
    client: TestClient, admin_token: str
) -> None:
    sign_in(client, admin_token)
    answer = client.post("/resync", data={"scope": "all", "csrf_token": "jeton-é-✓"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"
