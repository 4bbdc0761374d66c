"""`territory-sync audit`: review the audit log, export it, verify its hash chain, checkpoint it."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sync.audit_checkpoint import (
    append_checkpoint,
    checkpoint_file,
    current_checkpoint,
    post_checkpoint,
)
from sync.audit_search import (
    AUDIT_STATUSES,
    EXPORT_COLUMNS,
    AuditFilter,
    iter_audit,
    parse_day,
    search_audit,
)
from sync.audit_verify import verify_audit
from sync.notify import WEBHOOK_ENV_VAR
from territory_sync.cli.cells import time_zone
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import (
    JSON_OPTION_HELP,
    WIDE_OPTION_HELP,
    console,
    print_json,
    print_rows,
)
from territory_sync.csv_export import write_csv
from territory_sync.errors import ExitCode, TerritorySyncError
from territory_sync.secrets import require_secret

app = typer.Typer(
    help="Review, export and verify the audit log.",
    invoke_without_command=True,
    no_args_is_help=False,
)

TABLE_COLUMNS = (
    "id",
    "at",
    "run_id",
    "source",
    "external_id",
    "account_name",
    "old_owner_email",
    "new_owner_email",
    "territory",
    "rule",
    "status",
    "error_code",
    "reason",
)
DEFAULT_COLUMNS = ("run_id", "account_name", "territory", "new_owner_email", "status")
"""What fits an 80-column terminal; `--wide` shows every column, `--format json` every value."""
ACCOUNT_COLUMNS = ("run_id", "account_name", "new_owner_email", "status", "reason")
"""One account's trail (`--account`): the reason of each decision instead of the territory."""


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@app.callback()
def audit(
    ctx: typer.Context,
    run: Annotated[int | None, typer.Option(help="Only this run's rows.")] = None,
    account: Annotated[
        str | None, typer.Option(help="A CRM record id, or part of an account name.")
    ] = None,
    rep: Annotated[str | None, typer.Option(help="Rows where this rep gained or lost.")] = None,
    territory: Annotated[str | None, typer.Option(help="Only this territory.")] = None,
    status: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(AUDIT_STATUSES)}.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this date (2026-03-01).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date, inclusive.")] = None,
    include_planned: Annotated[
        bool,
        typer.Option(help="Also the rows of saved plans (one per plan); default: decisions only."),
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv (all rows) or json.")
    ] = OutputFormat.TABLE,
    limit: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows shown (table and json).")
    ] = 50,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
) -> None:
    """Show audit rows, newest first (CSV: every matching row, oldest first)."""
    if ctx.invoked_subcommand is not None:
        return
    filters = AuditFilter(
        run_id=run,
        account=account,
        rep=rep,
        territory=territory,
        status=status,
        since=parse_day(since, end=False, name="--since") if since else None,
        until=parse_day(until, end=True, name="--until") if until else None,
        include_planned=include_planned,
    )
    state = cli_context(ctx)
    database = state.database()
    with database.engine.connect() as connection:
        if output == OutputFormat.CSV:
            write_csv(sys.stdout, EXPORT_COLUMNS, iter_audit(connection, filters))
            return
        rows = search_audit(connection, filters, limit=limit)
    if output == OutputFormat.JSON:
        print_json(rows)
    else:
        print_rows(
            rows,
            TABLE_COLUMNS,
            default=ACCOUNT_COLUMNS if account else DEFAULT_COLUMNS,
            wide=wide,
            title="Audit log (newest first)",
            zone=time_zone(state.settings),
        )


@app.command("verify")
def verify(
    ctx: typer.Context,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Check the end of the log against the latest line of this checkpoint file "
            "(default: [audit] checkpoint_file, when it exists).",
            metavar="FILE",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Check every row's signature, place and run, and the end of the log; exit 1 naming the
    first bad row and what is wrong with it."""
    state = cli_context(ctx)
    database = state.database()
    if checkpoint is None:
        configured = checkpoint_file(state.settings, database)
        checkpoint = configured if configured.is_file() else None
    with database.engine.connect() as connection:
        report = verify_audit(connection, checkpoint_file=checkpoint)
    if as_json:
        print_json(report.as_json())
    else:
        for segment in report.segments:
            console.print(f"  {escape(segment.describe())}", highlight=False, soft_wrap=True)
        if report.segment_count > len(report.segments):
            console.print(
                f"  ... and {report.segment_count - len(report.segments):,} more segments"
            )
        console.print(
            f"  end of the log checked against: {escape('; '.join(report.anchors))}",
            highlight=False,
            soft_wrap=True,
        )
        for problem in report.problems:
            console.print(f"[red]{escape(problem.message)}[/red]", highlight=False, soft_wrap=True)
        if report.problem_count > len(report.problems):
            console.print(
                f"[red]... and {report.problem_count - len(report.problems):,} more[/red]"
            )
        if report.intact:
            console.print(f"audit log intact: {report.rows_checked:,} rows verified")
        else:
            console.print(
                f"audit log NOT intact: {report.problem_count:,} problem(s) in "
                f"{report.rows_checked:,} rows"
            )
    if not report.intact:
        raise typer.Exit(ExitCode.CHANGES_FAILED)


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Append the line to this file, or - for standard output "
            "(default: [audit] checkpoint_file, unless --webhook alone is given).",
            metavar="FILE|-",
        ),
    ] = None,
    webhook: Annotated[
        bool, typer.Option("--webhook", help=f"Post it to the run webhook ({WEBHOOK_ENV_VAR}).")
    ] = False,
) -> None:
    """Write a signed checkpoint of the audit chain's head (row count, last row id and hash, key
    id, time) as one JSON line; keep it where the database's writers cannot change it."""
    state = cli_context(ctx)
    database = state.database()
    if webhook:
        require_secret(WEBHOOK_ENV_VAR, "posting an audit checkpoint to the run webhook")
    with database.engine.connect() as connection:
        signed = current_checkpoint(connection)
    if output == "-":
        sys.stdout.write(signed.line() + "\n")
    elif output is not None or not webhook:
        path = Path(output) if output is not None else checkpoint_file(state.settings, database)
        try:
            append_checkpoint(path, signed)
        except OSError as error:
            raise TerritorySyncError(
                f"cannot write the checkpoint file {path}: {error.strerror or error}"
            ) from error
        console.print(
            f"checkpoint appended to {escape(str(path))}: {signed.count:,} rows, last row "
            f"{signed.last_id}, key {signed.key_id}",
            highlight=False,
        )
    if webhook and not post_checkpoint(signed):
        raise TerritorySyncError(
            f"the webhook in {WEBHOOK_ENV_VAR} did not accept the audit checkpoint (logged as "
            "notify.failed); check the URL and try again"
        )
