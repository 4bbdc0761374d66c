"""`territory-sync territories check`: validate a territory file before any run uses it.

With the reps of the last pull, a territory whose owner members are all inactive in a CRM is a
warning naming the territory and the CRM, not an error: a rep leaving is ordinary, and the file
is still valid (that CRM's records there keep their owners until an owner is added or
reactivated)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mapping.territories.checks import territories_without_active_member
from sync.companies import load_rep_index
from sync.evaluate import load_rules
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, console, print_json

app = typer.Typer(help="Territory files: validate.", no_args_is_help=True)


@app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Territory file (default: the configured one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Load and validate the file: errors name file, line, territory and field; exit 2 on error.

    Rep emails are checked against the reps of the last pull when the database has any, and
    territories without an owner member active in a CRM are warned about, naming the CRM."""
    state = cli_context(ctx)
    reps = load_rep_index(state.database())
    rules = load_rules(state.settings, reps, str(file) if file else None)
    summary = {
        "file": rules.source_name,
        "fingerprint": rules.fingerprint,
        "territories": len(rules.territories),
        "named_accounts": len(rules.named_accounts),
        "holdouts": len(rules.holdouts),
        "checked_against_pulled_reps": bool(reps.directory),
        "territories_without_active_member": (
            territories_without_active_member(rules.territories.values(), reps.directory)
            if reps.directory
            else None
        ),
        "warnings": rules.warnings,
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"{rules.source_name}: {len(rules.territories)} territories, "
        f"{len(rules.named_accounts)} named accounts, {len(rules.holdouts)} holdouts: valid",
        markup=False,
    )
    for warning in rules.warnings:
        console.print(f"warning: {warning}", markup=False, style="yellow")
