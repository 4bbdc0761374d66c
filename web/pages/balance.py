"""The balance page: bar charts per rep (accounts, revenue) now; an uploaded what-if starts a job
whose page shows its progress and then the same charts for the proposed file.

Revenue is shown in the territory file's reporting currency; long rep names wrap in the charts
and the table, and the page reads on a phone (its table scrolls inside its own box)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from mapping.territories.balance import balance_summary
from web.actions import start_what_if
from web.auth import Principal
from web.errors import ApiError
from web.pages.amounts import money
from web.pages.common import page_user, render, require_form_csrf
from web.queries import territory_book
from web.state import database_of, settings_of
from web.svg import bar_chart
from web.what_if import MAX_TERRITORY_FILE_BYTES

router = APIRouter(include_in_schema=False)


LABEL_LINES = 3
"""Lines a long rep name may wrap onto in a chart (the whole name is in its tooltip)."""


def account_and_revenue_charts(
    per: str,
    rows: Sequence[tuple[str, float, float]],
    *,
    context: str | None = None,
    currency: str | None = None,
    revenue_descending: bool = False,
) -> dict[str, str]:
    """The accounts and revenue bar charts of (label, accounts, revenue) rows, one bar per
    `per` (rep, territory, owner); titles carry `context` and revenue its `currency`."""
    accounts_title = f"Accounts per {per}" + (f" ({context})" if context else "")
    revenue_notes = ", ".join(part for part in (context, currency) if part)
    revenue_rows = sorted(rows, key=lambda row: -row[2]) if revenue_descending else rows
    return {
        "accounts": bar_chart(
            accounts_title,
            [(label, accounts) for label, accounts, _ in rows],
            label_lines=LABEL_LINES,
        ),
        "revenue": bar_chart(
            f"Revenue per {per}" + (f" ({revenue_notes})" if revenue_notes else ""),
            [(label, revenue) for label, _, revenue in revenue_rows],
            css_class="bars revenue",
            unit=f" {currency}" if currency else "",
            label_lines=LABEL_LINES,
        ),
    }


def charts(summary: dict[str, Any], label: str, currency: str | None = None) -> dict[str, str]:
    """The accounts and revenue bar charts of a balance summary; revenue in `currency` when
    it is given."""
    rows = [(r["rep"], r["accounts"], r["revenue"]) for r in summary["by_rep"]]
    return account_and_revenue_charts(
        "rep", rows, context=label, currency=currency, revenue_descending=True
    )


def _balance_page(
    request: Request, user: Principal, problem: str | None = None, status_code: int = 200
) -> Response:
    now, currency = None, ""
    try:
        book = territory_book(settings_of(request), database_of(request))
        now, currency = balance_summary(book.report), book.currency
    except ApiError as error:
        problem = problem or error.message
    return render(
        request,
        "balance.html",
        user,
        status_code=status_code,
        now=now,
        charts=charts(now, "now", currency) if now else None,
        currency=currency,
        money=lambda amount: money(amount, currency),
        problem=problem,
        max_kib=MAX_TERRITORY_FILE_BYTES // 1024,
    )


@router.get("/balance")
def balance_page(request: Request, user: Principal = Depends(page_user)) -> Response:
    return _balance_page(request, user)


@router.post("/balance")
async def balance_what_if_page(
    request: Request,
    territory_file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    max_moves: Annotated[str, Form(max_length=200)] = "",
    user: Principal = Depends(page_user),
) -> Response:
    require_form_csrf(request, csrf_token)
    content = await territory_file.read(MAX_TERRITORY_FILE_BYTES + 1)
    try:
        job = await run_in_threadpool(start_what_if, request, user, content, max_moves)
    except ApiError as error:
        return await run_in_threadpool(_balance_page, request, user, error.message, error.status)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
