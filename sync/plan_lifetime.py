"""How long a plan may wait: supersession by newer plans, staleness, and retiring a plan.

A plan's decisions were right for the book and the territory file of the moment it was made.
Replaying them later can undo newer decisions, so:

- a newer plan for an overlapping scope supersedes every older plan still waiting to be applied
  (`draft`); a plan being applied (`applying`) is finished by the next real run instead, unless
  it is stale; a quick assignment's plan (new and unowned accounts only) supersedes only older
  quick assignments' plans, never a wider plan awaiting review;
- a plan is stale when it is older than `[sync] plan_max_age` or was made with a territory file
  whose fingerprint differs from the current one (rollback plans, which restore owners rather
  than apply territories, only age);
- retiring a plan marks it `superseded` with the reason and its changes still `planned` as
  `superseded`; changes `in_flight` may have landed and are settled by reading them back, never
  by writing (see `sync.writeback.settle_without_writing`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from sync.plan import CHANGES, PLANS
from sync.store.changes import ACCOUNT_OBJECT, ChangeState, PlanStatus
from sync.store.database import Database
from territory_sync.settings import SyncSettings

ALL_SOURCES = ("salesforce", "hubspot")


def scopes_overlap(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    """Whether two plans' scopes can touch one record: they share a CRM, their territories (each
    with those under it) share one, and neither names a different account than the other (a
    territory and an account may overlap, so they count as overlapping)."""
    sources = set(first.get("sources") or ALL_SOURCES) & set(second.get("sources") or ALL_SOURCES)
    if not sources:
        return False
    one, other = _territories(first), _territories(second)
    if one and other and not one & other:
        return False
    account, other_account = first.get("account"), second.get("account")
    return not (account and other_account and str(account).lower() != str(other_account).lower())


def _territories(scope: Mapping[str, Any]) -> set[str]:
    """The territories a plan's scope covers, in lower case: its territory and those under it
    (`territories`; plans made before subtrees were planned name the territory alone)."""
    if not scope.get("territory"):
        return set()
    return {str(name).lower() for name in scope.get("territories") or (scope["territory"],)}


def describe_age(age: timedelta) -> str:
    hours = age.total_seconds() / 3600
    return f"{hours:.0f} h" if hours >= 1 else f"{age.total_seconds() / 60:.0f} min"


def stale_reason(
    plan: Mapping[str, Any],
    *,
    now: datetime,
    max_age: timedelta,
    max_age_text: str,
    territory_fingerprint: str | None,
) -> str | None:
    """Why the plan must not be replayed, or None when it is fresh."""
    age = now - plan["created_at"]
    if age > max_age:
        return (
            f"plan {plan['id']} was made {describe_age(age)} ago, longer ago than "
            f"[sync] plan_max_age ({max_age_text})"
        )
    made_with = plan.get("territory_fingerprint")
    if (
        plan["kind"] == "assign"
        and made_with
        and territory_fingerprint
        and made_with != territory_fingerprint
    ):
        return (
            f"plan {plan['id']} was made with a different territory file (fingerprint "
            f"{made_with[:12]}, now {territory_fingerprint[:12]})"
        )
    return None


def staleness(
    plan: Mapping[str, Any], settings: SyncSettings, territory_fingerprint: str | None
) -> str | None:
    """`stale_reason` now, with the `[sync] plan_max_age` of the configuration."""
    return stale_reason(
        plan,
        now=datetime.now(UTC),
        max_age=settings.plan_max_age_delta,
        max_age_text=settings.plan_max_age,
        territory_fingerprint=territory_fingerprint,
    )


def retire_plan(database: Database, plan_id: int, reason: str) -> int:
    """Mark the plan superseded, and its planned changes too; returns how many changes."""
    with database.engine.begin() as connection:
        connection.execute(
            update(PLANS)
            .where(PLANS.c.id == plan_id)
            .values(status=PlanStatus.SUPERSEDED.value, status_reason=reason)
        )
        result = connection.execute(
            update(CHANGES)
            .where(CHANGES.c.plan_id == plan_id, CHANGES.c.state == ChangeState.PLANNED.value)
            .values(state=ChangeState.SUPERSEDED.value, last_error_message=reason)
        )
    return int(result.rowcount or 0)


def supersede_older_plans(database: Database, plan_id: int) -> list[int]:
    """Retire every older draft plan of the same kind whose scope overlaps the new plan's."""
    with database.engine.connect() as connection:
        new = connection.execute(select(PLANS).where(PLANS.c.id == plan_id)).mappings().one()
        older = [
            dict(row)
            for row in connection.execute(
                select(PLANS.c.id, PLANS.c.scope).where(
                    PLANS.c.id < plan_id,
                    PLANS.c.kind == new["kind"],
                    PLANS.c.status == PlanStatus.DRAFT.value,
                )
            ).mappings()
        ]
    retired = []
    narrow = bool((new["scope"] or {}).get("only_unowned_or_new"))
    for plan in older:
        if narrow and not (plan["scope"] or {}).get("only_unowned_or_new"):
            continue  # a quick assignment decides some accounts: a wider plan still stands
        if scopes_overlap(plan["scope"] or {}, new["scope"] or {}):
            retire_plan(database, plan["id"], f"superseded by plan {plan_id}, made later")
            retired.append(plan["id"])
    return retired


def plans_being_applied(database: Database) -> list[dict[str, Any]]:
    """Plans whose application started and did not finish (a crash, a stop), oldest first, and
    retired plans whose in-flight changes are still undecided (their read-back failed)."""
    retired_in_flight = (
        select(CHANGES.c.plan_id)
        .where(CHANGES.c.state == ChangeState.IN_FLIGHT.value)
        .distinct()
        .scalar_subquery()
    )
    with database.engine.connect() as connection:
        return [
            dict(row)
            for row in connection.execute(
                select(PLANS)
                .where(
                    (PLANS.c.status == PlanStatus.APPLYING.value)
                    | (
                        (PLANS.c.status == PlanStatus.SUPERSEDED.value)
                        & PLANS.c.id.in_(retired_in_flight)
                    )
                )
                .order_by(PLANS.c.id)
            ).mappings()
        ]


def records_of(database: Database, plan_ids: Sequence[int]) -> set[tuple[str, str]]:
    """(CRM, account id) of every account change still to do in these plans (contacts and
    opportunities follow their accounts: they are not records a new plan must leave alone)."""
    if not plan_ids:
        return set()
    with database.engine.connect() as connection:
        return {
            (row[0], row[1])
            for row in connection.execute(
                select(CHANGES.c.source, CHANGES.c.external_id).where(
                    CHANGES.c.plan_id.in_(plan_ids),
                    CHANGES.c.state.in_([ChangeState.PLANNED.value, ChangeState.IN_FLIGHT.value]),
                    CHANGES.c.object_name == ACCOUNT_OBJECT,
                )
            )
        }
