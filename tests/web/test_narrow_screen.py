"""The accounts, territory and balance pages on a 390 px wide phone, in Debian's Chromium
(headless): the page never scrolls sideways, even with a 5,000-character account name; tables
scroll in their own box, the navigation wraps. Screenshots go to test-artifacts/console/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sync.store.database import Database
from tests.end_to_end.conftest import product_settings
from tests.web.conftest import SECRET_KEY
from tests.web.small_book import account, seed_small_book
from tests.web.test_browser import _shot, _sign_in, served
from tests.web.test_browser import browser as browser  # the headless Chromium fixture
from web.app import create_app
from web.token_store import Role, create_token

PHONE = {"width": 390, "height": 844}
LONG_NAME = "Enormous" * 625
"""5,000 characters without a space."""

pytestmark = pytest.mark.slow


@pytest.fixture
def small_console(database: Database, territory_file: Path) -> Iterator[str]:
    """The console over the small book (and one account with `LONG_NAME`), served on a port."""
    if database.dialect != "sqlite":
        pytest.skip("the browser test runs once, on SQLite")
    seed_small_book(database, [account("salesforce", "001LONG", LONG_NAME, "005MAYA")])
    app = create_app(
        product_settings(database.url, territory_file), database, secret_key=SECRET_KEY
    )
    with served(app) as url:
        yield url


def _page_width(page: Any) -> int:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width


def test_the_pages_fit_a_390_px_phone_without_sideways_scrolling(
    small_console: str, browser: Any, database: Database
) -> None:
    viewer = create_token(database, "victor", Role.VIEWER)[1]
    page = browser.new_page(viewport=PHONE)
    _sign_in(page, small_console, viewer)

    page.goto(f"{small_console}/accounts?owners_differ=yes")
    _shot(page, "phone-accounts-owners-differ")
    assert _page_width(page) <= PHONE["width"]
    assert "Showing 1-2 of 2" in page.inner_text("main")
    assert page.locator("tr.owners-differ").count() == 2
    assert page.locator("text=owners differ").first.is_visible()

    page.goto(f"{small_console}/accounts")
    assert _page_width(page) <= PHONE["width"]
    assert page.locator("nav >> text=Territories").is_visible()

    page.goto(f"{small_console}/territories/NA-West")
    _shot(page, "phone-territory")
    assert _page_width(page) <= PHONE["width"]
    assert "1,750,000 USD" in page.inner_text("#territory-revenue")

    page.goto(f"{small_console}/balance")
    _shot(page, "phone-balance")
    assert _page_width(page) <= PHONE["width"]
    assert "revenue in USD" in page.inner_text("main")
