"""The `alerts` table as an outbox: record each alert once, claim an attempt, note how it went.

`record` inserts alerts and leaves out any whose dedup key is already there (the same alert is
recorded, and sent, once, however often a run or a retry builds it). Before each attempt the
sender claims it (`claim_attempt`: `attempts` goes up by one only if nobody else attempted it
meanwhile and it is still pending), so two processes sending pending alerts at once (a run and
`territory-sync alerts send`) never send the same one twice. Errors are stored in the product's
own words, scrubbed of secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from sync.alerts.messages import OutgoingAlert
from sync.store.alerts import Alert, AlertStatus
from sync.store.database import Database
from territory_sync.logs import scrub

ALERTS: Table = Alert.__table__  # type: ignore[attr-defined]
SUBJECT_LENGTH = 255
ERROR_LENGTH = 2_000


def _row(alert: OutgoingAlert, now: datetime) -> dict[str, Any]:
    row = asdict(alert)
    subject = scrub(" ".join(alert.subject.split()))
    row.update(
        subject=subject[: SUBJECT_LENGTH - 1] + "…" if len(subject) > SUBJECT_LENGTH else subject,
        body=scrub(alert.body),
        created_at=now,
        status=AlertStatus.PENDING.value,
        attempts=0,
    )
    return row


def record(database: Database, alerts: Sequence[OutgoingAlert]) -> int:
    """Insert the alerts not recorded before (by dedup key); returns how many were new."""
    if not alerts:
        return 0
    now = datetime.now(UTC)
    insert = postgresql_insert if database.dialect == "postgresql" else sqlite_insert
    new = 0
    with database.engine.begin() as connection:
        for alert in {a.dedup_key: a for a in alerts}.values():
            statement = insert(ALERTS).values(_row(alert, now))
            inserted = connection.execute(
                statement.on_conflict_do_nothing(index_elements=["dedup_key"]).returning(
                    ALERTS.c.id
                )
            )
            new += len(inserted.all())
    return new


def pending(database: Database, *, limit: int = 1_000) -> list[dict[str, Any]]:
    """Pending alerts, oldest first."""
    with database.engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                select(ALERTS)
                .where(ALERTS.c.status == AlertStatus.PENDING.value)
                .order_by(ALERTS.c.created_at, ALERTS.c.id)
                .limit(limit)
            ).mappings()
        ]


def claim_attempt(database: Database, alert_id: int, attempts_seen: int) -> bool:
    """Count one more attempt, if the alert is still pending with `attempts_seen` attempts;
    False when another sender got there first."""
    with database.engine.begin() as connection:
        result = connection.execute(
            update(ALERTS)
            .where(
                ALERTS.c.id == alert_id,
                ALERTS.c.status == AlertStatus.PENDING.value,
                ALERTS.c.attempts == attempts_seen,
            )
            .values(attempts=attempts_seen + 1)
        )
    return bool(result.rowcount)


def _error_text(error: str) -> str:
    text = scrub(error)
    return text if len(text) <= ERROR_LENGTH else text[: ERROR_LENGTH - 1] + "…"


def mark_sent(database: Database, alert_id: int) -> None:
    with database.engine.begin() as connection:
        connection.execute(
            update(ALERTS)
            .where(ALERTS.c.id == alert_id)
            .values(status=AlertStatus.SENT.value, sent_at=datetime.now(UTC))
        )


def note_error(database: Database, alert_id: int, error: str, *, failed: bool = False) -> None:
    """Keep the latest error; `failed`: give up on the alert (else it stays pending)."""
    values: dict[str, Any] = {"last_error": _error_text(error)}
    if failed:
        values["status"] = AlertStatus.FAILED.value
    with database.engine.begin() as connection:
        connection.execute(update(ALERTS).where(ALERTS.c.id == alert_id).values(**values))


def retry_failed(database: Database) -> int:
    """Put every failed alert back to pending with its attempts counted afresh (the admin fixed
    the channel); returns how many."""
    with database.engine.begin() as connection:
        result = connection.execute(
            update(ALERTS)
            .where(ALERTS.c.status == AlertStatus.FAILED.value)
            .values(status=AlertStatus.PENDING.value, attempts=0)
        )
    return int(result.rowcount or 0)


def list_alerts(
    database: Database, *, status: AlertStatus | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The newest alerts first (of one status if given)."""
    query = select(ALERTS).order_by(ALERTS.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(ALERTS.c.status == status.value)
    with database.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def counts(database: Database) -> dict[str, int]:
    """Alerts per status."""
    with database.engine.connect() as connection:
        return {
            str(status): int(count)
            for status, count in connection.execute(
                select(ALERTS.c.status, func.count()).group_by(ALERTS.c.status)
            )
        }
