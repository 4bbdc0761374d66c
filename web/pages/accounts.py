"""The accounts pages: the list, a page at a time with its filters, and one account.

The list shows every account before anything is typed, `ACCOUNTS_PER_PAGE` at a time, filtered
by search text, territory, rep (the owner's email), CRM, and "owners disagree between CRMs": a
Salesforce account and a HubSpot company linked as one business whose owners are different reps.
A linked record whose owner differs is marked with a class and the words "owners differ".

Every filter but the territory is SQL (`web.queries.account_list`). Which territory an account
is in is the territory file's evaluation of the whole book (`TerritoryBook.members`, the
placements the balance and scorecard pages count), so only a list filtered by territory
evaluates the book, once for the request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from mapping.territories.balance import NO_TERRITORY
from territory_sync.settings import Settings
from web.auth import Principal
from web.errors import ApiError
from web.pages.common import page_user, render
from web.pages.paging import CHANGES_PER_PAGE, MAX_PAGE, paging
from web.queries import (
    SOURCES,
    AccountFilter,
    account_detail,
    account_filter,
    account_list,
    checked_text,
    rep_emails,
    territory_book,
    territory_rules,
)
from web.state import database_of, settings_of

router = APIRouter(include_in_schema=False)
ACCOUNTS_PER_PAGE = CHANGES_PER_PAGE
"""Accounts a page (the page size `paging` deals in)."""
OWNERS_DIFFER = "yes"
"""The value of `owners_differ` that turns the filter on."""
Text = Annotated[str | None, Query(max_length=320)]


def _form(filters: AccountFilter) -> dict[str, str]:
    """The filters as the form and the page links carry them ("" for a filter not set)."""
    return {
        "search": filters.search or "",
        "territory": filters.territory or "",
        "rep": filters.rep or "",
        "crm": filters.source or "",
        "owners_differ": OWNERS_DIFFER if filters.owners_differ else "",
    }


def _heading(filters: AccountFilter) -> str:
    """What the list holds, in words, for the line above it."""
    parts = []
    if filters.owners_differ:
        parts.append("linked in both CRMs with owners who are different reps")
    if filters.territory:
        parts.append(
            "that the territory file places in no territory"
            if filters.territory == NO_TERRITORY
            else f"in territory {filters.territory}"
        )
    if filters.rep:
        parts.append(f"owned by {filters.rep}")
    if filters.source:
        parts.append("in Salesforce" if filters.source == "salesforce" else "in HubSpot")
    if filters.search:
        parts.append(f"matching “{filters.search}”")
    return "Accounts " + ", ".join(parts) if parts else "Every account, by name"


def _territory_names(settings: Settings) -> tuple[list[str], str | None]:
    """The territory file's territories, for the filter; none, and why, when the file cannot be
    used (the list does not need it)."""
    try:
        return list(territory_rules(settings).territories), None
    except ApiError as error:
        return [], f"The territory filter is unavailable: {error.message}"


@router.get("/accounts")
def accounts_page(
    request: Request,
    search: Text = None,
    territory: Text = None,
    rep: Text = None,
    crm: Text = None,
    owners_differ: Annotated[str | None, Query(max_length=8)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    user: Principal = Depends(page_user),
) -> Response:
    """The accounts, a page at a time, with the filters the query string sets. A filter that
    cannot be used is shown as a problem above the form, with nothing listed."""
    settings, database = settings_of(request), database_of(request)
    filters, territories, notice = AccountFilter(), [], None
    found, problem, status = None, None, 200
    try:
        filters = account_filter(
            search=search,
            crm=crm,
            rep=rep,
            territory=territory,
            owners_differ=owners_differ == OWNERS_DIFFER,
        )
        members = None
        if filters.territory:
            book = territory_book(settings, database)  # the one evaluation of this request
            territories, members = list(book.rules.territories), book.members(filters.territory)
        else:
            territories, notice = _territory_names(settings)
        offset = (page - 1) * ACCOUNTS_PER_PAGE
        found = account_list(database, filters, ACCOUNTS_PER_PAGE, offset, members)
    except ApiError as error:
        problem, status = error.message, error.status
    form = _form(filters)
    return render(
        request,
        "accounts.html",
        user,
        status_code=status,
        rows=found.rows if found else [],
        listed=found is not None,
        paging=paging("/accounts", page, found.total if found else 0, form),
        heading=_heading(filters),
        problem=problem,
        notice=notice,
        form=form,
        territories=[*territories, NO_TERRITORY],
        unknown_territory=(
            filters.territory
            if territories and filters.territory not in (None, NO_TERRITORY, *territories)
            else None
        ),
        reps=rep_emails(database),
        sources=SOURCES,
        owners_differ_value=OWNERS_DIFFER,
    )


@router.get("/accounts/{source}/{external_id}")
def account_page(
    request: Request,
    source: str,
    external_id: Annotated[str, Path(min_length=1, max_length=64)],
    user: Principal = Depends(page_user),
) -> Response:
    if source not in SOURCES:
        raise ApiError(404, "accounts live under /accounts/salesforce/ID or /accounts/hubspot/ID")
    record_id = checked_text(external_id, "external_id") or external_id
    detail = account_detail(settings_of(request), database_of(request), source, record_id)
    return render(request, "account.html", user, source=source, external_id=record_id, **detail)
