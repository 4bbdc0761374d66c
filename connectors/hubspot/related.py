"""HubSpot contacts and deals: pulled like companies, with their company, and their owners written.

A full pull lists every live record (100 a page); an incremental pull walks search on the
object's modified property from the saved position (`connectors.hubspot.search`, the same keyset
walk as companies, so more than 10,000 records sharing one timestamp are read in full), and
lists the window instead if search answers inconsistently. The walk speaks of
`hs_lastmodifieddate`; contacts keep theirs in `lastmodifieddate`, so their searches are asked
on that property and their records carry the stamp under both names (`_Renamed`).

Each record names its company under `associatedcompanyid`: contacts have the property (their
primary company); for deals the connector reads the page's associations to companies (one
associations v4 batch read per page, at most 1,000 inputs) and keeps the primary one
(`PRIMARY_DEAL_TO_COMPANY`), else the first listed.

Owners are written by `HubSpotObjectWriter`, through the same write rounds, limits and retries as
companies (`connectors.hubspot.writes`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from hubspot.crm.associations.v4 import (
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicFetchAssociationsBatchRequest,
)

from connectors.base import (
    AccountPage,
    OwnerWrite,
    PullMode,
    PullPosition,
    RawAccount,
    WriteOutcome,
)
from connectors.hubspot import calls
from connectors.hubspot.client import HubSpotTransport
from connectors.hubspot.records import epoch_ms, modified_at, raw_account
from connectors.hubspot.search import Company, FilterGroups, SearchAnswer, walk_changes
from connectors.hubspot.settings import (
    ACCOUNT_ID_PROPERTY,
    ASSOCIATIONS_BATCH_LIMIT,
    BATCH_LIMIT,
    ID_PROPERTY,
    MODIFIED_PROPERTY,
    PRIMARY_DEAL_TO_COMPANY,
    RELATED_OBJECTS,
    SEARCH_PAGE_LIMIT,
    SOURCE,
    HubSpotObject,
)
from connectors.hubspot.writes import write_owner_batch
from connectors.retry import RetryPolicy
from territory_sync.errors import CrmRequestError
from territory_sync.logs import log_event
from territory_sync.objects import OPPORTUNITY
from territory_sync.times import ONE_MILLISECOND

Positioned = Callable[[Any, PullPosition, int | None], PullPosition]
"""The connector's rule for a search page's position (`connectors.hubspot.connector._position`)."""


class _Renamed:
    """Search and records of an object whose modified property is not `hs_lastmodifieddate`:
    filters and sorts on `hs_lastmodifieddate` are sent on the object's own property, and each
    record answered carries its stamp under `hs_lastmodifieddate` too (for the walk)."""

    def __init__(self, kind: HubSpotObject) -> None:
        self.own = kind.modified_property

    def filters(self, groups: FilterGroups) -> FilterGroups:
        if self.own == MODIFIED_PROPERTY:
            return groups
        return [
            [
                {**f, "propertyName": self.own} if f["propertyName"] == MODIFIED_PROPERTY else f
                for f in group
            ]
            for group in groups
        ]

    def sort(self, name: str) -> str:
        return self.own if name == MODIFIED_PROPERTY else name

    def record(self, record: Company) -> Company:
        properties = record.get("properties")
        if self.own != MODIFIED_PROPERTY and isinstance(properties, dict):
            properties.setdefault(MODIFIED_PROPERTY, properties.get(self.own))
        return record


def primary_companies(transport: HubSpotTransport, deal_ids: Sequence[str]) -> dict[str, str]:
    """Each deal's company: the primary association, else the first listed (one call per
    `ASSOCIATIONS_BATCH_LIMIT` deals; only each deal's first page of associations is read)."""
    found: dict[str, str] = {}
    ids = list(dict.fromkeys(deal_ids))
    for start in range(0, len(ids), ASSOCIATIONS_BATCH_LIMIT):
        chunk = ids[start : start + ASSOCIATIONS_BATCH_LIMIT]
        request = BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id=i) for i in chunk]
        )
        response = transport.call(
            "associations",
            transport.apis.associations.get_page_with_http_info,
            from_object_type="deals",
            to_object_type="companies",
            batch_input_public_fetch_associations_batch_request=request,
        )
        results = response.body.get("results")
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            deal = str((result.get("from") or {}).get("id") or "")
            targets = [t for t in result.get("to") or [] if isinstance(t, dict)]
            primary = next(
                (
                    t
                    for t in targets
                    if any(
                        isinstance(a, dict) and a.get("typeId") == PRIMARY_DEAL_TO_COMPANY
                        for a in t.get("associationTypes") or []
                    )
                ),
                targets[0] if targets else None,
            )
            if deal and primary is not None and primary.get("toObjectId") is not None:
                found[deal] = str(primary["toObjectId"])
    return found


class RelatedPull:
    """One pull of contacts or deals (see the module docstring)."""

    def __init__(
        self,
        transport: HubSpotTransport,
        object_name: str,
        properties: Sequence[str],
        *,
        clock: Callable[[], datetime],
        position: Positioned,
    ) -> None:
        self.transport = transport
        self.object_name = object_name
        self.kind = RELATED_OBJECTS[object_name]
        self.renamed = _Renamed(self.kind)
        own = [ID_PROPERTY, *properties, self.kind.modified_property]
        self.properties = tuple(dict.fromkeys(own))
        self.clock = clock
        self.position = position

    def pages(
        self, mode: PullMode, since: PullPosition | None, lookback: timedelta
    ) -> Iterator[AccountPage]:
        if mode == PullMode.FULL or since is None:
            for records, listed_to in self._list(lookback):
                yield AccountPage(records, listed_to, final=listed_to is not None)
            return
        yield from self._changed(since, lookback)

    def _records(self, found: list[Company]) -> list[RawAccount]:
        found = [self.renamed.record(r) for r in found]
        if self.object_name == OPPORTUNITY and found:
            companies = primary_companies(self.transport, [str(r["id"]) for r in found])
            for record in found:
                properties = record.setdefault("properties", {})
                company = companies.get(str(record["id"]))
                if company is not None and isinstance(properties, dict):
                    properties[ACCOUNT_ID_PROPERTY] = company
        return [raw_account(r) for r in found]

    def _list(
        self, lookback: timedelta, keep: Callable[[Company], bool] = lambda record: True
    ) -> Iterator[tuple[list[RawAccount], PullPosition | None]]:
        started = self.clock()
        after: str | None = None
        while True:
            found, following = calls.list_companies(
                self.transport,
                after=after,
                properties=self.properties,
                archived=False,
                object_type=self.kind.object_type,
            )
            kept = [self.renamed.record(r) for r in found]
            records = self._records([r for r in kept if keep(r)])
            if following is None:
                yield records, PullPosition(started - lookback)
                return
            if following == after:
                raise CrmRequestError(
                    f"listing {self.kind.object_type} returned the cursor it was given "
                    f"({after!r}) as the next page's cursor; run a full pull later",
                    crm=SOURCE,
                )
            after = following
            yield records, None

    def _search(self, groups: FilterGroups, sort_property: str) -> SearchAnswer:
        answer = calls.search_companies(
            self.transport,
            self.renamed.filters(groups),
            self.renamed.sort(sort_property),
            self.properties,
            object_type=self.kind.object_type,
        )
        # The walk reads each record's stamp under `hs_lastmodifieddate`: rename before it does.
        return SearchAnswer([self.renamed.record(r) for r in answer.companies], answer.total)

    def _changed(self, since: PullPosition, lookback: timedelta) -> Iterator[AccountPage]:
        settled_ms = epoch_ms(self.clock() - lookback) if lookback > timedelta(0) else None
        position = since
        pages = walk_changes(
            self._search,
            epoch_ms(since.modified_at),
            after_id=since.record_id,
            lookback_ms=max(0, lookback // ONE_MILLISECOND),
            page_limit=SEARCH_PAGE_LIMIT,
        )
        for page in pages:
            if page.stalled is not None:
                log_event(
                    "crm.search_inconsistent",
                    level=logging.WARNING,
                    source=SOURCE,
                    object=self.kind.object_type,
                    reason=page.stalled,
                    fallback="list",
                )
                yield from self._list_window(since, position, lookback)
                return
            position = self.position(page, position, settled_ms)
            records = self._records([self.renamed.record(r) for r in page.companies])
            yield AccountPage(records, position, final=page.final)

    def _list_window(
        self, since: PullPosition, reached: PullPosition, lookback: timedelta
    ) -> Iterator[AccountPage]:
        window_start = since.modified_at - lookback

        def in_window(record: Company) -> bool:
            moment = modified_at(record)
            return moment is None or moment >= window_start

        for records, listed_to in self._list(lookback, in_window):
            if listed_to is None:
                if records:
                    yield AccountPage(records, None)
            else:
                end = listed_to if listed_to.modified_at >= reached.modified_at else reached
                yield AccountPage(records, end, final=True)


class HubSpotObjectWriter:
    """`OwnerWriter` for contacts or deals, over the connector's transport."""

    source = SOURCE

    def __init__(
        self,
        transport: HubSpotTransport,
        kind: HubSpotObject,
        *,
        write_batch_size: int,
        policy: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.transport = transport
        self.kind = kind
        self.write_batch_size = min(write_batch_size, BATCH_LIMIT)
        self.policy = policy
        self._sleep = sleep

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        owners: dict[str, str | None] = {}
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), BATCH_LIMIT):
            found = calls.read_owners(
                self.transport,
                ids[start : start + BATCH_LIMIT],
                object_type=self.kind.object_type,
                modified_property=self.kind.modified_property,
            )
            owners.update(found.owners)
        return owners

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        if len(writes) > self.write_batch_size:
            raise ValueError(
                f"a HubSpot {self.kind.noun} write batch holds at most {self.write_batch_size} "
                f"writes; got {len(writes)}"
            )
        return write_owner_batch(
            self.transport,
            writes,
            respect_manual_changes=respect_manual_changes,
            policy=self.policy,
            sleep=self._sleep,
            kind=self.kind,
        )
