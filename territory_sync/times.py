"""Times as the CRMs and people write them: the one parser for ISO 8601 and epoch milliseconds.

Salesforce writes `2026-01-01T00:00:00.000+0000` in REST answers and `...Z` in Bulk CSV
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_valid_date_formats.htm);
HubSpot writes ISO 8601 with `Z` in objects and takes (and sometimes gives) milliseconds since the
epoch (https://developers.hubspot.com/docs/faq/how-should-timestamps-be-formatted-for-hubspots-apis).
Python's `datetime.fromisoformat` reads every ISO form above (since Python 3.11); a time without
an offset is taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MILLISECOND = timedelta(milliseconds=1)


def from_epoch_ms(ms: int) -> datetime:
    """The moment `ms` milliseconds after the epoch (exact: no floating point)."""
    return EPOCH + ms * ONE_MILLISECOND


def parse_time(value: object) -> datetime | None:
    """An aware datetime from ISO 8601 text (any offset, `Z`, or none for UTC), digits read as
    epoch milliseconds, or a datetime; None for None or empty text. Raises ValueError for
    anything else: the caller says which value of what it was."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    return from_epoch_ms(int(text)) if text.isdigit() else parse_iso_time(text)


@lru_cache(maxsize=65_536)
def parse_iso_time(text: str) -> datetime:
    """An aware datetime from ISO 8601 text alone (no epoch numbers: what a person types);
    ValueError when it is not one. Cached: a pull reads the same stamps again and again."""
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def shown_time(moment: datetime, zone: tzinfo = UTC, *, named: bool = True) -> str:
    """A moment as people read it: in `zone`, to the second, with the zone's abbreviation
    ("2026-03-01 03:00:05 CET"); `named=False` leaves the zone out, for a heading that names it.
    A naive moment is taken as UTC."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    text = f"{local:%Y-%m-%d %H:%M:%S}"
    return f"{text} {local.tzname() or zone}" if named else text
