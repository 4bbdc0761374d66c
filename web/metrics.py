"""`GET /metrics`: the product's figures in the Prometheus text exposition format (version 0.0.4),
written by prometheus-client.

Each console has its own `CollectorRegistry` (`metrics_registry`) holding one collector that reads
the database at each scrape, so every process that runs syncs (the CLI, the scheduler, the
console) is counted: runs by kind and status, audit rows (changes) by status, CRM API calls
recorded by runs, and the time of the last successful sync.
Format: https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select

from sync.audit import AUDIT
from sync.runs import RUNS
from sync.store.database import Database
from sync.store.runs import RunStatus

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
"""`text/plain; version=0.0.4; charset=utf-8`, the text format every Prometheus reads."""


@dataclass(frozen=True)
class StoreFigures:
    """What one scrape reads from the database."""

    runs: list[tuple[str, str, int]]
    """(kind, status, count)"""
    changes: list[tuple[str, int]]
    """(status, count)"""
    api_calls: dict[str, int]
    """CRM -> calls"""
    last_success: datetime | None


def read_figures(database: Database) -> StoreFigures:
    api_calls: Counter[str] = Counter()
    with database.engine.connect() as connection:
        runs = connection.execute(
            select(RUNS.c.kind, RUNS.c.status, func.count())
            .group_by(RUNS.c.kind, RUNS.c.status)
            .order_by(RUNS.c.kind, RUNS.c.status)
        ).all()
        changes = connection.execute(
            select(AUDIT.c.status, func.count()).group_by(AUDIT.c.status).order_by(AUDIT.c.status)
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
        last_success = last_success.replace(tzinfo=UTC)
    return StoreFigures(
        runs=[(kind, status, int(count)) for kind, status, count in runs],
        changes=[(status, int(count)) for status, count in changes],
        api_calls=dict(sorted(api_calls.items())),
        last_success=last_success,
    )


class StoreCollector:
    """A prometheus-client collector over the product's database, read afresh at each scrape."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def collect(self) -> Iterator[Metric]:
        figures = read_figures(self._database)
        runs = CounterMetricFamily(
            "territory_sync_runs_total",
            "Runs recorded, by kind and outcome.",
            labels=("kind", "status"),
        )
        for kind, status, count in figures.runs:
            runs.add_metric((kind, status), count)
        yield runs
        changes = CounterMetricFamily(
            "territory_sync_changes_total",
            "Audit log rows (owner changes and decisions), by status.",
            labels=("status",),
        )
        for status, count in figures.changes:
            changes.add_metric((status,), count)
        yield changes
        api_calls = CounterMetricFamily(
            "territory_sync_api_calls_total",
            "CRM API calls made by recorded runs, by CRM.",
            labels=("source",),
        )
        for source, calls in figures.api_calls.items():
            api_calls.add_metric((source,), calls)
        yield api_calls
        yield GaugeMetricFamily(
            "territory_sync_last_success_timestamp_seconds",
            "Unix time the last successful sync or apply finished (0: never).",
            value=figures.last_success.timestamp() if figures.last_success else 0.0,
        )


def metrics_registry(database: Database) -> CollectorRegistry:
    """A registry of its own for one console (nothing is read until a scrape)."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(database))
    return registry


def render_metrics(registry: CollectorRegistry) -> bytes:
    """The registry's figures in the text exposition format (`CONTENT_TYPE`)."""
    return generate_latest(registry)
