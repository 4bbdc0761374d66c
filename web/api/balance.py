"""`/api/balance`: the books per rep and territory now, and the what-if of an uploaded file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from web.actions import start_what_if
from web.api.plans import accepted
from web.auth import Principal, require_viewer
from web.errors import error_responses
from web.queries import current_balance
from web.state import database_of, settings_of
from web.what_if import MAX_TERRITORY_FILE_BYTES

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
    summary=(
        "Start the what-if of a proposed territory file in the background (nothing is saved); "
        "the job's result holds the moves and the balance before and after"
    ),
    status_code=202,
    responses=error_responses(401, 403, 409, 413, 422),
)
async def balance_what_if_upload(
    request: Request,
    territory_file: UploadFile,
    max_moves: Annotated[
        str,
        Form(
            max_length=200,
            description="Move caps to compare, such as 0,10,50 (a file that turns balancing "
            "on): the result's trade_off lists the accounts each moves and the balance it "
            "leaves",
        ),
    ] = "",
    who: Principal = Depends(require_viewer),
) -> JSONResponse:
    content = await territory_file.read(MAX_TERRITORY_FILE_BYTES + 1)
    job = await run_in_threadpool(start_what_if, request, who, content, max_moves)
    return accepted(job.as_dict())
