"""Searching the audit log: the filters the CLI and the admin console share.

Filters are validated before they reach SQL (statuses from a fixed list, dates parsed, lengths
bounded) and always bound as parameters, so a hostile value can only fail validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from sync.audit import AUDIT
from sync.store.changes import CHANGE_FIELDS
from territory_sync.errors import ConfigurationError
from territory_sync.times import parse_iso_time

DECISION_STATUSES = (
    "written",
    "failed",
    "conflict",
    "skipped",
    "rolled_back",
    "held",
    "unfinished",
    "flagged_deleted",
)
"""What happened to an account's owner: shown by default."""
ADMIN_STATUSES = (
    "hold_released",
    "link_pinned",
    "link_broken",
    "link_cleared",
    "token_created",
    "token_revoked",
    "config_changed",
    "territory_edited",
    "rollback_started",
    "key_rotated",
)
"""State-changing admin actions: shown by default."""
PREVIEW_STATUSES = ("planned",)
"""One row per saved plan (its counts): shown with `include_planned`."""
AUDIT_STATUSES = (*DECISION_STATUSES, *ADMIN_STATUSES, *PREVIEW_STATUSES)
MAX_FILTER_LENGTH = 320

EXPORT_COLUMNS = (
    "id",
    "at",
    "run_id",
    "trigger",
    "actor",
    *CHANGE_FIELDS,
    "reason",
    "status",
    "error_code",
    "error_message",
    "attempts",
    "row_hash",
)


def parse_day(value: str, *, end: bool, name: str) -> datetime:
    """`2026-03-01` or a full ISO time; a bare day means its start (or, for `until`, its end)."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max if end else time.min, UTC)
        return parse_iso_time(value)
    except ValueError as error:
        raise ConfigurationError(
            f"{name} must be a date like 2026-03-01 or an ISO time", given=value
        ) from error


@dataclass(frozen=True)
class AuditFilter:
    run_id: int | None = None
    account: str | None = None
    """A CRM record id or part of an account name."""
    rep: str | None = None
    """A rep's email: rows where they gained or lost the account."""
    territory: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_planned: bool = False
    """Also the `planned` rows (one per saved plan); by default only decisions and actions."""

    def __post_init__(self) -> None:
        for name in ("account", "rep", "territory"):
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FILTER_LENGTH:
                raise ConfigurationError(
                    f"{name} filter is longer than {MAX_FILTER_LENGTH} characters"
                )
        if self.status is not None and self.status not in AUDIT_STATUSES:
            raise ConfigurationError(
                "unknown status", given=self.status, allowed=", ".join(AUDIT_STATUSES)
            )

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.run_id is not None:
            query = query.where(AUDIT.c.run_id == self.run_id)
        if self.account:
            query = query.where(
                or_(
                    AUDIT.c.external_id == self.account,
                    AUDIT.c.account_name.ilike(f"%{_escape_like(self.account)}%", escape="\\"),
                )
            )
        if self.rep:
            email = self.rep.lower()
            query = query.where(
                or_(AUDIT.c.old_owner_email == email, AUDIT.c.new_owner_email == email)
            )
        if self.territory:
            query = query.where(AUDIT.c.territory == self.territory)
        if self.status:
            query = query.where(AUDIT.c.status == self.status)
        elif not self.include_planned:
            query = query.where(AUDIT.c.status.not_in(PREVIEW_STATUSES))
        if self.since:
            query = query.where(AUDIT.c.at >= self.since)
        if self.until:
            query = query.where(AUDIT.c.at <= self.until)
        return query


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_audit(
    connection: Connection, filters: AuditFilter, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    query = filters.apply(select(AUDIT)).order_by(AUDIT.c.id.desc()).limit(limit).offset(offset)
    return [dict(row) for row in connection.execute(query).mappings()]


def iter_audit(connection: Connection, filters: AuditFilter) -> Iterator[dict[str, Any]]:
    """Every matching row, oldest first, streamed (for CSV export of any size)."""
    query = filters.apply(select(AUDIT)).order_by(AUDIT.c.id)
    for row in connection.execution_options(stream_results=True, yield_per=2000).execute(query):
        yield dict(row._mapping)
