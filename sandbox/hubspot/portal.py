"""The sandbox HubSpot portal: companies, contacts, deals, owners, tokens, limits, faults and the
request log.

One object holds the whole account so that tests, the demo and the benchmarks can drive it
in-process (plain methods) as well as over HTTP (`create_hubspot_app`). Each object type's
records stay the seed objects they were seeded as (`SeedAccount`, `SeedContact`,
`SeedOpportunity`), in one `RecordStore` per object (`sandbox.hubspot.store`) with its own search
index; nothing is copied per record, so millions of them fit in memory. Record ids are unique
across objects (companies from 10,000,000,000, contacts from 20,000,000,000, deals from
30,000,000,000), so the methods taking a record id find its object by the id. State changes take
one lock and never await, so every request sees a consistent snapshot.

`set_search_inconsistency(mode)` switches search, at run time, to answering one timestamp's
filters inconsistently ("eq_ignores_id_bound", "gt_includes_boundary"; None turns it off, the
default; see `sandbox.hubspot.search`), for every object's search. It is not a fault profile: it
is deterministic and stays until switched off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence

from sandbox.fault_schedule import (
    FaultSchedule,
    ScheduledFaults,
    pick_other_owner,
)
from sandbox.faults import FaultDice, FaultProfile, parse_fault_profile
from sandbox.hubspot.associations import Associations
from sandbox.hubspot.companies import COMPANIES
from sandbox.hubspot.config import HubSpotPortalConfig
from sandbox.hubspot.contacts import CONTACTS
from sandbox.hubspot.deals import deal_schema
from sandbox.hubspot.limits import RateLimiter
from sandbox.hubspot.new_records import new_company, new_contact, new_deal, optional_text
from sandbox.hubspot.owners import Owner, build_owners
from sandbox.hubspot.search import (
    SEARCH_INCONSISTENCIES,
    SearchInconsistency,
    SearchRequest,
)
from sandbox.hubspot.store import RecordStore, SearchPage, UnknownRecordError
from sandbox.requestlog import RequestLog
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep

__all__ = ["AnyStore", "HubSpotPortal", "UnknownRecordError"]


AnyStore = RecordStore[SeedAccount] | RecordStore[SeedContact] | RecordStore[SeedOpportunity]


class HubSpotPortal(ScheduledFaults):
    """One HubSpot account in memory."""

    def __init__(
        self,
        book_reps: list[SeedRep],
        companies: list[SeedAccount],
        *,
        contacts: Sequence[SeedContact] = (),
        deals: Sequence[SeedOpportunity] = (),
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

        self.company_store = RecordStore(
            COMPANIES, companies, lock=self.lock, now_ms=self.now_ms, delay_ms=self._delay_ms
        )
        self.contact_store = RecordStore(
            CONTACTS, contacts, lock=self.lock, now_ms=self.now_ms, delay_ms=self._delay_ms
        )
        user_ids = {o.id: o.rep.hubspot_user_id for o in self._owners}
        self.deal_store = RecordStore(
            deal_schema(user_ids),
            deals,
            lock=self.lock,
            now_ms=self.now_ms,
            delay_ms=self._delay_ms,
        )
        self._stores: tuple[AnyStore, ...] = (
            self.company_store,
            self.contact_store,
            self.deal_store,
        )
        self._check_unique_ids()
        self.associations = Associations(self.company_store, self.contact_store, self.deal_store)

        self.limiter = RateLimiter(
            ten_second_limit=config.ten_second_limit,
            daily_limit=faults.daily_allocation or config.daily_limit,
            search_per_second=config.search_per_second,
            account_id=config.portal_id,
        )
        self._search_inconsistency: SearchInconsistency | None = None

    def _check_unique_ids(self) -> None:
        for position, store in enumerate(self._stores):
            others = self._stores[position + 1 :]
            for record in store.records():
                if any(record.crm_id in other for other in others):
                    raise ValueError(
                        f"HubSpot record id {record.crm_id} is seeded for two objects; ids are "
                        "unique across companies, contacts and deals (make them with "
                        "sandbox.ids.hubspot_id() and each object's own base)"
                    )

    # -- clock, faults, tokens -----------------------------------------------------------------

    def now_s(self) -> float:
        return self.config.clock()

    def now_ms(self) -> int:
        return int(self.config.clock() * 1000)

    def _delay_ms(self) -> int:
        return self.search_delay_ms

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
        same person stays active in Salesforce. Their records keep them as owner."""
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

    # -- object types --------------------------------------------------------------------------

    def store(self, object_type: str) -> AnyStore | None:
        """The records of an object named as a path names it (`deals`, `deal` or `0-3`)."""
        wanted = object_type.lower()
        for store in self._stores:
            if wanted in store.schema.names:
                return store
        return None

    @property
    def stores(self) -> tuple[AnyStore, ...]:
        """Companies, contacts and deals."""
        return self._stores

    def _store_of(self, record_id: str) -> AnyStore:
        for store in self._stores:
            if record_id in store:
                return store
        raise UnknownRecordError(record_id)

    # -- reading records -----------------------------------------------------------------------

    def company(self, record_id: str) -> SeedAccount | None:
        return self.company_store.get(record_id)

    def contact(self, record_id: str) -> SeedContact | None:
        return self.contact_store.get(record_id)

    def deal(self, record_id: str) -> SeedOpportunity | None:
        return self.deal_store.get(record_id)

    def contacts(self) -> list[SeedContact]:
        """Every contact held, archived ones too, in id order."""
        return self.contact_store.records()

    def deals(self) -> list[SeedOpportunity]:
        """Every deal held, archived ones too, in id order."""
        return self.deal_store.records()

    def list_companies(
        self, *, limit: int, after: int | None, archived: bool
    ) -> tuple[list[SeedAccount], int | None]:
        """A page of companies in id order from id `after` on (`RecordStore.list_page`)."""
        return self.company_store.list_page(limit=limit, after=after, archived=archived)

    def search(self, request: SearchRequest[SeedAccount]) -> SearchPage[SeedAccount]:
        """A companies search (`RecordStore.search`)."""
        return self.company_store.search(request)

    def owner_of(self, record_id: str) -> str | None:
        """The owner of a company, contact or deal."""
        return self._store_of(record_id).require(record_id).owner_id

    def owners_by_record(self, object_type: str = "companies") -> dict[str, str | None]:
        """Owner of every record of the object (companies unless told) that is not archived."""
        store = self.store(object_type)
        if store is None:
            raise ValueError(
                f"unknown object type {object_type!r}; use companies, contacts or deals"
            )
        return store.owners()

    # -- writing records -----------------------------------------------------------------------

    def apply_update(self, account: SeedAccount, values: Mapping[str, str], now_ms: int) -> bool:
        """Write checked property values on a company (`RecordStore.apply_update`)."""
        return self.company_store.apply_update(account, values, now_ms)

    def change_owner_as_person(self, record_id: str, owner_id: str | None) -> None:
        """A person reassigning a company, contact or deal in HubSpot's UI: not an API write;
        it stamps the object's modified property."""
        with self.lock:
            self._store_of(record_id).change_owner(record_id, owner_id)

    def flag_do_not_reassign_as_person(self, record_ids: Iterable[str], flag: bool = True) -> None:
        """A person setting (or clearing) the custom `do_not_reassign` property of companies."""
        with self.lock:
            store = self.company_store
            accounts = [store.require(record_id) for record_id in record_ids]

            def edit(account: SeedAccount) -> None:
                account.do_not_reassign = flag

            store.edited(accounts, edit)

    def reassign_as_person(
        self, named: Sequence[tuple[str, str | None]], count: int
    ) -> list[tuple[str, str | None]]:
        """A person reassigning the first `count` live records of `named` (id, owner a request
        asked for) to another active owner (`pick_other_owner`, owners in id order). Returns the
        (id, new owner) pairs changed."""
        edits: list[tuple[str, str | None]] = []
        with self.lock:
            for record_id, asked in named:
                if len(edits) == count:
                    break
                record = next((s.get(record_id) for s in self._stores if record_id in s), None)
                if record is None or record.deleted:
                    continue
                owner = pick_other_owner(self._active_owners_in_order, record.owner_id, asked)
                if owner is None:
                    continue
                self.change_owner_as_person(record_id, owner)
                edits.append((record_id, owner))
        return edits

    def create_records(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """New companies with fresh ids after the highest one; keys are SeedAccount fields."""
        with self.lock:
            now, store = self.now_ms(), self.company_store
            created = [new_company(store.next_id(), values, now) for values in records]
            store.add(created)
            return [account.crm_id for account in created]

    def create_contacts(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """New contacts with fresh ids after the highest contact id; keys are SeedContact fields
        (`account_id` an existing company: its primary company). Returns the new ids."""
        with self.lock:
            now, store = self.now_ms(), self.contact_store
            created = [
                new_contact(store.next_id(), values, self._company_id(values), now)
                for values in records
            ]
            store.add(created)
            self.associations.added(created)
            return [contact.crm_id for contact in created]

    def create_deals(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """New deals with fresh ids after the highest deal id; keys are SeedOpportunity fields
        but `closed`/`won`, which follow from the stage (`new_records.new_deal`). Returns the new
        ids."""
        with self.lock:
            now, store = self.now_ms(), self.deal_store
            created = [
                new_deal(store.next_id(), values, self._company_id(values), now)
                for values in records
            ]
            store.add(created)
            self.associations.added(created)
            return [deal.crm_id for deal in created]

    def _company_id(self, values: Mapping[str, object]) -> str | None:
        """The `account_id` of new record values, checked to be a company of the portal."""
        company_id = optional_text(values.get("account_id"))
        if company_id is not None and company_id not in self.company_store:
            raise ValueError(f"account_id {company_id} is no company of this portal")
        return company_id

    def delete_records(self, ids: Iterable[str], *, purge: bool = False) -> int:
        """Archive companies, contacts or deals (listed only with archived=true), bumping their
        modified time; with `purge`, delete them permanently, so no list, read or search finds
        them, archived or not. Every id must exist (UnknownRecordError otherwise, before anything
        changes). Returns how many records were archived (or, with `purge`, purged)."""
        with self.lock:
            by_store = self._by_store(ids)
            return sum(store.delete(chosen, purge=purge) for store, chosen in by_store)

    def first_ids(self, count: int) -> list[str]:
        """The first `count` companies (not archived) in id order."""
        return self.company_store.first_ids(count)

    def mass_update(self, ids: Iterable[str], modified_ms: int | None = None) -> int:
        """Stamp one identical modified time (`hs_lastmodifieddate`, contacts'
        `lastmodifieddate`) on the records, as a HubSpot bulk edit or import does, and return
        that time in milliseconds."""
        with self.lock:
            stamp = self.now_ms() if modified_ms is None else int(modified_ms)
            for store, chosen in self._by_store(ids):
                store.stamp(chosen, stamp)
            return stamp

    def _by_store(self, ids: Iterable[str]) -> list[tuple[AnyStore, list[str]]]:
        """The ids grouped by object, in order; UnknownRecordError for any id not held."""
        grouped: dict[int, tuple[AnyStore, list[str]]] = {}
        for record_id in ids:
            store = self._store_of(record_id)
            grouped.setdefault(id(store), (store, []))[1].append(record_id)
        return list(grouped.values())

    # -- inspection ----------------------------------------------------------------------------

    def state(self) -> dict[str, object]:
        with self.lock:
            live, deleted = self.company_store.counts()
            objects: dict[str, object] = {}
            for store in self._stores[1:]:
                records, archived = store.counts()
                objects[store.schema.name] = {"records": records, "deleted": archived}
            return {
                "records": live,
                "deleted": deleted,
                **objects,
                "owners": len(self._active_owner_ids),
                "archived_owners": len(self._owners) - len(self._active_owner_ids),
                "api_calls_today": self.limiter.daily_used(self.now_s()),
                "limits": {
                    "daily": self.limiter.daily_limit,
                    "ten_second": self.limiter.ten_second_limit,
                    "search_per_second": self.limiter.search_per_second,
                },
                "search_delay_s": self.search_delay_ms / 1000,
                "search_pending": sum(store.pending_in_search for store in self._stores),
                "search_inconsistency": self._search_inconsistency,
            }
