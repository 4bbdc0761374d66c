"""`GET /metrics`: the product's figures in the Prometheus text exposition format (version 0.0.4).

Read from the database on each scrape, so every process that runs syncs (the CLI, the scheduler,
the console) is counted: runs by kind and status, audit rows (changes) by status, CRM API calls
recorded by runs, and the time of the last successful sync.
Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from sync.audit import AUDIT
from sync.runs import RUNS
from sync.store.database import Database
from sync.store.runs import RunStatus

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _family(
    name: str, kind: str, help_text: str, samples: list[tuple[dict[str, str], float]]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    for labels, value in samples:
        rendered = ",".join(f'{key}="{_label(val)}"' for key, val in sorted(labels.items()))
        lines.append(f"{name}{{{rendered}}} {value:g}" if rendered else f"{name} {value:g}")
    return lines


def render_metrics(database: Database) -> str:
    api_calls: Counter[str] = Counter()
    with database.engine.connect() as connection:
        runs = connection.execute(
            select(RUNS.c.kind, RUNS.c.status, func.count()).group_by(RUNS.c.kind, RUNS.c.status)
        ).all()
        changes = connection.execute(
            select(AUDIT.c.status, func.count()).group_by(AUDIT.c.status)
        ).all()
        last_success: datetime | None = connection.execute(
            select(func.max(RUNS.c.finished_at)).where(
                RUNS.c.status == RunStatus.SUCCEEDED.value, RUNS.c.kind.in_(("sync", "apply"))
            )
        ).scalar()
        for (figures,) in connection.execution_options(yield_per=1000).execute(
            select(RUNS.c.figures)
        ):
            for source, usage in ((figures or {}).get("api_calls") or {}).items():
                if isinstance(usage, dict) and isinstance(usage.get("calls"), int):
                    api_calls[source] += usage["calls"]
    if isinstance(last_success, datetime) and last_success.tzinfo is None:
        from datetime import UTC

        last_success = last_success.replace(tzinfo=UTC)
    lines: list[str] = []
    lines += _family(
        "territory_sync_runs_total",
        "counter",
        "Runs recorded, by kind and outcome.",
        [({"kind": kind, "status": status}, float(count)) for kind, status, count in runs],
    )
    lines += _family(
        "territory_sync_changes_total",
        "counter",
        "Audit log rows (owner changes and decisions), by status.",
        [({"status": status}, float(count)) for status, count in changes],
    )
    lines += _family(
        "territory_sync_api_calls_total",
        "counter",
        "CRM API calls made by recorded runs, by CRM.",
        [({"source": source}, float(count)) for source, count in sorted(api_calls.items())],
    )
    lines += _family(
        "territory_sync_last_success_timestamp_seconds",
        "gauge",
        "Unix time the last successful sync or apply finished (0: never).",
        [({}, last_success.timestamp() if last_success else 0.0)],
    )
    return "\n".join(lines) + "\n"
