"""What a person sees of a run: the plan before the question, the summary after the run.

Both are tables of figures with CRM text printed literally (never as markup). The summary always
shows what is left unfinished and why, what was held because a CRM's writes are switched off, and
what was already there, so nothing that happened hides in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer
from rich.table import Table

from sync.session import PlanPreview, SyncResult
from territory_sync.cli.cells import literal
from territory_sync.cli.output import console, error_console, print_json, print_text
from territory_sync.cli.stopping import default_interrupt

CRM_NAMES = {"salesforce": "Salesforce", "hubspot": "HubSpot"}


def _table(title: str) -> Table:
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    return table


def _plural(kind: str) -> str:
    """ "salesforce contact" -> "salesforce contacts"; "hubspot opportunity" -> "... deals"."""
    source, _, object_name = kind.partition(" ")
    if object_name == "opportunity":
        return f"{source} {'deals' if source == 'hubspot' else 'opportunities'}"
    return f"{kind}s"


def _row(table: Table, label: str, value: Any) -> None:
    table.add_row(literal(label), literal(value if isinstance(value, int) else str(value)))


def _planning_rows(table: Table, figures: Mapping[str, Any]) -> None:
    _row(table, "pulled", figures.get("pulled", 0))
    for source, pull in (figures.get("pull") or {}).items():
        if pull.get("full_because"):
            _row(table, f"  {CRM_NAMES.get(source, source)}: full pull", pull["full_because"])
    _row(table, "evaluated (records)", figures.get("evaluated", 0))
    _row(table, "changes planned", figures.get("planned", 0))
    for source, count in (figures.get("planned_by_crm") or {}).items():
        _row(table, f"  to {CRM_NAMES.get(source, source)}", count)
    for territory, count in list((figures.get("changes_by_territory") or {}).items())[:10]:
        _row(table, f"  in {territory}", count)
    if figures.get("writes_disabled"):
        _row(table, "held (writes switched off)", figures["writes_disabled"])
    if figures.get("kept_for_person"):
        _row(table, "kept as a person set them (holds)", figures["kept_for_person"])
    if figures.get("resuming_changes"):
        _row(table, "left to unfinished plans", figures["resuming_changes"])
    related = figures.get("related_records") or {}
    for kind, count in (related.get("by_kind") or {}).items():
        _row(table, f"  following their account: {_plural(kind)}", count)
    rebalance = figures.get("rebalance")
    if rebalance:
        proven = "optimal" if rebalance["optimal"] else f"at least {rebalance['moves_lower_bound']}"
        _row(table, "rebalanced (accounts moved)", f"{rebalance['moves']:,} ({proven})")
        outside = rebalance["territories_outside_tolerance"]
        if outside:
            _row(table, "  still outside tolerance", ", ".join(outside))
        if rebalance.get("recently_gained_kept"):
            _row(table, "  kept, gained recently", rebalance["recently_gained_kept"])
    _row(table, "skipped", figures.get("skipped", 0))
    _row(table, "ties (owner kept)", figures.get("ties", 0))
    for source, names in (figures.get("territories_without_active_member") or {}).items():
        _row(table, f"no active owner in {CRM_NAMES.get(source, source)}", ", ".join(names))
    for source, found in (figures.get("reconciled") or {}).items():
        _row(table, f"flagged deleted ({CRM_NAMES.get(source, source)})", found["flagged_deleted"])


def summary_table(result: SyncResult) -> Table:
    figures = result.figures
    table = _table(f"Run {result.run_id}: {result.status.value}")
    _planning_rows(table, figures)
    _row(table, "written", figures.get("written", 0))
    if figures.get("already_there"):
        _row(table, "already there (not written again)", figures["already_there"])
    for kind, outcomes in (figures.get("related") or {}).items():
        told = ", ".join(f"{count:,} {outcome}" for outcome, count in sorted(outcomes.items()))
        _row(table, f"{_plural(kind)} (following their account)", told)
    _row(table, "failed", figures.get("failed", 0))
    _row(table, "conflicts (left alone)", figures.get("conflicts", 0))
    _row(table, "unfinished (re-checked next run)", figures.get("unfinished", 0))
    for why, count in list((figures.get("why_unfinished") or {}).items())[:5]:
        _row(table, f"  {count:,} because", why)
    if figures.get("held"):
        _row(table, "held (writes switched off)", figures["held"])
        for why, count in (figures.get("why_held") or {}).items():
            _row(table, f"  {count:,} because", why)
    if figures.get("deleted"):
        _row(table, "records gone (flagged deleted)", figures["deleted"])
    retired = (figures.get("unfinished_plans") or {}).get("retired") or {}
    for plan_id, why in retired.items():
        _row(table, f"plan {plan_id} retired", why)
    for source, calls in (figures.get("api_calls") or {}).items():
        _row(table, f"API calls, {CRM_NAMES.get(source, source)}", calls.get("calls", 0))
    _row(table, "duration", f"{figures.get('duration_seconds', 0):.1f} s")
    if result.plan_id is not None:
        _row(table, "plan", result.plan_id)
    return table


def preview_table(preview: PlanPreview) -> Table:
    table = _table(f"Plan {preview.plan_id} (run {preview.run_id}): nothing written yet")
    _planning_rows(table, preview.figures)
    for plan_id, count in preview.resuming.items():
        _row(table, f"unfinished plan {plan_id}: changes to finish", count)
    _row(table, "guard rails", preview.verdict.message)
    return table


def _question(preview: PlanPreview) -> str:
    by_crm = preview.figures.get("planned_by_crm") or {}
    where = " and ".join(
        f"{CRM_NAMES.get(source, source)} ({count:,})" for source, count in by_crm.items()
    )
    parts = [
        f"Write {preview.verdict.changes:,} owner change(s)" + (f" to {where}" if where else "")
    ]
    left = sum(preview.resuming.values())
    if left:
        parts.append(f"finish {left:,} change(s) of unfinished plans")
    return ", and ".join(parts) + "?"


def ask_in_terminal(preview: PlanPreview) -> bool:
    """Show the plan and the guard-rail verdict, then ask; Ctrl-C or no answer means no."""
    error_console.print(preview_table(preview))
    for swing in preview.verdict.flagged_reps:
        print_text(
            f"flagged: {swing.email} gains {swing.gains}, loses {swing.losses} accounts", err=True
        )
    try:
        with default_interrupt():
            return bool(typer.confirm(_question(preview), default=False, err=True))
    except (typer.Abort, KeyboardInterrupt, EOFError):
        return False


def report_data(result: SyncResult) -> dict[str, Any]:
    """The outcome as `--json` prints it."""
    return {
        "run_id": result.run_id,
        "plan_id": result.plan_id,
        "status": result.status.value,
        "exit_code": result.exit_code,
        "message": result.message,
        "figures": result.figures,
    }


def report(result: SyncResult, as_json: bool) -> None:
    """Print the outcome (a table, or JSON) and exit with the run's code."""
    if as_json:
        print_json(report_data(result))
    else:
        console.print(summary_table(result))
        verdict = result.verdict
        if verdict is not None:
            for swing in verdict.flagged_reps:
                print_text(
                    f"flagged: {swing.email} gains {swing.gains}, loses {swing.losses} "
                    "accounts in this run",
                    style="yellow",
                )
        if result.message:
            print_text(result.message, style="red" if result.exit_code else "green")
    if result.exit_code:
        raise typer.Exit(result.exit_code)
