"""The what-if of an uploaded territory file: a job bounded in size and time, not request work."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert

from sync.companies import ACCOUNTS, REPS
from sync.store.database import Database
from territory_sync.errors import TerritorySyncError
from territory_sync.settings import Settings
from tests.web.conftest import SECRET_KEY, bearer, sign_in
from web.app import create_app
from web.child_process import run_in_child

BACKTRACKING_FILE = b"""\
version: 1
territories:
  - name: Letters
    criteria: {field: name, matches: "(a+)+$"}
"""


def _upload(client: TestClient, content: bytes, token: str) -> Any:
    return client.post(
        "/api/balance/what-if",
        files={"territory_file": ("proposed.yaml", content)},
        headers=bearer(token),
    )


def _finished(client: TestClient, job_id: int, token: str) -> dict[str, Any]:
    for _ in range(600):
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}", headers=bearer(token)).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def _seed_backtracking_bait(database: Database) -> None:
    """An account whose name makes (a+)+$ backtrack for hours in a backtracking engine."""
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        connection.execute(
            insert(ACCOUNTS),
            {
                "source": "salesforce",
                "external_id": "001BAIT000001",
                "name": "a" * 40 + "!",
                "country": "US",
                "region": "US-CA",
                "deleted": False,
                "raw": {},
                "first_seen_at": now,
                "last_seen_at": now,
            },
        )


def _sleeps_forever(*_args: object) -> dict[str, Any]:
    time.sleep(3600)
    return {}


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds every what-if job before its child process starts, until the event is set."""
    release = threading.Event()

    def held_run_in_child(*args: Any, **kwargs: Any) -> Any:
        release.wait(30)
        return run_in_child(*args, **kwargs)

    monkeypatch.setattr("web.what_if.run_in_child", held_run_in_child)
    yield release
    release.set()


def test_a_what_if_upload_answers_202_with_a_job_whose_result_reports_the_moves(
    client: TestClient, seeded: dict[str, int], viewer_token: str, territory_file: Path
) -> None:
    proposed = territory_file.read_text().replace("NA-West", "NA-Pacific")
    answer = _upload(client, proposed.encode(), viewer_token)
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == f"/api/jobs/{answer.json()['id']}"
    job = _finished(client, answer.json()["id"], viewer_token)
    assert job["status"] == "succeeded", job
    assert job["kind"] == "what-if"
    assert job["result"]["moved"] == 0
    assert sum(row["accounts"] for row in job["result"]["after"]["by_rep"]) == 1


def test_a_broken_file_makes_the_job_fail_with_the_loaders_message(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    answer = _upload(client, b"version: 1\nterritories: [", viewer_token)
    job = _finished(client, answer.json()["id"], viewer_token)
    assert job["status"] == "failed"
    assert "proposed territory file" in job["message"] and "not valid YAML" in job["message"]
    assert job["result"] is None


def test_a_file_over_256_kib_is_refused_413_and_starts_nothing(
    client: TestClient, viewer_token: str
) -> None:
    answer = _upload(client, b"# padding\n" * 26_700, viewer_token)
    assert answer.status_code == 413
    assert "larger than 256 KiB" in answer.json()["error"]["message"]
    assert client.get("/api/jobs", headers=bearer(viewer_token)).json()["jobs"] == []


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, viewer_token: str
) -> None:
    answer = _upload(client, b"x" * 2_000_000, viewer_token)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"
    assert "larger than 256 KiB" in answer.json()["error"]["message"]


def test_a_backtracking_pattern_is_answered_at_once_and_the_console_answers_while_it_runs(
    client: TestClient,
    database: Database,
    seeded: dict[str, int],
    viewer_token: str,
    held: threading.Event,
) -> None:
    _seed_backtracking_bait(database)
    answers: list[Any] = []
    upload = threading.Thread(
        target=lambda: answers.append(_upload(client, BACKTRACKING_FILE, viewer_token))
    )
    upload.start()
    upload.join(timeout=2)
    assert not upload.is_alive(), "the upload was not answered within 2 s"
    assert answers[0].status_code == 202, answers[0].text
    job_id = answers[0].json()["id"]

    running = client.get(f"/api/jobs/{job_id}", headers=bearer(viewer_token)).json()
    assert running["status"] == "running"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["active_job"] == job_id
    assert client.get("/api/runs", headers=bearer(viewer_token)).status_code == 200

    held.set()
    job = _finished(client, job_id, viewer_token)
    assert job["status"] == "succeeded", job
    assert job["result"]["moved"] >= 0


def test_a_second_what_if_or_a_plan_while_one_runs_is_409(
    client: TestClient,
    seeded: dict[str, int],
    viewer_token: str,
    admin_token: str,
    held: threading.Event,
) -> None:
    first = _upload(client, BACKTRACKING_FILE, viewer_token)
    assert first.status_code == 202
    second = _upload(client, BACKTRACKING_FILE, viewer_token)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "run_in_progress"
    assert second.json()["error"]["job_id"] == first.json()["id"]
    plan = client.post("/api/plans", json={"scope": "all"}, headers=bearer(admin_token))
    assert plan.status_code == 409
    held.set()
    _finished(client, first.json()["id"], viewer_token)


def test_a_what_if_past_its_time_limit_fails_saying_so_and_its_process_is_stopped(
    console_settings: Settings,
    database: Database,
    seeded: dict[str, int],
    viewer_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("web.what_if.evaluate_what_if", _sleeps_forever)
    app: FastAPI = create_app(
        console_settings, database, secret_key=SECRET_KEY, what_if_time_limit=1
    )
    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = _upload(client, BACKTRACKING_FILE, viewer_token)
        job = _finished(client, answer.json()["id"], viewer_token)
    assert job["status"] == "failed"
    assert "the what-if took longer than 1 s and was stopped" in job["message"]
    assert multiprocessing.active_children() == []


def test_the_balance_pages_upload_shows_the_job_and_then_its_result(
    client: TestClient, seeded: dict[str, int], viewer_token: str, territory_file: Path
) -> None:
    csrf = sign_in(client, viewer_token)
    answer = client.post(
        "/balance",
        data={"csrf_token": csrf},
        files={"territory_file": ("proposed.yaml", territory_file.read_bytes())},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    job_path = answer.headers["location"]
    assert job_path.startswith("/jobs/")
    _finished(client, int(job_path.rsplit("/", 1)[1]), viewer_token)
    page = client.get(job_path).text
    assert "companies would change owner" in page
    assert page.count("<svg") == 2 and "Accounts per rep (proposed)" in page


def test_the_balance_page_explains_a_file_over_the_limit(
    client: TestClient, viewer_token: str
) -> None:
    csrf = sign_in(client, viewer_token)
    answer = client.post(
        "/balance",
        data={"csrf_token": csrf},
        files={"territory_file": ("proposed.yaml", b"# padding\n" * 26_700)},
    )
    assert answer.status_code == 413
    assert "larger than 256 KiB" in answer.text


def _fails(*_args: object) -> None:
    raise TerritorySyncError("the territory file names no territory")


def test_work_in_a_child_process_reports_its_error_message() -> None:
    with pytest.raises(TerritorySyncError, match="names no territory"):
        run_in_child(_fails, (), time_limit=60, stop=threading.Event(), what="the check")


def test_work_in_a_child_process_stops_when_the_console_stops() -> None:
    stop = threading.Event()
    stop.set()
    with pytest.raises(TerritorySyncError, match="the console stopped before the check finished"):
        run_in_child(_sleeps_forever, (), time_limit=60, stop=stop, what="the check")
    assert multiprocessing.active_children() == []


def _seed_uneven_na_west(database: Database) -> None:
    """The test file's reps; of the two in NA-West, one holds all twenty accounts."""
    now = datetime.now(UTC)
    with database.engine.begin() as connection:
        connection.execute(
            insert(REPS),
            [
                {
                    "email": email,
                    "salesforce_user_id": user_id,
                    "salesforce_active": True,
                    "updated_at": now,
                }
                for email, user_id in (
                    ("maya.chen@acme-revenue.example", "005MAYA"),
                    ("daniel.okafor@acme-revenue.example", "005DANIEL"),
                    ("rachel.goldberg@acme-revenue.example", "005RACHEL"),
                    ("oliver.bennett@acme-revenue.example", "005OLIVER"),
                    ("lena.fischer@acme-revenue.example", "005LENA"),
                )
            ],
        )
        connection.execute(
            insert(ACCOUNTS),
            [
                {
                    "source": "salesforce",
                    "external_id": f"001UNEVEN{n:06d}",
                    "name": f"Uneven {n}",
                    "country": "US",
                    "region": "US-CA",
                    "owner_id": "005MAYA",
                    "deleted": False,
                    "raw": {},
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                for n in range(20)
            ],
        )


def _uneven_book_and_balancing_file(database: Database, territory_file: Path) -> str:
    """NA-West seeded unevenly, and the test file with balancing on (±10%)."""
    _seed_uneven_na_west(database)
    return territory_file.read_text().replace(
        "settings:\n", "settings:\n  balancing: {tolerance: 10%}\n"
    )


def test_the_what_if_of_a_balancing_file_shows_the_moves_and_each_members_target(
    client: TestClient, database: Database, viewer_token: str, territory_file: Path
) -> None:
    proposed = _uneven_book_and_balancing_file(database, territory_file)
    assert "balancing" in proposed
    job = _finished(
        client, _upload(client, proposed.encode(), viewer_token).json()["id"], viewer_token
    )
    assert job["status"] == "succeeded", job["message"]
    rebalance = job["result"]["rebalance"]
    # Target 10 each, 9 to 11: nine accounts move from maya to daniel.
    assert (rebalance["moves"], rebalance["optimal"]) == (9, True)
    (west,) = rebalance["by_territory"]
    members = {m["email"]: m for m in west["members"]}
    assert members["maya.chen@acme-revenue.example"]["moved_out"] == 9
    assert members["daniel.okafor@acme-revenue.example"]["after"] == 9
    sign_in(client, viewer_token)
    page = client.get(f"/jobs/{job['id']}")
    assert "moves <strong>9</strong> accounts off their owner, the fewest possible" in page.text


def _post_the_balance_form(client: TestClient, token: str, content: bytes, max_moves: str) -> Any:
    """The balance page's what-if form, signed in, with move caps to compare."""
    csrf = sign_in(client, token)
    return client.post(
        "/balance",
        data={"csrf_token": csrf, "max_moves": max_moves},
        files={"territory_file": ("proposed.yaml", content)},
        follow_redirects=False,
    )


def test_the_balance_pages_move_caps_show_moves_against_balance_per_cap(
    client: TestClient, database: Database, viewer_token: str, territory_file: Path
) -> None:
    proposed = _uneven_book_and_balancing_file(database, territory_file)
    answer = _post_the_balance_form(client, viewer_token, proposed.encode(), "5, 0, 50")
    assert answer.status_code == 303
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    job = _finished(client, job_id, viewer_token)
    assert job["status"] == "succeeded", job["message"]
    rows = job["result"]["trade_off"]
    assert [(r["max_moves"], r["moves"]) for r in rows] == [(0, 0), (5, 5), (50, 9)]
    page = client.get(f"/jobs/{job_id}").text
    assert 'id="what-if-trade-off"' in page
    assert page.count('<tr><td class="num">') >= 3


def test_move_caps_that_are_not_whole_numbers_are_refused_and_start_nothing(
    client: TestClient, viewer_token: str, territory_file: Path
) -> None:
    answer = _post_the_balance_form(client, viewer_token, territory_file.read_bytes(), "10, lots")
    assert answer.status_code == 422
    assert "&#39;lots&#39; is not a whole number of moves" in answer.text
    assert client.get("/api/jobs", headers=bearer(viewer_token)).json() == {"jobs": []}


def test_move_caps_for_a_file_without_balancing_fail_the_job_saying_why(
    client: TestClient, seeded: dict[str, int], viewer_token: str, territory_file: Path
) -> None:
    response = client.post(
        "/api/balance/what-if",
        files={"territory_file": ("proposed.yaml", territory_file.read_bytes())},
        data={"max_moves": "0,10"},
        headers=bearer(viewer_token),
    )
    assert response.status_code == 202
    job = _finished(client, response.json()["id"], viewer_token)
    assert job["status"] == "failed"
    assert "does not turn balancing on, so there is no move cap to compare" in job["message"]


def test_the_balance_page_shows_each_members_band_in_every_balanced_measure(
    client: TestClient, database: Database, viewer_token: str, territory_file: Path
) -> None:
    _seed_uneven_na_west(database)
    territory_file.write_text(
        territory_file.read_text().replace(
            "settings:\n",
            "settings:\n  balancing: {tolerance: 10%, measure: [accounts, revenue]}\n",
        )
    )
    sign_in(client, viewer_token)
    page = client.get("/balance").text
    assert "Balanced measures (load, target, band)" in page
    # Balancing leaves maya 11 and daniel 9 of the 20 accounts (9 to 11 each).
    assert "accounts 11, target 10.0, 9–11; revenue 0, target 0.0, 0–0" in page
