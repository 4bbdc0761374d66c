"""The read-only pages: runs, one run with its changes, audit search (accounts: `accounts`)."""

from __future__ import annotations

from dataclasses import replace
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
from web.pages.display import label, zone_of
from web.pages.paging import MAX_PAGE, facets, paging
from web.pages.run_view import run_summary
from web.queries import (
    audit_count,
    audit_counts,
    audit_filter,
    audit_page,
    list_runs,
    run_or_404,
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
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    user: Principal = Depends(page_user),
) -> Response:
    """The run's labelled summary, then its changes a page at a time with counts that filter."""
    database = database_of(request)
    run = run_or_404(database, run_id, listed_by="the Runs page (/runs)")
    filters = audit_filter(run_id=run_id, status=status, account=account, territory=territory)
    form = {"status": filters.status, "account": filters.account, "territory": filters.territory}
    shown = paging(f"/runs/{run_id}", page, audit_count(database, filters), form)
    status_facets, _ = facets(
        audit_counts(database, replace(filters, status=None), "status"), "status", shown, label
    )
    territory_facets, more_territories = facets(
        audit_counts(database, replace(filters, territory=None), "territory"),
        "territory",
        shown,
        str,
        empty="no territory",
    )
    return render(
        request,
        "run.html",
        user,
        run=run,
        summary=run_summary(run, zone_of(settings_of(request))),
        changes=audit_page(database, filters, shown.size, shown.offset),
        paging=shown,
        status_facets=status_facets,
        territory_facets=territory_facets,
        more_territories=more_territories,
        statuses=AUDIT_STATUSES,
        form={name: value or "" for name, value in form.items()},
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
