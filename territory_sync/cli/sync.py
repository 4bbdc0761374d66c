"""`territory-sync sync | plan | apply | rollback | scheduler`: runs, as a person starts them."""

from __future__ import annotations

import csv
import getpass
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from sync.plan import plan_changes
from sync.runner import SyncRequest, SyncResult, apply_saved_plan, rollback_run, run_sync
from territory_sync.cli.context import CliContext, cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, console, print_json, print_rows
from territory_sync.cli.progress import TerminalProgress


class CrmChoice(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"
    ALL = "all"


class PlanFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


CHANGE_COLUMNS = (
    "source",
    "external_id",
    "account_name",
    "old_owner_email",
    "new_owner_email",
    "territory",
    "rule",
    "state",
)


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _sources(choice: CrmChoice) -> tuple[str, ...]:
    return () if choice == CrmChoice.ALL else (choice.value,)


def summary_table(result: SyncResult) -> Table:
    figures = result.figures
    table = Table(title=f"Run {result.run_id}: {result.status.value}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")

    def row(label: str, value: Any) -> None:
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))

    row("pulled", figures.get("pulled", 0))
    row("evaluated (records)", figures.get("evaluated", 0))
    row("changes planned", figures.get("planned", 0))
    for territory, count in (figures.get("changes_by_territory") or {}).items():
        row(f"  in {territory}", count)
    row("written", figures.get("written", 0))
    row("failed", figures.get("failed", 0))
    row("conflicts (left alone)", figures.get("conflicts", 0))
    row("skipped", figures.get("skipped", 0))
    row("ties (owner kept)", figures.get("ties", 0))
    for source, calls in (figures.get("api_calls") or {}).items():
        row(f"API calls, {source}", calls.get("calls", 0))
    row("duration", f"{figures.get('duration_seconds', 0):.1f} s")
    if result.plan_id is not None:
        row("plan", result.plan_id)
    return table


def _report(result: SyncResult, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "run_id": result.run_id,
                "plan_id": result.plan_id,
                "status": result.status.value,
                "exit_code": result.exit_code,
                "message": result.message,
                "figures": result.figures,
            }
        )
    else:
        console.print(summary_table(result))
        verdict = result.verdict
        if verdict is not None:
            for swing in verdict.flagged_reps:
                console.print(
                    f"[yellow]flagged:[/yellow] {swing.email} gains {swing.gains}, "
                    f"loses {swing.losses} accounts in this run"
                )
        if result.message:
            style = "red" if result.exit_code else "green"
            console.print(f"[{style}]{escape(result.message)}[/{style}]")
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _run(state: CliContext, request: SyncRequest, as_json: bool) -> SyncResult:
    database = state.database()
    with TerminalProgress() as progress:
        return run_sync(state.settings, database, request, progress=progress)


def sync(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Plan and show, write nothing.")] = False,
    full: Annotated[bool, typer.Option(help="Pull everything, not just what changed.")] = False,
    source: Annotated[CrmChoice, typer.Option(help="Which CRM(s).")] = CrmChoice.ALL,
    territory: Annotated[str | None, typer.Option(help="Resync one territory only.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Resync one account (CRM id or domain).")
    ] = None,
    allow_mass_change: Annotated[
        bool, typer.Option(help="Apply even above the blast-radius limit.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before writing owners.")
    ] = False,
    actor: Annotated[str | None, typer.Option(help="Who starts the run (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Pull, assign and write changed owners, with a summary (exit codes in the README)."""
    state = cli_context(ctx)
    if not (dry_run or yes or as_json) and sys.stdin.isatty():
        typer.confirm("Write the changed owners to the CRMs?", abort=True)
    request = SyncRequest(
        trigger="cli",
        actor=actor or default_actor(),
        dry_run=dry_run,
        full=full,
        sources=_sources(source),
        territory=territory,
        account=account,
        allow_mass_change=allow_mass_change,
    )
    _report(_run(state, request, as_json), as_json)


def plan(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option(help="Pull everything, not just what changed.")] = False,
    source: Annotated[CrmChoice, typer.Option(help="Which CRM(s).")] = CrmChoice.ALL,
    territory: Annotated[str | None, typer.Option(help="One territory only.")] = None,
    account: Annotated[str | None, typer.Option(help="One account (CRM id or domain).")] = None,
    output: Annotated[PlanFormat, typer.Option("--format", help="table, csv or json.")] = (
        PlanFormat.TABLE
    ),
    actor: Annotated[str | None, typer.Option(help="Who asks (audit).")] = None,
) -> None:
    """Save a plan for review and print its changes; `apply PLAN_ID` writes exactly that plan."""
    state = cli_context(ctx)
    request = SyncRequest(
        trigger="cli",
        actor=actor or default_actor(),
        plan_only=True,
        full=full,
        sources=_sources(source),
        territory=territory,
        account=account,
    )
    result = _run(state, request, output != PlanFormat.TABLE)
    assert result.plan_id is not None
    changes = plan_changes(state.database(), result.plan_id)
    if output == PlanFormat.CSV:
        writer = csv.DictWriter(sys.stdout, fieldnames=[*CHANGE_COLUMNS, "reason"])
        writer.writeheader()
        for change in changes:
            writer.writerow({k: change.get(k) for k in (*CHANGE_COLUMNS, "reason")})
    elif output == PlanFormat.JSON:
        print_json({"plan_id": result.plan_id, "figures": result.figures, "changes": changes})
    else:
        print_rows(changes[:200], CHANGE_COLUMNS, title=f"Plan {result.plan_id}")
        if len(changes) > 200:
            console.print(f"... and {len(changes) - 200:,} more (--format csv lists all)")
        _report(result, False)


def apply(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument(help="The plan to apply.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    actor: Annotated[str | None, typer.Option(help="Who applies (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Apply exactly a saved plan, re-checking each owner against the CRM at write time."""
    state = cli_context(ctx)
    if not (yes or as_json) and sys.stdin.isatty():
        typer.confirm(f"Write the owners of plan {plan_id} to the CRMs?", abort=True)
    request = SyncRequest(trigger="cli", actor=actor or default_actor())
    with TerminalProgress() as progress:
        result = apply_saved_plan(
            state.settings, state.database(), plan_id, request, progress=progress
        )
    _report(result, as_json)


def rollback(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="The run whose owner changes to undo.")],
    dry_run: Annotated[bool, typer.Option(help="Show what would be restored.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    actor: Annotated[str | None, typer.Option(help="Who rolls back (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Restore the previous owners of a run's written changes, skipping records changed since."""
    state = cli_context(ctx)
    if not (dry_run or yes or as_json) and sys.stdin.isatty():
        typer.confirm(f"Restore the owners run {run_id} replaced?", abort=True)
    request = SyncRequest(trigger="cli", actor=actor or default_actor(), dry_run=dry_run)
    with TerminalProgress() as progress:
        result = rollback_run(state.settings, state.database(), run_id, request, progress=progress)
    _report(result, as_json)


def scheduler(ctx: typer.Context) -> None:
    """Run the nightly sync on the configured cron until stopped (SIGTERM finishes the batch)."""
    from scheduler import run_scheduler

    state = cli_context(ctx)
    run_scheduler(
        state.settings,
        state.database(),
        config_path=str(state.config_path) if state.config_path else None,
        database_url=state.database_url,
        announce=lambda text: console.print(text),
    )
