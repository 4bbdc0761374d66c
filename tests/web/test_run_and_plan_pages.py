"""The run, plan and error pages as a person reads them.

Errors outside the API are pages in the console's layout, with a plain message and a way back;
a run's and a plan's changes come 50 a page with counts that filter them; applying a plan takes
a confirmation that says what is written where (the number typed, for a plan a guard rail
stopped), and the server writes nothing without it; `/docs` is never a blank page.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sync.audit import AuditRecord, append_audit
from sync.plan import ProposedChange, save_plan
from sync.runs import close_run, open_run, update_run
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.settings import Settings
from tests.web.conftest import SECRET_KEY, sign_in
from tests.web.test_api import _blocking_job
from web.app import create_app

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
"""What a browser sends when it navigates to a page or posts a form."""


def visible(page: str) -> str:
    """The page's text inside <main>, tags removed and spaces collapsed, as a person reads it."""
    main = page[page.index("<main>") : page.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&amp;", "&")).strip()


def change_rows(page: str) -> int:
    """How many rows the page's changes table has."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return body.count("<tr>")


def a_run_with_changes(database: Database, count: int) -> int:
    """An apply run with `count` audit rows: every fifth failed, every fourth in NA-West."""
    run_id = open_run(database, kind="apply", trigger="admin", actor="token:alice")
    records = [
        AuditRecord(
            run_id=run_id,
            trigger="admin",
            actor="token:alice",
            status="failed" if i % 5 == 0 else "written",
            source="hubspot" if i % 2 else "salesforce",
            external_id=f"REC{i:07d}",
            account_name=f"Account {i}",
            old_owner_email="old.rep@acme-revenue.example",
            new_owner_email="new.rep@acme-revenue.example",
            territory="NA-West" if i % 4 == 0 else "EMEA",
            rule="territory",
        )
        for i in range(count)
    ]
    with database.engine.begin() as connection:
        append_audit(connection, records)
    close_run(database, run_id, status=RunStatus.PARTIAL, figures={"written": count})
    return run_id


def change(number: int, source: str = "salesforce", territory: str = "EMEA") -> ProposedChange:
    return ProposedChange(
        source=source,
        external_id=f"REC{number:07d}",
        account_name=f"Account {number}",
        old_owner_id="005OLD",
        old_owner_email="old.rep@acme-revenue.example",
        new_owner_id="005NEW",
        new_owner_email="new.rep@acme-revenue.example",
        territory=territory,
        rule="territory",
        reason="region",
    )


def a_plan(
    database: Database, changes: list[ProposedChange], guard_rails: dict[str, Any] | None = None
) -> int:
    run_id = open_run(database, kind="sync", trigger="admin", actor="token:alice")
    verdict = guard_rails or {"allowed": True, "message": ""}
    plan_id = save_plan(
        database,
        run_id=run_id,
        trigger="admin",
        actor="token:alice",
        changes=changes,
        guard_rails=verdict,
    )
    status = RunStatus.SUCCEEDED if verdict["allowed"] else RunStatus.STOPPED
    close_run(database, run_id, status=status, figures={"plan_id": plan_id, "guard_rails": verdict})
    return plan_id


STOPPED_VERDICT = {
    "allowed": False,
    "changes": 12,
    "evaluated": 20,
    "share": 0.6,
    "limit": 0.2,
    "overridden": False,
    "flagged_reps": [],
    "message": (
        "12 of 20 evaluated accounts (60.0%) would change owner, more than the 20% blast-radius "
        "limit; nothing was written. Review the saved plan, then apply it with "
        "`territory-sync apply PLAN_ID`, or rerun with --allow-mass-change"
    ),
}


@pytest.fixture
def stopped_plan(database: Database) -> int:
    """A plan of 12 changes the blast-radius guard rail stopped."""
    return a_plan(database, [change(i) for i in range(12)], STOPPED_VERDICT)


@pytest.fixture
def berlin_client(console_settings: Settings, database: Database) -> Iterator[TestClient]:
    """The console with `[schedule] timezone = "Europe/Berlin"`."""
    schedule = console_settings.schedule.model_copy(update={"timezone": "Europe/Berlin"})
    settings = console_settings.model_copy(update={"schedule": schedule})
    app = create_app(settings, database, secret_key=SECRET_KEY)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# Error pages.


def test_an_unknown_run_is_a_not_found_page_in_the_layout_with_a_way_back(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/runs/99999", headers=BROWSER)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert '<a href="/resync">Resync</a>' in answer.text  # the console's menu
    assert visible(answer.text) == (
        "Not found There is no run 99999; the Runs page (/runs) lists them See all runs"
    )


def test_an_unknown_plan_is_a_not_found_page(client: TestClient, viewer_token: str) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/plans/4242", headers=BROWSER)
    assert answer.status_code == 404
    assert "There is no plan 4242; a resync (/resync) makes one" in visible(answer.text)


def test_an_unknown_address_is_a_not_found_page_naming_it(
    client: TestClient, viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/runz", headers=BROWSER)
    assert answer.status_code == 404
    assert "There is nothing at /runz; check the address" in visible(answer.text)


def test_a_filter_longer_than_320_characters_is_a_page_saying_to_shorten_it(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    sign_in(client, viewer_token)
    run_id = seeded["run_id"]
    answer = client.get(f"/runs/{run_id}", params={"territory": "x" * 400}, headers=BROWSER)
    assert answer.status_code == 422
    assert visible(answer.text) == (
        f"This cannot be used Territory is longer than 320 characters; shorten it "
        f"Back to run {run_id}"
    )


def test_a_resync_form_without_its_csrf_token_is_a_refusal_page(
    client: TestClient, admin_token: str
) -> None:
    sign_in(client, admin_token)
    answer = client.post("/resync", data={"scope": "all"}, headers=BROWSER)
    assert answer.status_code == 403
    assert visible(answer.text) == (
        "Refused The form's CSRF token is missing or stale; reload the page and submit it "
        "again Back to Resync"
    )


def test_a_resync_of_an_empty_territory_is_a_page_saying_what_to_fill_in(
    client: TestClient, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        "/resync", data={"scope": "territory", "csrf_token": csrf}, headers=BROWSER
    )
    assert answer.status_code == 422
    assert "Scope territory needs a territory name, e.g. NA-West" in visible(answer.text)


def test_a_resync_while_a_run_is_in_progress_is_a_busy_page_linking_the_job(
    client: TestClient, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    release = threading.Event()
    _blocking_job(client.app.state.jobs, release)  # type: ignore[attr-defined]
    try:
        answer = client.post("/resync", data={"scope": "all", "csrf_token": csrf}, headers=BROWSER)
    finally:
        release.set()
    assert answer.status_code == 409
    assert "A run is already in progress (job 1, plan); wait for it to finish" in visible(
        answer.text
    )
    assert '<a href="/jobs/1">Watch job 1</a>' in answer.text


def test_the_api_answers_a_browser_in_json_still(client: TestClient, viewer_token: str) -> None:
    sign_in(client, viewer_token)
    answer = client.get("/api/runs/99999", headers=BROWSER)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


# The run page.


def test_the_run_summary_reads_in_labels_numbers_and_the_configured_time_zone(
    berlin_client: TestClient, database: Database, viewer_token: str
) -> None:
    run_id = open_run(database, kind="sync", trigger="schedule", actor="scheduler")
    figures = {
        "pulled": 120_000,
        "planned": 1_234,
        "planned_by_crm": {"salesforce": 1_000, "hubspot": 234},
        "written": 1_200,
        "failed": 4,
        "unfinished": 30,
        "stopped_reason": "the Salesforce daily API budget is used up",
        "duration_seconds": 65.2,
    }
    close_run(database, run_id, status=RunStatus.STOPPED, figures=figures, message="stopped")
    started = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    update_run(database, run_id, started_at=started, finished_at=started + timedelta(seconds=65))
    sign_in(berlin_client, viewer_token)
    text = visible(berlin_client.get(f"/runs/{run_id}").text)
    assert (
        "Status Stopped Kind Sync Started by scheduler Started from Schedule "
        "Started 2026-01-15 13:00:00 CET Finished 2026-01-15 13:01:05 CET Duration 1 min 05 s "
        "Accounts pulled 120,000 Changes planned 1,234 (Salesforce 1,000, HubSpot 234) "
        "Changes written 1,200 Changes failed 4 Changes unfinished (re-checked next run) 30 "
        "Stopped because the Salesforce daily API budget is used up"
    ) in text
    assert "None" not in text and "_" not in text


def test_a_run_with_5000_changes_shows_them_50_a_page(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    run_id = a_run_with_changes(database, 5_000)
    sign_in(client, viewer_token)
    page = client.get(f"/runs/{run_id}", params={"page": 2}).text
    assert "Showing 51-100 of 5,000" in visible(page)
    assert "Page 2 of 100" in visible(page)
    assert change_rows(page) == 50
    assert f'href="/runs/{run_id}?page=3" rel="next"' in page


def test_a_run_counts_its_changes_per_status_and_territory_as_filter_links(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    run_id = a_run_with_changes(database, 5_000)
    sign_in(client, viewer_token)
    page = client.get(f"/runs/{run_id}").text
    assert "By status: All 5,000 Written 4,000 Failed 1,000" in visible(page)
    assert "By territory: All 5,000 EMEA 3,750 NA-West 1,250" in visible(page)
    assert f'<a href="/runs/{run_id}?status=failed">Failed' in page
    failed = client.get(f"/runs/{run_id}", params={"status": "failed"}).text
    assert "Showing 1-50 of 1,000" in visible(failed)
    assert f'href="/runs/{run_id}?status=failed&amp;page=2" rel="next"' in failed


def test_a_page_past_the_last_one_is_a_not_found_page(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    run_id = a_run_with_changes(database, 60)
    sign_in(client, viewer_token)
    answer = client.get(f"/runs/{run_id}", params={"page": 3}, headers=BROWSER)
    assert answer.status_code == 404
    assert f"There is no page 3 here: this list has 2 pages; open page 1 at /runs/{run_id}" in (
        visible(answer.text)
    )


# The plan page and applying it.


def test_a_plan_pages_its_changes_with_counts_per_state_and_territory(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    plan_id = a_plan(
        database, [change(i, territory="NA-West" if i < 20 else "EMEA") for i in range(120)]
    )
    sign_in(client, viewer_token)
    page = client.get(f"/plans/{plan_id}").text
    assert "By state: All 120 Planned 120" in visible(page)
    assert "By territory: All 120 EMEA 100 NA-West 20" in visible(page)
    assert "Showing 1-50 of 120" in visible(page)
    assert change_rows(page) == 50
    west = client.get(f"/plans/{plan_id}", params={"territory": "NA-West"}).text
    assert "Showing 1-20 of 20" in visible(west)


def test_the_apply_button_opens_a_confirmation_of_what_is_written_where(
    client: TestClient, database: Database, admin_token: str
) -> None:
    plan_id = a_plan(database, [change(1), change(2), change(3, "hubspot")])
    sign_in(client, admin_token)
    plan_page = client.get(f"/plans/{plan_id}").text
    assert f'<form method="get" action="/plans/{plan_id}/apply" class="apply">' in plan_page
    confirmation = client.get(f"/plans/{plan_id}/apply").text
    assert "Write 3 owners: 2 to Salesforce, 1 to HubSpot." in visible(confirmation)
    assert 'id="confirm-apply">Write 3 owners</button>' in confirmation


def test_an_apply_without_its_confirmation_is_refused_and_writes_nothing(
    client: TestClient, database: Database, admin_token: str
) -> None:
    plan_id = a_plan(database, [change(1)])
    csrf = sign_in(client, admin_token)
    answer = client.post(f"/plans/{plan_id}/apply", data={"csrf_token": csrf}, headers=BROWSER)
    assert answer.status_code == 422
    assert (
        f"Applying plan {plan_id} needs a confirmation: open /plans/{plan_id}/apply, check what "
        "it writes where, and confirm there; nothing was written"
    ) in visible(answer.text)
    assert client.app.state.jobs.active() is None  # type: ignore[attr-defined]
    assert "Status Not applied yet" in visible(client.get(f"/plans/{plan_id}").text)


def test_a_plan_the_guard_rail_stopped_gives_advice_for_the_console(
    client: TestClient, stopped_plan: int, admin_token: str
) -> None:
    sign_in(client, admin_token)
    text = visible(client.get(f"/plans/{stopped_plan}").text)
    assert (
        "Guard rails: stopped this plan 12 of 20 evaluated accounts (60%) would change owner, "
        "more than the 20% limit. Nothing was written. Apply anyway after review: type 12 to "
        "confirm."
    ) in text
    assert "--allow-mass-change" not in text and "territory-sync apply" not in text


def test_a_plan_the_guard_rail_stopped_asks_for_the_number_of_changes_typed(
    client: TestClient, stopped_plan: int, admin_token: str
) -> None:
    sign_in(client, admin_token)
    page = client.get(f"/plans/{stopped_plan}/apply").text
    assert "Apply anyway after review: type 12 to confirm" in visible(page)
    assert 'name="confirm" id="confirm-count"' in page


def test_a_wrong_number_typed_is_refused_and_writes_nothing(
    client: TestClient, stopped_plan: int, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        f"/plans/{stopped_plan}/apply",
        data={"csrf_token": csrf, "confirm": "11"},
        headers=BROWSER,
    )
    assert answer.status_code == 422
    assert (
        f"'11' is not the number of owners plan {stopped_plan} writes: type 12 to confirm; "
        "nothing was written"
    ) in visible(answer.text)
    assert client.app.state.jobs.active() is None  # type: ignore[attr-defined]
    assert "Status Not applied yet" in visible(client.get(f"/plans/{stopped_plan}").text)


def test_the_number_typed_right_starts_the_apply(
    client: TestClient, stopped_plan: int, admin_token: str
) -> None:
    csrf = sign_in(client, admin_token)
    answer = client.post(
        f"/plans/{stopped_plan}/apply",
        data={"csrf_token": csrf, "confirm": "12"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    job = client.get(answer.headers["location"]).text
    assert "Job 1: apply" in visible(job)


# The API reference.


def test_docs_lists_the_api_in_the_layout_and_points_to_openapi_json(client: TestClient) -> None:
    answer = client.get("/docs", headers=BROWSER)
    assert answer.status_code == 200
    text = visible(answer.text)
    assert "is the OpenAPI document at /openapi.json" in text
    assert "GET /api/runs/{run_id} One run with its figures" in text
    assert "cdn" not in answer.text


def test_redoc_is_switched_off(client: TestClient) -> None:
    assert client.get("/redoc", headers=BROWSER).status_code == 404


# Long CRM text.


def test_the_stylesheet_wraps_long_text_in_table_cells_instead_of_widening_the_page(
    client: TestClient,
) -> None:
    rules = client.get("/static/console.css").text
    assert re.search(r"(^|\n)td[ ,][^{]*\{[^}]*overflow-wrap: anywhere", rules)


def test_a_5000_character_account_name_is_shown_whole_in_a_table_cell(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    name = "Globex" * 834  # 5,004 characters without a space
    plan_id = a_plan(database, [replace(change(1), account_name=name)])
    sign_in(client, viewer_token)
    assert f">{name}</a></td>" in client.get(f"/plans/{plan_id}").text
