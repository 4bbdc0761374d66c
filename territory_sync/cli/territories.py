"""`territory-sync territories check`: validate a territory file before any run uses it.

With the reps of the last pull, a territory whose owner members are all inactive in a CRM is a
warning naming the territory and the CRM, not an error: a rep leaving is ordinary, and the file
is still valid (that CRM's records there keep their owners until an owner is added or
reactivated).

Every raw CRM field the file tests is looked up in the configured CRMs' metadata (Salesforce's
describe of Account, HubSpot's company properties): a field no CRM has is an error naming the
file, line, territory and field. A CRM without credentials in the environment is skipped, and the
output says so; `--no-crm` skips the lookup.

A broken file is reported with every error in it at once, in line order (each naming the file,
line, territory and field), and the command exits 2; `--json` prints them as a list under
`errors` (an empty list for a valid file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from connectors.base import CrmConnector
from mapping.territories.checks import territories_without_active_member
from sync.companies import load_rep_index
from sync.connect import build_connectors, close_connectors, enabled_sources
from sync.evaluate import load_rules
from sync.pull_fields import fields_to_pull
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_json, print_text
from territory_sync.errors import ConfigurationError, TerritoryFileError
from territory_sync.logs import scrub
from territory_sync.settings import Settings

app = typer.Typer(help="Territory files: validate.", no_args_is_help=True)


def _configured_crms(settings: Settings) -> tuple[dict[str, CrmConnector], dict[str, str]]:
    """Connectors for the enabled CRMs whose credentials are set; why each other one is not."""
    crms: dict[str, CrmConnector] = {}
    skipped: dict[str, str] = {}
    for source in enabled_sources(settings):
        try:
            crms.update(build_connectors(settings, [source]))
        except ConfigurationError as error:
            skipped[source] = str(error)
    return crms, skipped


@app.command("check")
def check(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Territory file (default: the configured one).")
    ] = None,
    no_crm: Annotated[
        bool, typer.Option("--no-crm", help="Do not look the file's fields up in the CRMs.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Load and validate the file: every error, in line order, names file, line, territory and
    field; exit 2 on error.

    Rep emails are checked against the reps of the last pull when the database has any, and
    territories without an owner member active in a CRM are warned about, naming the CRM."""
    state = cli_context(ctx)
    reps = load_rep_index(state.database())
    fields_found: dict[str, list[str]] = {}
    not_checked: dict[str, str] = {}
    try:
        rules = load_rules(state.settings, reps, str(file) if file else None)
        if rules.raw_fields and not no_crm:
            crms, not_checked = _configured_crms(state.settings)
            try:
                if crms:
                    fields_found = fields_to_pull(rules, crms, every_crm=not not_checked)
            finally:
                close_connectors(crms.values())
    except TerritoryFileError as error:
        if not as_json:
            raise
        listed = [{**each.as_json(), "message": scrub(each.message)} for each in error.errors]
        print_json({"file": error.file, "errors": listed})
        raise typer.Exit(error.exit_code) from None
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
        "raw_fields": sorted(rules.raw_fields),
        "raw_fields_found": fields_found,
        "raw_fields_not_checked_in": not_checked,
        "warnings": rules.warnings,
        "errors": [],
    }
    if as_json:
        print_json(summary)
        return
    print_text(
        f"{rules.source_name}: {len(rules.territories)} territories, "
        f"{len(rules.named_accounts)} named accounts, {len(rules.holdouts)} holdouts: valid"
    )
    for source, names in fields_found.items():
        if names:
            print_text(f"{source} has {', '.join(names)}")
    for source, why in not_checked.items():
        print_text(f"fields not checked in {source}: {why}", style="yellow")
    for warning in rules.warnings:
        print_text(f"warning: {warning}", style="yellow")
