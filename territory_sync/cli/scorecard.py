"""`territory-sync scorecard`: each territory's and owner member's goals against what they
reached (see `sync.scorecards`), with the trend of the previous periods and the balance beside."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from mapping.territories.periods import PERIOD_EXAMPLES
from sync.scorecards import build_scorecard, scorecard_rows, scorecard_summary
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import WIDE_OPTION_HELP, print_json, print_rows, print_text
from territory_sync.csv_export import write_csv

COLUMNS = (
    "territory",
    "rep",
    "period",
    "metric",
    "goal",
    "actual",
    "attainment %",
    "trend",
    "change (7 days)",
    "accounts",
    "share %",
)
NUMERIC = ("goal", "actual", "attainment %", "change (7 days)", "accounts", "share %")
DEFAULT_COLUMNS = ("territory", "rep", "metric", "goal", "actual", "attainment %", "trend")
"""The table's columns unless `--wide` (less the one `--territory` or `--rep` fixes); the
metric's name is cut first, then the rep's email and the trend, when the terminal is narrow."""
CUT_FIRST = ("metric", "rep", "trend", "territory")


class ScorecardFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def _trend(points: list[dict[str, Any]]) -> str:
    """ "2026-Q2 62%, 2026-Q3 –": the previous periods' attainment, oldest first (– where no
    snapshot, or no goal, tells)."""
    return ", ".join(f"{p['period']} {_percent(p['attainment_percent'])}" for p in points)


def _printed(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `scorecard_rows` as the table and the CSV show it."""
    return {
        "territory": row["territory"],
        "rep": row["rep"],
        "period": row["period"],
        "metric": row["metric"],
        "goal": row["goal"],
        "actual": row["actual"],
        "attainment %": row["attainment_percent"],
        "trend": _trend(row["trend"]),
        "change (7 days)": row["change"],
        "accounts": row["accounts"],
        "share %": row["share_percent"],
    }


def scorecard(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option(
            help=f"The period: {PERIOD_EXAMPLES} (default: each territory's current one).",
        ),
    ] = None,
    territory: Annotated[str | None, typer.Option(help="One territory only.")] = None,
    rep: Annotated[
        str | None, typer.Option(help="One owner member's rows (their email).", metavar="EMAIL")
    ] = None,
    output: Annotated[
        ScorecardFormat, typer.Option("--format", help="table, csv or json.")
    ] = ScorecardFormat.TABLE,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
) -> None:
    """Goals against actuals per territory and owner member: bookings, pipeline created, open
    pipeline coverage, accounts, accounts with an open opportunity; attainment, the trend of
    the previous periods and the accounts as balance counts them."""
    state = cli_context(ctx)
    card = build_scorecard(
        state.settings, state.database(), period=period, territory=territory, rep=rep
    )
    if output == ScorecardFormat.JSON:
        print_json(scorecard_summary(card))
        return
    rows = [_printed(row) for row in scorecard_rows(card)]
    if output == ScorecardFormat.CSV:
        write_csv(sys.stdout, COLUMNS, rows)
    else:
        fixed = {"territory": territory, "rep": rep}
        print_rows(
            rows,
            COLUMNS,
            default=[column for column in DEFAULT_COLUMNS if not fixed.get(column)],
            wide=wide,
            title=f"Scorecard (amounts in {card.currency})",
            numeric=NUMERIC,
            cut=CUT_FIRST,
        )
    for warning in card.warnings:
        print_text(f"warning: {warning}", err=True, style="yellow")
