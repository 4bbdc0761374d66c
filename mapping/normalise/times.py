"""CRM modified times as timezone-aware UTC datetimes, or a malformed record.

A record's modified time orders the pull and places it in the cursor, so one that is present but
not a time makes the whole record unusable: it raises `MalformedRecordError` (the sync skips the
record and audits why) rather than becoming None. The parsing itself is the one parser in
`territory_sync.times`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from territory_sync.times import parse_time


class MalformedRecordError(ValueError):
    """A CRM record the product cannot use; the message says why."""


def parse_crm_datetime(value: Any) -> datetime | None:
    """Salesforce `2026-01-01T00:00:00.000+0000`, ISO 8601 with `Z`, or epoch milliseconds."""
    try:
        return parse_time(value)
    except ValueError as error:
        raise MalformedRecordError(f"modified time {value!r} is not a date and time") from error
