"""The `territory-sync` command line: global options, subcommands, and error-to-exit-code mapping.

Every command takes `--help`; data commands take `--json`. Errors of the product's own types are
printed as one line (secrets scrubbed) and exit with their documented code; nothing prints a
traceback for a mistake a person can fix. A command given `--json` (or `--format json`) also
prints its error as JSON on standard output, `{"error": {"code": ..., "message": ...}}`, with the
same exit code: `code` is the error's stable name (`TerritorySyncError.error_code`; `usage` for a
mistake in the command line itself), `message` the line printed on standard error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from territory_sync import __version__
from territory_sync.cli.cells import literal
from territory_sync.cli.context import CliContext, LogFormat, cli_context
from territory_sync.cli.output import error_console, print_json
from territory_sync.errors import ExitCode, TerritorySyncError
from territory_sync.logs import scrub
from territory_sync.memory import limit_malloc_arenas

EXIT_CODES = """Exit codes:

\b
  0    success
  1    the run finished but some changes failed; `audit verify`: the audit log is not intact
  2    usage or configuration error (the message names the option, file, key or variable)
  3    stopped by a guard rail before anything was written (or a stale plan was not applied)
  4    another run holds the lock; `scheduler`: another scheduler runs on this SQLite file
  5    a CRM could not be reached, refused the credentials, or the API budget is spent
  130  stopped by Ctrl-C or SIGTERM; run the command again to finish

With --json (or --format json) a failing command also prints {"error": {"code": ...,
"message": ...}} on standard output, the one-line error staying on standard error."""

USAGE_ERROR_CODE = "usage"
"""`error.code` of a mistake in the command line itself (an unknown option, a missing value)."""
ABORTED_CODE = "aborted"
"""`error.code` when a question was answered with Ctrl-C or the end of input."""

app = typer.Typer(
    name="territory-sync",
    help="Keep Salesforce and HubSpot account owners in line with your sales territories.",
    epilog=EXIT_CODES,
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


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether the command line asks for JSON output: `--json`, or `--format json`."""
    for index, arg in enumerate(argv):
        if arg == "--":
            return False
        if arg in ("--json", "--format=json"):
            return True
        if arg == "--format" and argv[index + 1 : index + 2] == ["json"]:
            return True
    return False


def _print_error(code: str, message: str, as_json: bool) -> None:
    """One error: `error: MESSAGE` on standard error and, with `as_json`, the JSON error object on
    standard output (where the command's data would have gone)."""
    if as_json:
        print_json({"error": {"code": code, "message": message}})
    error_console.print(
        Text.assemble(Text("error:", style="red"), " ", literal(message, limit=None)),
        highlight=False,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `territory-sync` script; returns the process exit code.

    Usage errors are reported as the command-line framework words them (exit code 2); the
    product's own errors are printed as one scrubbed line with their documented exit code. With
    `--json` either is also printed as a JSON error object on standard output.
    """
    limit_malloc_arenas()  # before any thread starts: `territory_sync.memory`
    args = sys.argv[1:] if argv is None else list(argv)
    as_json = _wants_json(args)
    try:
        if not as_json:
            app(args=args, prog_name="territory-sync")
            return ExitCode.OK
        # Not standalone: the framework raises its usage errors instead of printing them.
        code = app(args=args, prog_name="territory-sync", standalone_mode=False)
    except TerritorySyncError as error:
        _print_error(error.error_code, scrub(str(error)), as_json)
        return error.exit_code
    except typer.TyperException as error:  # with --json only: standalone mode prints and exits
        _print_error(USAGE_ERROR_CODE, scrub(error.format_message()), True)
        return error.exit_code
    except typer.Abort:  # with --json only: Ctrl-C or the end of input at a question
        _print_error(ABORTED_CODE, "aborted at the question; nothing was written", True)
        return 1
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (ExitCode.OK if code is None else ExitCode.USAGE)
    return code if isinstance(code, int) else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["CliContext", "app", "main"]
