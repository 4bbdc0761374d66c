"""A fire time is claimed once: the first claim wins, every later one learns who holds it."""

from __future__ import annotations

from datetime import UTC, datetime

from sync.scheduling.firings import Decision, Firing, claim_firing, last_firing, link_run
from sync.scheduling.instances import SchedulerInstance
from sync.store.database import Database

FIRE_TIME = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def instance(pid: int, host: str) -> SchedulerInstance:
    return SchedulerInstance(f"i{pid}", host, pid, datetime.now(UTC), 30)


def test_the_first_claim_on_a_fire_time_wins_and_the_next_names_the_winner(
    database: Database,
) -> None:
    firing = Firing("nightly-sync", FIRE_TIME, Decision.ON_TIME)
    first = claim_firing(database, firing, instance(101, "alpha"))
    second = claim_firing(database, firing, instance(202, "beta"))

    assert first.won and not second.won
    assert second.firing_id == first.firing_id
    assert second.holder.startswith("pid 101 on alpha at ")


def test_a_claim_on_another_fire_time_or_job_is_its_own(database: Database) -> None:
    claims = [
        claim_firing(database, Firing(job, when, Decision.ON_TIME), None)
        for job, when in [
            ("nightly-sync", FIRE_TIME),
            ("nightly-sync", FIRE_TIME.replace(day=2)),
            ("weekly-reconcile", FIRE_TIME),
        ]
    ]
    assert all(claim.won for claim in claims)


def test_the_last_firing_of_a_job_names_its_decision_and_run(database: Database) -> None:
    from sync.runs import open_run

    claim = claim_firing(database, Firing("nightly-sync", FIRE_TIME, Decision.CATCH_UP, 2), None)
    run_id = open_run(database, kind="sync", trigger="schedule", actor="scheduler")
    link_run(database, claim.firing_id, run_id)

    last = last_firing(database, "nightly-sync")
    assert last is not None
    assert (last["decision"], last["coalesced"], last["run_id"]) == ("catch_up", 2, run_id)
    assert last["run_status"] == "running"
    assert datetime.fromisoformat(last["fire_time"]) == FIRE_TIME
