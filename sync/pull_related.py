"""The pull phase for the records that hang off accounts: contacts and opportunities (deals).

Same discipline as accounts (`sync.pull`): pages are mapped as they arrive and committed in
transactions of about `TRANSACTION_RECORDS` records together with the cursor position they reach
(one cursor per CRM and object), pages read before a failure or a stop request are committed
first, a record that cannot be mapped is skipped with its reason in the audit log, and a full
pull ends by flagging as deleted every record the CRM no longer returned. The first pull of an
object in a CRM is a full one.

Which objects a run pulls is the territory file's to say (`objects_to_pull`): contacts unless
they stay with their owners, opportunities when open ones may follow, first touch decides
overlaps or a goal counts them (`sync.scorecards`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from connectors.base import PullMode, PullPosition, PullsRelated
from mapping.related import (
    HUBSPOT_FIELDS,
    SALESFORCE_FIELDS,
    SALESFORCE_OPTIONAL_FIELDS,
    RelatedRecord,
    to_unified_related,
)
from mapping.territories.related_rules import objects_moved
from mapping.territories.rules import Settings as TerritorySettings
from sync.progress import RunProgress
from sync.pull import (
    TRANSACTION_RECORDS,
    PendingPages,
    PullFigures,
    StopSignal,
    read_cursor,
    save_cursor,
    unify_page,
)
from sync.store.database import Database
from sync.store.related import mark_unseen_related_deleted, upsert_related
from territory_sync.errors import RunInterruptedError
from territory_sync.logs import log_event
from territory_sync.objects import OPPORTUNITY

_FIELDS = {"salesforce": SALESFORCE_FIELDS, "hubspot": HUBSPOT_FIELDS}
_OPTIONAL = {"salesforce": SALESFORCE_OPTIONAL_FIELDS}
_NOUNS = {"contact": "contacts", "opportunity": "opportunities"}


def pull_related_source(
    database: Database,
    connector: PullsRelated,
    source: str,
    object_name: str,
    *,
    full: bool,
    lookback: timedelta,
    run_id: int | None,
    trigger: str,
    actor: str,
    progress: Callable[[int], None] | None = None,
    stop: StopSignal | None = None,
) -> PullFigures:
    """Pull one CRM's records of `object_name` into the store; returns what was pulled."""
    with database.engine.connect() as connection:
        since = None if full else read_cursor(connection, source, object_name)
    mode = PullMode.FULL if since is None else PullMode.INCREMENTAL
    figures = PullFigures(source=source, mode=mode.value)
    started = datetime.now(UTC)

    def store(connection: Connection, records: list[RelatedRecord], now: datetime) -> int:
        return upsert_related(connection, object_name, records, now)

    pending = PendingPages(database, source, mode, progress, object_name=object_name, store=store)
    pages = connector.pull_related(
        object_name,
        mode,
        since,
        lookback,
        fields=_FIELDS[source][object_name],
        optional_fields=_OPTIONAL.get(source, {}).get(object_name, ()),
    )
    try:
        for page in pages:
            if stop is not None and stop.is_set():
                pending.commit()
                raise RunInterruptedError(
                    f"stopped by request while pulling {source} {_NOUNS[object_name]} (every "
                    "page read so far is saved); nothing was written. Run the command again to "
                    "finish"
                )
            records, skipped = unify_page(
                page,
                figures,
                run_id,
                trigger,
                actor,
                lambda raw: to_unified_related(
                    raw.source, object_name, raw.external_id, raw.fields, deleted=raw.deleted
                ),
                object_name,
            )
            pending.add(records, skipped, page.position)
            figures.pulled += len(page.records)
            figures.pages += 1
            if pending.records >= TRANSACTION_RECORDS:
                pending.commit()
        pending.commit()
    except BaseException:
        pending.commit_after_failure()
        raise
    if mode == PullMode.FULL:
        with database.engine.begin() as connection:
            figures.flagged_deleted = mark_unseen_related_deleted(
                connection, object_name, source, started
            )
            save_cursor(
                connection,
                source,
                pending.final_position or PullPosition(started - lookback),
                object_name=object_name,
            )
    log_event(
        "pull.finished", source=source, object=object_name, mode=mode.value, pulled=figures.pulled
    )
    return figures


def objects_to_pull(settings: TerritorySettings, source: str) -> tuple[str, ...]:
    """The related objects a run pulls from `source` for this territory file."""
    wanted = list(objects_moved(settings.related, source))
    reads_opportunities = settings.first_touch_at is not None or settings.goals.reads_opportunities
    if reads_opportunities and OPPORTUNITY not in wanted:
        wanted.append(OPPORTUNITY)
    return tuple(wanted)


def pull_related_of(
    database: Database,
    connector: object,
    objects: Sequence[str],
    *,
    full: bool,
    lookback: timedelta,
    run_id: int | None,
    trigger: str,
    actor: str,
    progress: RunProgress,
    stop: StopSignal | None = None,
) -> dict[str, dict[str, object]]:
    """Pull each of `objects` from the connector's CRM (each its own phase, unless `progress` is
    the CRM's share of a phase several CRMs' pulls share: `sync.progress.SharedPhase`), for a run;
    a connector that pulls no related records pulls nothing. Returns each object's figures."""
    if not objects or not isinstance(connector, PullsRelated):
        return {}
    source = str(getattr(connector, "source", ""))
    pulled: dict[str, dict[str, object]] = {}
    for object_name in objects:
        if stop is not None and stop.is_set():
            raise RunInterruptedError(
                f"stopped by request before pulling {source} {_NOUNS[object_name]}; nothing was "
                "written. Run the command again to finish"
            )
        progress.phase(f"pull {source} {_NOUNS[object_name]}")
        figures = pull_related_source(
            database,
            connector,
            source,
            object_name,
            full=full,
            lookback=lookback,
            run_id=run_id,
            trigger=trigger,
            actor=actor,
            progress=progress.advance,
            stop=stop,
        )
        pulled[object_name] = figures.as_dict()
    return pulled
