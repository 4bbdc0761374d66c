"""Settings of a sandbox HubSpot portal: tokens, limits, search lag and the clock.

Defaults are a Professional portal. Tests shrink the limits (a 10-second window of 5 requests is
exhausted in a blink) and inject a clock so that time-based behaviour needs no sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# Private-app tokens as HubSpot issues them: pat-<region>-<uuid>. HubSpot documents no format
# (https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview shows tokens
# masked), so the portal accepts whatever tokens it is configured with.
DEFAULT_ACCESS_TOKEN = "pat-na1-5ab0c5e1-0000-4000-8000-000000000001"


@dataclass(frozen=True)
class HubSpotPortalConfig:
    access_tokens: tuple[str, ...] = (DEFAULT_ACCESS_TOKEN,)
    """Private-app tokens the portal accepts as `Authorization: Bearer <token>`."""
    ten_second_limit: int = 190
    """Burst: 190 requests per 10 s per private app on Professional and Enterprise
    (https://developers.hubspot.com/changelog/increasing-our-api-limits)."""
    daily_limit: int = 625_000
    """Daily allowance of a Professional portal: 625,000 per account for private apps
    (https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview); the September
    2024 changelog above announced 650,000."""
    search_per_second: int = 5
    """Search requests per second per account
    (https://developers.hubspot.com/docs/api-reference/search/guide#limitations)."""
    search_delay_s: float = 0.0
    """How long a write takes to show in search; the fault profile's `search_delay_s`, when set,
    takes precedence."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch; every timestamp and rate window reads it."""
    portal_id: int = 24_000_001
    """The HubSpot account (hub) id; it names the rate-limit group in 429 bodies."""
    associations_page_size: int = 500
    """Associations listed per record in one page of an associations v4 batch read. HubSpot
    documents no figure for the batch read; the single-record read returns at most 500 per call
    (https://developers.hubspot.com/docs/api-reference/legacy/crm/associations/associate-records/get-associations.md),
    so the sandbox pages each record's associations 500 at a time."""
