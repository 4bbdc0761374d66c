"""`territory-sync runs`: list runs with their figures, and show one in detail.

`runs` lists the columns that fit an 80-column terminal (`--wide`: all of them). `runs show`
prints every figure as a readable value: nested figures (per CRM, per territory, API calls by
kind) as tables of their own with dotted names, never as Python dictionaries; times to the second
in the configured time zone (`[schedule] timezone`)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select

from sync.runs import RUNS, get_run
from territory_sync.cli.cells import time_zone
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import (
    JSON_OPTION_HELP,
    WIDE_OPTION_HELP,
    print_json,
    print_mapping,
    print_rows,
)
from territory_sync.errors import ConfigurationError

app = typer.Typer(help="Runs and their figures.", invoke_without_command=True)

FIGURES = ("pulled", "evaluated", "planned", "written", "failed", "conflicts", "skipped")
COLUMNS = ("id", "kind", "trigger", "actor", "status", "dry_run", "started_at", *FIGURES)
DEFAULT_COLUMNS = ("id", "started_at", "actor", "status", "dry_run", "planned", "written")
"""What fits an 80-column terminal; `--wide` adds the kind, trigger and the other figures."""


def _is_group(value: Any) -> bool:
    """A figure with figures inside (per CRM, per territory...): shown as a table of its own."""
    if isinstance(value, dict):
        return bool(value)
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _flatten(run: dict[str, Any]) -> dict[str, Any]:
    figures = run.get("figures") or {}
    row = {k: v for k, v in run.items() if k != "figures"}
    row.update({name: figures.get(name) for name in FIGURES})
    return row


@app.callback()
def list_runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Newest this many runs.")] = 20,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """List the newest runs: trigger, actor, status, times and figures."""
    if ctx.invoked_subcommand is not None:
        return
    state = cli_context(ctx)
    database = state.database()
    with database.engine.connect() as connection:
        runs = [
            _flatten(dict(row))
            for row in connection.execute(
                select(RUNS).order_by(RUNS.c.id.desc()).limit(limit)
            ).mappings()
        ]
    print_rows(
        runs,
        COLUMNS,
        default=DEFAULT_COLUMNS,
        wide=wide,
        title="Runs (newest first)",
        as_json=as_json,
        numeric=FIGURES,
        zone=time_zone(state.settings),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="The run's id.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """One run: scope, outcome, figures (API calls per CRM, changes by territory...)."""
    state = cli_context(ctx)
    database = state.database()
    zone = time_zone(state.settings)
    run = get_run(database, run_id)
    if run is None:
        raise ConfigurationError(f"there is no run {run_id}; `territory-sync runs` lists them")
    if as_json:
        print_json(run)
        return
    figures = {k: v for k, v in (run.pop("figures") or {}).items() if k != "audit_head"}
    print_mapping(run, title=f"Run {run_id}", as_json=False, zone=zone)
    groups = {key: value for key, value in figures.items() if _is_group(value)}
    simple = {key: value for key, value in figures.items() if key not in groups}
    print_mapping(simple, title="Figures", as_json=False, zone=zone)
    for key, value in groups.items():
        shown = value if isinstance(value, dict) else {key: value}
        print_mapping(shown, title=key, as_json=False, zone=zone)
