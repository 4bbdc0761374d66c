"""`territory-sync links`: which records are the same company across the CRMs; admin pins."""

from __future__ import annotations

from typing import Annotated

import typer

from mapping.model.companies import OverrideAction
from sync.admin_actions import record_admin_action
from sync.store.companies import (
    clear_link_override,
    link_report,
    refresh_company_links,
    set_link_override,
)
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, print_json, print_mapping, print_text

app = typer.Typer(help="Cross-CRM company links: report, pin, break.", invoke_without_command=True)

ACTOR_HELP = "Who decides (recorded with the override)."


@app.callback()
def report(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
    show: Annotated[int, typer.Option(help="List up to this many unlinked records.")] = 10,
) -> None:
    """Recompute links from domains and pins, and report what stays unlinked and why."""
    if ctx.invoked_subcommand is not None:
        return
    database = cli_context(ctx).database()
    with database.engine.begin() as connection:
        refresh_company_links(connection)
        result = link_report(connection)
    if as_json:
        print_json(
            {
                "counts": result.counts(),
                "without_domain": result.without_domain,
                "ambiguous_domains": result.ambiguous_domains,
                "broken": result.broken,
                "stale_pins": result.stale_pins,
            }
        )
        return
    print_mapping(result.counts(), title="Company links", as_json=False)
    for source, domains in sorted(result.ambiguous_domains.items()):
        print_text(f"{source}: domains held by several records (not linked)", style="bold")
        for domain, ids in list(sorted(domains.items()))[:show]:
            print_text(f"  {domain}: {', '.join(ids)}")
    for source, ids in sorted(result.without_domain.items()):
        sample = ", ".join(ids[:show]) + (" ..." if len(ids) > show else "")
        print_text(f"{source}: {len(ids)} records without a domain: {sample}")


def _override(
    ctx: typer.Context,
    salesforce_id: str,
    hubspot_id: str,
    action: OverrideAction,
    actor: str,
    reason: str | None,
) -> None:
    database = cli_context(ctx).database()
    with database.engine.begin() as connection:
        set_link_override(connection, salesforce_id, hubspot_id, action, actor, reason)
        refresh_company_links(connection)
        pinned = action == OverrideAction.PIN
        record_admin_action(
            connection,
            status="link_pinned" if pinned else "link_broken",
            actor=actor,
            trigger="cli",
            source="salesforce",
            external_id=salesforce_id,
            reason=(
                f"salesforce {salesforce_id} and hubspot {hubspot_id} "
                f"{'pinned together' if pinned else 'kept apart'} by {actor}"
                + (f": {reason}" if reason else "")
            ),
        )
    verb = "pinned together" if action == OverrideAction.PIN else "kept apart"
    typer.echo(f"salesforce {salesforce_id} and hubspot {hubspot_id} are now {verb}")


@app.command("pin")
def pin(
    ctx: typer.Context,
    salesforce_id: str,
    hubspot_id: str,
    actor: Annotated[str, typer.Option(help=ACTOR_HELP)] = "cli",
    reason: Annotated[str | None, typer.Option(help="Why (kept for the audit).")] = None,
) -> None:
    """Link a Salesforce account and a HubSpot company whatever their domains say."""
    _override(ctx, salesforce_id, hubspot_id, OverrideAction.PIN, actor, reason)


@app.command("break")
def break_link(
    ctx: typer.Context,
    salesforce_id: str,
    hubspot_id: str,
    actor: Annotated[str, typer.Option(help=ACTOR_HELP)] = "cli",
    reason: Annotated[str | None, typer.Option(help="Why (kept for the audit).")] = None,
) -> None:
    """Keep a Salesforce account and a HubSpot company apart even if their domains match."""
    _override(ctx, salesforce_id, hubspot_id, OverrideAction.BREAK, actor, reason)


@app.command("clear")
def clear(
    ctx: typer.Context,
    salesforce_id: str,
    hubspot_id: str,
    actor: Annotated[str, typer.Option(help=ACTOR_HELP)] = "cli",
) -> None:
    """Forget a pin or break; the pair is linked by domain again, if at all."""
    database = cli_context(ctx).database()
    with database.engine.begin() as connection:
        existed = clear_link_override(connection, salesforce_id, hubspot_id)
        refresh_company_links(connection)
        if existed:
            record_admin_action(
                connection,
                status="link_cleared",
                actor=actor,
                trigger="cli",
                source="salesforce",
                external_id=salesforce_id,
                reason=(
                    f"the pin or break of salesforce {salesforce_id} and hubspot {hubspot_id} "
                    f"cleared by {actor}"
                ),
            )
    typer.echo("override removed" if existed else "there was no override for that pair")
