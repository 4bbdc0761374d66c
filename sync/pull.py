"""The pull phase: stream a CRM's accounts into the store, page by page, cursor with the page.

Pages are mapped to unified accounts as they arrive and buffered into transactions of about
`TRANSACTION_RECORDS` records (HubSpot hands out 100 or 200 per page, and a transaction per page
would cost more than the rows); each transaction upserts its pages together with the cursor
position the last of them reaches, so a crash loses nothing and repeats at most one transaction's
pages. Pages already read when the CRM fails or a stop is requested are committed before the error
is raised. A record that cannot be mapped is skipped, and the reason goes into the audit log in the
same transaction. A full pull ends by flagging as deleted every account the CRM no longer
returned.

The fields beyond those of the unified model's columns (`extra_fields`: those a territory file
tests, and the field registry's fields kept raw, see `sync.pull_fields`) are pulled too. Accounts
already in the store were pulled without a field that a run starts to pull, so the first pull
after such a change is a full one; the cursor remembers which extra fields the store's accounts
carry. A stop request ends the pull between pages (the pages read are committed with their
cursor, so nothing is lost) with `RunInterruptedError`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, Table, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.base import (
    AccountPage,
    CrmConnector,
    CrmUser,
    ExpectsAccounts,
    PullMode,
    PullPosition,
    RawAccount,
)
from mapping.fields import MalformedRecordError, to_unified
from mapping.unified import UNIFIED_MODEL_VERSION, UnifiedAccount, UnifiedRep
from sync.audit import AuditRecord, append_audit
from sync.store.accounts import ACCOUNTS, mark_unseen_deleted, upsert_accounts
from sync.store.cursors import PullCursor
from sync.store.database import Database
from sync.store.reps import upsert_reps
from territory_sync.errors import RunInterruptedError
from territory_sync.logs import log_event

T = TypeVar("T")
"""A record in the unified model: an account, a contact or an opportunity."""

CURSORS: Table = PullCursor.__table__  # type: ignore[attr-defined]
ACCOUNT_OBJECT = "account"
TRANSACTION_RECORDS = 2_000
"""Pages are committed together once they hold at least this many records."""


class StopSignal(Protocol):
    """What a pull reads between pages to know it is asked to stop: a `threading.Event`, or any
    object that says whether one of several is set."""

    def is_set(self) -> bool: ...


@dataclass
class PullFigures:
    source: str
    mode: str
    pulled: int = 0
    skipped: int = 0
    flagged_deleted: int = 0
    pages: int = 0
    reps: int = 0
    skipped_reasons: list[str] = field(default_factory=list)
    full_because: str | None = None
    """Why an incremental pull became a full one (a field newly pulled, a changed model)."""
    extra_fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["skipped_malformed"] = data.pop("skipped")
        return data


def read_cursor(
    connection: Connection, source: str, object_name: str = ACCOUNT_OBJECT
) -> PullPosition | None:
    row = connection.execute(
        select(CURSORS.c.modified_at, CURSORS.c.last_id).where(
            CURSORS.c.source == source, CURSORS.c.object_name == object_name
        )
    ).first()
    if row is None or row[0] is None:
        return None
    return PullPosition(row[0], row[1])


MODEL_MARK = f"model:{UNIFIED_MODEL_VERSION}"
"""Kept among the pulled fields: the unified model version the stored accounts were made with."""


def pulled_fields(connection: Connection, source: str) -> set[str]:
    """The extra fields (and the model mark) the store's accounts of `source` were last fully
    pulled with."""
    value = connection.execute(
        select(CURSORS.c.pulled_fields).where(
            CURSORS.c.source == source, CURSORS.c.object_name == ACCOUNT_OBJECT
        )
    ).scalar()
    return set(value or ())


def save_cursor(
    connection: Connection,
    source: str,
    position: PullPosition,
    *,
    extra_fields: Collection[str] | None = None,
    object_name: str = ACCOUNT_OBJECT,
) -> None:
    values: dict[str, object] = {
        "source": source,
        "object_name": object_name,
        "modified_at": position.modified_at,
        "last_id": position.record_id,
        "updated_at": datetime.now(UTC),
    }
    if extra_fields is not None:
        values["pulled_fields"] = sorted(extra_fields)
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(CURSORS).values(**values)
    update = {k: statement.excluded[k] for k in values if k not in ("source", "object_name")}
    connection.execute(
        statement.on_conflict_do_update(index_elements=["source", "object_name"], set_=update)
    )


def live_account_count(connection: Connection, source: str) -> int:
    """How many accounts of `source` the store holds that are not flagged deleted."""
    count = connection.execute(
        select(func.count())
        .select_from(ACCOUNTS)
        .where(ACCOUNTS.c.source == source, ACCOUNTS.c.deleted.is_(False))
    ).scalar()
    return int(count or 0)


def unified_rep(user: CrmUser) -> UnifiedRep:
    """A CRM's user or owner, as the store records reps."""
    return UnifiedRep(
        source=user.source, crm_id=user.crm_id, email=user.email, name=user.name, active=user.active
    )


def unify_page(
    page: AccountPage,
    figures: PullFigures,
    run_id: int | None,
    trigger: str,
    actor: str,
    convert: Callable[[RawAccount], T],
    object_name: str | None = None,
) -> tuple[list[T], list[AuditRecord]]:
    """The page's records in the unified model (`convert`), and an audit row for each malformed
    one, skipped with its reason. `object_name` names related records (None: accounts)."""
    unified: list[T] = []
    skipped: list[AuditRecord] = []
    for record in page.records:
        try:
            unified.append(convert(record))
        except MalformedRecordError as error:
            figures.skipped += 1
            if len(figures.skipped_reasons) < 20:
                figures.skipped_reasons.append(f"{record.external_id}: {error}")
            name = record.fields.get("Name") or record.fields.get("name") or ""
            skipped.append(
                AuditRecord(
                    run_id=run_id,
                    trigger=trigger,
                    actor=actor,
                    status="skipped",
                    source=record.source,
                    external_id=record.external_id or None,
                    account_name=str(name) or None if object_name is None else None,
                    object_name=object_name,
                    rule="malformed_record",
                    reason=f"malformed {object_name or 'record'} skipped: {error}",
                )
            )
    return unified, skipped


def _account(record: RawAccount) -> UnifiedAccount:
    return to_unified(record.source, record.external_id, record.fields, deleted=record.deleted)


Store = Callable[[Connection, list[Any], datetime], object]
"""Upserts one transaction's unified records (`upsert_accounts`, or related records)."""


class PendingPages:
    """Pages read but not yet committed, with the cursor position the last of them reaches."""

    def __init__(
        self,
        database: Database,
        source: str,
        mode: PullMode,
        progress: Callable[[int], None] | None,
        *,
        object_name: str = ACCOUNT_OBJECT,
        store: Store = upsert_accounts,
    ) -> None:
        self.database = database
        self.source = source
        self.mode = mode
        self.progress = progress
        self.object_name = object_name
        self.store = store
        self.accounts: list[Any] = []
        self.skipped: list[AuditRecord] = []
        self.pages = 0
        self.records = 0
        self.position: PullPosition | None = None
        self.final_position: PullPosition | None = None
        """The position of the last page read that carried one (saved at the end of a full
        pull)."""

    def add(
        self,
        accounts: list[Any],
        skipped: list[AuditRecord],
        position: PullPosition | None,
    ) -> None:
        self.accounts.extend(accounts)
        self.skipped.extend(skipped)
        self.pages += 1
        self.records += len(accounts) + len(skipped)
        if position is not None:
            self.position = position
            self.final_position = position

    def commit(self) -> None:
        """One transaction: the buffered accounts, their skipped records' audit rows and, in an
        incremental pull, the cursor position they reach."""
        if not self.pages:
            return
        accounts, skipped, position = self.accounts, self.skipped, self.position
        pages, records = self.pages, self.records
        # Taken first: a commit that fails is not tried again on the way out.
        self.accounts, self.skipped, self.position = [], [], None
        self.pages = self.records = 0
        with self.database.engine.begin() as connection:
            self.store(connection, accounts, datetime.now(UTC))
            append_audit(connection, skipped)
            if position is not None and self.mode == PullMode.INCREMENTAL:
                save_cursor(connection, self.source, position, object_name=self.object_name)
        if self.progress:
            self.progress(records)
        log_event(
            "pull.pages_committed",
            source=self.source,
            object=self.object_name,
            pages=pages,
            records=records,
            mode=self.mode.value,
        )

    def commit_after_failure(self) -> None:
        """Commit what was read before the pull failed; a failure to do so is logged, and the
        original error is the one raised."""
        try:
            self.commit()
        except Exception as error:
            log_event(
                "pull.pages_not_committed",
                source=self.source,
                reason=f"{type(error).__name__}: {error}",
            )


def pull_reps(database: Database, connector: CrmConnector) -> int:
    """Pull one CRM's users or owners into the store's reps, in a transaction of their own;
    returns how many were recorded."""
    users = connector.pull_reps()
    with database.engine.begin() as connection:
        return upsert_reps(connection, map(unified_rep, users))


def pull_source(
    database: Database,
    connector: CrmConnector,
    *,
    full: bool,
    lookback: timedelta,
    run_id: int | None,
    trigger: str,
    actor: str,
    progress: Callable[[int], None] | None = None,
    extra_fields: Collection[str] = (),
    stop: StopSignal | None = None,
    reps: int | None = None,
) -> PullFigures:
    """Pull one CRM's reps and accounts into the store; returns what was pulled and skipped.

    `reps`: how many reps `pull_reps` already recorded for this CRM in this run (they are not
    pulled again); None pulls them here, in the transaction that reads the cursor."""
    source = connector.source
    full_because = None
    with database.engine.begin() as connection:
        figures_reps = (
            upsert_reps(connection, map(unified_rep, connector.pull_reps()))
            if reps is None
            else reps
        )
        since = None if full else read_cursor(connection, source)
        stored_with = pulled_fields(connection, source)
        if since is not None and isinstance(connector, ExpectsAccounts):
            connector.expect_accounts(live_account_count(connection, source))
    missing = sorted(set(extra_fields) - stored_with)
    if since is not None and missing:
        full_because = (
            f"the stored accounts were pulled without {', '.join(missing)}, which this run pulls "
            "(the territory file tests it, or the field registry declares it)"
        )
    elif since is not None and MODEL_MARK not in stored_with:
        full_because = (
            "the unified model changed since the stored accounts were pulled (version "
            f"{UNIFIED_MODEL_VERSION}): every account is pulled and normalised again once"
        )
    if full_because is not None:
        log_event("pull.full_because", source=source, reason=full_because)
        since = None
    mode = PullMode.FULL if since is None else PullMode.INCREMENTAL
    figures = PullFigures(
        source=source,
        mode=mode.value,
        reps=figures_reps,
        full_because=full_because,
        extra_fields=sorted(extra_fields),
    )
    started = datetime.now(UTC)
    pending = PendingPages(database, source, mode, progress)
    pages = connector.pull_accounts(mode, since, lookback, extra_fields)
    try:
        for page in pages:
            if stop is not None and stop.is_set():
                pending.commit()
                raise RunInterruptedError(
                    f"stopped by request while pulling {source} (every page read so far is "
                    "saved); nothing was written. Run the command again to finish"
                )
            accounts, skipped = unify_page(page, figures, run_id, trigger, actor, _account)
            pending.add(accounts, skipped, page.position)
            figures.pulled += len(page.records)
            figures.pages += 1
            if pending.records >= TRANSACTION_RECORDS:
                pending.commit()
        pending.commit()
    except BaseException:
        # The pages read before the failure are kept (the next pull starts after them).
        pending.commit_after_failure()
        raise
    final_position = pending.final_position
    with database.engine.begin() as connection:
        if mode == PullMode.FULL:
            figures.flagged_deleted = mark_unseen_deleted(connection, source, started)
            # A full pull's cursor is saved only once all of it is in: a crash repeats it.
            save_cursor(
                connection,
                source,
                final_position or PullPosition(started - lookback),
                extra_fields=[*extra_fields, MODEL_MARK],
            )
    log_event("pull.finished", source=source, mode=mode.value, pulled=figures.pulled)
    return figures
