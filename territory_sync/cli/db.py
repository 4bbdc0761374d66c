"""`territory-sync db`: create or upgrade the database schema, and show its revision."""

from __future__ import annotations

from typing import Annotated

import typer

from sync.store.database import redact_url
from sync.store.migrate import current_revision, head_revision
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_mapping

app = typer.Typer(help="Database schema: upgrade and inspect.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration (opening does too, unless migrate_on_open = false)."""
    state = cli_context(ctx)
    database = state.database(upgrade=True)
    typer.echo(f"database {redact_url(database.url)} is at revision {current_revision(database)}")


@app.command("current")
def current(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Show the database's schema revision and the latest one this version knows."""
    state = cli_context(ctx)
    from sync.store.database import Database, create_db_engine

    url = state.settings.database_url
    database = Database(url, create_db_engine(url))
    try:
        revision = current_revision(database)
    finally:
        database.dispose()
    print_mapping(
        {
            "database": redact_url(url),
            "revision": revision,
            "latest": head_revision(),
            "up_to_date": revision == head_revision(),
        },
        as_json=as_json,
    )
