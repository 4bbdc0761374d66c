"""The `territory-sync` command line: global options, subcommands, and error-to-exit-code mapping.

Every command takes `--help`; data commands take `--json`. Errors of the product's own types are
printed as one line (secrets scrubbed) and exit with their documented code; nothing prints a
traceback for a mistake a person can fix.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from territory_sync import __version__
from territory_sync.cli.cells import literal
from territory_sync.cli.context import CliContext, LogFormat, cli_context
from territory_sync.cli.output import error_console
from territory_sync.errors import ExitCode, TerritorySyncError
from territory_sync.logs import scrub

app = typer.Typer(
    name="territory-sync",
    help="Keep Salesforce and HubSpot account owners in line with your sales territories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"territory-sync {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Configuration file (default: $TERRITORY_SYNC_CONFIG or ./territory-sync.toml).",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="Database URL; overrides the configuration file.", metavar="URL"
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress events to standard error.")
    ] = False,
    log_format: Annotated[
        LogFormat,
        typer.Option(
            "--log-format",
            help="json: every log event (info and up) as one JSON line on standard output, for "
            "a service manager's journal (the scheduler's own lines then go to standard error).",
        ),
    ] = LogFormat.DEFAULT,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    state = cli_context(ctx)
    state.config_path = config
    state.database_url = database_url
    state.verbose = verbose
    state.log_format = log_format
    ctx.call_on_close(state.close)


def _register() -> None:
    from territory_sync.cli import (
        accounts,
        alerts,
        audit,
        balance,
        db,
        explain,
        holds,
        init,
        links,
        runs,
        sandbox,
        scheduler,
        scorecard,
        serve,
        sync,
        territories,
        tokens,
    )

    app.add_typer(db.app, name="db")
    app.command("init")(init.init)
    app.add_typer(accounts.app, name="accounts")
    app.add_typer(links.app, name="links")
    app.command("sandbox")(sandbox.sandbox)
    app.add_typer(audit.app, name="audit")
    app.add_typer(runs.app, name="runs")
    app.command("sync")(sync.sync)
    app.command("plan")(sync.plan)
    app.command("apply")(sync.apply)
    app.command("rollback")(sync.rollback)
    app.add_typer(scheduler.app, name="scheduler")
    app.add_typer(territories.app, name="territories")
    app.command("balance")(balance.balance)
    app.command("scorecard")(scorecard.scorecard)
    app.command("explain")(explain.explain)
    app.command("serve")(serve.serve)
    app.add_typer(tokens.app, name="tokens")
    app.add_typer(holds.app, name="holds")
    app.add_typer(alerts.app, name="alerts")


_register()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `territory-sync` script; returns the process exit code.

    Usage errors are reported by the command-line framework itself (exit code 2); the product's
    own errors are printed as one scrubbed line with their documented exit code.
    """
    try:
        app(args=argv, prog_name="territory-sync")
    except TerritorySyncError as error:
        message = Text.assemble(
            Text("error:", style="red"), " ", literal(scrub(str(error)), limit=None)
        )
        error_console.print(message, highlight=False)
        return error.exit_code
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (ExitCode.OK if code is None else ExitCode.USAGE)
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["CliContext", "app", "main"]
