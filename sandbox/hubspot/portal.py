"""The sandbox HubSpot portal: companies, owners, tokens, limits, faults and the request log.

One object holds the whole account so that tests, the demo and the benchmarks can drive it
in-process (plain methods) as well as over HTTP (`create_hubspot_app`). Companies stay the
`SeedAccount` objects they were seeded as, indexed by id and kept in id order; nothing is copied
per record, so a million companies fit in memory. State changes take a lock and never await, so
every request sees a consistent snapshot.

`set_search_inconsistency(mode)` switches search, at run time, to answering one timestamp's
filters inconsistently ("eq_ignores_id_bound", "gt_includes_boundary"; None turns it off, the
default; see `sandbox.hubspot.search`). It is not a fault profile: it is deterministic and stays
until switched off.
"""

from __future__ import annotations

import bisect
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from sandbox.fault_schedule import (
    FaultSchedule,
    ScheduledFaults,
    pick_other_owner,
)
from sandbox.faults import FaultDice, FaultProfile, parse_fault_profile
from sandbox.hubspot.config import HubSpotPortalConfig
from sandbox.hubspot.index import SearchIndex, union
from sandbox.hubspot.limits import RateLimiter
from sandbox.hubspot.owners import Owner, build_owners
from sandbox.hubspot.properties import PROPERTIES, SearchOverride
from sandbox.hubspot.search import (
    SEARCH_INCONSISTENCIES,
    SearchInconsistency,
    SearchRequest,
    evaluate,
)
from sandbox.hubspot.visibility import IndexedState, SearchIndexLag
from sandbox.requestlog import RequestLog
from sandbox.seed import SeedAccount, SeedRep

# Fields of SeedAccount a caller may set when creating records through the control API.
CREATABLE_FIELDS = frozenset(
    f.name
    for f in fields(SeedAccount)
    if f.name not in ("crm_id", "created_ms", "modified_ms", "deleted")
)
_SEARCH_CACHE_SIZE = 4


@dataclass(frozen=True)
class SearchPage:
    total: int
    results: list[tuple[SeedAccount, SearchOverride | None]]
    next_offset: int | None


@dataclass
class _CachedMatch:
    version: int
    valid_until_ms: float
    matched: list[SeedAccount]


class UnknownRecordError(KeyError):
    """A record id the portal does not hold."""

    def __str__(self) -> str:
        return (
            f"no HubSpot company with id {self.args[0]!r}; list ids with "
            "GET /__sandbox/owners or create records with POST /__sandbox/records"
        )


class HubSpotPortal(ScheduledFaults):
    """One HubSpot account in memory."""

    def __init__(
        self,
        book_reps: list[SeedRep],
        companies: list[SeedAccount],
        *,
        config: HubSpotPortalConfig = HubSpotPortalConfig(),
        faults: FaultProfile = FaultProfile(),
        seed: int = 1,
    ) -> None:
        self.config = config
        self.requests = RequestLog()
        self.lock = threading.RLock()
        self._seed = seed
        self._faults = faults
        self._dice = FaultDice(faults, seed)
        self._schedule = FaultSchedule()
        self._server_errors = 0
        self._owners = build_owners(book_reps)
        self._owner_by_id = {owner.id: owner for owner in self._owners}
        self._active_owner_ids = frozenset(o.id for o in self._owners if not o.archived)
        self._active_owners_in_order = [o.id for o in self._owners if not o.archived]

        self._by_id: dict[str, SeedAccount] = {}
        for account in companies:
            if not account.crm_id.isdigit():
                raise ValueError(
                    f"HubSpot company id {account.crm_id!r} is not numeric; "
                    "use sandbox.ids.hubspot_id() to make ids"
                )
            if account.crm_id in self._by_id:
                raise ValueError(f"HubSpot company id {account.crm_id} is seeded twice")
            self._by_id[account.crm_id] = account
        ordered = sorted(companies, key=lambda a: int(a.crm_id))
        self._ids: list[int] = [int(a.crm_id) for a in ordered]
        self._accounts: list[SeedAccount] = ordered
        self._archived_ids: list[int] = [int(a.crm_id) for a in ordered if a.deleted]
        self._last_id = self._ids[-1] if self._ids else 10_000_000_000
        """The highest id ever held: new companies count on from it (ids are never reused)."""

        self.limiter = RateLimiter(
            ten_second_limit=config.ten_second_limit,
            daily_limit=faults.daily_allocation or config.daily_limit,
            search_per_second=config.search_per_second,
            account_id=config.portal_id,
        )
        self._lag = SearchIndexLag()
        self._version = 0
        self._search_cache: OrderedDict[str, _CachedMatch] = OrderedDict()
        self._index = SearchIndex()
        self._search_inconsistency: SearchInconsistency | None = None

    # -- clock, faults, tokens -----------------------------------------------------------------

    def now_s(self) -> float:
        return self.config.clock()

    def now_ms(self) -> int:
        return int(self.config.clock() * 1000)

    @property
    def faults(self) -> FaultProfile:
        return self._faults

    def set_faults(self, profile: FaultProfile | str) -> None:
        """Replace the fault profile (a FaultProfile or its text, e.g. "chaos,latency_ms=5")."""
        if isinstance(profile, str):
            profile = parse_fault_profile(profile)
        with self.lock:
            self._faults = profile
            self._dice = FaultDice(profile, self._seed)
            self.limiter.daily_limit = profile.daily_allocation or self.config.daily_limit

    @property
    def search_inconsistency(self) -> SearchInconsistency | None:
        return self._search_inconsistency

    def set_search_inconsistency(self, mode: str | None) -> None:
        """Answer searches inconsistently from now on (`sandbox.hubspot.search`); None or
        "none" answers them consistently again."""
        if mode is None or mode == "none":
            chosen: SearchInconsistency | None = None
        elif mode == "eq_ignores_id_bound":
            chosen = "eq_ignores_id_bound"
        elif mode == "gt_includes_boundary":
            chosen = "gt_includes_boundary"
        else:
            raise ValueError(
                f"unknown search inconsistency {mode!r}; use one of "
                f"{', '.join(SEARCH_INCONSISTENCIES)} or none"
            )
        with self.lock:
            self._search_inconsistency = chosen

    @property
    def search_delay_ms(self) -> int:
        seconds = self._faults.search_delay_s or self.config.search_delay_s
        return int(seconds * 1000)

    def accepts(self, token: str) -> bool:
        return token in self.config.access_tokens

    def next_server_error_status(self) -> int:
        """Alternate the 5xx fault between HubSpot's 502 edge page and a 503."""
        with self.lock:
            self._server_errors += 1
            return 502 if self._server_errors % 2 else 503

    def roll_lock_error(self, record_id: str) -> bool:
        with self.lock:
            return self._dice.lock_error(record_id)

    # -- owners --------------------------------------------------------------------------------

    @property
    def active_owner_ids(self) -> frozenset[str]:
        return self._active_owner_ids

    def owners_page(
        self, *, limit: int, after: int | None, email: str | None, archived: bool
    ) -> tuple[list[Owner], int | None]:
        wanted = [
            o
            for o in self._owners
            if o.archived == archived
            and (email is None or o.rep.email.casefold() == email.casefold())
            and (after is None or int(o.id) >= after)
        ]
        page = wanted[:limit]
        next_after = int(page[-1].id) + 1 if len(wanted) > limit else None
        return page, next_after

    def archive_owner(self, owner_id: str) -> None:
        """Archive one owner in this portal only, as removing a person's HubSpot seat does; the
        same person stays active in Salesforce. Their companies keep them as owner."""
        with self.lock:
            owner = self._owner_by_id.get(owner_id)
            if owner is None:
                raise KeyError(f"no owner {owner_id} in this portal")
            archived = owner.archive()
            self._owners = [archived if o.id == owner_id else o for o in self._owners]
            self._owner_by_id[owner_id] = archived
            self._active_owner_ids = frozenset(o.id for o in self._owners if not o.archived)
            self._active_owners_in_order = [o.id for o in self._owners if not o.archived]

    def owner(self, owner_id: str) -> Owner | None:
        return self._owner_by_id.get(owner_id)

    # -- reading companies -------------------------------------------------------------------

    def company(self, record_id: str) -> SeedAccount | None:
        return self._by_id.get(record_id)

    def list_companies(
        self, *, limit: int, after: int | None, archived: bool
    ) -> tuple[list[SeedAccount], int | None]:
        """A page in id order from id `after` on; the cursor is the next id to read, so pages
        stay correct while records are written, created or archived between calls."""
        with self.lock:
            start_at = after if after is not None else -1
            page: list[SeedAccount] = []
            if archived:
                archived_ids = self._archived_ids
                start = bisect.bisect_left(archived_ids, start_at)
                for position in range(start, len(archived_ids)):
                    if len(page) == limit:
                        return page, int(page[-1].crm_id) + 1
                    page.append(self._by_id[str(archived_ids[position])])
                return page, None
            accounts = self._accounts
            for position in range(bisect.bisect_left(self._ids, start_at), len(accounts)):
                account = accounts[position]
                if account.deleted:
                    continue
                if len(page) == limit:
                    return page, int(page[-1].crm_id) + 1
                page.append(account)
            return page, None

    def search(self, request: SearchRequest) -> SearchPage:
        """All matches counted, one page returned; results come from the search index's view."""
        with self.lock:
            now = self.now_ms()
            self._index.mark(self._lag.expire(now))
            pending = self._lag.pending()
            if request.key_ranges is not None:
                return self._search_index(request, pending)
            cached = self._search_cache.get(request.cache_key)
            if (
                cached is not None
                and cached.version == self._version
                and now < cached.valid_until_ms
            ):
                matched = cached.matched
                self._search_cache.move_to_end(request.cache_key)
            else:
                matched = evaluate(self._accounts, pending, request)
                next_change = self._lag.next_change_ms()
                self._search_cache[request.cache_key] = _CachedMatch(
                    self._version, float("inf") if next_change is None else next_change, matched
                )
                while len(self._search_cache) > _SEARCH_CACHE_SIZE:
                    self._search_cache.popitem(last=False)
            end = request.offset + request.limit
            results = []
            for account in matched[request.offset : end]:
                state = pending.get(account.crm_id) if pending else None
                results.append((account, None if state is None else state.override()))
            return SearchPage(len(matched), results, end if end < len(matched) else None)

    def _search_index(
        self, request: SearchRequest, pending: Mapping[str, IndexedState]
    ) -> SearchPage:
        """A search whose matches are key ranges of the index (`SearchRequest.key_ranges`)."""
        index = self._index
        index.settle(self._accounts, self._by_id, pending)
        assert request.key_ranges is not None
        spans = union(index.span(low, high) for low, high in request.key_ranges)
        ids, total = index.ids(spans, request.offset, request.limit)
        results = []
        for number in ids:
            account = self._by_id[str(number)]
            state = pending.get(account.crm_id) if pending else None
            results.append((account, None if state is None else state.override()))
        end = request.offset + request.limit
        return SearchPage(total, results, end if end < total else None)

    # -- writing companies -------------------------------------------------------------------

    def _changed(self, record_ids: Iterable[str]) -> None:
        """What search shows of these records may have changed."""
        self._version += 1
        self._index.mark(record_ids)

    def apply_update(self, account: SeedAccount, values: Mapping[str, str], now_ms: int) -> bool:
        """Write checked property values; bumps the modified time when a value changed.
        Returns whether the update set the owner (also to the owner the company already had)."""
        with self.lock:
            before = {name: PROPERTIES[name].render(account) for name in values}
            old_modified, old_owner = account.modified_ms, account.owner_id
            for name, raw in values.items():
                write = PROPERTIES[name].write
                assert write is not None, f"{name} is read-only"
                write(account, raw)
            owner_set = "hubspot_owner_id" in values
            if before == {name: PROPERTIES[name].render(account) for name in values}:
                return owner_set
            self._lag.remember(
                account.crm_id, old_modified, old_owner, True, now_ms, self.search_delay_ms
            )
            account.modified_ms = now_ms
            self._changed([account.crm_id])
            return owner_set

    def owner_of(self, record_id: str) -> str | None:
        account = self._by_id.get(record_id)
        if account is None:
            raise UnknownRecordError(record_id)
        return account.owner_id

    def owners_by_record(self) -> dict[str, str | None]:
        """Owner of every company that is not archived."""
        with self.lock:
            return {a.crm_id: a.owner_id for a in self._accounts if not a.deleted}

    def change_owner_as_person(self, record_id: str, owner_id: str | None) -> None:
        """A person reassigning the company in HubSpot's UI: not an API write."""
        with self.lock:
            account = self._by_id.get(record_id)
            if account is None:
                raise UnknownRecordError(record_id)
            now = self.now_ms()
            self._lag.before_change(account, now, self.search_delay_ms)
            account.owner_id = owner_id or None
            account.modified_ms = now
            self._changed([account.crm_id])

    def flag_do_not_reassign_as_person(self, record_ids: Iterable[str], flag: bool = True) -> None:
        """A person setting (or clearing) the custom `do_not_reassign` property in the UI."""
        with self.lock:
            now = self.now_ms()
            flagged: list[str] = []
            for record_id in record_ids:
                account = self._by_id.get(record_id)
                if account is None:
                    raise UnknownRecordError(record_id)
                self._lag.before_change(account, now, self.search_delay_ms)
                account.do_not_reassign = flag
                account.modified_ms = now
                flagged.append(record_id)
            self._changed(flagged)

    def reassign_as_person(
        self, named: Sequence[tuple[str, str | None]], count: int
    ) -> list[tuple[str, str | None]]:
        """A person reassigning the first `count` live companies of `named` (id, owner a request
        asked for) to another active owner (`pick_other_owner`, owners in id order). Returns the
        (id, new owner) pairs changed."""
        edits: list[tuple[str, str | None]] = []
        with self.lock:
            for record_id, asked in named:
                if len(edits) == count:
                    break
                account = self._by_id.get(record_id)
                if account is None or account.deleted:
                    continue
                owner = pick_other_owner(self._active_owners_in_order, account.owner_id, asked)
                if owner is None:
                    continue
                self.change_owner_as_person(record_id, owner)
                edits.append((record_id, owner))
        return edits

    def create_records(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """New companies with fresh ids after the highest one; keys are SeedAccount fields."""
        with self.lock:
            now = self.now_ms()
            created: list[str] = []
            for values in records:
                unknown = set(values) - CREATABLE_FIELDS
                if unknown:
                    raise ValueError(
                        f"unknown record fields {sorted(unknown)}; "
                        f"use any of {sorted(CREATABLE_FIELDS)}"
                    )
                number = self._last_id = self._last_id + 1
                record_id = str(number)
                account = SeedAccount(
                    crm_id=record_id,
                    name=str(values.get("name") or f"Company {record_id}"),
                    website=_optional_text(values.get("website")),
                    domain=_optional_text(values.get("domain")),
                    country=_optional_text(values.get("country")),
                    region=_optional_text(values.get("region")),
                    city=_optional_text(values.get("city")),
                    postal_code=_optional_text(values.get("postal_code")),
                    industry=_optional_text(values.get("industry")),
                    employees=_optional_int(values.get("employees")),
                    annual_revenue=_optional_int(values.get("annual_revenue")),
                    owner_id=_optional_text(values.get("owner_id")),
                    account_type=_optional_text(values.get("account_type")),
                    do_not_reassign=bool(values.get("do_not_reassign", False)),
                    created_ms=now,
                    modified_ms=now,
                )
                self._lag.before_change(account, now, self.search_delay_ms, is_new=True)
                self._by_id[record_id] = account
                self._ids.append(number)
                self._accounts.append(account)
                created.append(record_id)
            self._changed(created)
            return created

    def delete_records(self, ids: Iterable[str], *, purge: bool = False) -> int:
        """Archive companies (listed only with archived=true), bumping their modified time; with
        `purge`, delete them permanently, so no list, read or search finds them, archived or not.
        Every id must exist (UnknownRecordError otherwise, before anything changes). Returns how
        many companies were archived (or, with `purge`, purged)."""
        with self.lock:
            chosen: list[SeedAccount] = []
            for record_id in ids:
                account = self._by_id.get(record_id)
                if account is None:
                    raise UnknownRecordError(record_id)
                chosen.append(account)
            now = self.now_ms()
            count = 0
            for account in chosen:
                if account.deleted:
                    continue
                self._lag.before_change(account, now, self.search_delay_ms)
                account.deleted = True
                account.modified_ms = now
                bisect.insort(self._archived_ids, int(account.crm_id))
                count += 1
            if purge:
                gone = {account.crm_id for account in chosen}
                for record_id in gone:
                    del self._by_id[record_id]
                self._accounts = [a for a in self._accounts if a.crm_id not in gone]
                self._ids = [int(a.crm_id) for a in self._accounts]
                self._archived_ids = [i for i in self._archived_ids if str(i) not in gone]
                count = len(gone)
                self._index.rebuild_all()
            self._changed(account.crm_id for account in chosen)
            return count

    def first_ids(self, count: int) -> list[str]:
        """The first `count` companies (not archived) in id order."""
        with self.lock:
            chosen: list[str] = []
            for account in self._accounts:
                if len(chosen) == count:
                    break
                if not account.deleted:
                    chosen.append(account.crm_id)
            return chosen

    def mass_update(self, ids: Iterable[str], modified_ms: int | None = None) -> int:
        """Stamp one identical `hs_lastmodifieddate` on the companies (as a HubSpot bulk edit or
        import does) and return that time in milliseconds."""
        with self.lock:
            now = self.now_ms()
            stamp = now if modified_ms is None else int(modified_ms)
            accounts = []
            for record_id in ids:
                account = self._by_id.get(record_id)
                if account is None:
                    raise UnknownRecordError(record_id)
                accounts.append(account)
            for account in accounts:
                self._lag.before_change(account, now, self.search_delay_ms)
                account.modified_ms = stamp
            self._changed(account.crm_id for account in accounts)
            return stamp

    # -- inspection ----------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        with self.lock:
            deleted = len(self._archived_ids)
            return {
                "records": len(self._accounts) - deleted,
                "deleted": deleted,
                "owners": len(self._active_owner_ids),
                "archived_owners": len(self._owners) - len(self._active_owner_ids),
                "api_calls_today": self.limiter.daily_used(self.now_s()),
                "limits": {
                    "daily": self.limiter.daily_limit,
                    "ten_second": self.limiter.ten_second_limit,
                    "search_per_second": self.limiter.search_per_second,
                },
                "search_delay_s": self.search_delay_ms / 1000,
                "search_pending": len(self._lag),
                "search_inconsistency": self._search_inconsistency,
            }


def _optional_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _optional_int(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(str(value))
