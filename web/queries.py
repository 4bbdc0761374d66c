"""The console's reads, shared by the API and the pages: runs, plans, audit, accounts, balance,
scorecards.

Each is a thin call into `sync/` and `mapping/` (the same code the command line uses); filters
go through `AuditFilter`, and text from a request is checked for control characters before any
query, so a hostile value fails validation (422) and reaches no SQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from mapping.territories.assignment import BALANCED, CAPACITY_FULL, REBALANCED, Assignment
from mapping.territories.balance import balance_summary, trade_off_summary, what_if_summary
from mapping.territories.explain import decision_data, explain, render_explanation
from sync.audit import AUDIT
from sync.audit_search import AuditFilter, iter_audit, parse_day, search_audit
from sync.companies import ACCOUNTS, LINKS, REPS
from sync.evaluate import (
    StoreEvaluation,
    balance_store,
    evaluate_account,
    trade_off_store,
    what_if_store,
)
from sync.plan import get_plan, plan_changes
from sync.runs import RUNS, get_run
from sync.scorecards import build_scorecard, scorecard_summary
from sync.store.database import Database
from territory_sync.errors import ConfigurationError, TerritoryFileError
from territory_sync.settings import Settings
from web.errors import ApiError

MAX_TEXT = 320
SOURCES = ("salesforce", "hubspot")


def checked_text(value: str | None, name: str) -> str | None:
    """None for empty; 422 for control characters or over-long values."""
    if value is None or value.strip() == "":
        return None
    if len(value) > MAX_TEXT:
        raise ApiError(422, f"{name} is longer than {MAX_TEXT} characters; shorten it")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ApiError(422, f"{name} contains control characters; remove them")
    return value.strip()


def audit_filter(
    *,
    run_id: int | None = None,
    account: str | None = None,
    rep: str | None = None,
    territory: str | None = None,
    status: str | None = None,
    since: str | None = None,
    until: str | None = None,
    include_planned: bool = False,
) -> AuditFilter:
    """The same validated filter as `territory-sync audit search`; bad values answer 422."""
    try:
        since_text = checked_text(since, "since")
        until_text = checked_text(until, "until")
        return AuditFilter(
            run_id=run_id,
            account=checked_text(account, "account"),
            rep=checked_text(rep, "rep"),
            territory=checked_text(territory, "territory"),
            status=checked_text(status, "status"),
            since=parse_day(since_text, end=False, name="since") if since_text else None,
            until=parse_day(until_text, end=True, name="until") if until_text else None,
            include_planned=include_planned,
        )
    except ConfigurationError as error:
        raise ApiError(422, str(error)) from error


def list_runs(database: Database, limit: int, offset: int) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                select(RUNS).order_by(RUNS.c.id.desc()).limit(limit).offset(offset)
            ).mappings()
        ]


def run_or_404(database: Database, run_id: int) -> dict[str, Any]:
    run = get_run(database, run_id)
    if run is None:
        raise ApiError(404, f"there is no run {run_id}; GET /api/runs lists them")
    return run


def plan_or_404(database: Database, plan_id: int) -> dict[str, Any]:
    plan = get_plan(database, plan_id)
    if plan is None:
        raise ApiError(404, f"there is no plan {plan_id}; a dry run or a plan request makes one")
    return plan


def plan_with_changes(database: Database, plan_id: int) -> dict[str, Any]:
    plan = plan_or_404(database, plan_id)
    changes = plan_changes(database, plan_id)
    return {**plan, "changes": changes}


def audit_page(
    database: Database, filters: AuditFilter, limit: int, offset: int
) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        return search_audit(connection, filters, limit=limit, offset=offset)


def audit_rows(database: Database, filters: AuditFilter) -> Iterator[dict[str, Any]]:
    with database.engine.connect() as connection:
        yield from iter_audit(connection, filters)


def _owner_email() -> Any:
    return (
        select(REPS.c.email)
        .where(
            or_(
                (ACCOUNTS.c.source == "salesforce")
                & (REPS.c.salesforce_user_id == ACCOUNTS.c.owner_id),
                (ACCOUNTS.c.source == "hubspot") & (REPS.c.hubspot_owner_id == ACCOUNTS.c.owner_id),
            )
        )
        .limit(1)
        .scalar_subquery()
    )


ACCOUNT_COLUMNS = (
    "source",
    "external_id",
    "name",
    "domain",
    "country",
    "region",
    "city",
    "industry",
    "employees",
    "annual_revenue",
    "owner_id",
    "deleted",
    "crm_modified_at",
    "last_seen_at",
)


def search_accounts(
    database: Database, search: str | None, source: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    query = select(
        *(ACCOUNTS.c[name] for name in ACCOUNT_COLUMNS), _owner_email().label("owner_email")
    ).order_by(ACCOUNTS.c.name, ACCOUNTS.c.source, ACCOUNTS.c.external_id)
    if source:
        query = query.where(ACCOUNTS.c.source == source)
    if search:
        pattern = (
            "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(ACCOUNTS.c.name).like(pattern, escape="\\"),
                ACCOUNTS.c.domain.like(pattern, escape="\\"),
                ACCOUNTS.c.external_id == search,
            )
        )
    with database.engine.connect() as connection:
        return [
            dict(row) for row in connection.execute(query.limit(limit).offset(offset)).mappings()
        ]


def _linked_ids(database: Database, source: str, external_id: str) -> list[tuple[str, str]]:
    column = LINKS.c.salesforce_id if source == "salesforce" else LINKS.c.hubspot_id
    with database.engine.connect() as connection:
        link = connection.execute(
            select(LINKS.c.salesforce_id, LINKS.c.hubspot_id).where(column == external_id)
        ).first()
    if link is None:
        return [(source, external_id)]
    return [("salesforce", link[0]), ("hubspot", link[1])]


LOAD_DEPENDENT_REP_RULES = frozenset({BALANCED, CAPACITY_FULL, REBALANCED})
"""Rep outcomes that depend on every account's placement (the members' loads), not on this one."""
INDICATIVE_REP_NOTE = (
    "The territory is decided as a run decides it. The rep shown is indicative: in this "
    "territory the rep depends on the members' loads and capacities across the whole book, "
    "which a run weighs and this page does not (it reads this account alone); the next plan "
    "names the rep."
)
MAX_HISTORY_ROWS = 500


def _rep_is_indicative(evaluated: StoreEvaluation, assignment: Assignment) -> bool:
    """Whether a run over the whole book could name another rep than this one-account view."""
    rules = {assignment.rep_rule}
    if assignment.split is not None:
        rules.add(assignment.split.rep_rule)
    if rules & LOAD_DEPENDENT_REP_RULES:
        return True
    territory = evaluated.rules.territories.get(assignment.territory or "")
    if territory is not None and evaluated.rules.settings.balancing is not None:
        return True  # balancing may move any account of a territory to even out its members
    # A sticky owner at capacity elsewhere in the book loses accounts a one-account view keeps.
    return territory is not None and any(m.capacity is not None for m in territory.owners)


def _explain(
    settings: Settings, database: Database, source: str, external_id: str
) -> dict[str, Any]:
    """The explain trace as `territory-sync explain` prints it and the decision, or why not,
    evaluated over this account's company alone (see `evaluate_account`)."""
    try:
        evaluated = evaluate_account(settings, database, source, external_id)
    except (TerritoryFileError, ConfigurationError, OSError) as error:
        return _no_explain(f"the territory file cannot be used: {error}")
    if not evaluated.book.companies:
        return _no_explain("this account is deleted or not pulled yet: run a sync first")
    explanation = explain(
        evaluated.book.companies[0],
        evaluated.rules,
        evaluated.reps.directory,
        evaluation=evaluated.evaluation,
    )
    indicative = _rep_is_indicative(evaluated, explanation.assignment)
    return {
        "trace": render_explanation(explanation),
        "decision": {**decision_data(explanation.assignment), "rep_indicative": indicative},
        "note": INDICATIVE_REP_NOTE if indicative else None,
        "problem": None,
    }


def _no_explain(problem: str) -> dict[str, Any]:
    return {"trace": None, "decision": None, "note": None, "problem": problem}


def _owner_history(database: Database, ids: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The audit rows of these records, newest first, at most `MAX_HISTORY_ROWS` (by index)."""
    history: list[dict[str, Any]] = []
    with database.engine.connect() as connection:
        for record_source, record_id in ids:
            rows = connection.execute(
                select(AUDIT)
                .where(AUDIT.c.source == record_source, AUDIT.c.external_id == record_id)
                .order_by(AUDIT.c.id.desc())
                .limit(MAX_HISTORY_ROWS)
            ).mappings()
            history.extend(dict(row) for row in rows)
    history.sort(key=lambda entry: entry["id"], reverse=True)
    return history[:MAX_HISTORY_ROWS]


def account_detail(
    settings: Settings, database: Database, source: str, external_id: str
) -> dict[str, Any]:
    """Both CRMs' records of the company, its owner history from the audit log, and explain.

    Reads this company's rows only (its records, their link, their audit rows, the reps), never
    the whole book."""
    ids = _linked_ids(database, source, external_id)
    records: list[dict[str, Any]] = []
    with database.engine.connect() as connection:
        for record_source, record_id in ids:
            row = (
                connection.execute(
                    select(
                        *(ACCOUNTS.c[name] for name in ACCOUNT_COLUMNS),
                        _owner_email().label("owner_email"),
                    ).where(ACCOUNTS.c.source == record_source, ACCOUNTS.c.external_id == record_id)
                )
                .mappings()
                .first()
            )
            if row is not None:
                records.append(dict(row))
    if not any(r["source"] == source and r["external_id"] == external_id for r in records):
        raise ApiError(
            404, f"there is no {source} account {external_id!r}; search with GET /api/accounts"
        )
    return {
        "records": records,
        "owner_history": _owner_history(database, ids),
        "explain": _explain(settings, database, source, external_id),
    }


def current_balance(settings: Settings, database: Database) -> dict[str, Any]:
    """Accounts, revenue and employees per rep and territory, as `territory-sync balance`."""
    try:
        return balance_summary(balance_store(settings, database))
    except (TerritoryFileError, OSError) as error:
        raise ApiError(422, f"the territory file cannot be used: {error}") from error


def current_scorecard(
    settings: Settings, database: Database, period: str | None = None
) -> dict[str, Any]:
    """Goals against actuals per territory and owner member, as `territory-sync scorecard
    --format json` (for `period`, or each territory's current one); 422 when it cannot be
    made (no goals, a bad period, a broken territory file)."""
    try:
        card = build_scorecard(settings, database, period=checked_text(period, "period"))
    except (TerritoryFileError, ConfigurationError) as error:
        raise ApiError(422, str(error)) from error
    except OSError as error:
        raise ApiError(422, f"the territory file cannot be used: {error}") from error
    return scorecard_summary(card)


def balance_what_if(
    settings: Settings, database: Database, proposed: bytes, caps: Sequence[int] = ()
) -> dict[str, Any]:
    """What a proposed territory file would change, as `territory-sync balance --proposed`;
    with `caps`, also its trade-off under each move cap (`--max-moves`), as `trade_off`.

    It evaluates the whole book twice, and once more per cap: the console runs it only as a
    bounded job (`what_if`)."""
    with tempfile.TemporaryDirectory(prefix="territory-sync-what-if-") as folder:
        path = Path(folder) / "proposed.yaml"
        path.write_bytes(proposed)
        try:
            # The trade-off first: a file that does not turn balancing on fails at once.
            points = trade_off_store(settings, database, path, caps) if caps else None
            summary = what_if_summary(what_if_store(settings, database, path))
            if points is not None:
                summary["trade_off"] = trade_off_summary(points)
            return summary
        except (TerritoryFileError, ConfigurationError) as error:
            message = str(error).replace(str(path), "proposed territory file")
            raise ApiError(422, message) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise ApiError(422, f"the territory file cannot be read: {error}") from error
        except OSError as error:
            raise ApiError(422, f"the territory file cannot be used: {error}") from error
