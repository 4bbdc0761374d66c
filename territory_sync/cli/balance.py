"""`territory-sync balance [--proposed FILE]`: how fair the books are, and what a change does."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mapping.territories.balance import (
    balance_summary,
    parse_move_caps,
    render_balance_report,
    render_trade_off,
    render_what_if,
    trade_off_summary,
    what_if_summary,
)
from sync.evaluate import balance_store, trade_off_store, what_if_store
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_json, print_text


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
            print_text(render_balance_report(report), soft_wrap=True)
        return
    result = what_if_store(state.settings, database, proposed)
    if as_json:
        print_json(what_if_summary(result))
    else:
        print_text(render_what_if(result), soft_wrap=True)


def _caps(text: str) -> list[int]:
    try:
        return parse_move_caps(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--max-moves") from None
