"""`territory-sync tokens`: create, list and revoke the admin console's API tokens.

A token's secret is printed once, at creation, and stored only as a hash.
"""

from __future__ import annotations

from typing import Annotated

import typer

from territory_sync.cli.cells import time_zone
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, WIDE_OPTION_HELP, print_json, print_rows
from territory_sync.cli.sync import default_actor
from web.token_store import create_token, list_tokens, parse_role, revoke_token

app = typer.Typer(help="API tokens for the admin console.", no_args_is_help=True)
COLUMNS = ("id", "name", "role", "created_at", "last_used_at", "revoked_at")
DEFAULT_COLUMNS = ("id", "name", "role", "last_used_at", "revoked_at")
"""What fits an 80-column terminal; `--wide` adds when each token was created."""


@app.command("create")
def create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="viewer (reads) or admin (also plans and applies).")],
    name: Annotated[str, typer.Option(help="Who or what uses the token, e.g. alice or grafana.")],
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Create a token and print its secret once: it cannot be shown again."""
    token, secret = create_token(
        cli_context(ctx).database(), name, parse_role(role), actor=default_actor()
    )
    if as_json:
        print_json({**token.as_dict(), "token": secret})
        return
    typer.echo(
        f"Created {token.role.value} token {token.id} ({token.name}). Its secret, shown once:"
    )
    typer.echo(secret)
    typer.echo("Keep it in a password manager; revoke it with `territory-sync tokens revoke ID`.")


@app.command("list")
def list_command(
    ctx: typer.Context,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Every token: id, name, role, when created, last used and revoked (never the secret)."""
    state = cli_context(ctx)
    tokens = list_tokens(state.database())
    if as_json:
        print_json([token.as_dict() for token in tokens])
        return
    rows = [
        {**{column: getattr(token, column) for column in COLUMNS}, "role": token.role.value}
        for token in tokens
    ]
    print_rows(
        rows,
        COLUMNS,
        default=DEFAULT_COLUMNS,
        wide=wide,
        title="API tokens",
        zone=time_zone(state.settings),
    )


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).")],
) -> None:
    """Revoke a token: its API calls and browser sessions stop working at once."""
    token = revoke_token(cli_context(ctx).database(), token_id, actor=default_actor())
    typer.echo(f"Token {token.id} ({token.name}) is revoked.")
