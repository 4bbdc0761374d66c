"""The balance page: bar charts per rep (accounts, revenue) now, and for an uploaded what-if."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from web.auth import Principal
from web.errors import ApiError
from web.pages.common import page_user, render, require_form_csrf
from web.queries import MAX_TERRITORY_FILE_BYTES, balance_what_if, current_balance
from web.state import database_of, settings_of
from web.svg import bar_chart

router = APIRouter(include_in_schema=False)


def _charts(summary: dict[str, Any], label: str) -> dict[str, str]:
    reps = summary["by_rep"]
    return {
        "accounts": bar_chart(
            f"Accounts per rep ({label})", [(r["rep"], r["accounts"]) for r in reps]
        ),
        "revenue": bar_chart(
            f"Revenue per rep ({label})",
            [(r["rep"], r["revenue"]) for r in sorted(reps, key=lambda r: -r["revenue"])],
            css_class="bars revenue",
        ),
    }


@router.get("/balance")
def balance_page(request: Request, user: Principal = Depends(page_user)) -> Response:
    problem, now = None, None
    try:
        now = current_balance(settings_of(request), database_of(request))
    except ApiError as error:
        problem = error.message
    return render(
        request,
        "balance.html",
        user,
        now=now,
        charts=_charts(now, "now") if now else None,
        what_if=None,
        what_if_charts=None,
        problem=problem,
    )


@router.post("/balance")
async def balance_what_if_page(
    request: Request,
    territory_file: Annotated[UploadFile, File()],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    user: Principal = Depends(page_user),
) -> Response:
    require_form_csrf(request, csrf_token)
    content = await territory_file.read(MAX_TERRITORY_FILE_BYTES + 1)
    settings, database = settings_of(request), database_of(request)
    problem, result = None, None
    try:
        result = await run_in_threadpool(balance_what_if, settings, database, content)
    except ApiError as error:
        problem = error.message
    now = result["before"] if result else None
    return render(
        request,
        "balance.html",
        user,
        status_code=422 if problem else 200,
        now=now,
        charts=_charts(now, "now") if now else None,
        what_if=result,
        what_if_charts=_charts(result["after"], "proposed") if result else None,
        problem=problem,
    )
