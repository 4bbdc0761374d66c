"""The console's reads, shared by the API and the pages: runs, plans, audit, accounts, balance,
scorecards.

Each is a thin call into `sync/` and `mapping/` (the same code the command line uses); filters
go through `AuditFilter`, and text from a request is checked for control characters before any
query, so a hostile value fails validation (422) and reaches no SQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import ColumnElement, FromClause, Row, Select, and_, case, false, func, or_, select

from mapping.territories.assignment import BALANCED, CAPACITY_FULL, REBALANCED, Assignment
from mapping.territories.balance import (
    BalanceReport,
    balance_report,
    balance_summary,
    placements,
    trade_off_summary,
    what_if_summary,
)
from mapping.territories.engine import Evaluation
from mapping.territories.explain import decision_data, explain, render_explanation
from mapping.territories.facts import CompanyFacts
from mapping.territories.rules import LoadedTerritories
from sync.audit import AUDIT
from sync.audit_search import AuditFilter, iter_audit, parse_day, search_audit
from sync.companies import ACCOUNTS, LINKS, REPS
from sync.evaluate import (
    StoreEvaluation,
    evaluate_account,
    evaluate_store,
    load_rules,
    trade_off_store,
    what_if_store,
)
from sync.plan import CHANGES, get_plan, plan_changes
from sync.runs import RUNS, get_run
from sync.scorecards import build_scorecard, scorecard_summary
from sync.store.changes import ChangeState
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


def run_or_404(database: Database, run_id: int, listed_by: str = "GET /api/runs") -> dict[str, Any]:
    run = get_run(database, run_id)
    if run is None:
        raise ApiError(404, f"there is no run {run_id}; {listed_by} lists them")
    return run


def plan_or_404(
    database: Database, plan_id: int, made_by: str = "a dry run or a plan request"
) -> dict[str, Any]:
    plan = get_plan(database, plan_id)
    if plan is None:
        raise ApiError(404, f"there is no plan {plan_id}; {made_by} makes one")
    return plan


def plan_with_changes(database: Database, plan_id: int) -> dict[str, Any]:
    plan = plan_or_404(database, plan_id)
    changes = plan_changes(database, plan_id)
    return {**plan, "changes": changes}


CHANGE_STATES = tuple(state.value for state in ChangeState)


@dataclass(frozen=True)
class ChangeFilter:
    """A plan's change rows: in one of `states` (all when empty), in one territory (if given)."""

    plan_id: int
    states: tuple[str, ...] = ()
    territory: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        query = query.where(CHANGES.c.plan_id == self.plan_id)
        if self.states:
            query = query.where(CHANGES.c.state.in_(self.states))
        if self.territory:
            query = query.where(CHANGES.c.territory == self.territory)
        return query


def change_filter(plan_id: int, *, status: str | None, territory: str | None) -> ChangeFilter:
    """The filter a plan page's query asks for; 422 for a state that is not one."""
    state = checked_text(status, "status")
    if state is not None and state not in CHANGE_STATES:
        raise ApiError(
            422, f"status {state!r} is not a change state; use one of {', '.join(CHANGE_STATES)}"
        )
    return ChangeFilter(plan_id, (state,) if state else (), checked_text(territory, "territory"))


def change_page(
    database: Database, filters: ChangeFilter, limit: int, offset: int
) -> list[dict[str, Any]]:
    """One page of the plan's matching changes, in the order they were planned."""
    query = filters.apply(select(CHANGES)).order_by(CHANGES.c.id).limit(limit).offset(offset)
    with database.engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]


def change_count(database: Database, filters: ChangeFilter) -> int:
    """How many of the plan's changes match, counted by the database."""
    query = filters.apply(select(func.count()).select_from(CHANGES))
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


ChangeFacet = Literal["state", "territory", "source"]


def change_counts(database: Database, filters: ChangeFilter, column: ChangeFacet) -> dict[str, int]:
    """How many of the plan's matching changes have each value of `column` (grouped by the
    database), most first; changes without a territory count under ""."""
    field = CHANGES.c[column]
    query = filters.apply(select(field, func.count()).select_from(CHANGES)).group_by(field)
    with database.engine.connect() as connection:
        return _most_first(connection.execute(query).all())


def audit_page(
    database: Database, filters: AuditFilter, limit: int, offset: int
) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        return search_audit(connection, filters, limit=limit, offset=offset)


def audit_count(database: Database, filters: AuditFilter) -> int:
    """How many audit rows match, counted by the database."""
    query = filters.apply(select(func.count()).select_from(AUDIT))
    with database.engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


AuditFacet = Literal["status", "territory"]


def audit_counts(database: Database, filters: AuditFilter, column: AuditFacet) -> dict[str, int]:
    """How many matching audit rows have each value of `column` (grouped by the database), most
    first; rows without a value count under "" (no territory)."""
    field = AUDIT.c[column]
    query = filters.apply(select(field, func.count()).select_from(AUDIT)).group_by(field)
    with database.engine.connect() as connection:
        return _most_first(connection.execute(query).all())


def _most_first(rows: Sequence[Row[Any, int]]) -> dict[str, int]:
    pairs = [(str(value or ""), int(count)) for value, count in rows]
    return dict(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))


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
        query = query.where(_matching(search))
    with database.engine.connect() as connection:
        return [
            dict(row) for row in connection.execute(query.limit(limit).offset(offset)).mappings()
        ]


def _matching(search: str) -> ColumnElement[bool]:
    """Accounts whose name or domain contains `search` (any case, as text: never a pattern),
    or whose CRM id it is."""
    pattern = (
        "%" + search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    return or_(
        func.lower(ACCOUNTS.c.name).like(pattern, escape="\\"),
        ACCOUNTS.c.domain.like(pattern, escape="\\"),
        ACCOUNTS.c.external_id == search,
    )


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
    return balance_summary(territory_book(settings, database).report)


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


# The accounts list and the territory pages. The list is SQL, a page at a time; territory
# membership is the evaluation's (`placements`, as the balance and the scorecards count it), so a
# page that needs it evaluates the book once (`territory_book`) and keeps it for that request.

PARTNER = ACCOUNTS.alias("partner")
"""The linked record in the other CRM, beside each listed account."""
_LINKED_FROM = {source: LINKS.alias(f"link_from_{source}") for source in SOURCES}
_REPS_OF = {
    (table, source): REPS.alias(f"{table}_rep_{source}")
    for table in ("own", "partner")
    for source in SOURCES
}
_REP_ID_COLUMN = {"salesforce": "salesforce_user_id", "hubspot": "hubspot_owner_id"}


def _with_reps(joined: FromClause, accounts: FromClause, table: str) -> FromClause:
    """`joined` with the rep of each row of `accounts`, one join per CRM: the owner-to-email rule
    of `_owner_email` as equality joins, which the databases answer from their unique indexes on
    a book of any size."""
    for source in SOURCES:
        rep = _REPS_OF[(table, source)]
        joined = joined.outerjoin(
            rep,
            (accounts.c.source == source) & (rep.c[_REP_ID_COLUMN[source]] == accounts.c.owner_id),
        )
    return joined


def _rep_email(table: str) -> ColumnElement[str]:
    """The email of the rep of the listed account ("own") or of its linked record ("partner")."""
    return func.coalesce(*(_REPS_OF[(table, source)].c.email for source in SOURCES))


def _listing() -> FromClause:
    """The accounts, each with its owner's rep, its company link and the linked record in the
    other CRM with that record's rep, where they exist."""
    joined: FromClause = ACCOUNTS
    for source, link in _LINKED_FROM.items():
        id_column = link.c.salesforce_id if source == "salesforce" else link.c.hubspot_id
        joined = joined.outerjoin(
            link, (ACCOUNTS.c.source == source) & (id_column == ACCOUNTS.c.external_id)
        )
    from_salesforce = ACCOUNTS.c.source == "salesforce"
    partner_id = func.coalesce(
        _LINKED_FROM["salesforce"].c.hubspot_id, _LINKED_FROM["hubspot"].c.salesforce_id
    )
    joined = joined.outerjoin(
        PARTNER,
        (PARTNER.c.source == case((from_salesforce, "hubspot"), else_="salesforce"))
        & (PARTNER.c.external_id == partner_id),
    )
    return _with_reps(_with_reps(joined, ACCOUNTS, "own"), PARTNER, "partner")


def _owner_key(accounts: FromClause, email: ColumnElement[str]) -> ColumnElement[str]:
    """Who owns the record, comparable across the CRMs: the rep's email; for an owner no rep
    is known for, the CRM and its id; "" for no owner."""
    return func.coalesce(email, accounts.c.source.concat(":").concat(accounts.c.owner_id), "")


def _owners_differ() -> ColumnElement[bool]:
    """A live account linked to a live record in the other CRM whose owner is another rep."""
    return and_(
        PARTNER.c.id.is_not(None),
        ACCOUNTS.c.deleted == false(),
        PARTNER.c.deleted == false(),
        _owner_key(ACCOUNTS, _rep_email("own")) != _owner_key(PARTNER, _rep_email("partner")),
    )


def _owned_by(email: str) -> ColumnElement[bool]:
    """Accounts whose owner is the rep with `email`, in either CRM: a test on the accounts
    themselves, so the database applies it before any join."""
    return or_(
        *(
            (ACCOUNTS.c.source == source)
            & ACCOUNTS.c.owner_id.in_(
                select(REPS.c[_REP_ID_COLUMN[source]]).where(REPS.c.email == email)
            )
            for source in SOURCES
        )
    )


LISTED_ORDER = (
    ACCOUNTS.c.name.is_(None),
    ACCOUNTS.c.name,
    ACCOUNTS.c.source,
    ACCOUNTS.c.external_id,
)
"""By name (accounts without one last), then CRM and id: the same order on both databases."""


@dataclass(frozen=True)
class AccountFilter:
    """The accounts list's filters, all SQL; the territory is `members` of `account_list`."""

    search: str | None = None
    source: str | None = None
    rep: str | None = None
    """The owner's email, lower case."""
    owners_differ: bool = False
    territory: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.source:
            query = query.where(ACCOUNTS.c.source == self.source)
        if self.rep:
            query = query.where(_owned_by(self.rep))
        if self.owners_differ:
            query = query.where(_owners_differ())
        if self.search:
            query = query.where(_matching(self.search))
        return query


def account_filter(
    *,
    search: str | None = None,
    crm: str | None = None,
    rep: str | None = None,
    territory: str | None = None,
    owners_differ: bool = False,
) -> AccountFilter:
    """The filters a request asks for; 422 for a CRM that is not one, or unusable text."""
    source = checked_text(crm, "crm")
    if source is not None and source not in SOURCES:
        raise ApiError(422, f"crm {source!r} is not a CRM here; use one of {', '.join(SOURCES)}")
    email = checked_text(rep, "rep")
    return AccountFilter(
        search=checked_text(search, "search"),
        source=source,
        rep=email.lower() if email else None,
        owners_differ=owners_differ,
        territory=checked_text(territory, "territory"),
    )


@dataclass(frozen=True)
class AccountPage:
    total: int
    """How many accounts match in all."""
    rows: list[dict[str, Any]]
    """This page's accounts, each with its owner's email and its linked record
    (`linked_source`, `linked_id`, `linked_owner_email`, `linked_owner_id`; None without one)
    and `owners_differ`."""


def _listed_columns() -> tuple[Any, ...]:
    return (
        *(ACCOUNTS.c[name] for name in ACCOUNT_COLUMNS),
        _rep_email("own").label("owner_email"),
        PARTNER.c.source.label("linked_source"),
        PARTNER.c.external_id.label("linked_id"),
        _rep_email("partner").label("linked_owner_email"),
        PARTNER.c.owner_id.label("linked_owner_id"),
        case((_owners_differ(), True), else_=False).label("owners_differ"),
    )


def account_list(
    database: Database,
    filters: AccountFilter,
    limit: int,
    offset: int,
    members: Collection[tuple[str, str]] | None = None,
) -> AccountPage:
    """One page of the matching accounts, in `LISTED_ORDER`, and how many match.

    Without `members` the database counts and pages. With them (the records of a territory,
    `TerritoryBook.members`), the matching ids are read in order and kept when members, and
    only the page's rows are read in full."""
    joined = _listing()
    with database.engine.connect() as connection:
        if members is None:
            total = connection.execute(
                filters.apply(select(func.count()).select_from(joined))
            ).scalar_one()
            query = filters.apply(select(*_listed_columns()).select_from(joined))
            found = connection.execute(query.order_by(*LISTED_ORDER).limit(limit).offset(offset))
            return AccountPage(int(total), [_listed(row) for row in found.mappings()])
        ids = filters.apply(select(ACCOUNTS.c.source, ACCOUNTS.c.external_id).select_from(joined))
        kept = [
            (source, external_id)
            for source, external_id in connection.execute(ids.order_by(*LISTED_ORDER))
            if (source, external_id) in members
        ]
        shown = kept[offset : offset + limit]
        if not shown:
            return AccountPage(len(kept), [])
        query = select(*_listed_columns()).select_from(joined)
        query = query.where(
            or_(
                *(
                    (ACCOUNTS.c.source == source) & (ACCOUNTS.c.external_id == external_id)
                    for source, external_id in shown
                )
            )
        )
        rows = [
            _listed(row) for row in connection.execute(query.order_by(*LISTED_ORDER)).mappings()
        ]
    return AccountPage(len(kept), rows)


def _listed(row: Any) -> dict[str, Any]:
    return {**row, "owners_differ": bool(row["owners_differ"])}


def rep_emails(database: Database, limit: int = 1_000) -> list[str]:
    """The reps' emails in order (at most `limit`), to pick an owner from."""
    with database.engine.connect() as connection:
        return list(
            connection.execute(select(REPS.c.email).order_by(REPS.c.email).limit(limit)).scalars()
        )


@dataclass
class TerritoryBook:
    """The stored book evaluated once by the territory file, as the balance page evaluates it:
    its balance (`report`), where each business stands (`members`), the rules it used."""

    rules: LoadedTerritories
    companies: list[CompanyFacts]
    evaluation: Evaluation

    @cached_property
    def report(self) -> BalanceReport:
        return balance_report(self.companies, self.evaluation)

    @property
    def currency(self) -> str:
        """The reporting currency amounts are shown in (`reporting_currency`, USD unless the
        territory file names another)."""
        return self.rules.settings.goals.reporting.currency

    def members(self, territory: str) -> frozenset[tuple[str, str]]:
        """The records (CRM, id) of the businesses the evaluation places in `territory` (its
        own: a parent's children keep theirs; "(no territory)" for the unplaced)."""
        return frozenset(
            (record.source, record.external_id)
            for placement in placements(self.companies, self.evaluation)
            if placement.territory == territory
            for record in placement.company.records
        )


def territory_book(settings: Settings, database: Database) -> TerritoryBook:
    """The stored book evaluated by the configured territory file; 422 when it cannot be used.
    It reads the whole book: call it once per request."""
    try:
        current = evaluate_store(settings, database)
    except (TerritoryFileError, OSError) as error:
        raise ApiError(422, f"the territory file cannot be used: {error}") from error
    return TerritoryBook(current.rules, current.book.companies, current.evaluation)


def territory_rules(settings: Settings) -> LoadedTerritories:
    """The configured territory file, loaded (no store read); 422 when it cannot be used."""
    try:
        return load_rules(settings, None)
    except (TerritoryFileError, OSError) as error:
        raise ApiError(422, f"the territory file cannot be used: {error}") from error
