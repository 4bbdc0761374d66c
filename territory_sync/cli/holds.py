"""`territory-sync holds`: records kept with the owner a person set during a run; releasing them.

A person who changed an owner while a run was writing it (a conflict) keeps that choice: later
runs leave the record alone while it has that owner. `holds list` shows them; `holds release`
hands records back to the territory file (the next run plans them again), with an audit row each.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sync.holds import list_holds, release_holds
from territory_sync.cli.cells import time_zone
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, WIDE_OPTION_HELP, print_json, print_rows
from territory_sync.cli.sync import default_actor
from territory_sync.errors import ConfigurationError

app = typer.Typer(help="Records kept with the owner a person set.", no_args_is_help=True)
COLUMNS = ("id", "source", "external_id", "account_name", "owner_id", "planned_owner_id", "run_id")
DEFAULT_COLUMNS = ("id", "source", "external_id", "account_name", "owner_id", "run_id")
"""What fits an 80-column terminal; `--wide` adds the owner the plan wanted."""
ENDED_COLUMNS = ("released_at", "released_because")
DEFAULT_WITH_ENDED = ("id", "source", "external_id", "account_name", "released_at")
"""With `--all`: when each hold ended (blank: still open) instead of the owner and the run."""


@app.command("list")
def list_command(
    ctx: typer.Context,
    include_released: Annotated[
        bool, typer.Option("--all", help="Also the holds that have ended.")
    ] = False,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Open holds: the record, the owner the person set, what the plan wanted, the run."""
    state = cli_context(ctx)
    rows = list_holds(state.database(), include_released=include_released)
    print_rows(
        rows,
        (*COLUMNS, *ENDED_COLUMNS) if include_released else COLUMNS,
        default=DEFAULT_WITH_ENDED if include_released else DEFAULT_COLUMNS,
        wide=wide,
        title="Holds",
        as_json=as_json,
        zone=time_zone(state.settings),
    )


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
