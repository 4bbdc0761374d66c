"""What the alerts read of a run: the changes it wrote per rep, and the open opportunities it saw
first, per account owner (none from a CRM's first pull of them)."""

from __future__ import annotations

from sqlalchemy import update

from mapping.unified import UnifiedRep
from sync.alerts.run_facts import new_opportunities, written_moves
from sync.plan import CHANGES
from sync.store.changes import ChangeState
from sync.store.database import Database
from sync.store.reps import upsert_reps
from tests.sync.related_support import store_opportunities
from tests.sync.support import HS, SF, change, new_run, saved_plan, store_accounts

MAYA = "maya@acme-revenue.example"


def store_reps(database: Database) -> None:
    with database.engine.begin() as connection:
        upsert_reps(
            connection,
            [
                UnifiedRep(SF, "005MAYA", MAYA, "Maya Chen", True),
                UnifiedRep(HS, "77", MAYA, "Maya Chen", True),
            ],
        )


def test_only_what_the_run_wrote_is_news_to_a_rep(database: Database) -> None:
    run_id = new_run(database)
    plan_id = saved_plan(
        database,
        [change("A1", "ana", "maya"), change("A2", "ana", "maya"), change("A3", "maya", "lee")],
        run_id=run_id,
    )
    with database.engine.begin() as connection:
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.plan_id == plan_id, CHANGES.c.external_id.in_(["A1", "A3"]))
            .values(state=ChangeState.WRITTEN.value, applied_run_id=run_id)
        )
        connection.execute(
            update(CHANGES)
            .where(CHANGES.c.plan_id == plan_id, CHANGES.c.external_id == "A2")
            .values(state=ChangeState.FAILED.value, applied_run_id=run_id)
        )
    moves = written_moves(database, run_id, [plan_id], names_per_rep=10)
    assert {email: (m.gained, m.lost) for email, m in moves.items()} == {
        "maya@acme.example": (1, 1),
        "ana@acme.example": (0, 1),
        "lee@acme.example": (1, 0),
    }
    assert moves["maya@acme.example"].gained_names == ["Company A1"]
    assert written_moves(database, run_id + 1, [plan_id], names_per_rep=10) == {}


def test_an_open_opportunity_first_seen_in_the_run_goes_to_its_account_owner(
    database: Database,
) -> None:
    store_reps(database)
    store_accounts(database, {(SF, "A1"): "005MAYA", (SF, "A2"): "005NOBODY", (HS, "H1"): "77"})
    store_opportunities(database, {"O-OLD": ("A1", "005MAYA", False, "Prospecting")})
    run_id = new_run(database)
    store_opportunities(
        database,
        {
            "O-NEW": ("A1", "005MAYA", False, "Prospecting"),
            "O-WON": ("A1", "005MAYA", True, "Closed Won"),
            "O-ORPHAN": ("A2", "005NOBODY", False, "Prospecting"),
        },
    )
    # HubSpot's first pull of deals: every one is first seen now, none is new
    store_opportunities(database, {"D1": ("H1", "77", False, "appointmentscheduled")}, source=HS)
    found = new_opportunities(database, run_id)
    assert list(found) == [MAYA]
    ((opportunity),) = found[MAYA]
    assert (opportunity.source, opportunity.name, opportunity.account_name) == (
        SF,
        "Deal O-NEW",
        "Company A1",
    )


def test_an_opportunity_seen_before_the_run_is_not_new(database: Database) -> None:
    store_reps(database)
    store_accounts(database, {(SF, "A1"): "005MAYA"})
    store_opportunities(database, {"O-OLD": ("A1", "005MAYA", False, "Prospecting")})
    run_id = new_run(database)
    store_opportunities(database, {"O-OLD": ("A1", "005MAYA", False, "Negotiation")})
    assert new_opportunities(database, run_id) == {}
