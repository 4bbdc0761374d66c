"""Audit rows for what an admin changes outside the owner decisions themselves.

Who owns what depends on more than the territory file's output: the configuration, the territory
file itself, cross-CRM link pins and breaks, rollbacks, API tokens. Each change of that kind is one
audit row with the actor, so the log answers "why did this owner change" end to end. Statuses are
the `ADMIN_STATUSES` of `sync.audit_search`.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, select

from sync.audit import AuditRecord, append_audit
from sync.store.runs import Run, RunStatus

RUNS: Table = Run.__table__  # type: ignore[attr-defined]


def record_admin_action(
    connection: Connection,
    *,
    status: str,
    actor: str,
    trigger: str,
    reason: str,
    run_id: int | None = None,
    source: str | None = None,
    external_id: str | None = None,
) -> None:
    """One audit row for one admin action, in the caller's transaction."""
    append_audit(
        connection,
        [
            AuditRecord(
                run_id=run_id,
                trigger=trigger,
                actor=actor,
                status=status,
                source=source,
                external_id=external_id,
                rule="admin",
                reason=reason,
            )
        ],
    )


def record_fingerprint_changes(
    connection: Connection,
    *,
    run_id: int,
    actor: str,
    trigger: str,
    config_fingerprint: str,
    territory_fingerprint: str,
    territory_file: str,
) -> list[str]:
    """Compare this run's configuration and territory file with the last finished run's and
    record each that changed; returns the statuses recorded."""
    previous = connection.execute(
        select(RUNS.c.id, RUNS.c.config_fingerprint, RUNS.c.territory_fingerprint)
        .where(
            RUNS.c.id != run_id,
            RUNS.c.kind.in_(("sync", "plan")),
            RUNS.c.status != RunStatus.RUNNING.value,
            RUNS.c.territory_fingerprint.is_not(None),
        )
        .order_by(RUNS.c.id.desc())
        .limit(1)
    ).first()
    if previous is None:
        return []
    recorded = []
    if previous.config_fingerprint and previous.config_fingerprint != config_fingerprint:
        record_admin_action(
            connection,
            status="config_changed",
            actor=actor,
            trigger=trigger,
            run_id=run_id,
            reason=(
                f"the configuration differs from run {previous.id}'s (fingerprint "
                f"{previous.config_fingerprint} -> {config_fingerprint})"
            ),
        )
        recorded.append("config_changed")
    if previous.territory_fingerprint != territory_fingerprint:
        record_admin_action(
            connection,
            status="territory_edited",
            actor=actor,
            trigger=trigger,
            run_id=run_id,
            reason=(
                f"{territory_file} differs from the file run {previous.id} used (fingerprint "
                f"{previous.territory_fingerprint[:12]} -> {territory_fingerprint[:12]})"
            ),
        )
        recorded.append("territory_edited")
    return recorded
