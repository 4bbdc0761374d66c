"""`territory-sync serve`: run the admin console (API and pages) over the configured database."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import Annotated

import typer

from territory_sync.cli.context import cli_context
from territory_sync.cli.output import error_console
from territory_sync.cli.ports import address_text, bind_listening_socket

PLAIN_HTTP_WARNING = (
    "warning: the console is listening on {host}, not only on loopback, over plain HTTP; "
    "put a TLS-terminating proxy in front (tokens and session cookies travel in every request) "
    "or bind to 127.0.0.1"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    proxy_headers: Annotated[
        bool,
        typer.Option(help="Trust X-Forwarded-Proto/For from a proxy on loopback (for https)."),
    ] = False,
) -> None:
    """Serve the admin console; sign in with a token from `territory-sync tokens create`."""
    # The address first: a port already taken is one line, before the database is opened.
    listening = bind_listening_socket(host, port, "--port")
    with listening:
        import uvicorn

        from web.app import create_app

        state = cli_context(ctx)
        settings = state.settings
        database = state.database()
        if not is_loopback(host):
            error_console.print(PLAIN_HTTP_WARNING.format(host=host), markup=False, highlight=False)
        app = create_app(settings, database)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            proxy_headers=proxy_headers,
            forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
            log_level="warning",
            access_log=False,
        )
        typer.echo(
            f"territory-sync console on http://{address_text(host, port)}/ (Ctrl+C stops it)"
        )
        with contextlib.suppress(KeyboardInterrupt):  # re-raised by the server it stopped
            uvicorn.Server(config).run(sockets=[listening])
