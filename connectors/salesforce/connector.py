"""The Salesforce connector: Accounts, their Contacts and Opportunities, and Users in; owners out,
over simple-salesforce.

`SalesforceConnector.from_settings(settings)` builds it from the configuration and the environment
(see `connectors.salesforce.auth` for the three ways to sign in). Every HTTP call goes through one
place (`_call`): the current client and token, a timeout, usage counting, vendor exceptions turned
into classified errors, retries with backoff and one re-authentication on 401. The parts, in this
package: `soql` (the queries), `paging` and `records` (REST pages and safe positions), `bulk`
(Bulk API 2.0 for large pulls), `writes` (owner write-back, in the shared rounds of
`connectors.owner_writes`). The daily API budget is read from the `Sforce-Limit-Info` header of
every response.

Thread-safe: the sync may write several batches at once; the token, the client, the usage counts
and the budget are shared under locks, and the requests session's connection pool is thread-safe.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connectors.base import (
    AccountPage,
    ApiUsage,
    CrmUser,
    OwnerWrite,
    OwnerWriter,
    PullMode,
    PullPosition,
    WriteOutcome,
)
from connectors.budget import ApiBudget
from connectors.errors import CrmCallError, ErrorAction
from connectors.loopback_http import is_loopback_http, session_for_instance
from connectors.retry import RetryPolicy, call_with_retry, policy_from_settings
from connectors.salesforce.auth import (
    AccessToken,
    IssuedToken,
    SalesforceCredentials,
    TokenSource,
    credentials_from_environ,
    instance_url_from,
)
from connectors.salesforce.bulk import BulkAccountQuery
from connectors.salesforce.errors import from_vendor
from connectors.salesforce.paging import QueryPages, account_pages, query_records
from connectors.salesforce.settings import (
    ACCESS_TOKEN_VAR,
    DESCRIBE_ACCOUNT_PATH,
    ID_PAGE_SIZE,
    INSTANCE_URL_VAR,
    LIMIT_INFO_HEADER,
    RELATED_SOBJECTS,
    SOURCE,
)
from connectors.salesforce.soql import (
    ACCOUNT_IDS_QUERY,
    USERS_QUERY,
    account_fields,
    accounts_query,
    count_query,
    since_condition,
)
from connectors.salesforce.writes import read_current, write_owner_batch
from territory_sync.errors import ConfigurationError
from territory_sync.logs import log_event
from territory_sync.settings import SalesforceSettings, Settings

T = TypeVar("T")
_API_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


def _checked_instance_url(url: str) -> str:
    if url.startswith("https://") or is_loopback_http(url):
        return url.rstrip("/")
    raise ConfigurationError(
        "must be the org's https:// My Domain URL, e.g. https://acme.my.salesforce.com "
        "(plain http:// only for the sandbox on this machine)",
        source=f"environment variable {INSTANCE_URL_VAR} or [salesforce] instance_url",
        given=url,
    )


class SalesforceConnector:
    """`CrmConnector` for Salesforce Accounts (see `connectors.base` for the contract)."""

    source = SOURCE

    def __init__(
        self,
        instance_url: str,
        credentials: SalesforceCredentials,
        *,
        settings: SalesforceSettings | None = None,
        fields: Sequence[str] = (),
        budget_share: float = 0.8,
        policy: RetryPolicy | None = None,
        bulk_poll_seconds: float = 2.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or SalesforceSettings()
        self.fields = tuple(fields)
        """The Account fields every pull selects besides the connector's own (Id, SystemModstamp,
        IsDeleted) and the configured ones: the sync passes those the unified model is made of."""
        self.instance_url = _checked_instance_url(instance_url)
        self.policy = policy or RetryPolicy()
        self.write_batch_size = self.settings.write_batch_size
        self.usage = ApiUsage()
        self.budget = ApiBudget(SOURCE, share=budget_share)
        self._timeout = self.settings.timeout_seconds
        self._bulk_poll_seconds = bulk_poll_seconds
        self._sleep = sleep
        self._usage_lock = threading.Lock()
        self._field_names: dict[str, frozenset[str]] = {}
        self._field_names_lock = threading.Lock()
        self._client_lock = threading.Lock()
        self._client: tuple[IssuedToken, Salesforce] | None = None
        self._session = session_for_instance(self.instance_url)
        self._session.hooks["response"].append(self._observe_limits)
        self._tokens = TokenSource(
            credentials,
            instance_url=self.instance_url,
            login_url=self.settings.login_url,
            session=self._session,
            timeout=self._timeout,
            policy=self.policy,
            clock=clock,
            on_request=self._count,
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        environ: Mapping[str, str] = os.environ,
        *,
        policy: RetryPolicy | None = None,
        **options: Any,
    ) -> SalesforceConnector:
        """The connector the configuration describes, with credentials from `environ`."""
        instance_url = instance_url_from(settings.salesforce.instance_url, environ)
        credentials = credentials_from_environ(environ)
        return cls(
            instance_url,
            credentials,
            settings=settings.salesforce,
            budget_share=settings.sync.api_budget_share,
            policy=policy or policy_from_settings(settings.sync),
            **options,
        )

    def sign_in(self) -> None:
        """Fetch an access token now rather than at the first call: bad credentials fail here."""
        self._current_client()

    def close(self) -> None:
        """Release pooled connections (the connector cannot be used afterwards)."""
        self._session.close()

    # --- the one way every call is made ------------------------------------------------------

    def _count(self, kind: str) -> None:
        with self._usage_lock:
            self.usage.count(kind)

    def _observe_limits(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        match = _API_USAGE.search(response.headers.get(LIMIT_INFO_HEADER, ""))
        if match:
            used, limit = int(match.group(1)), int(match.group(2))
            self.budget.observe(used, limit)
            with self._usage_lock:
                self.usage.daily_used, self.usage.daily_limit = used, limit

    def _current_client(self) -> tuple[IssuedToken, Salesforce]:
        token = self._tokens.current()
        with self._client_lock:
            if self._client is None or self._client[0] is not token:
                client = Salesforce(
                    instance_url=self.instance_url,
                    session_id=token.value,
                    session=self._session,
                    version=self.settings.api_version,
                    object_pairs_hook=dict,
                )
                self._client = (token, client)
            return self._client

    def _rejected_session(self, failure: CrmCallError) -> CrmCallError:
        """A 401 explained: which credential to fix."""
        if isinstance(self._tokens.credentials, AccessToken):
            text = (
                f"Salesforce rejected the access token in {ACCESS_TOKEN_VAR} "
                f"({failure.status} {failure.code}): put a fresh token there, or set "
                "SALESFORCE_CLIENT_ID with SALESFORCE_CLIENT_SECRET (or the JWT bearer variables) "
                "so the connector can sign in again by itself"
            )
        else:
            text = (
                f"Salesforce rejected the session even after signing in again ({failure.status} "
                f"{failure.code}): check that the integration user is active and has the API "
                "Enabled permission"
            )
        return CrmCallError(
            text, crm=SOURCE, status=failure.status, code=failure.code, action=failure.action
        )

    def _call(
        self,
        kind: str,
        what: str,
        operation: Callable[[Salesforce], T],
        *,
        idempotent: bool = True,
    ) -> T:
        used: list[IssuedToken] = []

        def attempt() -> T:
            token, client = self._current_client()
            used[:] = [token]
            self._count(kind)
            try:
                return operation(client)
            except (SalesforceError, requests.RequestException) as error:
                failure = from_vendor(error, what, self.instance_url)
                if failure.action == ErrorAction.REAUTHENTICATE:
                    failure = self._rejected_session(failure)
                raise failure from error

        refused: list[IssuedToken] = []

        def reauthenticate() -> bool:
            """Sign in again; True unless the refused token was refused before in this call
            (then the account itself is refused, not an expired session)."""
            stale = used[0] if used else None
            if stale is not None and any(stale is token for token in refused):
                return False
            if stale is not None:
                refused.append(stale)
            self._tokens.renew(stale)
            return True

        return call_with_retry(
            attempt,
            policy=self.policy,
            what=what,
            reauthenticate=reauthenticate if self._tokens.renewable else None,
            idempotent=idempotent,
        )

    # --- pulls -----------------------------------------------------------------------------------

    def _count_records(
        self, where: str | None, include_deleted: bool, sobject: str = "Account"
    ) -> int:
        soql = count_query(where, sobject)

        def count(client: Salesforce) -> Any:
            return client.query(soql, include_deleted=include_deleted, timeout=self._timeout)

        body = self._call("count", f"Salesforce {sobject.lower()} count", count)
        return int(body.get("totalSize", 0))

    def pull_accounts(
        self,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        extra_fields: Collection[str] = (),
    ) -> Iterator[AccountPage]:
        """Accounts page by page: all live ones (full, `query`), or everything changed after
        `since` with deleted ones flagged (incremental, `queryAll`), in (SystemModstamp, Id) order
        on the REST path. Above `bulk_threshold` records the pull runs as a Bulk API 2.0 job.
        `extra_fields` are selected beside the connector's, the configured and its own fields on
        both paths."""
        fields = account_fields([*self.fields, *self.settings.account_fields, *extra_fields])
        return self._pull("Account", fields, mode, since, lookback)

    def pull_related(
        self,
        object_name: str,
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
        fields: Sequence[str] = (),
        optional_fields: Sequence[str] = (),
    ) -> Iterator[AccountPage]:
        """Contacts or Opportunities (`RELATED_SOBJECTS`), as `pull_accounts` pulls Accounts:
        same cursor, paths and threshold. `fields` are selected (the sync passes those its
        model reads), and `optional_fields` too where the object has them (as its describe says:
        `CurrencyIsoCode` exists in multi-currency orgs only)."""
        sobject = RELATED_SOBJECTS[object_name]
        wanted = list(fields)
        if optional_fields:
            present = self._field_names_of(sobject)
            wanted += [name for name in optional_fields if name in present]
        return self._pull(sobject, account_fields(wanted), mode, since, lookback)

    def _pull(
        self,
        sobject: str,
        fields: Sequence[str],
        mode: PullMode,
        since: PullPosition | None,
        lookback: timedelta,
    ) -> Iterator[AccountPage]:
        incremental = mode == PullMode.INCREMENTAL
        floor = since if incremental else None
        where = since_condition(since, lookback) if incremental and since is not None else None
        expected = self._count_records(where, include_deleted=incremental, sobject=sobject)
        bulk = expected > self.settings.bulk_threshold
        log_event(
            "crm.pull_started",
            source=SOURCE,
            object=sobject,
            mode=mode.value,
            expected=expected,
            bulk=bulk,
        )
        pages: Iterator[AccountPage]
        if bulk:
            query = BulkAccountQuery(
                self._call,
                accounts_query(fields, where, ordered=False, sobject=sobject),
                include_deleted=incremental,
                page_size=self.settings.page_size,
                timeout=self._timeout,
                poll_seconds=self._bulk_poll_seconds,
                sleep=self._sleep,
            )
            pages = query.pages(floor)
        else:
            pages = account_pages(
                QueryPages(
                    self._call,
                    accounts_query(fields, where, ordered=True, sobject=sobject),
                    include_deleted=incremental,
                    timeout=self._timeout,
                    page_size=self.settings.page_size,
                    what=f"Salesforce {sobject.lower()} query",
                ),
                floor,
            )
        for page in pages:
            log_event(
                "crm.page",
                source=SOURCE,
                object=sobject,
                records=len(page.records),
                final=page.final,
            )
            yield page

    def pull_reps(self) -> list[CrmUser]:
        """Every User, active or not, with email and name."""
        pages = QueryPages(
            self._call,
            USERS_QUERY,
            include_deleted=False,
            timeout=self._timeout,
            what="Salesforce user query",
        )
        return [
            CrmUser(
                source=SOURCE,
                crm_id=str(record["Id"]),
                email=str(record.get("Email") or "").strip(),
                name=record.get("Name"),
                active=bool(record.get("IsActive")),
            )
            for record in query_records(pages)
        ]

    def account_field_names(self) -> frozenset[str]:
        """Every Account field name, from the sObject Describe resource; read once."""
        return self._field_names_of("Account")

    def _field_names_of(self, sobject: str) -> frozenset[str]:
        """Every field name of `sobject`, from its Describe resource; read once per sObject."""
        with self._field_names_lock:
            if sobject not in self._field_names:
                path = DESCRIBE_ACCOUNT_PATH.replace("Account", sobject)

                def describe(client: Salesforce) -> Any:
                    return client.restful(path, timeout=self._timeout)

                body = self._call("describe", f"Salesforce {sobject} describe", describe)
                fields = body.get("fields") if isinstance(body, dict) else None
                self._field_names[sobject] = frozenset(
                    str(f["name"])
                    for f in (fields if isinstance(fields, list) else [])
                    if isinstance(f, dict) and f.get("name")
                )
            return self._field_names[sobject]

    def list_account_ids(self) -> Iterator[list[str]]:
        """The ids of every live Account (`query`, not `queryAll`), a page at a time."""
        pages = QueryPages(
            self._call,
            ACCOUNT_IDS_QUERY,
            include_deleted=False,
            timeout=self._timeout,
            page_size=ID_PAGE_SIZE,
            what="Salesforce account id query",
        )
        for body in pages:
            ids = [str(r["Id"]) for r in body.get("records", []) if r.get("Id")]
            if ids:
                yield ids

    # --- owners ------------------------------------------------------------------------------

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        """Current owner of each record; deleted or unknown records are left out."""
        return self._read_owners_of("Account", external_ids)

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        """One batch (at most `write_batch_size`): budget check, then the shared write rounds
        (`connectors.owner_writes`): one read and one update without faults, every retry
        decided by a read; one outcome per write, in input order."""
        return self._write_batch("Account", writes, respect_manual_changes)

    def related_writer(self, object_name: str) -> OwnerWriter:
        """Owner reads and writes of Contacts or Opportunities (same batches and rounds)."""
        return _SObjectWriter(self, RELATED_SOBJECTS[object_name])

    def _write_batch(
        self, sobject: str, writes: Sequence[OwnerWrite], respect_manual_changes: bool
    ) -> list[WriteOutcome]:
        if len(writes) > self.write_batch_size:
            raise ValueError(
                f"at most {self.write_batch_size} writes per batch (got {len(writes)}); split "
                "by the connector's write_batch_size"
            )
        if not writes:
            return []
        self.budget.check()
        return write_owner_batch(
            self._call,
            writes,
            respect_manual_changes=respect_manual_changes,
            policy=self.policy,
            timeout=self._timeout,
            sleep=self._sleep,
            sobject=sobject,
        )

    def _read_owners_of(self, sobject: str, external_ids: Sequence[str]) -> dict[str, str | None]:
        current = read_current(self._call, external_ids, timeout=self._timeout, sobject=sobject)
        return {
            record_id: found.owner_id for record_id, found in current.items() if not found.deleted
        }


class _SObjectWriter:
    """`OwnerWriter` for one sObject other than Account, over its connector's calls."""

    source = SOURCE

    def __init__(self, connector: SalesforceConnector, sobject: str) -> None:
        self._connector = connector
        self.sobject = sobject
        self.write_batch_size = connector.write_batch_size

    def read_owners(self, external_ids: Sequence[str]) -> dict[str, str | None]:
        return self._connector._read_owners_of(self.sobject, external_ids)

    def write_owner_batch(
        self, writes: Sequence[OwnerWrite], *, respect_manual_changes: bool = True
    ) -> list[WriteOutcome]:
        return self._connector._write_batch(self.sobject, writes, respect_manual_changes)
