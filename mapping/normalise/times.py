"""CRM modified times, in the formats the two CRMs send, as timezone-aware UTC datetimes.

A record's modified time orders the pull and places it in the cursor, so one that is present but
not a time makes the whole record unusable: it raises `MalformedRecordError` (the sync skips the
record and audits why) rather than becoming None.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


class MalformedRecordError(ValueError):
    """A CRM record the product cannot use; the message says why."""


def parse_crm_datetime(value: Any) -> datetime | None:
    """Salesforce `2026-01-01T00:00:00.000+0000`, ISO 8601 with `Z`, or epoch milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = text[:-2] + ":" + text[-2:]
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise MalformedRecordError(f"modified time {value!r} is not a date and time") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
