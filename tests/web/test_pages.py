"""The pages: sign-in cookie, CSRF on every form, what a viewer sees, no secret in a page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sync.store.database import Database
from tests.web.conftest import csrf_in, sign_in
from web.token_store import list_tokens, revoke_token


def test_a_page_without_a_session_sends_the_browser_to_sign_in(client: TestClient) -> None:
    answer = client.get("/audit", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=/audit"


def test_signing_in_sets_an_httponly_samesite_cookie_and_never_shows_the_token(
    client: TestClient, admin_token: str
) -> None:
    csrf = csrf_in(client.get("/signin").text)
    answer = client.post(
        "/signin", data={"token": admin_token, "csrf_token": csrf}, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert admin_token not in cookie
    for path in ("/runs", "/audit", "/resync", "/balance", "/accounts"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert admin_token not in page.text


def test_sign_in_without_the_form_csrf_token_is_refused(
    client: TestClient, admin_token: str
) -> None:
    client.get("/signin")
    answer = client.post("/signin", data={"token": admin_token})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"


def test_a_wrong_token_does_not_sign_in(client: TestClient) -> None:
    csrf = csrf_in(client.get("/signin").text)
    answer = client.post("/signin", data={"token": "nope", "csrf_token": csrf})
    assert answer.status_code == 401
    assert "not valid" in answer.text


def test_a_resync_post_without_csrf_is_refused(client: TestClient, admin_token: str) -> None:
    sign_in(client, admin_token)
    answer = client.post("/resync", data={"scope": "territory", "territory": "NA-West"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "csrf_failed"


def test_a_viewer_sees_no_apply_button_and_a_forged_apply_is_refused(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    csrf = sign_in(client, viewer_token)
    page = client.get(f"/plans/{seeded['plan_id']}").text
    assert "apply-button" not in page
    assert "Applying a plan needs an admin token" in page
    forged = client.post(f"/plans/{seeded['plan_id']}/apply", data={"csrf_token": csrf})
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "forbidden"


def test_an_admin_sees_the_apply_button_with_the_csrf_token(
    client: TestClient, seeded: dict[str, int], admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    page = client.get(f"/plans/{seeded['plan_id']}").text
    assert 'id="apply-button"' in page
    assert f'value="{csrf}"' in page


def test_revoking_a_token_ends_its_browser_session(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    revoke_token(database, list_tokens(database)[0].id)
    assert client.get("/runs", follow_redirects=False).status_code == 303


def test_a_tampered_session_cookie_is_ignored(client: TestClient, viewer_token: str) -> None:
    sign_in(client, viewer_token)
    value = client.cookies.get("ts_session")
    assert value
    client.cookies.set("ts_session", value[:-2] + ("00" if value[-2:] != "00" else "11"))
    assert client.get("/runs", follow_redirects=False).status_code == 303


def test_the_run_page_lists_its_changes_and_filters_them(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    page = client.get(f"/runs/{seeded['run_id']}").text
    assert "new.rep@acme-revenue.example" in page
    filtered = client.get(f"/runs/{seeded['run_id']}", params={"status": "failed"}).text
    assert "new.rep@acme-revenue.example" not in filtered


def test_the_audit_page_explains_a_bad_date(client: TestClient, viewer_token: str) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/audit", params={"since": "2026-02-30"})
    assert answer.status_code == 422
    assert "since must be a date like 2026-03-01" in answer.text


def test_the_account_page_shows_history_and_the_explain_trace(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    page = client.get("/accounts/salesforce/001SEEDED0001").text
    assert "new.rep@acme-revenue.example" in page
    assert "  NA-West (priority 0, depth 1): MATCHES" in page


def test_the_balance_page_draws_svg_bars(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    page = client.get("/balance").text
    assert page.count("<svg") == 2
    assert "Accounts per rep (now)" in page


def test_pages_are_served_with_a_restrictive_content_security_policy(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/runs")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
