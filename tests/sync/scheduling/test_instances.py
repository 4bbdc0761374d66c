"""Scheduler instances: one taken for gone while its beats were held up is expected again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.scheduling.instances import SchedulerInstance, beat, liveness, register_instance
from sync.store.database import Database


def test_an_instance_taken_for_gone_is_expected_again_once_it_beats(database: Database) -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    held_up = SchedulerInstance("held-up", "alpha", 101, long_ago, 30)
    register_instance(database, held_up)  # its last beat is ten minutes old
    newcomer = SchedulerInstance("newcomer", "beta", 202, datetime.now(UTC), 30)
    assert register_instance(database, newcomer) == ["held-up"]

    beat(database, held_up)

    states = {i["id"]: i["state"] for i in liveness(database).instances}
    assert states["held-up"] == "alive"
