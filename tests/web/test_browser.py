"""The console in a real browser (Debian's Chromium, headless) against the sandbox CRMs.

An admin signs in, plans one territory as a dry run, applies it, and finds the change on the audit
page and on the account's page; a viewer sees no apply button and a forged apply is refused.
Screenshots are saved to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from sandbox.launcher import RunningSandbox
from sync.runner import SyncRequest, run_sync
from sync.store.database import Database
from sync.store.runs import RunStatus
from tests.end_to_end.conftest import product_settings
from tests.end_to_end.test_scorecards import GOALS
from tests.web.conftest import SECRET_KEY
from web.app import create_app
from web.token_store import Role, create_token

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port until the block ends (its shutdown run)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture
def console_url(
    database: Database, sandbox_env: RunningSandbox, territory_file: Path
) -> Iterator[str]:
    if database.dialect != "sqlite":
        pytest.skip("the browser test runs once, on SQLite")
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    with served(create_app(settings, database, secret_key=SECRET_KEY)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (make does)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _sign_in(page: Any, base: str, token: str) -> None:
    page.goto(f"{base}/signin")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/runs")


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_admin_resyncs_a_territory_and_a_viewer_cannot_apply(
    console_url: str, browser: Any, database: Database
) -> None:
    admin = create_token(database, "alice", Role.ADMIN)[1]
    viewer = create_token(database, "victor", Role.VIEWER)[1]
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _sign_in(page, console_url, admin)
    page.goto(f"{console_url}/resync")
    page.fill("input[name=territory]", "NA-West")
    _shot(page, "01-resync-form")
    page.click("text=Show the plan (dry run)")
    page.wait_for_selector("#plan-link", timeout=60_000)
    page.click("#plan-link")
    page.wait_for_selector("#apply-button")
    _shot(page, "02-plan-with-verdict")
    assert "Guard rails: passed" in page.content()
    plan_url = page.url
    first_account = page.locator("table a[href^='/accounts/']").first
    account_href = first_account.get_attribute("href")
    account_label = first_account.inner_text()
    page.click("#apply-button")
    page.wait_for_selector("#confirm-apply")
    _shot(page, "03-apply-confirmation")
    page.click("#confirm-apply")
    page.wait_for_selector("#run-link", timeout=60_000)
    _shot(page, "03-apply-finished")
    assert page.inner_text("#job-status") == "succeeded"

    page.goto(f"{console_url}/audit?territory=NA-West&status=written")
    _shot(page, "04-audit-written")
    assert account_label in page.inner_text("table.audit")

    page.goto(f"{console_url}{account_href}")
    _shot(page, "05-account-history")
    history = page.inner_text("table.audit")
    assert "Written" in history and "token:alice" in history
    assert "  NA-West (priority 0, depth 1): MATCHES" in page.inner_text("pre.trace")

    page.goto(f"{console_url}/balance")
    _shot(page, "06-balance")
    assert page.locator("svg.bars").count() == 2

    viewer_page = browser.new_context().new_page()
    _sign_in(viewer_page, console_url, viewer)
    viewer_page.goto(plan_url)
    _shot(viewer_page, "07-viewer-plan")
    assert viewer_page.locator("#apply-button").count() == 0
    forged = viewer_page.request.post(f"{plan_url}/apply", form={"csrf_token": "forged"})
    assert forged.status == 403
    assert forged.json()["error"]["code"] in ("forbidden", "csrf_failed")
    for content in (page.content(), viewer_page.content()):
        assert admin not in content and viewer not in content


def test_a_viewer_sees_the_scorecards_attainment_bars_and_trend_line(
    console_url: str, browser: Any, database: Database, territory_file: Path
) -> None:
    territory_file.write_text(GOALS, encoding="utf-8")
    settings = product_settings(database.url, territory_file, blast_radius=1.0)
    synced = run_sync(settings, database, SyncRequest(trigger="cli", actor="test"))
    assert synced.status == RunStatus.SUCCEEDED
    viewer = create_token(database, "victor", Role.VIEWER)[1]
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    _sign_in(page, console_url, viewer)

    page.click("nav >> text=Scorecard")
    page.fill("input[name=period]", "2025-Q4")
    page.click("text=Show")
    page.wait_for_selector("svg.bars.attainment")
    _shot(page, "scorecard")

    bars = page.locator("svg.bars.attainment")
    assert bars.count() == 1 and bars.first.is_visible()
    assert bars.first.locator("rect").count() >= 2  # the territory's and a member's bookings
    assert page.locator("svg.lines").first.is_visible()
    assert "Everyone · 2025-Q4" in page.inner_text("h2")
