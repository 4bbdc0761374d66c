"""The console's JSON API: who may do what, the error shape, filters, export, metrics, jobs."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from sync.audit import AUDIT
from sync.lock import RunLock
from sync.runner import SyncResult
from sync.store.database import Database
from sync.store.runs import RunStatus
from tests.hostile_text import read_csv
from tests.web.conftest import bearer
from web.jobs import JobRunner

READ_ENDPOINTS = [
    "/api/runs",
    "/api/runs/{run_id}",
    "/api/plans/{plan_id}",
    "/api/jobs",
    "/api/audit",
    "/api/audit/export.csv",
    "/api/accounts",
    "/api/accounts/salesforce/001SEEDED0001",
    "/api/balance",
    "/metrics",
]


def _path(template: str, seeded: dict[str, int]) -> str:
    return template.format(**seeded)


def _audit_rows(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(AUDIT)).scalar_one())


def _assert_error(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def wait_for_job(client: TestClient, job_id: int, headers: dict[str, str]) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_healthz_answers_without_a_token(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["database"] == "ok"


@pytest.mark.parametrize("template", READ_ENDPOINTS)
def test_every_read_endpoint_refuses_a_request_without_a_token(
    client: TestClient, seeded: dict[str, int], template: str
) -> None:
    _assert_error(client.get(_path(template, seeded)), 401, "unauthenticated")


@pytest.mark.parametrize("template", READ_ENDPOINTS)
def test_a_viewer_reads_every_read_endpoint(
    client: TestClient, seeded: dict[str, int], viewer_token: str, template: str
) -> None:
    answer = client.get(_path(template, seeded), headers=bearer(viewer_token))
    assert answer.status_code == 200, answer.text


def test_a_wrong_or_revoked_token_is_refused_with_401(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    from web.token_store import list_tokens, revoke_token

    _assert_error(client.get("/api/runs", headers=bearer("not-a-token")), 401, "unauthenticated")
    revoke_token(database, list_tokens(database)[0].id)
    _assert_error(client.get("/api/runs", headers=bearer(viewer_token)), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/plans", {"scope": "all"}), ("/api/plans/{plan_id}/apply", None)],
)
def test_a_viewer_may_not_create_or_apply_plans(
    client: TestClient,
    seeded: dict[str, int],
    viewer_token: str,
    path: str,
    body: dict[str, str] | None,
) -> None:
    answer = client.post(_path(path, seeded), json=body, headers=bearer(viewer_token))
    _assert_error(answer, 403, "forbidden")


@pytest.mark.parametrize("path", ["/api/plans", "/api/plans/1/apply"])
def test_creating_or_applying_a_plan_without_a_token_is_refused(
    client: TestClient, path: str
) -> None:
    _assert_error(client.post(path, json={"scope": "all"}), 401, "unauthenticated")


def test_a_run_shows_its_figures(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    run = client.get(f"/api/runs/{seeded['run_id']}", headers=bearer(viewer_token)).json()
    assert run["status"] == "succeeded"
    assert run["figures"]["planned"] == 1
    listed = client.get("/api/runs", headers=bearer(viewer_token)).json()["runs"]
    assert [r["id"] for r in listed] == [seeded["run_id"]]


def test_an_unknown_run_is_404_in_the_error_shape(client: TestClient, viewer_token: str) -> None:
    _assert_error(client.get("/api/runs/999", headers=bearer(viewer_token)), 404, "not_found")


def test_a_plan_shows_its_changes_and_verdict(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    plan = client.get(f"/api/plans/{seeded['plan_id']}", headers=bearer(viewer_token)).json()
    assert plan["guard_rails"]["allowed"] is True
    assert [c["new_owner_email"] for c in plan["changes"]] == ["new.rep@acme-revenue.example"]


def test_audit_filters_find_the_rep_and_territory(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    found = client.get(
        "/api/audit",
        params={"rep": "NEW.rep@acme-revenue.example", "territory": "NA-West", "status": "written"},
        headers=bearer(viewer_token),
    ).json()["rows"]
    assert [row["external_id"] for row in found] == ["001SEEDED0001"]
    none = client.get(
        "/api/audit", params={"territory": "EMEA"}, headers=bearer(viewer_token)
    ).json()["rows"]
    assert none == []


HOSTILE_FILTERS = [
    {"status": "planned' OR '1'='1"},
    {"status": "planned; DROP TABLE audit_log; --"},
    {"since": "2026-13-45"},
    {"until": "yesterday'); DELETE FROM runs; --"},
    {"account": "x" * 5000},
    {"rep": "a@b.c" + "\x00"},
    {"run_id": "1 OR 1=1"},
    {"territory": "NA-West\n' UNION SELECT * FROM api_tokens --"},
]


@pytest.mark.parametrize("params", HOSTILE_FILTERS)
@pytest.mark.parametrize("path", ["/api/audit", "/api/audit/export.csv"])
def test_hostile_filter_values_get_422_and_change_nothing(
    client: TestClient,
    database: Database,
    seeded: dict[str, int],
    viewer_token: str,
    params: dict[str, str],
    path: str,
) -> None:
    before = _audit_rows(database)
    _assert_error(
        client.get(path, params=params, headers=bearer(viewer_token)), 422, "invalid_request"
    )
    assert _audit_rows(database) == before
    assert (
        client.get(f"/api/runs/{seeded['run_id']}", headers=bearer(viewer_token)).status_code == 200
    )


def test_an_sql_fragment_in_an_account_search_is_only_text(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    answer = client.get(
        "/api/audit", params={"account": "' OR 1=1 --"}, headers=bearer(viewer_token)
    )
    assert answer.status_code == 200
    assert answer.json()["rows"] == []


def test_the_csv_export_has_the_columns_and_defuses_formulas(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    answer = client.get("/api/audit/export.csv", headers=bearer(viewer_token))
    assert answer.headers["content-type"].startswith("text/csv")
    header, row = read_csv(answer.text)[:2]
    assert header[:3] == ["id", "at", "run_id"]
    assert row[header.index("account_name")] == "'=Globex West"


def test_an_account_shows_its_records_history_and_explain_trace(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    detail = client.get(
        "/api/accounts/salesforce/001SEEDED0001", headers=bearer(viewer_token)
    ).json()
    assert [r["external_id"] for r in detail["records"]] == ["001SEEDED0001"]
    assert detail["owner_history"][0]["new_owner_email"] == "new.rep@acme-revenue.example"
    assert "  NA-West (priority 0, depth 1): MATCHES" in detail["explain"]["trace"]
    assert detail["explain"]["decision"]["territory"] == "NA-West"


def test_account_search_matches_part_of_the_name(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    rows = client.get(
        "/api/accounts", params={"search": "globex"}, headers=bearer(viewer_token)
    ).json()["accounts"]
    assert [r["external_id"] for r in rows] == ["001SEEDED0001"]


def test_an_unknown_account_is_404(client: TestClient, viewer_token: str) -> None:
    answer = client.get("/api/accounts/hubspot/999", headers=bearer(viewer_token))
    _assert_error(answer, 404, "not_found")


def test_balance_counts_accounts_per_rep(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    report = client.get("/api/balance", headers=bearer(viewer_token)).json()
    assert sum(row["accounts"] for row in report["by_rep"]) == 1


def test_metrics_are_in_the_prometheus_text_format(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    answer = client.get("/metrics", headers=bearer(viewer_token))
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = answer.text
    assert "# TYPE territory_sync_runs_total counter" in text
    assert 'territory_sync_runs_total{kind="sync",status="succeeded"} 1' in text
    assert 'territory_sync_changes_total{status="planned"} 1' in text
    assert "territory_sync_last_success_timestamp_seconds" in text


def test_a_plan_request_with_a_territory_scope_needs_the_territory(
    client: TestClient, admin_token: str
) -> None:
    answer = client.post("/api/plans", json={"scope": "territory"}, headers=bearer(admin_token))
    _assert_error(answer, 422, "invalid_request")


def test_a_session_cookie_without_the_csrf_header_cannot_start_a_plan(
    client: TestClient, admin_token: str
) -> None:
    from tests.web.conftest import sign_in

    csrf = sign_in(client, admin_token)
    _assert_error(client.post("/api/plans", json={"scope": "all"}), 403, "csrf_failed")
    assert csrf


def _blocking_job(runner: JobRunner, release: threading.Event) -> None:
    def work(_progress: Any, _stop: threading.Event) -> SyncResult:
        release.wait(10)
        return SyncResult(run_id=0, status=RunStatus.SUCCEEDED, exit_code=0, figures={})

    runner.start("plan", "test", work)


def test_a_second_run_while_one_is_active_is_409(client: TestClient, admin_token: str) -> None:
    release = threading.Event()
    _blocking_job(client.app.state.jobs, release)  # type: ignore[attr-defined]
    try:
        answer = client.post("/api/plans", json={"scope": "all"}, headers=bearer(admin_token))
        _assert_error(answer, 409, "run_in_progress")
        assert "job_id" in answer.json()["error"]
    finally:
        release.set()


def test_a_run_holding_the_lock_elsewhere_makes_a_plan_request_409(
    client: TestClient, database: Database, admin_token: str
) -> None:
    with RunLock(database):
        answer = client.post("/api/plans", json={"scope": "all"}, headers=bearer(admin_token))
    _assert_error(answer, 409, "run_in_progress")


def test_applying_an_unknown_plan_is_404(client: TestClient, admin_token: str) -> None:
    _assert_error(
        client.post("/api/plans/4242/apply", headers=bearer(admin_token)), 404, "not_found"
    )


@pytest.mark.slow
def test_an_admin_plans_one_territory_then_applies_it_against_the_sandbox(
    sandbox_client: TestClient, database: Database, admin_token: str
) -> None:
    headers = bearer(admin_token)
    started = sandbox_client.post(
        "/api/plans", json={"scope": "territory", "territory": "NA-West"}, headers=headers
    )
    assert started.status_code == 202, started.text
    job = wait_for_job(sandbox_client, started.json()["id"], headers)
    assert job["status"] == "succeeded", job
    plan = sandbox_client.get(f"/api/plans/{job['plan_id']}", headers=headers).json()
    planned = [c for c in plan["changes"] if c["state"] == "planned"]
    assert planned and {c["territory"] for c in planned} == {"NA-West"}
    applied = sandbox_client.post(f"/api/plans/{job['plan_id']}/apply", headers=headers)
    assert applied.status_code == 202
    done = wait_for_job(sandbox_client, applied.json()["id"], headers)
    assert done["run_status"] == "succeeded", done
    written = sandbox_client.get(
        "/api/audit", params={"status": "written", "run_id": done["run_id"]}, headers=headers
    ).json()["rows"]
    assert len(written) == len(planned)
    assert {row["actor"] for row in written} == {"token:alice"}
