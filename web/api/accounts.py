"""`/api/accounts`: search accounts; one account with both CRMs' records, history and explain."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.queries import account_detail, checked_text, search_accounts
from web.state import database_of, settings_of

router = APIRouter(tags=["accounts"])
Source = Literal["salesforce", "hubspot"]


@router.get("/accounts", summary="Search accounts", responses=error_responses(401, 422))
def accounts(
    request: Request,
    search: Annotated[
        str | None, Query(max_length=320, description="part of the name or domain, or a CRM id")
    ] = None,
    source: Source | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    rows = search_accounts(
        database_of(request), checked_text(search, "search"), source, limit, offset
    )
    return {"accounts": rows, "limit": limit, "offset": offset}


@router.get(
    "/accounts/{source}/{external_id}",
    summary="An account: both CRMs' records, owner history and the explain trace",
    responses=error_responses(401, 404, 422),
)
def account(
    request: Request,
    source: Source,
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    _who: Principal = Depends(require_viewer),
) -> dict[str, Any]:
    record_id = checked_text(external_id, "external_id") or external_id
    return account_detail(settings_of(request), database_of(request), source, record_id)
