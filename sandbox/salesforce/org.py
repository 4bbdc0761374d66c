"""The emulated Salesforce org: accounts, users, access tokens, the daily API allocation and faults.

Everything the HTTP app serves lives here as plain Python, so tests (and the launcher) can also
drive the org in-process: change an owner the way a person in the UI would, create, delete or
purge records, stamp a mass update, read an owner back, set a fault profile or a fault schedule.
Records are kept as the seed objects themselves (`SeedAccount`, `SeedRep`) with an index by id;
nothing is copied per record.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

from sandbox.fault_schedule import (
    FaultSchedule,
    ScheduledFaults,
    pick_other_owner,
)
from sandbox.faults import FaultDice, FaultProfile, parse_fault_profile
from sandbox.ids import ACCOUNT_PREFIX, USER_PREFIX, salesforce_id
from sandbox.requestlog import RequestLog
from sandbox.salesforce.bulk import BulkJobStore
from sandbox.salesforce.cursors import QueryCursorStore
from sandbox.salesforce.settings import DAILY_API_BASE, DAILY_API_PER_LICENCE
from sandbox.seed import SeedAccount, SeedRep

_DAY_MS = 86_400_000
_FIRST_NEW_ACCOUNT_NUMBER = 10**12
"""Accounts created at run time are numbered from here, far above any seeded record."""


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


ACCOUNT_FIELDS_FOR_CREATE = frozenset(f.name for f in fields(SeedAccount)) - {
    "crm_id",
    "created_ms",
    "modified_ms",
    "deleted",
}
"""SeedAccount fields `create_records` accepts (the org assigns the id and the times)."""


class SalesforceOrg(ScheduledFaults):
    """One org's state. Mutations take `lock`, so the HTTP thread and a test thread can share it."""

    def __init__(
        self,
        book_reps: list[SeedRep],
        accounts: list[SeedAccount],
        *,
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
        self._accounts = sorted(accounts, key=lambda account: account.crm_id)
        self._accounts_by_id = {account.crm_id: account for account in self._accounts}
        self._next_account_number = _FIRST_NEW_ACCOUNT_NUMBER
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
        return self._accounts

    @property
    def users(self) -> list[SeedRep]:
        return self._users

    def account(self, record_id: str) -> SeedAccount | None:
        return self._accounts_by_id.get(record_id)

    def user(self, user_id: str) -> SeedRep | None:
        return self._users_by_id.get(user_id)

    def _require_account(self, record_id: str) -> SeedAccount:
        account = self._accounts_by_id.get(record_id)
        if account is None:
            raise KeyError(f"no Account with id {record_id!r} in this org")
        return account

    def owner_of(self, record_id: str) -> str | None:
        return self._require_account(record_id).owner_id

    def change_owner_as_person(self, record_id: str, owner_id: str | None) -> None:
        """A person reassigning the account in the Salesforce UI: not an API write."""
        with self.lock:
            account = self._require_account(record_id)
            account.owner_id = owner_id
            account.modified_ms = self.now_second_ms()

    def flag_do_not_reassign_as_person(self, record_ids: Iterable[str], flag: bool = True) -> None:
        """A person ticking (or clearing) the custom `Do_Not_Reassign__c` checkbox in the UI."""
        with self.lock:
            now = self.now_second_ms()
            for record_id in record_ids:
                account = self._require_account(record_id)
                account.do_not_reassign = flag
                account.modified_ms = now

    def reassign_as_person(
        self, named: Sequence[tuple[str, str | None]], count: int
    ) -> list[tuple[str, str | None]]:
        """A person reassigning the first `count` live accounts of `named` (id, owner a request
        asked for) to another active user (`pick_other_owner`, users in id order). Returns the
        (id, new owner) pairs changed."""
        edits: list[tuple[str, str | None]] = []
        with self.lock:
            active = sorted(u.salesforce_user_id for u in self._users if u.active)
            for record_id, asked in named:
                if len(edits) == count:
                    break
                account = self._accounts_by_id.get(record_id)
                if account is None or account.deleted:
                    continue
                owner = pick_other_owner(active, account.owner_id, asked)
                if owner is None:
                    continue
                self.change_owner_as_person(record_id, owner)
                edits.append((record_id, owner))
        return edits

    def create_records(self, records: Iterable[Mapping[str, object]]) -> list[str]:
        """Create accounts from SeedAccount-named values (`name`, `country`, `owner_id`, ...)."""
        created: list[str] = []
        with self.lock:
            now = self.now_second_ms()
            for values in records:
                unknown = set(values) - ACCOUNT_FIELDS_FOR_CREATE
                if unknown:
                    raise ValueError(
                        f"unknown account field(s) {sorted(unknown)}; "
                        f"known: {sorted(ACCOUNT_FIELDS_FOR_CREATE)}"
                    )
                record_id = self._new_account_id()
                account = SeedAccount(
                    crm_id=record_id,
                    name=f"New account {record_id[-6:]}",
                    website=None,
                    domain=None,
                    country=None,
                    region=None,
                    city=None,
                    postal_code=None,
                    industry=None,
                    employees=None,
                    annual_revenue=None,
                    owner_id=None,
                    account_type=None,
                    do_not_reassign=False,
                    created_ms=now,
                    modified_ms=now,
                )
                account = replace(account, **values)  # type: ignore[arg-type]
                self._accounts.append(account)
                self._accounts_by_id[record_id] = account
                created.append(record_id)
        return created

    def _new_account_id(self) -> str:
        while True:
            self._next_account_number += 1
            record_id = salesforce_id(ACCOUNT_PREFIX, self._next_account_number)
            if record_id not in self._accounts_by_id:
                return record_id

    def delete_records(self, ids: Iterable[str], *, purge: bool = False) -> int:
        """Move accounts to the recycle bin (IsDeleted, still visible to queryAll); with `purge`,
        also empty them from the recycle bin, so no query, queryAll or read finds them any more.
        Every id must exist (KeyError otherwise, before anything changes). Returns how many
        accounts were deleted (or, with `purge`, purged)."""
        with self.lock:
            chosen = [self._require_account(record_id) for record_id in ids]
            now = self.now_second_ms()
            deleted = 0
            for account in chosen:
                if not account.deleted:
                    account.deleted = True
                    account.modified_ms = now
                    deleted += 1
            if not purge:
                return deleted
            gone = {account.crm_id for account in chosen}
            self._accounts = [a for a in self._accounts if a.crm_id not in gone]
            for record_id in gone:
                del self._accounts_by_id[record_id]
            return len(gone)

    def mass_update(self, ids: Iterable[str], modified_ms: int | None = None) -> int:
        """Stamp one identical modified time on the accounts, as a Salesforce mass update does.

        Returns the modified time stamped (epoch ms, rounded down to the whole second).
        """
        with self.lock:
            stamp = self.now_ms() if modified_ms is None else modified_ms
            stamp -= stamp % 1000
            for record_id in ids:
                self._require_account(record_id).modified_ms = stamp
            return stamp

    def first_account_ids(self, count: int) -> list[str]:
        """The first `count` live accounts in id order (for a mass update by count)."""
        live = (a.crm_id for a in sorted(self._accounts, key=lambda a: a.crm_id) if not a.deleted)
        return [record_id for _, record_id in zip(range(count), live, strict=False)]

    def state_summary(self) -> dict[str, int]:
        deleted = sum(1 for account in self._accounts if account.deleted)
        return {
            "records": len(self._accounts) - deleted,
            "deleted": deleted,
            "users": len(self._users),
            "active_users": sum(1 for user in self._users if user.active),
            "api_calls_today": self.api_calls_used(),
            "daily_allocation": self.daily_allocation(),
            "open_query_cursors": len(self.cursors),
            "bulk_jobs": len(self.bulk_jobs),
        }
