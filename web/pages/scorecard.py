"""The scorecard page: per territory with goals, attainment bars for the territory and each owner
member, a line of the territory's attainment over the last periods, and the figures in a table.

The figures are `territory-sync scorecard`'s (`web.queries.current_scorecard`); the charts are
server-side SVG (`web.svg`), and every name from the CRMs or the territory file is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from web.auth import Principal
from web.errors import ApiError
from web.pages.common import page_user, render
from web.queries import current_scorecard
from web.state import database_of, settings_of
from web.svg import bar_chart, line_chart

router = APIRouter(include_in_schema=False)


def _shown(value: Decimal | float | int | None, suffix: str = "") -> str:
    """A figure for the table: thousands separators, no trailing zeros; – for none."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}{suffix}"
    return f"{number:,.4f}".rstrip("0").rstrip(".") + suffix


def _territory(name: str, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One territory's charts and table rows."""
    period = rows[0]["period"]
    bars = [
        (f"{row['rep'] or name}: {row['metric']}", row["attainment_percent"])
        for row in rows
        if row["attainment_percent"] is not None
    ]
    own = [row for row in rows if row["rep"] is None and row["goal"] is not None]
    labels = [point["period"] for point in own[0]["trend"]] + [period] if own else [period]
    series = [
        (
            row["metric"],
            [p["attainment_percent"] for p in row["trend"]] + [row["attainment_percent"]],
        )
        for row in own
    ]
    return {
        "name": name,
        "period": period,
        "attainment": bar_chart(
            f"Attainment, {name} ({period})", bars, css_class="bars attainment", unit="%"
        ),
        "trend": line_chart(f"Attainment by period, {name}", labels, series, unit="%"),
        "rows": [
            {
                "rep": row["rep"] or "(territory)",
                "metric": row["metric"],
                "goal": _shown(row["goal"]),
                "actual": _shown(row["actual"]),
                "currency": row["currency"] or "",
                "attainment": _shown(row["attainment_percent"], "%"),
                "change": _shown(row["change"]),
                "accounts": _shown(row["accounts"]),
                "share": _shown(row["share_percent"], "%"),
            }
            for row in rows
        ],
    }


def territories(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary's rows grouped by territory, in the scorecard's order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in summary["rows"]:
        grouped.setdefault(row["territory"], []).append(row)
    return [_territory(name, rows) for name, rows in grouped.items()]


@router.get("/scorecard")
def scorecard_page(
    request: Request,
    period: Annotated[str | None, Query(max_length=32)] = None,
    user: Principal = Depends(page_user),
) -> Response:
    summary, problem = None, None
    try:
        summary = current_scorecard(settings_of(request), database_of(request), period)
    except ApiError as error:
        problem = error.message
    return render(
        request,
        "scorecard.html",
        user,
        summary=summary,
        territories=territories(summary) if summary else [],
        problem=problem,
        period=period or "",
    )
