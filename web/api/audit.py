"""`/api/audit`: the audit log with the CLI's filters, paged; and the same filters as CSV.

The CSV comes from the product's one CSV writer (`territory_sync.csv_export`), which keeps every
cell inert in a spreadsheet."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from sync.audit_search import AUDIT_STATUSES, EXPORT_COLUMNS, AuditFilter
from territory_sync.csv_export import csv_chunks
from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.queries import audit_filter, audit_page, audit_rows
from web.state import database_of

router = APIRouter(tags=["audit"])

FILTER_TEXT = 320


def filters_from_query(
    run_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    account: Annotated[
        str | None, Query(max_length=FILTER_TEXT, description="CRM id or part of the name")
    ] = None,
    rep: Annotated[str | None, Query(max_length=FILTER_TEXT, description="a rep's email")] = None,
    territory: Annotated[str | None, Query(max_length=FILTER_TEXT)] = None,
    status: Annotated[
        str | None, Query(max_length=32, description=" | ".join(AUDIT_STATUSES))
    ] = None,
    since: Annotated[str | None, Query(max_length=40, description="2026-03-01 or ISO")] = None,
    until: Annotated[str | None, Query(max_length=40, description="2026-03-31 or ISO")] = None,
    include_planned: Annotated[
        bool, Query(description="also the rows of saved plans (one per plan)")
    ] = False,
) -> AuditFilter:
    return audit_filter(
        run_id=run_id,
        account=account,
        rep=rep,
        territory=territory,
        status=status,
        since=since,
        until=until,
        include_planned=include_planned,
    )


@router.get("/audit", summary="Search the audit log", responses=error_responses(401, 422))
def audit(
    request: Request,
    filters: AuditFilter = Depends(filters_from_query),
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    rows = audit_page(database_of(request), filters, limit, offset)
    return {"rows": rows, "limit": limit, "offset": offset}


@router.get(
    "/audit/export.csv",
    summary="The matching audit rows as CSV, oldest first",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **error_responses(401, 422)},
)
def audit_export(
    request: Request,
    filters: AuditFilter = Depends(filters_from_query),
    _who: Principal = Depends(require_viewer),
) -> StreamingResponse:
    rows = audit_rows(database_of(request), filters)
    return StreamingResponse(
        csv_chunks(EXPORT_COLUMNS, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
