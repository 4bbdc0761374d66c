"""`territory-sync holds`: records kept with the owner a person set during a run; releasing them.

A person who changed an owner while a run was writing it (a conflict) keeps that choice: later
runs leave the record alone while it has that owner. `holds list` shows them; `holds release`
hands records back to the territory file (the next run plans them again), with an audit row each.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sync.holds import list_holds, release_holds
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_json, print_rows
from territory_sync.cli.sync import default_actor
from territory_sync.errors import ConfigurationError

app = typer.Typer(help="Records kept with the owner a person set.", no_args_is_help=True)
COLUMNS = ("id", "source", "external_id", "account_name", "owner_id", "planned_owner_id", "run_id")


@app.command("list")
def list_command(
    ctx: typer.Context,
    include_released: Annotated[
        bool, typer.Option("--all", help="Also the holds that have ended.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Open holds: the record, the owner the person set, what the plan wanted, the run."""
    rows = list_holds(cli_context(ctx).database(), include_released=include_released)
    columns = (*COLUMNS, "released_at", "released_because") if include_released else COLUMNS
    print_rows(rows, columns, title="Holds", as_json=as_json)


@app.command("release")
def release(
    ctx: typer.Context,
    hold_ids: Annotated[
        list[int] | None, typer.Argument(help="Hold ids (see `holds list`).")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Release every open hold.")] = False,
    actor: Annotated[str | None, typer.Option(help="Who releases (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """End holds: the next run plans those records again from the territory file."""
    if not hold_ids and not every:
        raise ConfigurationError("name the holds to release (`holds list` shows them) or --all")
    released = release_holds(
        cli_context(ctx).database(), None if every else hold_ids, actor=actor or default_actor()
    )
    if as_json:
        print_json({"released": [hold["id"] for hold in released]})
        return
    typer.echo(f"Released {len(released)} hold(s); the next run plans those records again.")
