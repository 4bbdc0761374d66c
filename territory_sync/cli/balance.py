"""`territory-sync balance [--proposed FILE]`: how fair the books are, and what a change does.

The books print as three tables that fit an 80-column terminal (`--wide` adds the employees and
the spread of revenue and employees): each territory with how evenly its accounts spread over its
reps (largest over smallest, and the Gini coefficient: 0 is even), each rep's load in each
territory against their target, and each rep's load over all territories.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from mapping.territories.balance import (
    MEASURES,
    BalanceReport,
    Load,
    Spread,
    balance_summary,
    parse_move_caps,
    render_trade_off,
    render_what_if,
    trade_off_summary,
    what_if_summary,
)
from sync.evaluate import balance_store, trade_off_store, what_if_store
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import (
    JSON_OPTION_HELP,
    WIDE_OPTION_HELP,
    print_json,
    print_rows,
    print_text,
)

TERRITORY_COLUMNS = (
    "territory",
    *MEASURES,
    "max/min",
    "Gini",
    "revenue max/min",
    "revenue Gini",
    "employees max/min",
    "employees Gini",
)
TERRITORY_DEFAULT = ("territory", *MEASURES, "max/min", "Gini")
MEMBER_COLUMNS = ("territory", "rep", *MEASURES, "target")
MEMBER_DEFAULT = ("territory", "rep", "accounts", "revenue", "target")
REP_COLUMNS = ("rep", *MEASURES)
NUMERIC = (*TERRITORY_COLUMNS[1:], "target")


def balance(
    ctx: typer.Context,
    proposed: Annotated[
        Path | None,
        typer.Option(help="A proposed territory file: show the what-if, write nothing."),
    ] = None,
    max_moves: Annotated[
        str | None,
        typer.Option(
            help="With --proposed (a file that turns balancing on): move caps to compare, "
            "comma-separated (for example 0,10,25,50): the accounts each moves against the "
            "balance it leaves.",
        ),
    ] = None,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Accounts, revenue and employees per territory and per rep, as the territory file places
    them; with --proposed, the what-if: the moves and the balance before and after."""
    state = cli_context(ctx)
    database = state.database()
    if max_moves is not None:
        if proposed is None:
            raise typer.BadParameter("--max-moves compares caps of a --proposed file")
        points = trade_off_store(state.settings, database, proposed, _caps(max_moves))
        if as_json:
            print_json(trade_off_summary(points))
        else:
            print_text(render_trade_off(points), soft_wrap=True)
        return
    if proposed is None:
        report = balance_store(state.settings, database)
        if as_json:
            print_json(balance_summary(report))
        else:
            print_balance(report, wide=wide)
        return
    result = what_if_store(state.settings, database, proposed)
    if as_json:
        print_json(what_if_summary(result))
    else:
        print_text(render_what_if(result), soft_wrap=True)


def _ratio(spread: Spread) -> str:
    return "n/a" if spread.max_min_ratio is None else f"{spread.max_min_ratio:.2f}"


def _spread(spread: Mapping[str, Spread]) -> dict[str, str]:
    """The spread columns of a territory: accounts unprefixed, the other measures by name."""
    return {
        f"{'' if name == 'accounts' else name + ' '}{column}": value
        for name in MEASURES
        for column, value in (
            ("max/min", _ratio(spread[name])),
            ("Gini", f"{spread[name].gini:.3f}"),
        )
    }


def _load(load: Load) -> dict[str, int]:
    return {name: load.measure(name) for name in MEASURES}


def print_balance(report: BalanceReport, *, wide: bool) -> None:
    """The books as tables (see the module's docstring), then the spread over every rep."""
    territories = [
        {"territory": t.territory, **_load(t.total), **_spread(t.spread)}
        for t in report.territories
    ]
    members: list[dict[str, Any]] = []
    for t in report.territories:
        targets = {member.email: member for member in t.targets}
        for rep in t.reps:
            member = targets.get(rep.rep)
            target = None
            if member is not None:
                target = f"{member.target:,.1f}"
                if member.low is not None:
                    target += f" ({member.low:,}-{member.high:,})"
            members.append(
                {"territory": t.territory, "rep": rep.rep, **_load(rep.load), "target": target}
            )
    reps = [{"rep": rep.rep, **_load(rep.load)} for rep in report.reps]
    reps.append({"rep": "total", **_load(report.total)})
    title = "Territories (max/min and Gini: how evenly the accounts spread over the reps)"
    print_rows(
        territories,
        TERRITORY_COLUMNS,
        default=TERRITORY_DEFAULT,
        wide=wide,
        title=title,
        numeric=NUMERIC,
    )
    print_rows(
        members,
        MEMBER_COLUMNS,
        default=MEMBER_DEFAULT,
        wide=wide,
        title="Reps per territory (target: the accounts their weight gives them)",
        numeric=NUMERIC,
    )
    print_rows(reps, REP_COLUMNS, title="Per rep, all territories", numeric=NUMERIC)
    spread = "; ".join(
        f"{name}: max/min {_ratio(report.spread[name])}, Gini {report.spread[name].gini:.3f}"
        for name in MEASURES
    )
    print_text(f"spread over all reps: {spread}")


def _caps(text: str) -> list[int]:
    try:
        return parse_move_caps(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--max-moves") from None
