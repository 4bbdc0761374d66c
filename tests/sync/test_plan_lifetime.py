"""Plans have a lifetime: newer plans supersede older drafts, stale plans are never replayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.plan import get_plan
from sync.plan_lifetime import retire_plan, scopes_overlap, stale_reason, supersede_older_plans
from sync.store.changes import PlanStatus
from sync.store.database import Database
from tests.sync.support import SF, change, mark, saved_plan, states

ALL = {"sources": ["salesforce", "hubspot"], "territory": None, "account": None}


def test_plans_of_everything_overlap() -> None:
    assert scopes_overlap(ALL, ALL)


def test_plans_for_two_different_territories_do_not_overlap() -> None:
    assert not scopes_overlap({**ALL, "territory": "NA-West"}, {**ALL, "territory": "EMEA"})


def test_a_plan_for_a_territory_overlaps_a_plan_for_a_territory_under_it() -> None:
    region = {**ALL, "territory": "NA", "territories": ["NA", "NA-West", "NA-East"]}
    assert scopes_overlap(region, {**ALL, "territory": "NA-West"})
    assert scopes_overlap({**ALL, "territory": "na-east"}, region)


def test_plans_for_two_territories_under_one_region_do_not_overlap() -> None:
    assert not scopes_overlap({**ALL, "territory": "NA-West"}, {**ALL, "territory": "NA-East"})


def test_plans_for_different_crms_do_not_overlap() -> None:
    assert not scopes_overlap({"sources": ["salesforce"]}, {"sources": ["hubspot"]})


def test_a_territory_plan_and_an_account_plan_may_overlap() -> None:
    assert scopes_overlap({**ALL, "territory": "NA-West"}, {**ALL, "account": "acme.com"})


def _plan(created_at: datetime, kind: str = "assign", fingerprint: str = "a" * 64) -> dict:
    return {"id": 7, "kind": kind, "created_at": created_at, "territory_fingerprint": fingerprint}


def test_a_plan_older_than_the_maximum_age_is_stale() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    reason = stale_reason(
        _plan(now - timedelta(hours=30)),
        now=now,
        max_age=timedelta(hours=24),
        max_age_text="24h",
        territory_fingerprint="a" * 64,
    )
    assert reason == "plan 7 was made 30 h ago, longer ago than [sync] plan_max_age (24h)"


def test_a_plan_made_with_another_territory_file_is_stale() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    reason = stale_reason(
        _plan(now),
        now=now,
        max_age=timedelta(hours=24),
        max_age_text="24h",
        territory_fingerprint="b" * 64,
    )
    assert reason is not None and "different territory file" in reason


def test_a_rollback_plan_is_not_stale_because_the_territory_edited() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert (
        stale_reason(
            _plan(now, kind="rollback"),
            now=now,
            max_age=timedelta(hours=24),
            max_age_text="24h",
            territory_fingerprint="b" * 64,
        )
        is None
    )


def test_a_new_plan_supersedes_an_older_draft_for_an_overlapping_scope(database: Database) -> None:
    older = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    newer = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    assert supersede_older_plans(database, newer) == [older]

    plan = get_plan(database, older)
    assert plan is not None and plan["status"] == PlanStatus.SUPERSEDED.value
    assert plan["status_reason"] == f"superseded by plan {newer}, made later"
    assert states(database, older) == {"A1": "superseded"}


def test_a_new_plan_leaves_drafts_of_other_territories_alone(database: Database) -> None:
    west = saved_plan(database, [change("A1", "o", "n")], scope={**ALL, "territory": "NA-West"})
    emea = saved_plan(database, [change("A2", "o", "n")], scope={**ALL, "territory": "EMEA"})

    assert supersede_older_plans(database, emea) == []
    assert get_plan(database, west)["status"] == PlanStatus.DRAFT.value  # type: ignore[index]


def test_a_plan_being_applied_is_not_superseded_by_planning(database: Database) -> None:
    applying = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    from sync.plan import set_plan_status

    set_plan_status(database, applying, PlanStatus.APPLYING)
    newer = saved_plan(database, [change("A2", "005OLD", "005NEW")])

    assert supersede_older_plans(database, newer) == []


def test_retiring_a_plan_supersedes_its_planned_changes_and_keeps_in_flight_ones(
    database: Database,
) -> None:
    plan_id = saved_plan(database, [change("A1", "o", "n"), change("A2", "o", "n", source=SF)])
    mark(database, plan_id, "A2", state="in_flight", attempts=1)

    assert retire_plan(database, plan_id, "too old") == 1
    assert states(database, plan_id) == {"A1": "superseded", "A2": "in_flight"}
