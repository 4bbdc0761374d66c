"""`territory-sync sync | plan | apply | rollback`: runs, as a person starts them.

Before a run is recorded, its configuration and scope are checked (`sync.preflight`): a missing
credential, a broken territory file or an unknown `--account` or `--territory` is an error to
fix (exit code 2), not a failed run. `plan` says which plan it saved (on standard error when the
plan's data goes to standard output), and, like a dry run, when a real run would stop at a
guard rail and how to go ahead; `rollback --dry-run` lists each record and the owner it would
restore.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.text import Text

from sync.plan import ProposedChange, changes_in_chunks, count_changes, plan_changes
from sync.preflight import check_apply, check_rollback, check_sync_request
from sync.rollback import rollback_run
from sync.runner import SyncRequest, SyncResult, run_sync
from sync.saved_plans import apply_saved_plan
from sync.store.changes import ChangeState
from sync.store.database import Database
from territory_sync.cli.context import CliContext, cli_context
from territory_sync.cli.output import (
    JSON_OPTION_HELP,
    error_console,
    print_json,
    print_rows,
    print_text,
)
from territory_sync.cli.progress import TerminalProgress
from territory_sync.cli.run_report import ask_in_terminal, report, report_data
from territory_sync.cli.stopping import stop_on_signals
from territory_sync.csv_export import write_csv
from territory_sync.errors import ConfirmationRequiredError, ExitCode


class CrmChoice(StrEnum):
    SALESFORCE = "salesforce"
    HUBSPOT = "hubspot"
    ALL = "all"


class PlanFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


CHANGES_SHOWN = 200
"""Changes `plan` and `rollback --dry-run` show in their tables; the rest are counted (`--format
csv` and `--json` list all)."""
CHANGE_COLUMNS = (
    "source",
    "object_name",
    "external_id",
    "parent_external_id",
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


NO_TERMINAL = (
    "refusing to write owners without --yes: standard input is not a terminal, so there is "
    "nobody to ask. Preview with --dry-run, or pass --yes to write"
)


def _require_yes_or_terminal(yes: bool) -> None:
    """Nothing writes without an explicit yes: with no terminal to ask, `--yes` is the yes."""
    if not yes and not sys.stdin.isatty():
        raise ConfirmationRequiredError(NO_TERMINAL)


def _ask_first(yes: bool, question: str) -> None:
    """Unless `--yes`, ask `question` at the terminal; a no ends the command, nothing written."""
    _require_yes_or_terminal(yes)
    if not yes and not typer.confirm(question, default=False, err=True):
        raise typer.Exit(ExitCode.OK)


def _run(state: CliContext, database: Database, request: SyncRequest) -> SyncResult:
    with stop_on_signals(_announce) as stop, TerminalProgress() as progress:
        return run_sync(state.settings, database, request, progress=progress, stop=stop)


def _announce(text: str) -> None:
    error_console.print(Text(text, style="yellow"), highlight=False)


def sync(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Plan and show, write nothing.")] = False,
    full: Annotated[bool, typer.Option(help="Pull everything, not just what changed.")] = False,
    source: Annotated[CrmChoice, typer.Option(help="Which CRM(s).")] = CrmChoice.ALL,
    territory: Annotated[str | None, typer.Option(help="Resync one territory only.")] = None,
    account: Annotated[
        str | None, typer.Option(help="Resync one account (CRM id or domain).")
    ] = None,
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Only accounts that are new or have no active owner (a quick assignment).",
        ),
    ] = False,
    allow_mass_change: Annotated[
        bool, typer.Option(help="Apply even above the blast-radius limit.")
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Write without asking (needed when no terminal is attached)."
        ),
    ] = False,
    reconcile: Annotated[
        bool,
        typer.Option(help="Also compare every record id with the CRMs and flag deleted ones."),
    ] = False,
    actor: Annotated[str | None, typer.Option(help="Who starts the run (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Pull, plan, show the plan and ask, then write the changed owners.

    `territory-sync --help` lists the exit codes."""
    state = cli_context(ctx)
    request = SyncRequest(
        trigger="cli",
        actor=actor or default_actor(),
        dry_run=dry_run,
        full=full,
        sources=_sources(source),
        territory=territory,
        account=account,
        only_unowned_or_new=new_only,
        allow_mass_change=allow_mass_change,
        reconcile=reconcile,
        confirm=None if (yes or dry_run) else ask_in_terminal,
    )
    database = state.database()
    check_sync_request(state.settings, database, request)
    if not dry_run:
        _require_yes_or_terminal(yes)
    report(_run(state, database, request), as_json)


def plan(
    ctx: typer.Context,
    full: Annotated[bool, typer.Option(help="Pull everything, not just what changed.")] = False,
    source: Annotated[CrmChoice, typer.Option(help="Which CRM(s).")] = CrmChoice.ALL,
    territory: Annotated[
        str | None, typer.Option(help="One territory, with the territories under it.")
    ] = None,
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
    database = state.database()
    check_sync_request(state.settings, database, request)
    result = _run(state, database, request)
    assert result.plan_id is not None
    saved = f"saved plan {result.plan_id}"
    if output != PlanFormat.TABLE:  # the data goes to standard output: say so beside it
        print_text(saved, err=True)
        if result.verdict is not None and not result.verdict.allowed:
            print_text(result.verdict.would_stop(result.plan_id), style="yellow", err=True)
    if output == PlanFormat.CSV:
        chunks = changes_in_chunks(database, result.plan_id, list(ChangeState))
        write_csv(sys.stdout, (*CHANGE_COLUMNS, "reason"), (c for chunk in chunks for c in chunk))
    elif output == PlanFormat.JSON:
        changes = plan_changes(database, result.plan_id)
        print_json({"plan_id": result.plan_id, "figures": result.figures, "changes": changes})
    else:
        shown = plan_changes(database, result.plan_id, limit=CHANGES_SHOWN)
        print_rows(shown, CHANGE_COLUMNS, title=f"Plan {result.plan_id}")
        total = count_changes(database, result.plan_id)
        if total > CHANGES_SHOWN:
            print_text(f"... and {total - CHANGES_SHOWN:,} more (--format csv lists all)")
        print_text(saved)
        report(result, False)


def apply(
    ctx: typer.Context,
    plan_id: Annotated[int, typer.Argument(help="The plan to apply.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    force: Annotated[
        bool, typer.Option(help="Apply even a superseded or stale plan, as it is.")
    ] = False,
    actor: Annotated[str | None, typer.Option(help="Who applies (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Apply exactly a saved plan, re-checking each owner against the CRM at write time.

    A superseded or stale plan is not replayed: a fresh plan is saved for review (exit 3)."""
    state = cli_context(ctx)
    database = state.database()
    check_apply(state.settings, database, plan_id)
    _ask_first(yes, f"Write the owners of plan {plan_id} to the CRMs?")
    request = SyncRequest(trigger="cli", actor=actor or default_actor(), force=force)
    with stop_on_signals(_announce) as stop, TerminalProgress() as progress:
        result = apply_saved_plan(
            state.settings, database, plan_id, request, progress=progress, stop=stop
        )
    report(result, as_json)


ROLLBACK_COLUMNS = (
    "source",
    "object_name",
    "external_id",
    "account_name",
    "owner_now",
    "owner_restored",
    "state",
    "reason",
)
"""What `rollback --dry-run` lists of each record: the owner the run set, the one it restores."""


def _restores(changes: Iterable[ProposedChange]) -> list[dict[str, Any]]:
    """Each record of a rollback plan: the owner it has now (the one the run set) and the owner
    it would get back; a skipped record (changed since, no owner before) says why."""
    return [
        {
            "source": change.source,
            "object_name": change.object_name,
            "external_id": change.external_id,
            "account_name": change.account_name,
            "owner_now": change.old_owner_email or change.old_owner_id,
            "owner_restored": change.new_owner_email or change.new_owner_id,
            "state": change.state.value,
            "reason": change.reason,
        }
        for change in changes
    ]


def rollback(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="The run whose owner changes to undo.")],
    dry_run: Annotated[
        bool, typer.Option(help="List each record and the owner it would restore; write nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    actor: Annotated[str | None, typer.Option(help="Who rolls back (audit).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Restore the previous owners of a run's written changes, skipping records changed since."""
    state = cli_context(ctx)
    database = state.database()
    check_rollback(state.settings, database, run_id)
    if not dry_run:
        _ask_first(yes, f"Restore the owners run {run_id} replaced?")
    request = SyncRequest(trigger="cli", actor=actor or default_actor(), dry_run=dry_run)
    with stop_on_signals(_announce) as stop, TerminalProgress() as progress:
        result = rollback_run(
            state.settings, database, run_id, request, progress=progress, stop=stop
        )
    if dry_run:
        restores = _restores(result.changes)
        if as_json:
            print_json({**report_data(result), "changes": restores})
            if result.exit_code:
                raise typer.Exit(result.exit_code)
            return
        title = f"Rollback of run {run_id}: nothing written yet"
        print_rows(restores[:CHANGES_SHOWN], ROLLBACK_COLUMNS, title=title)
        if len(restores) > CHANGES_SHOWN:
            print_text(f"... and {len(restores) - CHANGES_SHOWN:,} more (--json lists all)")
    report(result, as_json)
