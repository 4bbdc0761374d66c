"""`/healthz` reports the scheduler's heartbeat (stale: 503 with why); the runs page shows the
next scheduled run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from sync.scheduling.instances import SchedulerInstance, record_stop, register_instance
from sync.store.database import Database
from tests.web.conftest import sign_in


def scheduler_started(database: Database, ago: timedelta, every: int = 1) -> SchedulerInstance:
    instance = SchedulerInstance(
        id=f"test{int(ago.total_seconds())}",
        host="worker-1",
        pid=4242,
        started_at=datetime.now(UTC) - ago,
        heartbeat_seconds=every,
    )
    register_instance(database, instance)
    return instance


def test_with_no_scheduler_ever_started_healthz_is_ok_and_says_so(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["scheduler"]["state"] == "never"


def test_a_scheduler_beating_on_time_is_alive_with_its_host_and_pid(
    client: TestClient, database: Database
) -> None:
    scheduler_started(database, timedelta(seconds=0), every=30)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    scheduler = answer.json()["scheduler"]
    assert scheduler["state"] == "alive"
    assert (scheduler["active"]["host"], scheduler["active"]["pid"]) == ("worker-1", 4242)


def test_a_stale_heartbeat_makes_healthz_unhealthy_and_says_why(
    client: TestClient, database: Database
) -> None:
    scheduler_started(database, timedelta(seconds=10), every=1)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unhealthy"
    assert body["scheduler"]["state"] == "stale"
    assert "(pid 4242 on worker-1) last beat at" in body["scheduler"]["reason"]
    assert "stuck or was killed" in body["scheduler"]["reason"]


def test_a_scheduler_stopped_cleanly_is_not_expected_so_healthz_is_ok(
    client: TestClient, database: Database
) -> None:
    instance = scheduler_started(database, timedelta(seconds=10), every=1)
    record_stop(database, instance, "stopped by SIGTERM")
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["scheduler"]["state"] == "stopped"


def test_the_runs_page_shows_the_next_scheduled_run(client: TestClient, admin_token: str) -> None:
    sign_in(client, admin_token)
    page = client.get("/runs").text
    assert "Next scheduled run: <strong>" in page
    assert "nightly territory sync, 0 2 * * *, UTC" in page
    assert "Scheduler:" in page and "never" in page
