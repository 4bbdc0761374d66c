"""Fault profiles with after-write faults, fault schedules, and who a person edit reassigns to."""

from __future__ import annotations

import pytest

from sandbox.fault_schedule import (
    FaultSchedule,
    ScheduledFault,
    decide_faults,
    parse_fault_schedule,
    pick_other_owner,
)
from sandbox.faults import (
    NAMED_PROFILES,
    FaultDice,
    FaultProfile,
    FaultProfileError,
    parse_fault_profile,
)


def test_after_write_fault_settings_are_read_from_profile_text() -> None:
    profile = parse_fault_profile("applied_5xx=0.2,applied_drop=0.1,applied_timeout=0.05")

    assert (profile.applied_5xx, profile.applied_drop, profile.applied_timeout) == (0.2, 0.1, 0.05)
    assert profile.stall_seconds == 2.0


def test_stall_seconds_can_be_set_beside_a_named_profile() -> None:
    profile = parse_fault_profile("chaos,stall_seconds=0.5")

    assert profile.stall_seconds == 0.5
    assert profile.applied_drop == NAMED_PROFILES["chaos"].applied_drop


@pytest.mark.parametrize("setting", ["applied_5xx=1.5", "applied_drop=-0.1", "stall_seconds=-1"])
def test_after_write_fault_settings_out_of_range_are_refused(setting: str) -> None:
    with pytest.raises(FaultProfileError, match="out of range"):
        parse_fault_profile(setting)


def test_chaos_loses_some_write_answers_after_applying_them() -> None:
    chaos = NAMED_PROFILES["chaos"]

    assert (chaos.applied_5xx, chaos.applied_drop, chaos.applied_timeout) == (0.03, 0.02, 0.01)


def test_after_write_faults_strike_write_kinds_only() -> None:
    dice = FaultDice(FaultProfile(applied_drop=1.0), seed=3)

    read = decide_faults(dice, FaultSchedule(), "query")
    write = decide_faults(dice, FaultSchedule(), "batch-update")

    assert read.lose_answer is None
    assert write.lose_answer == "applied_drop"


def test_the_same_seed_loses_the_same_write_answers() -> None:
    profile = FaultProfile(applied_5xx=0.3, applied_drop=0.2, applied_timeout=0.1)

    def sequence() -> list[str]:
        dice = FaultDice(profile, seed=11)
        return [decide_faults(dice, FaultSchedule(), "collections-update").name for _ in range(50)]

    assert sequence() == sequence()
    assert {"applied_5xx", "applied_drop", "applied_timeout", ""} <= set(sequence())


def test_a_request_meets_the_same_faults_whatever_came_before_it() -> None:
    """Concurrent writers interleave differently from run to run; the faults each request meets
    depend on the seed and that request's own history only."""
    profile = FaultProfile(rate_429=0.3, rate_5xx=0.3, applied_drop=0.3)
    requests = [f"POST /batch {n}" for n in range(40)]

    def faults(order: list[str]) -> dict[str, str]:
        dice = FaultDice(profile, seed=5)
        return {r: decide_faults(dice, FaultSchedule(), "batch-update", r).name for r in order}

    assert faults(requests) == faults(list(reversed(requests)))
    assert {"429", "503", "applied_drop", ""} <= set(faults(requests).values())


def test_a_resent_request_gets_fresh_dice() -> None:
    dice = FaultDice(FaultProfile(rate_5xx=0.5), seed=2)

    names = [decide_faults(dice, FaultSchedule(), "query", "GET /q").name for _ in range(40)]

    assert {"503", ""} == set(names)


def test_lock_errors_roll_per_record_and_attempt() -> None:
    def locked(order: list[str]) -> dict[str, bool]:
        dice = FaultDice(FaultProfile(lock_errors=0.5), seed=9)
        return {record: dice.lock_error(record) for record in order}

    records = [f"001{n:015d}" for n in range(30)]
    assert locked(records) == locked(list(reversed(records)))
    assert set(locked(records).values()) == {True, False}


def test_a_schedule_strikes_exactly_the_nth_request_of_its_kind() -> None:
    schedule = FaultSchedule([ScheduledFault("batch-update", 2, "applied_drop")])
    dice = FaultDice(FaultProfile(), seed=1)

    names = [
        (kind, decide_faults(dice, schedule, kind).name)
        for kind in ("batch-update", "search", "batch-update", "batch-update", "search")
    ]

    assert names == [
        ("batch-update", ""),
        ("search", ""),
        ("batch-update", "applied_drop"),
        ("batch-update", ""),
        ("search", ""),
    ]


def test_a_scheduled_fault_wins_over_the_dice() -> None:
    dice = FaultDice(FaultProfile(rate_429=1.0), seed=1)
    schedule = FaultSchedule([ScheduledFault("query", 1, "applied_timeout")])

    decision = decide_faults(dice, schedule, "query")

    assert (decision.refuse, decision.lose_answer, decision.scheduled) == (
        None,
        "applied_timeout",
        True,
    )


def test_replacing_a_schedule_counts_requests_afresh() -> None:
    schedule = FaultSchedule([ScheduledFault("query", 1, "503")])
    schedule.strike("query")

    schedule.replace([ScheduledFault("query", 1, "429")])

    struck = schedule.strike("query")
    assert struck is not None and struck.fault == "429"
    assert schedule.entries() == [
        {"kind": "query", "nth": 1, "fault": "429", "person_edits": 0, "struck": True}
    ]


def test_a_schedule_naming_one_request_twice_is_refused() -> None:
    with pytest.raises(FaultProfileError, match="batch-update #1"):
        FaultSchedule(
            [ScheduledFault("batch-update", 1, "503"), ScheduledFault("batch-update", 1, "429")]
        )


def test_schedules_are_read_from_json() -> None:
    schedule = parse_fault_schedule(
        [
            {"kind": "collections-update", "nth": 1, "fault": "applied_5xx", "person_edits": 2},
            {"kind": "query", "nth": 3, "fault": 503},
        ]
    )

    assert schedule == [
        ScheduledFault("collections-update", 1, "applied_5xx", 2),
        ScheduledFault("query", 3, "503"),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"kind": "query", "nth": 0, "fault": "503"}, "nth=0"),
        ({"kind": "query", "nth": 1, "fault": "teapot"}, "known faults: 503, 429"),
        ({"nth": 1, "fault": "503"}, "request kind"),
        ({"kind": "query", "nth": 1, "fault": "503", "when": "now"}, "unknown scheduled fault"),
        ({"kind": "search", "nth": 1, "fault": "503", "person_edits": 1}, "name none"),
    ],
)
def test_a_malformed_scheduled_fault_is_refused_with_the_reason(
    entry: dict[str, object], message: str
) -> None:
    with pytest.raises(FaultProfileError, match=message):
        parse_fault_schedule([entry])


def test_a_person_reassigns_to_the_next_active_owner_after_the_current_one() -> None:
    assert pick_other_owner(["a", "b", "c", "d"], "b", None) == "c"


def test_a_person_never_reassigns_to_the_owner_the_request_asked_for() -> None:
    assert pick_other_owner(["a", "b", "c", "d"], "b", "c") == "d"


def test_a_person_reassignment_wraps_round_the_owner_list() -> None:
    assert pick_other_owner(["a", "b", "c"], "c", "a") == "b"


def test_with_only_the_requested_owner_left_a_person_still_picks_another_owner() -> None:
    assert pick_other_owner(["a", "b"], "a", "b") == "b"


def test_without_another_active_owner_a_person_edits_nothing() -> None:
    assert pick_other_owner(["a"], "a", None) is None
