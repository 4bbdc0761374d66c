"""`/api/balance`: the books per rep and territory now, and the what-if of an uploaded file."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.queries import MAX_TERRITORY_FILE_BYTES, balance_what_if, current_balance
from web.state import database_of, settings_of

router = APIRouter(tags=["balance"])


@router.get(
    "/balance",
    summary="Accounts and revenue per rep and territory",
    responses=error_responses(401, 422),
)
def balance(request: Request, _who: Principal = Depends(require_viewer)) -> dict[str, Any]:
    return current_balance(settings_of(request), database_of(request))


@router.post(
    "/balance/what-if",
    summary="What a proposed territory file would change (nothing is saved)",
    responses=error_responses(401, 403, 413, 422),
)
async def balance_what_if_upload(
    request: Request, territory_file: UploadFile, _who: Principal = Depends(require_viewer)
) -> dict[str, Any]:
    content = await territory_file.read(MAX_TERRITORY_FILE_BYTES + 1)
    return await run_in_threadpool(
        balance_what_if, settings_of(request), database_of(request), content
    )
