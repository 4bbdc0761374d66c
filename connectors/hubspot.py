"""The HubSpot connector: companies and owners in, company owners out, on hubspot-api-client.

A full pull lists every live company page by page (by id, so the position comes with the last
page: the moment the pull started, less the lookback, so that the next incremental pull catches
anything modified while it ran). An incremental pull lists the companies archived since the
cursor (search never returns them) and then walks the search endpoint on
`hs_lastmodifieddate` (`connectors.hubspot_search`). Owners are HubSpot owners, assigned by owner
id. Write-back is in `connectors.hubspot_writeback`; every request goes through
`connectors.hubspot_client`, which paces, times out, retries and wraps it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from connectors import hubspot_calls
from connectors.base import (
    AccountPage,
    ApiUsage,
    OwnerWrite,
    PullMode,
    PullPosition,
    WriteOutcome,
)
from connectors.budget import ApiBudget
from connectors.hubspot_client import HubSpotTransport, build_apis
from connectors.hubspot_records import archived_at, epoch_ms, from_epoch_ms, raw_account
from connectors.hubspot_search import ChangedPage, Company, walk_changes
from connectors.hubspot_settings import (
    BASE_URL_SETTING,
    BATCH_LIMIT,
    BURST_MARGIN_CALLS,
    BURST_WINDOW_SECONDS,
    PULL_PROPERTIES,
    SEARCH_PAGE_LIMIT,
    SEARCH_WINDOW_SECONDS,
    SEARCH_WINDOW_SLACK_SECONDS,
    SOURCE,
    TOKEN_ENV_VAR,
    TOKEN_PURPOSE,
    WINDOW_SLACK_SECONDS,
)
from connectors.hubspot_writeback import write_owner_batch
from connectors.rate_limit import SlidingWindowLimiter
from connectors.retry import RetryPolicy, policy_from_settings
from mapping.unified import UnifiedRep
from territory_sync.errors import ConfigurationError, MissingCredentialError
from territory_sync.logs import log_event
from territory_sync.settings import Settings

DEFAULT_BASE_URL = "https://api.hubapi.com"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HubSpotConnector:
    """`CrmConnector` for HubSpot companies; safe to share between write-back threads."""

    source = SOURCE

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        extra_properties: Sequence[str] = (),
        write_batch_size: int = BATCH_LIMIT,
        requests_per_ten_seconds: int = 190,
        search_requests_per_second: int = 5,
        timeout_seconds: float = 60.0,
        api_budget_share: float = 0.8,
        retry_policy: RetryPolicy = RetryPolicy(),
        burst_window_seconds: float = BURST_WINDOW_SECONDS,
        clock: Callable[[], datetime] = _utc_now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`burst_window_seconds` is the length of HubSpot's burst window (10 s); only an
        emulator whose clock runs faster than real time has a shorter one. `sleep` waits between
        write rounds."""
        if not access_token.strip():
            raise MissingCredentialError(TOKEN_ENV_VAR, TOKEN_PURPOSE)
        if not base_url.startswith(("https://", "http://")):
            raise ConfigurationError(
                "must be an http(s) URL such as https://api.hubapi.com",
                key=BASE_URL_SETTING,
                given=base_url,
            )
        if not 1 <= write_batch_size <= BATCH_LIMIT:
            raise ValueError(f"write_batch_size must be between 1 and {BATCH_LIMIT}")
        self.base_url = base_url.rstrip("/")
        self.write_batch_size = write_batch_size
        self.properties = tuple(dict.fromkeys((*PULL_PROPERTIES, *extra_properties)))
        self.retry_policy = retry_policy
        self.usage = ApiUsage()
        self.budget = ApiBudget(SOURCE, share=api_budget_share)
        self._clock = clock
        self._sleep = sleep
        self._field_names: frozenset[str] | None = None
        self._field_names_lock = threading.Lock()
        self.burst_limiter = SlidingWindowLimiter(
            max(1, requests_per_ten_seconds - BURST_MARGIN_CALLS),
            burst_window_seconds + WINDOW_SLACK_SECONDS,
        )
        self.search_limiter = SlidingWindowLimiter(
            search_requests_per_second, SEARCH_WINDOW_SECONDS + SEARCH_WINDOW_SLACK_SECONDS
        )
        self.transport = HubSpotTransport(
            build_apis(access_token.strip(), self.base_url),
            base_url=self.base_url,
            timeout_seconds=timeout_seconds,
            policy=retry_policy,
            burst_limiter=self.burst_limiter,
            search_limiter=self.search_limiter,
            usage=self.usage,
            budget=self.budget,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        environ: Mapping[str, str] = os.environ,
        *,
        retry_policy: RetryPolicy | None = None,
    ) -> HubSpotConnector:
        """Built from `[hubspot]` and `[sync]` settings and `HUBSPOT_ACCESS_TOKEN`."""
        token = (environ.get(TOKEN_ENV_VAR) or "").strip()
        if not token:
            raise MissingCredentialError(TOKEN_ENV_VAR, TOKEN_PURPOSE)
        hubspot = settings.hubspot
        return cls(
            token,
            base_url=hubspot.base_url,
            extra_properties=hubspot.extra_properties,
            write_batch_size=hubspot.write_batch_size,
            requests_per_ten_seconds=hubspot.requests_per_ten_seconds,
            search_requests_per_second=hubspot.search_requests_per_second,
            timeout_seconds=hubspot.timeout_seconds,
            api_budget_share=settings.sync.api_budget_share,
            retry_policy=retry_policy
            or policy_from_settings(
                settings.sync.max_attempts, settings.sync.retry_initial_seconds
            ),
        )

    # -- pulling companies -----------------------------------------------------------------

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        """`extra_fields` are properties asked for beside the default and configured ones, in
        list and search alike."""
        properties = tuple(dict.fromkeys((*self.properties, *extra_fields)))
        if mode == PullMode.FULL or since is None:
            return self._pull_all(lookback, properties)
        return self._pull_changed(since, lookback, properties)

    def _pull_all(self, lookback: timedelta, properties: Sequence[str]) -> Iterator[AccountPage]:
        started = self._clock()
        after: str | None = None
        while True:
            companies, after = hubspot_calls.list_companies(
                self.transport, after=after, properties=properties, archived=False
            )
            records = [raw_account(c) for c in companies]
            log_event("crm.page", source=SOURCE, records=len(records), mode="full")
            if after is None:
                yield AccountPage(records, PullPosition(started - lookback), final=True)
                return
            yield AccountPage(records, None)

    def _pull_changed(
        self, since: PullPosition, lookback: timedelta, properties: Sequence[str]
    ) -> Iterator[AccountPage]:
        start = since.modified_at - lookback
        # A position inside one timestamp's walk is exact only when nothing is looked back on.
        resume_after_id = since.record_id if lookback <= timedelta(0) else None
        yield from self._archived_since(start, properties)
        for page in walk_changes(
            partial(self._search, properties=properties),
            epoch_ms(start),
            resume_after_id=resume_after_id,
            page_limit=SEARCH_PAGE_LIMIT,
        ):
            records = [raw_account(c) for c in page.companies]
            log_event("crm.page", source=SOURCE, records=len(records), mode="incremental")
            yield AccountPage(records, _position(page, since), final=page.final)

    def _search(
        self, filters: list[dict[str, str]], sort_property: str, properties: Sequence[str]
    ) -> list[Company]:
        return hubspot_calls.search_companies(self.transport, filters, sort_property, properties)

    def _archived_since(self, start: datetime, properties: Sequence[str]) -> Iterator[AccountPage]:
        """Companies archived at or after `start`, flagged deleted: search never returns
        archived companies, so they are listed (`archived=true`) and filtered here."""
        after: str | None = None
        while True:
            companies, after = hubspot_calls.list_companies(
                self.transport, after=after, properties=properties, archived=True
            )
            records = [
                raw_account(c, deleted=True)
                for c in companies
                if (archived_at(c) or start) >= start
            ]
            if records:
                log_event("crm.page", source=SOURCE, records=len(records), mode="archived")
                yield AccountPage(records, None)
            if after is None:
                return

    # -- owners ------------------------------------------------------------------------------

    def pull_reps(self) -> list[UnifiedRep]:
        """Active owners and archived ones (reps who left), each by owner id, never userId."""
        reps: list[UnifiedRep] = []
        for archived in (False, True):
            after: str | None = None
            while True:
                owners, after = hubspot_calls.list_owners(
                    self.transport, after=after, archived=archived
                )
                reps.extend(
                    UnifiedRep(
                        source=SOURCE,
                        crm_id=str(owner["id"]),
                        email=str(owner["email"]),
                        name=_full_name(owner),
                        active=not archived,
                    )
                    for owner in owners
                    if owner.get("id") and owner.get("email")
                )
                if after is None:
                    break
        return reps

    def account_field_names(self) -> frozenset[str]:
        """Every company property's name, from the properties API; read once."""
        with self._field_names_lock:
            if self._field_names is None:
                self._field_names = hubspot_calls.company_property_names(self.transport)
            return self._field_names

    def list_account_ids(self) -> Iterator[list[str]]:
        """The ids of every live company, 100 a page (the list endpoint's largest)."""
        after: str | None = None
        while True:
            ids, after = hubspot_calls.list_company_ids(self.transport, after=after)
            if ids:
                yield ids
            if after is None:
                return

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        owners: dict[str, str | None] = {}
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), BATCH_LIMIT):
            chunk = ids[start : start + BATCH_LIMIT]
            owners.update(hubspot_calls.read_owners(self.transport, chunk).owners)
        return owners

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        if len(writes) > self.write_batch_size:
            raise ValueError(
                f"a HubSpot write batch holds at most {self.write_batch_size} writes; "
                f"got {len(writes)}"
            )
        return write_owner_batch(
            self.transport,
            writes,
            respect_manual_changes=respect_manual_changes,
            policy=self.retry_policy,
            sleep=self._sleep,
        )


def _full_name(owner: dict[str, object]) -> str | None:
    parts = [str(owner.get(key) or "").strip() for key in ("firstName", "lastName")]
    return " ".join(p for p in parts if p) or None


def _position(page: ChangedPage, since: PullPosition) -> PullPosition:
    """The page's position, never behind `since` (a lookback re-reads older companies)."""
    if page.modified_ms is None:
        return since
    position = PullPosition(from_epoch_ms(page.modified_ms), page.last_id)
    return position if position.modified_at >= since.modified_at else since
