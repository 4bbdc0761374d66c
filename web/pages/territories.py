"""The territory pages: every territory of the territory file, and one territory.

Each territory shows its criteria in words (the labels `explain` prints for each criterion, an
inherited one naming the territory it comes from), its owner members with the accounts each
owns there, its account and revenue totals in the reporting currency, and bar charts drawn on the
server (`web.svg`). The figures are the balance page's: the book evaluated once by the territory
file (`web.queries.territory_book`), each business counted in the territory it is placed in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from mapping.territories.balance import NO_TERRITORY, Load, TerritoryBalance
from mapping.territories.criteria import AnyOf, Combinator, Criterion
from mapping.territories.rules import Territory
from web.auth import Principal
from web.errors import ApiError
from web.pages.amounts import money
from web.pages.balance import account_and_revenue_charts
from web.pages.common import page_user, render
from web.pages.display import number
from web.queries import TerritoryBook, territory_book
from web.state import database_of, settings_of

router = APIRouter(include_in_schema=False)


def criterion_words(criterion: Criterion) -> str:
    """One criterion as `explain` labels it ("country in [DE, AT, CH]", "employees at least
    500"); all/any/not with what they combine in brackets."""
    if isinstance(criterion, Combinator):
        joiner = " or " if isinstance(criterion, AnyOf) else "; "
        return f"{criterion.label()} ({joiner.join(map(criterion_words, criterion.children))})"
    return criterion.label()


def criteria_words(territory: Territory) -> str:
    """Everything an account must meet to be in `territory`, its ancestors' criteria first."""
    if territory.is_catch_all:
        return "The catch-all: accounts no other territory matches"
    if not territory.criteria:
        return "No criteria: every account matches"
    return "; ".join(
        criterion_words(criterion) + ("" if origin == territory.name else f" (from {origin})")
        for criterion, origin in zip(territory.criteria, territory.origins, strict=True)
    )


def territory_url(name: str) -> str:
    return "/territories/" + quote(name, safe="")


def accounts_url(name: str) -> str:
    """The accounts list filtered to the territory."""
    return "/accounts?" + urlencode({"territory": name})


def _balances(book: TerritoryBook) -> dict[str, TerritoryBalance]:
    return {balance.territory: balance for balance in book.report.territories}


def _total(balance: TerritoryBalance | None) -> Load:
    return balance.total if balance is not None else Load()


def _summary_row(
    book: TerritoryBook, name: str, balance: TerritoryBalance | None
) -> dict[str, Any]:
    territory = book.rules.territories.get(name)
    total = _total(balance)
    return {
        "name": name,
        "href": territory_url(name) if territory is not None else None,
        "accounts_href": accounts_url(name),
        "parent": territory.parent if territory is not None else None,
        "criteria": (
            criteria_words(territory)
            if territory is not None
            else "Accounts no territory matches: they keep their owner"
        ),
        "owners": [member.email for member in territory.owners] if territory is not None else [],
        "accounts": number(total.accounts),
        "revenue": money(total.revenue, book.currency),
    }


@router.get("/territories")
def territories_page(request: Request, user: Principal = Depends(page_user)) -> Response:
    """Every territory with its criteria, owner members and totals, and two charts."""
    try:
        book = territory_book(settings_of(request), database_of(request))
    except ApiError as error:
        return render(request, "territories.html", user, status_code=422, problem=error.message)
    balances = _balances(book)
    names = list(book.rules.territories)
    if NO_TERRITORY in balances:
        names.append(NO_TERRITORY)
    rows = [_summary_row(book, name, balances.get(name)) for name in names]
    totals = [(name, _total(balances.get(name))) for name in names]
    charts = account_and_revenue_charts(
        "territory",
        [(name, total.accounts, total.revenue) for name, total in totals],
        currency=book.currency,
    )
    return render(
        request,
        "territories.html",
        user,
        rows=rows,
        charts=charts,
        currency=book.currency,
        file=book.rules.source_name,
        total_accounts=number(book.report.total.accounts),
        total_revenue=money(book.report.total.revenue, book.currency),
    )


def _member_rows(
    book: TerritoryBook, territory: Territory, balance: TerritoryBalance | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The members (owners first, as the file lists them) with what they own in the territory;
    and anyone else who owns accounts placed there (owners the file leaves, or none)."""
    loads = {rep.rep: rep.load for rep in balance.reps} if balance is not None else {}
    targets = {t.email: t for t in balance.targets} if balance is not None else {}
    accounts = max(_total(balance).accounts, 1)

    def row(email: str, load: Load) -> dict[str, Any]:
        target = targets.get(email)
        return {
            "email": email,
            "accounts": number(load.accounts),
            "share": f"{load.accounts / accounts * 100:.0f}%" if balance is not None else "",
            "revenue": money(load.revenue, book.currency),
            "target": number(round(target.target, 1)) if target is not None else "",
        }

    members = sorted(territory.members, key=lambda m: m.role != "owner")
    listed = [
        {
            **row(member.email, loads.get(member.email, Load())),
            "role": member.role,
            "weight": number(member.weight),
            "capacity": number(member.capacity) if member.capacity is not None else "no cap",
        }
        for member in members
    ]
    emails = {member.email for member in territory.members}
    others = [row(email, load) for email, load in sorted(loads.items()) if email not in emails]
    return listed, others


@router.get("/territories/{name:path}")
def territory_page(request: Request, name: str, user: Principal = Depends(page_user)) -> Response:
    """One territory: criteria in words, members with their accounts, totals and charts."""
    book = territory_book(settings_of(request), database_of(request))
    territory = book.rules.territories.get(name)
    if territory is None:
        raise ApiError(
            404, f"there is no territory {name!r} in the territory file; /territories lists them"
        )
    balance = _balances(book).get(name)
    members, others = _member_rows(book, territory, balance)
    owners = [(m["email"], m) for m in members if m["role"] == "owner"] + [
        (o["email"], o) for o in others
    ]
    loads = {rep.rep: rep.load for rep in balance.reps} if balance is not None else {}
    chart_rows = [(email, loads.get(email, Load())) for email, _ in owners]
    total = _total(balance)
    charts = account_and_revenue_charts(
        "owner",
        [(email, load.accounts, load.revenue) for email, load in chart_rows],
        context=name,
        currency=book.currency,
    )
    return render(
        request,
        "territory.html",
        user,
        territory=territory,
        criteria=criteria_words(territory),
        parent_href=territory_url(territory.parent) if territory.parent else None,
        children=[(child, territory_url(child)) for child in territory.children],
        requires="; ".join(test.describe() for test in territory.require),
        prefers="; ".join(test.describe() for test in territory.prefer),
        members=members,
        others=others,
        accounts=number(total.accounts),
        revenue=money(total.revenue, book.currency),
        accounts_href=accounts_url(name),
        charts=charts,
        currency=book.currency,
    )
