"""`territory-sync alerts`: try each alert channel, list the alerts recorded, send pending ones.

`alerts test` sends a sample through every channel `[alerts]` configures (email to `--to` or the
admins, each admin webhook, each rep's webhook), once each, records nothing, and prints per
channel `ok` or the error; it exits 1 when any failed. `alerts list` shows the recorded alerts,
newest first (`--status failed` for those given up on). `alerts send` sends the pending ones now,
as every run does (`--retry-failed` first puts failed ones back in line); it exits 1 when any is
left undelivered.
"""

from __future__ import annotations

from typing import Annotated

import typer

from sync.alerts.delivery import send_samples
from sync.alerts.outbox import counts, list_alerts, retry_failed
from sync.alerts.run import deliver
from sync.store.alerts import AlertStatus
from territory_sync.cli.cells import time_zone
from territory_sync.cli.context import cli_context
from territory_sync.cli.output import (
    JSON_OPTION_HELP,
    LONG_TEXT_COLUMNS,
    WIDE_OPTION_HELP,
    print_json,
    print_rows,
    print_text,
)
from territory_sync.errors import ConfigurationError, ExitCode

app = typer.Typer(help="Alerts to reps and admins: try channels, list, send.", no_args_is_help=True)
COLUMNS = (
    "id",
    "created_at",
    "run_id",
    "event",
    "channel",
    "recipient",
    "subject",
    "status",
    "attempts",
    "last_error",
    "sent_at",
)
DEFAULT_COLUMNS = ("id", "recipient", "subject", "status", "last_error")
"""What fits an 80-column terminal; `--wide` adds the times, event, channel and attempts."""
NO_CHANNEL = (
    "no alert channel is configured: set [alerts] email_admins, email_to_reps, webhooks or "
    "rep_webhooks"
)


@app.command("test")
def test_channels(
    ctx: typer.Context,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="Send the email sample here (default: [alerts] email_admins)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Send a sample through each configured channel; print ok or the error for each."""
    settings = cli_context(ctx).settings
    checks = send_samples(settings.alerts, to=to or ())
    if not checks:
        raise ConfigurationError(NO_CHANNEL)
    if as_json:
        print_json(
            [
                {"channel": c.channel, "recipient": c.recipient, "ok": c.ok, "error": c.error}
                for c in checks
            ]
        )
    else:
        for check in checks:
            where = f"{check.channel} {check.recipient}".strip()
            if check.ok:
                print_text(f"{where}: ok", soft_wrap=True)
            else:
                print_text(f"{where}: error: {check.error}", style="red", soft_wrap=True)
    if not all(check.ok for check in checks):
        raise typer.Exit(ExitCode.CHANGES_FAILED)


@app.command("list")
def list_command(
    ctx: typer.Context,
    status: Annotated[
        AlertStatus | None, typer.Option("--status", help="Only alerts with this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Newest this many.")] = 50,
    wide: Annotated[bool, typer.Option("--wide", help=WIDE_OPTION_HELP)] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Recorded alerts, newest first: recipient, subject, status and error (`--wide`: event,
    channel, attempts and times too)."""
    state = cli_context(ctx)
    rows = list_alerts(state.database(), status=status, limit=limit)
    title = f"Alerts ({status.value})" if status is not None else "Alerts (newest first)"
    print_rows(
        rows,
        COLUMNS,
        default=DEFAULT_COLUMNS,
        wide=wide,
        title=title,
        as_json=as_json,
        numeric=("attempts",),
        long_text=(*LONG_TEXT_COLUMNS, "last_error", "subject"),
        zone=time_zone(state.settings),
    )


@app.command("send")
def send(
    ctx: typer.Context,
    again: Annotated[
        bool,
        typer.Option("--retry-failed", help="Also send the failed ones again (attempts anew)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Send the pending alerts now (every run does too), within [alerts] send_budget_seconds."""
    state = cli_context(ctx)
    database = state.database()
    requeued = retry_failed(database) if again else 0
    report = deliver(state.settings.alerts, database)
    left = counts(database)
    undelivered = report.pending + report.failed + report.not_tried
    if as_json:
        print_json({**report.as_dict(), "requeued": requeued, "by_status": left})
    else:
        message = f"Sent {report.sent:,}"
        if requeued:
            message += f" ({requeued:,} failed ones put back in line)"
        message += (
            f"; {left.get(AlertStatus.PENDING.value, 0):,} pending and "
            f"{left.get(AlertStatus.FAILED.value, 0):,} failed in all"
        )
        if undelivered:
            message += "; `territory-sync alerts list` shows their errors"
        print_text(message, soft_wrap=True)
    if undelivered:
        raise typer.Exit(ExitCode.CHANGES_FAILED)
