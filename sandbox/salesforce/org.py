"""The emulated Salesforce org: accounts, contacts, opportunities, users, access tokens, the daily
API allocation and faults.

Everything the HTTP app serves lives here as plain Python, so tests (and the launcher) can also
drive the org in-process: change an owner the way a person in the UI would, create, delete or
purge records, stamp a mass update, read an owner back, set a fault profile or a fault schedule.
Records are kept as the seed objects themselves (`SeedAccount`, `SeedContact`, `SeedOpportunity`,
`SeedRep`) in one `RecordTable` per sObject, indexed by id (and contacts and opportunities by
account id); nothing is copied per record. Methods taking a record id find its sObject by the id's
key prefix (001 Account, 003 Contact, 006 Opportunity).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from sandbox.fault_schedule import (
    FaultSchedule,
    ScheduledFaults,
    pick_other_owner,
)
from sandbox.faults import FaultDice, FaultProfile, parse_fault_profile
from sandbox.ids import USER_PREFIX, salesforce_id
from sandbox.requestlog import RequestLog
from sandbox.salesforce.bulk import BulkJobStore
from sandbox.salesforce.cursors import QueryCursorStore
from sandbox.salesforce.fields import ACCOUNT, USER, SObjectType
from sandbox.salesforce.new_records import new_account, new_contact, new_opportunity
from sandbox.salesforce.query_plan import QueryPlan
from sandbox.salesforce.related_fields import CONTACT, OPPORTUNITY
from sandbox.salesforce.settings import DAILY_API_BASE, DAILY_API_PER_LICENCE
from sandbox.salesforce.tables import OrgRecord, RecordTable
from sandbox.seed import SeedAccount, SeedContact, SeedOpportunity, SeedRep

_DAY_MS = 86_400_000
_account_id = attrgetter("account_id")
R = TypeVar("R", bound=OrgRecord)


@dataclass(frozen=True)
class SalesforceOrgConfig:
    """How the emulated org is set up (credentials, licences, limits, clock)."""

    client_id: str = "territory-sync-sandbox"
    """The connected app's consumer key: the JWT `iss` and the client-credentials `client_id`."""
    client_secret: str = "territory-sync-sandbox-secret"
    jwt_public_key_pem: str | None = None
    """PEM public key (or X.509 certificate) that verifies JWT bearer assertions; None disables
    the JWT bearer flow."""
    jwt_username: str = "integration@territory-sync.sandbox"
    """The JWT `sub` the org accepts: the integration user's username."""
    licences: int = 50
    daily_allocation: int | None = None
    """Daily API requests; None means Enterprise Edition's 100,000 + 1,000 per licence."""
    assignment_rule_owner_id: str | None = None
    """An active account assignment rule's owner: an owner write sent without
    `Sforce-Auto-Assign: FALSE` stores this owner instead of the one written."""
    clock: Callable[[], float] = time.time
    """Seconds since the epoch; tests pass a fake to control modified times."""
    bulk_polls_until_complete: int = 1
    """How many polls a Bulk API 2.0 query job answers InProgress before JobComplete."""

    def default_daily_allocation(self) -> int:
        if self.daily_allocation is not None:
            return self.daily_allocation
        return DAILY_API_BASE + DAILY_API_PER_LICENCE * self.licences


@dataclass
class IssuedToken:
    value: str
    user_id: str
    calls: int = 0
    revoked: bool = False


class SalesforceOrg(ScheduledFaults):
    """One org's state. Mutations take `lock`, so the HTTP thread and a test thread can share it."""

    def __init__(
        self,
        book_reps: list[SeedRep],
        accounts: list[SeedAccount],
        *,
        contacts: Sequence[SeedContact] = (),
        opportunities: Sequence[SeedOpportunity] = (),
        config: SalesforceOrgConfig = SalesforceOrgConfig(),
        faults: FaultProfile = FaultProfile(),
        seed: int = 1,
    ) -> None:
        self.config = config
        self.seed = seed
        self.requests = RequestLog()
        self.lock = threading.RLock()
        self.org_id = salesforce_id("00D", seed)
        self.integration_user_id = salesforce_id(USER_PREFIX, seed, pod="IU")
        self._dice = FaultDice(faults, seed)
        self._schedule = FaultSchedule()
        self._users = list(book_reps)
        self._users_by_id = {rep.salesforce_user_id: rep for rep in self._users}
        self._accounts = RecordTable(ACCOUNT, accounts)
        self._contacts = RecordTable(CONTACT, contacts, account_of=_account_id)
        self._opportunities = RecordTable(OPPORTUNITY, opportunities, account_of=_account_id)
        self._tables: dict[str, RecordTable[Any]] = {
            table.sobject.key_prefix: table
            for table in (self._accounts, self._contacts, self._opportunities)
        }
        self._tokens: dict[str, IssuedToken] = {}
        self._usage_day = -1
        self._usage_count = 0
        self.cursors = QueryCursorStore()
        self.bulk_jobs = BulkJobStore()

    # --- clock and faults ----------------------------------------------------------------------

    def now_ms(self) -> int:
        return int(self.config.clock() * 1000)

    def now_second_ms(self) -> int:
        """Now, rounded down to the whole second as Salesforce stores modified times."""
        now = self.now_ms()
        return now - now % 1000

    @property
    def faults(self) -> FaultProfile:
        return self._dice.profile

    @property
    def dice(self) -> FaultDice:
        return self._dice

    def set_faults(self, profile: FaultProfile | str) -> None:
        """Replace the fault profile at run time (the dice keep their place in the sequence)."""
        if isinstance(profile, str):
            profile = parse_fault_profile(profile)
        self._dice.profile = profile

    # --- API allocation ------------------------------------------------------------------------

    def daily_allocation(self) -> int:
        override = self.faults.daily_allocation
        return override if override > 0 else self.config.default_daily_allocation()

    def api_calls_used(self) -> int:
        with self.lock:
            self._roll_day()
            return self._usage_count

    def count_api_call(self) -> int:
        """Counts one call against today's allocation and returns the new total."""
        with self.lock:
            self._roll_day()
            self._usage_count += 1
            return self._usage_count

    def limit_info(self) -> str:
        """The `Sforce-Limit-Info` header value, e.g. `api-usage=18/5000`."""
        return f"api-usage={self.api_calls_used()}/{self.daily_allocation()}"

    def _roll_day(self) -> None:
        day = self.now_ms() // _DAY_MS
        if day != self._usage_day:
            self._usage_day = day
            self._usage_count = 0

    # --- access tokens -------------------------------------------------------------------------

    def issue_token(self) -> IssuedToken:
        value = f"{self.org_id[:15]}!{secrets.token_urlsafe(48)}"
        token = IssuedToken(value, self.integration_user_id)
        with self.lock:
            self._tokens[value] = token
        return token

    def authenticate(self, value: str) -> IssuedToken | None:
        """The live token behind a bearer value, counting the call towards session expiry.

        With `session_expiry_after=K`, a token serves K authenticated calls and is then invalid
        (401 INVALID_SESSION_ID) until the client fetches a new one.
        """
        with self.lock:
            token = self._tokens.get(value)
            if token is None or token.revoked:
                return None
            expiry = self.faults.session_expiry_after
            if expiry and token.calls >= expiry:
                token.revoked = True
                return None
            token.calls += 1
            return token

    def expire_sessions(self) -> None:
        """Invalidate every access token issued so far."""
        with self.lock:
            for token in self._tokens.values():
                token.revoked = True

    # --- records -------------------------------------------------------------------------------

    @property
    def accounts(self) -> list[SeedAccount]:
        """All accounts (deleted ones too) in id order; treat as read-only."""
        return self._accounts.records

    @property
    def contacts(self) -> list[SeedContact]:
        """All contacts (deleted ones too) in id order; treat as read-only."""
        return self._contacts.records

    @property
    def opportunities(self) -> list[SeedOpportunity]:
        """All opportunities (deleted ones too) in id order; treat as read-only."""
        return self._opportunities.records

    @property
    def users(self) -> list[SeedRep]:
        return self._users

    def account(self, record_id: str) -> SeedAccount | None:
        return self._accounts.get(record_id)

    def contact(self, record_id: str) -> SeedContact | None:
        return self._contacts.get(record_id)

    def opportunity(self, record_id: str) -> SeedOpportunity | None:
        return self._opportunities.get(record_id)

    def user(self, user_id: str) -> SeedRep | None:
        return self._users_by_id.get(user_id)

    def record(self, sobject: SObjectType, record_id: str) -> Any | None:
        """The record of `sobject` with this 18-character id (a SeedRep for a User), or None."""
        if sobject is USER:
            return self.user(record_id)
        table = self._tables.get(sobject.key_prefix)
        return table.get(record_id) if table is not None else None

    def owned_record(self, record_id: str) -> OrgRecord | None:
        """The account, contact or opportunity with this id (by its key prefix), or None."""
        table = self._tables.get(record_id[:3])
        return table.get(record_id) if table is not None else None

    def select(self, plan: QueryPlan, *, include_deleted: bool) -> list[Any]:
        """The records a planned query matches, looked up by id or account id where the WHERE
        clause allows, else scanned. Call with `lock` held."""
        if plan.sobject is USER:
            return plan.select(self._users, include_deleted=include_deleted)
        table = self._tables[plan.sobject.key_prefix]
        return plan.select(
            table.records,
            include_deleted=include_deleted,
            by_id=table.get,
            by_account=table.of_account if table.indexed_by_account else None,
        )

    def _require(self, record_id: str) -> OrgRecord:
        table = self._tables.get(record_id[:3])
        if table is None:
            raise KeyError(
                f"no record with id {record_id!r} in this org: its key prefix is not Account "
                "(001), Contact (003) or Opportunity (006)"
            )
        record: OrgRecord = table.require(record_id)
        return record

    def owner_of(self, record_id: str) -> str | None:
        return self._require(record_id).owner_id

    def change_owner_as_person(self, record_id: str, owner_id: str | None) -> None:
        """A person reassigning the account, contact or opportunity in the Salesforce UI: not an
        API write. Stamps SystemModstamp like any edit."""
        with self.lock:
            record = self._require(record_id)
            record.owner_id = owner_id
            record.modified_ms = self.now_second_ms()

    def flag_do_not_reassign_as_person(self, record_ids: Iterable[str], flag: bool = True) -> None:
        """A person ticking (or clearing) the custom `Do_Not_Reassign__c` checkbox in the UI."""
        with self.lock:
            now = self.now_second_ms()
            for record_id in record_ids:
                account = self._accounts.require(record_id)
                account.do_not_reassign = flag
                account.modified_ms = now

    def reassign_as_person(
        self, named: Sequence[tuple[str, str | None]], count: int
    ) -> list[tuple[str, str | None]]:
        """A person reassigning the first `count` live records of `named` (id, owner a request
        asked for) to another active user (`pick_other_owner`, users in id order). Returns the
        (id, new owner) pairs changed."""
        edits: list[tuple[str, str | None]] = []
        with self.lock:
            active = sorted(u.salesforce_user_id for u in self._users if u.active)
            for record_id, asked in named:
                if len(edits) == count:
                    break
                record = self.owned_record(record_id)
                if record is None or record.deleted:
                    continue
                owner = pick_other_owner(active, record.owner_id, asked)
                if owner is None:
                    continue
                self.change_owner_as_person(record_id, owner)
                edits.append((record_id, owner))
        return edits

    def create_records(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """Create accounts from SeedAccount-named values (`name`, `country`, `owner_id`, ...)."""
        return self._create(self._accounts, records, new_account)

    def create_contacts(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """Create contacts from SeedContact-named values (`account_id`, `owner_id`, `email`,
        `first_name`, ...); owned by the integration user unless `owner_id` says otherwise."""
        return self._create(self._contacts, records, self._new_contact)

    def create_opportunities(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """Create opportunities from SeedOpportunity-named values (`account_id`, `owner_id`,
        `stage`, `amount`, `close_date_ms`, ...); `closed` and `won` follow the stage."""
        return self._create(self._opportunities, records, self._new_opportunity)

    def _new_contact(self, record_id: str, now: int, values: Mapping[str, object]) -> SeedContact:
        return new_contact(record_id, now, values, creator=self.integration_user_id)

    def _new_opportunity(
        self, record_id: str, now: int, values: Mapping[str, object]
    ) -> SeedOpportunity:
        return new_opportunity(record_id, now, values, creator=self.integration_user_id)

    def _create(
        self,
        table: RecordTable[R],
        records: Iterable[Mapping[str, object]],
        make: Callable[[str, int, Mapping[str, object]], R],
    ) -> list[str]:
        """Make every record first (ValueError for an unknown field, KeyError for an AccountId
        naming no account), then add them all: a refused batch creates nothing."""
        with self.lock:
            now = self.now_second_ms()
            made = [make(table.new_id(), now, values) for values in records]
            for record in made:
                account_id = getattr(record, "account_id", None)
                if account_id is not None:
                    self._accounts.require(account_id)
            ids: list[str] = []
            for record in made:
                table.add(record)
                ids.append(record.crm_id)
            return ids

    def delete_records(self, ids: Iterable[str], *, purge: bool = False) -> int:
        """Move accounts, contacts or opportunities to the recycle bin (IsDeleted, still visible
        to queryAll); with `purge`, also empty them from the recycle bin, so no query, queryAll or
        read finds them any more. Every id must exist (KeyError otherwise, before anything
        changes). Returns how many records were deleted (or, with `purge`, purged)."""
        with self.lock:
            chosen = [self._require(record_id) for record_id in ids]
            now = self.now_second_ms()
            deleted = 0
            for record in chosen:
                if not record.deleted:
                    record.deleted = True
                    record.modified_ms = now
                    deleted += 1
            if not purge:
                return deleted
            gone = {record.crm_id for record in chosen}
            return sum(table.purge(gone) for table in self._tables.values())

    def mass_update(self, ids: Iterable[str], modified_ms: int | None = None) -> int:
        """Stamp one identical modified time on the records, as a Salesforce mass update does.

        Returns the modified time stamped (epoch ms, rounded down to the whole second).
        """
        with self.lock:
            stamp = self.now_ms() if modified_ms is None else modified_ms
            stamp -= stamp % 1000
            for record_id in ids:
                self._require(record_id).modified_ms = stamp
            return stamp

    def first_account_ids(self, count: int) -> list[str]:
        """The first `count` live accounts in id order (for a mass update by count)."""
        live = (a.crm_id for a in self.accounts if not a.deleted)
        return [record_id for _, record_id in zip(range(count), live, strict=False)]

    def state_summary(self) -> dict[str, int]:
        """Counts of live and deleted records (`records` and `deleted` are accounts), users, API
        calls today, open query cursors and kept Bulk API jobs."""
        accounts, deleted = _live_and_deleted(self.accounts)
        contacts, deleted_contacts = _live_and_deleted(self.contacts)
        opportunities, deleted_opportunities = _live_and_deleted(self.opportunities)
        return {
            "records": accounts,
            "deleted": deleted,
            "contacts": contacts,
            "deleted_contacts": deleted_contacts,
            "opportunities": opportunities,
            "deleted_opportunities": deleted_opportunities,
            "users": len(self._users),
            "active_users": sum(1 for user in self._users if user.active),
            "api_calls_today": self.api_calls_used(),
            "daily_allocation": self.daily_allocation(),
            "open_query_cursors": len(self.cursors),
            "bulk_jobs": len(self.bulk_jobs),
        }


def _live_and_deleted(records: Sequence[OrgRecord]) -> tuple[int, int]:
    deleted = sum(1 for record in records if record.deleted)
    return len(records) - deleted, deleted
