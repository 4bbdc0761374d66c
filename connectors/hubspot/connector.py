"""The HubSpot connector: companies and owners in, company owners out, on hubspot-api-client.

A full pull lists every live company page by page (by id, so the position comes with the last
page: the moment the pull started, less the lookback, so that the next incremental pull catches
anything modified while it ran). An incremental pull walks the search endpoint on
`hs_lastmodifieddate` from the saved position (`connectors.hubspot.search`), with the lookback
as part of the same request. Told how many companies the portal holds (`expect_accounts`: the
sync passes the store's count), it first weighs the walk against listing every live company and
keeping those modified since the window start, from the first search's total, and lists when
that is faster (`connectors.hubspot.strategy`; logged as `crm.pull_strategy`). If search stops
making progress (it answered one timestamp's filters inconsistently), the pull logs
`crm.search_inconsistent` and lists the window the same way.

Incremental pulls do not read archived (deleted) companies. Search never returns them, and the
list endpoint's `archived=true` pages by id with no filter or sort on when a company was archived
(https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/get-companies), so
reading them incrementally would mean listing them all on every run. Deletions are found instead
by the full pull (the sync flags every account it no longer returned), by reconciling the ids in
the store with `list_account_ids`, and by write-back's read answering OBJECT_NOT_FOUND.

Owners are HubSpot owners, assigned by owner id. Write-back is in `connectors.hubspot.writes`;
every request goes through `connectors.hubspot.client`, which paces, times out, retries and
wraps it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial

from connectors.base import (
    AccountPage,
    ApiUsage,
    CrmUser,
    OwnerWrite,
    PullMode,
    PullPosition,
    RawAccount,
    WriteOutcome,
)
from connectors.budget import ApiBudget
from connectors.hubspot import calls
from connectors.hubspot.client import HubSpotTransport, build_apis
from connectors.hubspot.records import epoch_ms, modified_at, raw_account
from connectors.hubspot.related import HubSpotObjectWriter, RelatedPull
from connectors.hubspot.search import (
    ChangedPage,
    Company,
    FilterGroups,
    SearchAnswer,
    walk_changes,
)
from connectors.hubspot.settings import (
    BASE_URL_SETTING,
    BATCH_LIMIT,
    BURST_MARGIN_CALLS,
    BURST_WINDOW_SECONDS,
    COMPANIES,
    ID_PROPERTY,
    MODIFIED_PROPERTY,
    RELATED_OBJECTS,
    SEARCH_PAGE_LIMIT,
    SEARCH_WINDOW_SECONDS,
    SEARCH_WINDOW_SLACK_SECONDS,
    SOURCE,
    TOKEN_ENV_VAR,
    TOKEN_PURPOSE,
    WINDOW_SLACK_SECONDS,
)
from connectors.hubspot.strategy import PullEstimate, choose
from connectors.rate_limit import SlidingWindowLimiter
from connectors.retry import RetryPolicy, policy_from_settings
from territory_sync.errors import ConfigurationError, CrmRequestError, MissingCredentialError
from territory_sync.logs import log_event
from territory_sync.objects import CONTACT
from territory_sync.settings import Settings
from territory_sync.times import ONE_MILLISECOND, from_epoch_ms

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
        fields: Sequence[str] = (),
        extra_properties: Sequence[str] = (),
        write_batch_size: int = BATCH_LIMIT,
        contact_write_batch_size: int = BATCH_LIMIT,
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
        self.contact_write_batch_size = contact_write_batch_size
        self.properties = tuple(
            dict.fromkeys((ID_PROPERTY, *fields, *extra_properties, MODIFIED_PROPERTY))
        )
        """Every pull asks for these: the `fields` the caller names (the sync passes those the
        unified model is made of), the configured ones and the connector's own."""
        self.retry_policy = retry_policy
        self.usage = ApiUsage()
        self.budget = ApiBudget(SOURCE, share=api_budget_share)
        self._clock = clock
        self._sleep = sleep
        self._expected_companies: int | None = None
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
        fields: Sequence[str] = (),
        retry_policy: RetryPolicy | None = None,
    ) -> HubSpotConnector:
        """Built from `[hubspot]` and `[sync]` settings and `HUBSPOT_ACCESS_TOKEN`; `fields` as
        for the constructor."""
        token = (environ.get(TOKEN_ENV_VAR) or "").strip()
        if not token:
            raise MissingCredentialError(TOKEN_ENV_VAR, TOKEN_PURPOSE)
        hubspot = settings.hubspot
        return cls(
            token,
            base_url=hubspot.base_url,
            fields=fields,
            extra_properties=hubspot.extra_properties,
            write_batch_size=hubspot.write_batch_size,
            contact_write_batch_size=hubspot.contact_write_batch_size,
            requests_per_ten_seconds=hubspot.requests_per_ten_seconds,
            search_requests_per_second=hubspot.search_requests_per_second,
            timeout_seconds=hubspot.timeout_seconds,
            api_budget_share=settings.sync.api_budget_share,
            retry_policy=retry_policy or policy_from_settings(settings.sync),
        )

    # -- pulling companies -----------------------------------------------------------------

    def expect_accounts(self, count: int) -> None:
        """How many companies the portal holds, as far as the caller knows (the store's count):
        an incremental pull then lists every company instead of searching when that is faster
        (`connectors.hubspot.strategy`)."""
        self._expected_companies = max(0, count)

    def _estimate(self, changes: int | None) -> PullEstimate | None:
        if changes is None or self._expected_companies is None:
            return None
        return choose(
            changes,
            self._expected_companies,
            searches_per_second=self.search_limiter.max_calls / self.search_limiter.window_seconds,
            lists_per_second=self.burst_limiter.max_calls / self.burst_limiter.window_seconds,
        )

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        """`extra_fields` are properties asked for beside `properties` (the caller's, the
        configured and the connector's own), in list and search alike."""
        properties = tuple(dict.fromkeys((*self.properties, *extra_fields)))
        if mode == PullMode.FULL or since is None:
            return self._pull_all(lookback, properties)
        return self._pull_changed(since, lookback, properties)

    def _pull_all(self, lookback: timedelta, properties: Sequence[str]) -> Iterator[AccountPage]:
        for records, position in self._list_live(lookback, properties):
            log_event("crm.page", source=SOURCE, records=len(records), mode="full")
            yield AccountPage(records, position, final=position is not None)

    def _list_live(
        self,
        lookback: timedelta,
        properties: Sequence[str],
        keep: Callable[[Company], bool] = lambda company: True,
    ) -> Iterator[tuple[list[RawAccount], PullPosition | None]]:
        """Every live company page by page (by id), those `keep` accepts as records; only the
        last page has a position: the moment the listing started, less the lookback, so that
        the next incremental pull catches anything modified while it ran."""
        started = self._clock()
        after: str | None = None
        while True:
            companies, following = calls.list_companies(
                self.transport, after=after, properties=properties, archived=False
            )
            records = [raw_account(c) for c in companies if keep(c)]
            if following is None:
                yield records, PullPosition(started - lookback)
                return
            if following == after:
                raise CrmRequestError(
                    f"listing companies returned the cursor it was given ({after!r}) as the next "
                    "page's cursor; the listing cannot go on. Run a full pull later.",
                    crm=SOURCE,
                )
            after = following
            yield records, None

    def _pull_changed(
        self, since: PullPosition, lookback: timedelta, properties: Sequence[str]
    ) -> Iterator[AccountPage]:
        """The search walk from `since` (archived companies are not read: see the module
        docstring), or a list of every company when its first answer shows that listing is
        faster (`expect_accounts`); if search stops making progress, the window is listed
        instead."""
        settled_ms = epoch_ms(self._clock() - lookback) if lookback > timedelta(0) else None
        position = since
        chosen: list[PullEstimate] = []

        def search_on(total: int | None) -> bool:
            estimate = self._estimate(total)
            fields = (
                estimate.as_fields()
                if estimate is not None
                else {"strategy": "search", "changes": total, "companies": None}
            )
            log_event("crm.pull_strategy", source=SOURCE, **fields)
            if estimate is not None:
                chosen.append(estimate)
            return estimate is None or estimate.strategy == "search"

        pages = walk_changes(
            partial(self._search, properties=properties),
            epoch_ms(since.modified_at),
            after_id=since.record_id,
            lookback_ms=max(0, lookback // ONE_MILLISECOND),
            page_limit=SEARCH_PAGE_LIMIT,
            go_on=search_on,
        )
        for page in pages:
            if page.stalled is not None:
                yield from self._list_changed(since, position, lookback, page.stalled, properties)
                return
            position = _position(page, position, settled_ms)
            records = [raw_account(c) for c in page.companies]
            log_event("crm.page", source=SOURCE, records=len(records), mode="incremental")
            yield AccountPage(records, position, final=page.final)
        if chosen and chosen[0].strategy == "list":
            yield from self._list_window(since, position, lookback, properties)

    def _list_changed(
        self,
        since: PullPosition,
        reached: PullPosition,
        lookback: timedelta,
        reason: str,
        properties: Sequence[str],
    ) -> Iterator[AccountPage]:
        """The pull's window read by listing every live company (100 a page, paced by the burst
        limiter) and keeping those modified since the window start, when search cannot go on."""
        log_event(
            "crm.search_inconsistent",
            level=logging.WARNING,
            source=SOURCE,
            reason=reason,
            reached_modified_at=reached.modified_at.isoformat(),
            reached_id=reached.record_id,
            fallback="list",
            window_start=(since.modified_at - lookback).isoformat(),
        )
        yield from self._list_window(since, reached, lookback, properties)

    def _list_window(
        self,
        since: PullPosition,
        reached: PullPosition,
        lookback: timedelta,
        properties: Sequence[str],
    ) -> Iterator[AccountPage]:
        """Every live company listed, those modified since the window start kept; the last page
        ends at the later of where the listing started (less the lookback) and `reached`."""
        window_start = since.modified_at - lookback

        def in_window(company: Company) -> bool:
            moment = modified_at(company)
            return moment is None or moment >= window_start

        for records, listed_to in self._list_live(lookback, properties, in_window):
            log_event("crm.page", source=SOURCE, records=len(records), mode="incremental-list")
            if listed_to is None:
                if records:
                    yield AccountPage(records, None)
            else:
                yield AccountPage(records, later_position(listed_to, reached), final=True)

    def _search(
        self, groups: FilterGroups, sort_property: str, properties: Sequence[str]
    ) -> SearchAnswer:
        return calls.search_companies(self.transport, groups, sort_property, properties)

    # -- contacts and deals ------------------------------------------------------------------

    def pull_related(
        self,
        object_name: str,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        fields: Sequence[str] = (),
        optional_fields: Sequence[str] = (),
    ) -> Iterator[AccountPage]:
        """Contacts or deals with their company (`connectors.hubspot.related`); `fields` are
        the properties asked for (the sync passes those its model reads), and so are
        `optional_fields` (HubSpot ignores a property a portal does not have)."""
        pull = RelatedPull(
            self.transport,
            object_name,
            [*fields, *optional_fields],
            clock=self._clock,
            position=_position,
        )
        return pull.pages(mode, since, lookback)

    def related_writer(self, object_name: str) -> HubSpotObjectWriter:
        """Owner reads and batch writes of contacts or deals, through this connector's
        transport (its limits, budget and usage)."""
        size = self.contact_write_batch_size if object_name == CONTACT else self.write_batch_size
        return HubSpotObjectWriter(
            self.transport,
            RELATED_OBJECTS[object_name],
            write_batch_size=size,
            policy=self.retry_policy,
            sleep=self._sleep,
        )

    # -- owners ------------------------------------------------------------------------------

    def pull_reps(self) -> list[CrmUser]:
        """Active owners and archived ones (reps who left), each by owner id, never userId."""
        reps: list[CrmUser] = []
        for archived in (False, True):
            after: str | None = None
            while True:
                owners, after = calls.list_owners(self.transport, after=after, archived=archived)
                reps.extend(
                    CrmUser(
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
                self._field_names = calls.company_property_names(self.transport)
            return self._field_names

    def list_account_ids(self) -> Iterator[list[str]]:
        """The ids of every live company, 100 a page (the list endpoint's largest)."""
        after: str | None = None
        while True:
            ids, after = calls.list_company_ids(self.transport, after=after)
            if ids:
                yield ids
            if after is None:
                return

    def _companies(self) -> HubSpotObjectWriter:
        """Company owners are read and written as any object's (`HubSpotObjectWriter`)."""
        return HubSpotObjectWriter(
            self.transport,
            COMPANIES,
            write_batch_size=self.write_batch_size,
            policy=self.retry_policy,
            sleep=self._sleep,
        )

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        return self._companies().read_owners(external_ids)

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        return self._companies().write_owner_batch(
            writes, respect_manual_changes=respect_manual_changes
        )


def _full_name(owner: dict[str, object]) -> str | None:
    parts = [str(owner.get(key) or "").strip() for key in ("firstName", "lastName")]
    return " ".join(p for p in parts if p) or None


def later_position(a: PullPosition, b: PullPosition) -> PullPosition:
    """The later of two positions in (modified, id) order (no id comes before every id)."""

    def key(position: PullPosition) -> tuple[datetime, int]:
        record_id = position.record_id
        return position.modified_at, -1 if record_id is None else int(record_id)

    return a if key(a) >= key(b) else b


def _position(page: ChangedPage, reached: PullPosition, settled_ms: int | None) -> PullPosition:
    """The page's position, never behind `reached` (a lookback re-reads older companies).

    An id inside a timestamp is kept only when the timestamp is older than the lookback
    (`settled_ms`): a company stamped at a newer one may not show in search yet, and `(t, id)`
    would never read it if its id is lower; `(t, None)` reads the timestamp again next time."""
    if page.modified_ms is None:
        return reached
    settled = settled_ms is None or page.modified_ms <= settled_ms
    position = PullPosition(from_epoch_ms(page.modified_ms), page.last_id if settled else None)
    return later_position(position, reached)
