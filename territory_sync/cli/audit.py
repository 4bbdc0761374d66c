"""`territory-sync audit`: review the audit log, export it, and verify its hash chain."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape

from sync.audit import verify_audit
from sync.audit_search import (
    AUDIT_STATUSES,
    EXPORT_COLUMNS,
    AuditFilter,
    iter_audit,
    parse_day,
    search_audit,
)
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import console, print_json, print_rows
from territory_sync.csv_export import write_csv
from territory_sync.errors import ExitCode

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
)


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
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv (all rows) or json.")
    ] = OutputFormat.TABLE,
    limit: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows shown (table and json).")
    ] = 50,
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
    )
    database = cli_context(ctx).database()
    with database.engine.connect() as connection:
        if output == OutputFormat.CSV:
            write_csv(sys.stdout, EXPORT_COLUMNS, iter_audit(connection, filters))
            return
        rows = search_audit(connection, filters, limit=limit)
    if output == OutputFormat.JSON:
        print_json(rows)
    else:
        columns = (*TABLE_COLUMNS, "reason") if account else TABLE_COLUMNS
        print_rows(rows, columns, title="Audit log (newest first)")


@app.command("verify")
def verify(ctx: typer.Context) -> None:
    """Check every row's hash and link; exit 1 and name each row that was edited or deleted."""
    database = cli_context(ctx).database()
    with database.engine.connect() as connection:
        report = verify_audit(connection)
    if report.intact:
        console.print(f"audit log intact: {report.rows_checked:,} rows verified")
        return
    for problem in report.problems:
        console.print(f"[red]{escape(problem)}[/red]")
    console.print(
        f"audit log NOT intact: {len(report.problems)} problem(s) in {report.rows_checked:,} rows"
    )
    raise typer.Exit(ExitCode.CHANGES_FAILED)
