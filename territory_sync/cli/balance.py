"""`territory-sync balance [--proposed FILE]`: how fair the books are, and what a change does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mapping.balance import BalanceReport, WhatIfReport, balance_report, current_placement, what_if
from sync.evaluate import evaluate_store
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, console, print_json, print_rows


def _rows(report: BalanceReport, key: str) -> list[dict[str, Any]]:
    loads = report.by_rep if key == "rep" else report.by_territory
    return [
        {key: name, "accounts": load.accounts, "revenue": load.revenue, "employees": load.employees}
        for name, load in sorted(loads.items(), key=lambda item: (-item[1].accounts, item[0]))
    ]


def _summary(report: BalanceReport) -> dict[str, Any]:
    return {
        "spread_max_min": round(report.spread, 2) if report.spread else None,
        "gini": round(report.gini, 3),
        "by_rep": _rows(report, "rep"),
        "by_territory": _rows(report, "territory"),
    }


def _print_report(report: BalanceReport, title: str) -> None:
    columns = ("accounts", "revenue", "employees")
    print_rows(
        _rows(report, "territory"),
        ("territory", *columns),
        title=f"{title}: territories",
        numeric=columns,
    )
    print_rows(_rows(report, "rep"), ("rep", *columns), title=f"{title}: reps", numeric=columns)
    spread = f"{report.spread:.2f}" if report.spread else "n/a"
    console.print(f"{title}: spread (largest / smallest book) {spread}, Gini {report.gini:.3f}")


def _print_what_if(report: WhatIfReport) -> None:
    console.print(f"[bold]{report.moved:,} companies would change owner[/bold]")
    moves = [
        {"from": source, "to": target, "companies": count}
        for (source, target), count in report.moves.most_common(25)
    ]
    print_rows(moves, ("from", "to", "companies"), title="Moves", numeric=("companies",))
    before = {row["rep"]: row for row in _rows(report.before, "rep")}
    after = {row["rep"]: row for row in _rows(report.after, "rep")}
    rows = [
        {
            "rep": rep,
            "before": before.get(rep, {}).get("accounts", 0),
            "after": after.get(rep, {}).get("accounts", 0),
            "revenue after": after.get(rep, {}).get("revenue", 0),
        }
        for rep in sorted(set(before) | set(after))
    ]
    print_rows(
        rows,
        ("rep", "before", "after", "revenue after"),
        title="Books before and after",
        numeric=("before", "after", "revenue after"),
    )
    for label, side in (("before", report.before), ("after", report.after)):
        spread = f"{side.spread:.2f}" if side.spread else "n/a"
        console.print(f"{label}: spread {spread}, Gini {side.gini:.3f}")


def balance(
    ctx: typer.Context,
    proposed: Annotated[
        Path | None,
        typer.Option(help="A proposed territory file: show the what-if, write nothing."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Accounts, revenue and employees per territory and per rep; with --proposed, the what-if."""
    state = cli_context(ctx)
    database = state.database()
    current = evaluate_store(state.settings, database)
    primary = current.rules.settings.primary_source
    companies = current.book.companies
    if proposed is None:
        report = balance_report(
            companies, current_placement(companies, current.evaluation, primary), primary
        )
        if as_json:
            print_json(_summary(report))
        else:
            _print_report(report, "Now")
        return
    after = evaluate_store(state.settings, database, proposed, reps=current.reps, book=current.book)
    result = what_if(
        companies, current.evaluation.assignments, after.evaluation.assignments, primary
    )
    if as_json:
        print_json(
            {
                "moved": result.moved,
                "moves": [
                    {"from": s, "to": t, "companies": n} for (s, t), n in result.moves.most_common()
                ],
                "before": _summary(result.before),
                "after": _summary(result.after),
            }
        )
    else:
        _print_what_if(result)
