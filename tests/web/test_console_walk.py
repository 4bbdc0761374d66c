"""A walk through the console in Debian's Chromium (headless), reading each page as a person does.

An admin signs in; pages through a run of 5,000 changes, 50 a page, and filters it to the failed
ones; opens a plan a guard rail stopped, where applying asks for the number of owners typed and a
wrong number writes nothing; watches a job, restarts the console, and finds the job with its last
progress on the new console; meets an unknown address as a not-found page in the layout; lists the
accounts whose owners disagree between the CRMs; reads a territory's criteria and totals; and
opens the balance page on a 390 px wide phone. Screenshots go to
test-artifacts/console/walk-*.png.
"""

from __future__ import annotations

import threading
from typing import Any, NoReturn

import pytest
from fastapi import FastAPI

from sync.progress import RunProgress
from sync.store.database import Database
from territory_sync.errors import RunInterruptedError
from territory_sync.settings import Settings
from tests.web.conftest import SECRET_KEY
from tests.web.small_book import MAYA, seed_small_book
from tests.web.test_browser import _shot, _sign_in, served
from tests.web.test_browser import browser as browser  # the headless Chromium fixture
from tests.web.test_job_progress import _wait_for_row
from tests.web.test_run_and_plan_pages import STOPPED_VERDICT, a_plan, a_run_with_changes, change
from web.app import create_app
from web.jobs import JobRunner
from web.token_store import Role, create_token

PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.slow


@pytest.fixture
def walk_database(database: Database) -> Database:
    """The test database (SQLite only) with the small book of accounts in it."""
    if database.dialect != "sqlite":
        pytest.skip("the browser test runs once, on SQLite")
    seed_small_book(database)
    return database


def _console(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database, secret_key=SECRET_KEY)


def _pulling_until_stopped(progress: RunProgress, stop: threading.Event) -> NoReturn:
    """A plan job that has pulled 1,200 of 5,000 Salesforce accounts when its console stops."""
    progress.phase("pull salesforce", total=5000)
    progress.advance(1200)
    stop.wait(10)
    raise RunInterruptedError("stopped by request before planning")


def _lines(page: Any, selector: str) -> list[str]:
    """The element's visible text, line by line, without the blank lines between paragraphs."""
    text: str = page.inner_text(selector)
    return [line for line in text.split("\n") if line.strip()]


def _main(page: Any) -> str:
    text: str = page.inner_text("main")
    return text


def test_an_admin_walks_the_console_across_a_restart(
    walk_database: Database, console_settings: Settings, browser: Any
) -> None:
    database = walk_database
    run_id = a_run_with_changes(database, 5_000)
    plan_id = a_plan(database, [change(i) for i in range(12)], STOPPED_VERDICT)
    admin = create_token(database, "alice", Role.ADMIN)[1]
    page = browser.new_page(viewport={"width": 1300, "height": 900})

    first = _console(console_settings, database)
    with served(first) as console:
        _sign_in(page, console, admin)

        # A run of 5,000 changes: 50 a page, then only the failed ones.
        page.goto(f"{console}/runs/{run_id}")
        _shot(page, "walk-01-run-5000-changes")
        text = _main(page)
        assert "Showing 1-50 of 5,000" in text and "Page 1 of 100" in text
        assert page.locator("table.audit tbody tr").count() == 50
        page.locator("a[rel=next]").first.click()
        page.wait_for_url(f"{console}/runs/{run_id}?page=2")
        assert "Showing 51-100 of 5,000" in _main(page) and "Page 2 of 100" in _main(page)
        page.click("p.facets >> a:has-text('Failed')")
        page.wait_for_url(f"{console}/runs/{run_id}?status=failed")
        _shot(page, "walk-02-run-failed")
        text = _main(page)
        assert "Showing 1-50 of 1,000" in text and "Page 1 of 20" in text
        assert page.inner_text("p.facets [aria-current=true]") == "Failed 1,000"
        statuses = page.locator("table.audit tbody tr span.status").all_inner_texts()
        assert statuses == ["Failed"] * 50

        # A plan a guard rail stopped: the confirmation asks for the number of owners typed.
        page.goto(f"{console}/plans/{plan_id}")
        _shot(page, "walk-03-stopped-plan")
        assert _lines(page, "#guard-rails") == [
            "Guard rails: stopped this plan",
            "12 of 20 evaluated accounts (60%) would change owner, more than the 20% limit.",
            "Nothing was written. Apply anyway after review: type 12 to confirm.",
        ]
        page.click("#apply-button")
        page.wait_for_selector("#confirm-count")
        confirmation = page.inner_text("#apply-confirmation")
        assert "Write 12 owners: 12 to Salesforce." in confirmation
        assert "The guard rail stopped this plan" in confirmation
        assert "Apply anyway after review: type 12 to confirm" in confirmation
        confirmation_url = page.url
        page.fill("#confirm-count", "11")
        page.click("#confirm-apply")  # the browser keeps a number that does not match
        assert page.eval_on_selector("#confirm-count", "field => field.validity.patternMismatch")
        assert page.url == confirmation_url
        _shot(page, "walk-04-wrong-count-in-the-form")
        page.eval_on_selector("#apply-confirmation form", "form => { form.noValidate = true; }")
        with page.expect_navigation() as refusal:
            page.click("#confirm-apply")  # and so does the server, when the browser lets it by
        _shot(page, "walk-05-wrong-count-refused")
        assert refusal.value.status == 422
        assert page.inner_text("h1") == "This cannot be used"
        assert page.inner_text("#error-message") == (
            f"'11' is not the number of owners plan {plan_id} writes: type 12 to confirm; "
            "nothing was written"
        )
        page.goto(f"{console}/plans/{plan_id}")
        summary = _lines(page, "#plan-summary")
        assert summary[:2] == ["Status", "Not applied yet"]
        assert summary[-2:] == ["Left to write", "Write 12 owners: 12 to Salesforce"]
        runner: JobRunner = first.state.jobs
        assert runner.jobs() == []

        # An unknown address: a not-found page in the console's layout.
        answer = page.goto(f"{console}/nothing-here")
        _shot(page, "walk-06-not-found")
        assert answer.status == 404 and answer.headers["content-type"].startswith("text/html")
        assert page.inner_text("h1") == "Not found"
        assert page.inner_text("#error-message") == (
            "There is nothing at /nothing-here; check the address"
        )
        assert page.inner_text("header nav").split() == [
            "Runs",
            "Audit",
            "Accounts",
            "Resync",
            "Territories",
            "Balance",
            "Scorecard",
        ]

        # A job watched on this console, which then stops.
        job = runner.start("plan", "token:alice", _pulling_until_stopped)
        _wait_for_row(database, job.id, lambda row: row["done"] == 1200)
        page.goto(f"{console}/jobs/{job.id}")
        _shot(page, "walk-07-job-running")
        assert page.inner_text("#job-status") == "running"
        assert page.inner_text("#job-phase").startswith("Phase: Pulling Salesforce accounts")
        assert page.inner_text("#job-progress") == "Salesforce: 1,200 of 5,000 records"

    with served(_console(console_settings, database)) as console:
        # The same job on a console started afterwards, with the session still signed in.
        page.goto(f"{console}/jobs/{job.id}")
        _shot(page, "walk-08-job-after-restart")
        assert page.inner_text("header .who") == "alice (admin)"
        assert page.inner_text("#job-status") == "interrupted"
        assert page.inner_text("#job-state") == (
            "Interrupted: interrupted when the console stopped; start it again"
        )
        assert page.inner_text("#job-phase") == "Last phase: Pulling Salesforce accounts"
        assert page.inner_text("#job-progress") == "Salesforce: 1,200 of 5,000 records"
        assert page.inner_text("#start-again") == "Start a resync again"

        # The accounts whose owners disagree between the CRMs.
        page.goto(f"{console}/accounts")
        page.check("input[name=owners_differ]")
        page.click("#account-filters button[type=submit]")
        page.wait_for_url(f"{console}/accounts?*owners_differ=yes*")
        _shot(page, "walk-09-accounts-owners-disagree")
        assert page.inner_text("#accounts-heading") == (
            "Accounts linked in both CRMs with owners who are different reps"
        )
        assert "Showing 1-2 of 2" in _main(page)
        rows = page.locator("#accounts tbody tr.owners-differ")
        assert rows.count() == 2
        assert [row.split("\t")[0] for row in rows.all_inner_texts()] == ["Acme", "Acme Corp"]
        assert all("owners differ" in row for row in rows.all_inner_texts())

        # A territory: its criteria in words, its totals in the reporting currency.
        page.click("nav >> text=Territories")
        page.click("main a[href='/territories/NA-West']")
        page.wait_for_url(f"{console}/territories/NA-West")
        _shot(page, "walk-10-territory")
        assert page.inner_text("#territory-criteria") == (
            "country in [US, CA] (from NA); region in [US-CA, US-WA, US-OR, US-NV, US-AZ, "
            "US-UT, US-CO]"
        )
        assert page.inner_text("#territory-accounts") == "2 accounts"
        assert page.inner_text("#territory-revenue") == "1,750,000 USD"
        members = page.inner_text("#territory-members")
        assert MAYA in members and "1,500,000 USD" in members

        # The balance page on a 390 px wide phone: nothing scrolls sideways.
        page.set_viewport_size(PHONE)
        page.goto(f"{console}/balance")
        _shot(page, "walk-11-balance-phone")
        width: int = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        text = _main(page)
        assert "Territory balance" in text and "revenue in USD" in text
        assert "Members against their targets" in text
        assert page.locator("nav >> text=Balance").is_visible()
        assert page.locator("svg.bars").count() == 2
