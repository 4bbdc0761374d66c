"""The read-only pages: runs, one run with its changes, audit search, accounts and one account."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from sync.audit_search import AUDIT_STATUSES
from sync.scheduling.status import next_scheduled_run, scheduler_status
from web.auth import Principal
from web.errors import ApiError
from web.pages.common import page_user, render
from web.queries import (
    account_detail,
    audit_filter,
    audit_page,
    checked_text,
    list_runs,
    run_or_404,
    search_accounts,
)
from web.state import database_of, settings_of

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100
Text = Annotated[str | None, Query(max_length=320)]


@router.get("/")
def home() -> Response:
    return RedirectResponse("/runs", status_code=303)


@router.get("/runs")
def runs_page(
    request: Request,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    user: Principal = Depends(page_user),
) -> Response:
    database = database_of(request)
    runs = list_runs(database, PAGE_SIZE, offset)
    schedule = scheduler_status(settings_of(request), database)
    return render(
        request,
        "runs.html",
        user,
        runs=runs,
        offset=offset,
        page_size=PAGE_SIZE,
        schedule=schedule,
        next_job=next_scheduled_run(schedule),
    )


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    run_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    status: Text = None,
    account: Text = None,
    territory: Text = None,
    user: Principal = Depends(page_user),
) -> Response:
    database = database_of(request)
    run = run_or_404(database, run_id)
    filters = audit_filter(run_id=run_id, status=status, account=account, territory=territory)
    changes = audit_page(database, filters, 1000, 0)
    figures = run.get("figures") or {}
    return render(
        request,
        "run.html",
        user,
        run=run,
        simple_figures={k: v for k, v in figures.items() if not isinstance(v, dict | list)},
        nested_figures={k: v for k, v in figures.items() if isinstance(v, dict | list)},
        changes=changes,
        statuses=AUDIT_STATUSES,
        form={"status": status or "", "account": account or "", "territory": territory or ""},
    )


@router.get("/audit")
def audit_search_page(
    request: Request,
    account: Text = None,
    rep: Text = None,
    territory: Text = None,
    status: Text = None,
    since: Text = None,
    until: Text = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    user: Principal = Depends(page_user),
) -> Response:
    form = {
        "account": account or "",
        "rep": rep or "",
        "territory": territory or "",
        "status": status or "",
        "since": since or "",
        "until": until or "",
    }
    problem = None
    rows: list[dict[str, object]] = []
    try:
        filters = audit_filter(
            account=account, rep=rep, territory=territory, status=status, since=since, until=until
        )
        rows = audit_page(database_of(request), filters, PAGE_SIZE, offset)
    except ApiError as error:
        problem = error.message
    query = urlencode({k: v for k, v in form.items() if v})
    return render(
        request,
        "audit.html",
        user,
        status_code=422 if problem else 200,
        rows=rows,
        form=form,
        statuses=AUDIT_STATUSES,
        problem=problem,
        export_url="/api/audit/export.csv" + (f"?{query}" if query else ""),
        offset=offset,
        page_size=PAGE_SIZE,
        query=query,
    )


@router.get("/accounts")
def accounts_page(
    request: Request,
    search: Text = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    user: Principal = Depends(page_user),
) -> Response:
    text = checked_text(search, "search")
    rows = search_accounts(database_of(request), text, None, PAGE_SIZE, offset) if text else []
    return render(request, "accounts.html", user, rows=rows, search=search or "", offset=offset)


@router.get("/accounts/{source}/{external_id}")
def account_page(
    request: Request,
    source: str,
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    user: Principal = Depends(page_user),
) -> Response:
    if source not in ("salesforce", "hubspot"):
        raise ApiError(404, "accounts live under /accounts/salesforce/ID or /accounts/hubspot/ID")
    record_id = checked_text(external_id, "external_id") or external_id
    detail = account_detail(settings_of(request), database_of(request), source, record_id)
    return render(request, "account.html", user, source=source, external_id=record_id, **detail)
