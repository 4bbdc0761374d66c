"""`territory-sync scheduler`: run the schedule as a service; `scheduler status`: how it stands.

`territory-sync scheduler` (no subcommand) runs until SIGTERM or SIGINT (see `scheduler.py`).
`territory-sync scheduler status [--json]` shows each job's schedule and next fire time in the
configured time zone, its latest firing with the run's outcome, and whether a scheduler instance
is alive (host and pid) or its heartbeat is stale.

`--every-seconds N` is hidden and for tests only: it replaces the nightly cron with a trigger
firing every N seconds (on the wall clock, so several instances agree on the fire times).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sync.scheduling.status import scheduler_status
from territory_sync.cli.context import LogFormat, cli_context
from territory_sync.cli.output import JSON_OPTION_HELP, console, error_console, print_json

app = typer.Typer(
    help="Run the nightly sync and the weekly reconciliation on their schedule until stopped.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
def scheduler(
    ctx: typer.Context,
    every_seconds: Annotated[
        int | None,
        typer.Option(
            "--every-seconds",
            hidden=True,
            min=1,
            max=59,
            help="For tests only: fire the sync every N seconds instead of on its cron.",
        ),
    ] = None,
) -> None:
    """Run the schedule until SIGTERM or SIGINT (the run in progress finishes its batch first);
    `scheduler status` shows the jobs, next fire times, last runs and the heartbeat."""
    if ctx.invoked_subcommand is not None:
        return
    from scheduler import run_scheduler

    state = cli_context(ctx)
    settings = state.settings
    out = error_console if state.log_format == LogFormat.JSON else console
    run_scheduler(
        settings,
        state.database(),
        config_path=str(state.config_path) if state.config_path else None,
        database_url=state.database_url,
        announce=lambda text: out.print(text, markup=False, highlight=False),
        every_seconds=every_seconds,
    )


def _last(job: dict[str, Any]) -> str:
    last = job["last"]
    if last is None:
        return "none yet"
    text = f"fire time {last['fire_time']} ({last['decision'].replace('_', '-')})"
    if last["run_id"] is not None:
        text += f": run {last['run_id']} {last['run_status']}"
        figures = last["figures"]
        if figures:
            text += " (" + ", ".join(f"{k} {v}" for k, v in figures.items()) + ")"
    elif last["message"]:
        text += f": {last['message']}"
    return text


@app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Jobs, next fire times (configured time zone), last run of each, and the heartbeat."""
    state = cli_context(ctx)
    report = scheduler_status(state.settings, state.database())
    if as_json:
        print_json(report)
        return
    verdict = report["scheduler"]
    lines = [f"scheduler: {verdict['state']}: {verdict['reason']}"]
    active = verdict["active"]
    if active:
        lines.append(
            f"  active instance: pid {active['pid']} on {active['host']}, started "
            f"{active['started_at']}, heartbeat {active['heartbeat_age_seconds']:.0f} s ago"
        )
    lines.append(f"time zone: {report['timezone']}")
    for job in report["jobs"]:
        lines.append(f"{job['id']} ({job['name']}): {job['schedule']}")
        registered = "" if job["registered"] else " (not registered yet: no scheduler has run it)"
        lines.append(f"  next: {job['next_fire_time'] or 'never'}{registered}")
        lines.append(f"  last: {_last(job)}")
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
