"""What the alert builders need of a finished run, read from the store.

`written_moves`: per rep email, the accounts the run actually wrote to them and away from them
(the changes of its plans that the run wrote; planned but failed, conflicting or held changes
are not news to a rep), folded by the run summary's own `RepMoves`, a chunk of rows at a time.

`new_opportunities`: per account owner's email, the open opportunities (deals) first seen in
this run. A CRM's first pull of opportunities brings every one the CRM holds: none of those is
new, so a CRM whose store held no opportunity before the run has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, and_, exists, false, select

from mapping.model.accounts import Account
from mapping.model.related import Opportunity
from mapping.model.reps import Rep
from mapping.territories.facts import SOURCES
from sync.alerts.messages import NewOpportunity
from sync.notify import RepMoves
from sync.plan import CHANGES, ProposedChange
from sync.store.changes import ACCOUNT_OBJECT, ChangeState
from sync.store.database import Database
from sync.store.runs import Run

ACCOUNTS: Table = Account.__table__  # type: ignore[attr-defined]
OPPORTUNITIES: Table = Opportunity.__table__  # type: ignore[attr-defined]
REPS: Table = Rep.__table__  # type: ignore[attr-defined]
RUNS: Table = Run.__table__  # type: ignore[attr-defined]
CHUNK = 5_000
OWNER_COLUMN = {"salesforce": "salesforce_user_id", "hubspot": "hubspot_owner_id"}
"""The `reps` column that holds a CRM's owner id."""


def written_moves(
    database: Database,
    run_id: int,
    plan_ids: Sequence[int],
    *,
    names_per_rep: int,
) -> RepMoves:
    """Per rep email: the accounts of `plan_ids` that run `run_id` wrote to and away from them."""
    moves = RepMoves(names_per_rep=names_per_rep)
    if not plan_ids:
        return moves
    query = select(CHANGES).where(
        CHANGES.c.plan_id.in_(list(plan_ids)),
        CHANGES.c.state == ChangeState.WRITTEN.value,
        CHANGES.c.object_name == ACCOUNT_OBJECT,
        CHANGES.c.applied_run_id == run_id,
    )
    last = 0
    while True:
        with database.engine.connect() as connection:
            rows = list(
                connection.execute(
                    query.where(CHANGES.c.id > last).order_by(CHANGES.c.id).limit(CHUNK)
                ).mappings()
            )
        if not rows:
            return moves
        last = rows[-1]["id"]
        for row in rows:
            moves.add(ProposedChange.from_row(dict(row)))


def run_started_at(database: Database, run_id: int) -> datetime | None:
    with database.engine.connect() as connection:
        started: datetime | None = connection.execute(
            select(RUNS.c.started_at).where(RUNS.c.id == run_id)
        ).scalar_one_or_none()
    return started


def new_opportunities(database: Database, run_id: int) -> dict[str, list[NewOpportunity]]:
    """Per account owner's email (lower case): the open opportunities first seen in the run,
    by CRM, account and name."""
    started = run_started_at(database, run_id)
    found: dict[str, list[NewOpportunity]] = {}
    if started is None:
        return found
    opportunity, account, rep = OPPORTUNITIES, ACCOUNTS, REPS
    earlier = OPPORTUNITIES.alias("earlier")
    with database.engine.connect() as connection:
        for source in SOURCES:
            query = (
                select(
                    rep.c.email,
                    opportunity.c.name,
                    opportunity.c.stage,
                    opportunity.c.amount,
                    opportunity.c.currency,
                    account.c.name.label("account_name"),
                )
                .join(
                    account,
                    and_(
                        account.c.source == opportunity.c.source,
                        account.c.external_id == opportunity.c.account_external_id,
                    ),
                )
                .join(rep, rep.c[OWNER_COLUMN[source]] == account.c.owner_id)
                .where(
                    opportunity.c.source == source,
                    opportunity.c.first_seen_at >= started,
                    opportunity.c.is_closed.is_(false()),
                    opportunity.c.deleted.is_(false()),
                    account.c.deleted.is_(false()),
                    exists().where(earlier.c.source == source, earlier.c.first_seen_at < started),
                )
                .order_by(account.c.name, opportunity.c.name, opportunity.c.external_id)
            )
            for row in connection.execute(query).mappings():
                found.setdefault(str(row["email"]).lower(), []).append(
                    NewOpportunity(
                        source=source,
                        name=row["name"],
                        account_name=row["account_name"],
                        stage=row["stage"],
                        amount=row["amount"],
                        currency=row["currency"],
                    )
                )
    return found
