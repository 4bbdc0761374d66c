"""Write-back applies a plan exactly once, holds switched-off CRMs, and never guesses an outcome."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.plan import get_plan
from sync.store.changes import ChangeState, PlanStatus
from sync.store.database import Database
from sync.writeback import apply_plan
from territory_sync.errors import CrmAuthenticationError, CrmUnavailableError
from territory_sync.logs import configure_logging, run_context
from tests.sync.fakes import FakeCrm
from tests.sync.support import (
    HS,
    SF,
    audit_rows,
    change,
    context,
    mark,
    new_run,
    saved_plan,
    states,
    store_accounts,
    stored_account,
)


def test_a_planned_change_is_written_once_with_one_written_audit_row(database: Database) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    crm = FakeCrm(SF, {"A1": "005OLD"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert crm.writes == [("A1", "005NEW")]
    assert states(database, plan_id) == {"A1": "written"}
    assert audit_rows(database, "A1") == [("written", "A1")]
    assert stored_account(database, SF, "A1")["owner_id"] == "005NEW"
    assert figures.as_dict()["written"] == 1
    assert get_plan(database, plan_id)["status"] == PlanStatus.APPLIED.value  # type: ignore[index]


def test_a_record_already_holding_the_new_owner_is_already_there_not_this_plans_write(
    database: Database,
) -> None:
    crm = FakeCrm(SF, {"A1": "005NEW"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert crm.writes == []
    assert states(database, plan_id) == {"A1": "skipped"}
    assert ("written", "A1") not in audit_rows(database)
    assert figures.as_dict()["already_there"] == 1
    assert figures.as_dict()["written"] == 0


def test_a_resumed_in_flight_change_whose_earlier_attempt_landed_is_written_once(
    database: Database,
) -> None:
    crm = FakeCrm(SF, {"A1": "005NEW"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    mark(database, plan_id, "A1", state="in_flight", attempts=1)

    apply_plan(context(database), plan_id, {SF: crm})

    assert crm.writes == []
    assert states(database, plan_id) == {"A1": "written"}
    assert audit_rows(database, "A1").count(("written", "A1")) == 1


def test_an_undecided_outcome_stays_in_flight_with_its_reason_never_failed(
    database: Database,
) -> None:
    crm = FakeCrm(SF, {"A1": "005OLD"}, unfinished={"A1"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert states(database, plan_id) == {"A1": "in_flight"}
    assert audit_rows(database, "A1")[-1] == ("unfinished", "A1")
    summary = figures.as_dict()
    assert summary["unfinished"] == 1 and summary["failed"] == 0
    assert "the answer was lost" in next(iter(summary["why_unfinished"]))
    assert get_plan(database, plan_id)["status"] == PlanStatus.APPLYING.value  # type: ignore[index]


def test_the_next_apply_settles_an_undecided_outcome_by_reading_without_a_second_write(
    database: Database,
) -> None:
    crm = FakeCrm(SF, {"A1": "005OLD"}, unfinished={"A1"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    apply_plan(context(database), plan_id, {SF: crm})
    crm.unfinished.clear()

    apply_plan(context(database), plan_id, {SF: crm})

    assert crm.writes == [("A1", "005NEW")]
    assert states(database, plan_id) == {"A1": "written"}
    assert [s for s, _ in audit_rows(database, "A1")] == ["unfinished", "written"]


def test_a_person_s_change_is_left_alone_and_reported_as_a_conflict(database: Database) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    crm = FakeCrm(SF, {"A1": "005PERSON"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert crm.owners == {"A1": "005PERSON"}
    assert states(database, plan_id) == {"A1": "conflict"}
    assert stored_account(database, SF, "A1")["owner_id"] == "005PERSON"
    assert figures.as_dict()["conflicts"] == 1


def test_a_record_the_crm_says_is_gone_is_flagged_deleted_in_the_store(database: Database) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD"})
    crm = FakeCrm(SF, {})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    figures = apply_plan(context(database), plan_id, {SF: crm})

    assert states(database, plan_id) == {"A1": "failed"}
    assert stored_account(database, SF, "A1")["deleted"] is True
    assert figures.as_dict()["deleted"] == 1


def test_a_crm_with_owner_writes_switched_off_gets_no_write_and_its_changes_are_held(
    database: Database,
) -> None:
    hubspot = FakeCrm(HS, {"H1": "77"})
    plan_id = saved_plan(database, [change("H1", "77", "78", source=HS)])

    figures = apply_plan(
        context(database, writes_off={HS: "[hubspot] write_owners = false"}),
        plan_id,
        {HS: hubspot},
    )

    assert hubspot.writes == [] and hubspot.batches == 0
    assert states(database, plan_id) == {"H1": "held"}
    assert audit_rows(database, "H1")[-1] == ("held", "H1")
    assert figures.as_dict()["held"] == 1
    assert "[hubspot] write_owners = false" in next(iter(figures.as_dict()["why_held"]))
    assert get_plan(database, plan_id)["status"] == PlanStatus.PARTIAL.value  # type: ignore[index]


def test_an_in_flight_change_of_a_switched_off_crm_is_read_back_never_written(
    database: Database,
) -> None:
    hubspot = FakeCrm(HS, {"H1": "78", "H2": "77"})
    plan_id = saved_plan(
        database, [change("H1", "77", "78", source=HS), change("H2", "77", "79", source=HS)]
    )
    mark(database, plan_id, "H1", state="in_flight", attempts=1)
    mark(database, plan_id, "H2", state="in_flight", attempts=1)

    apply_plan(
        context(database, writes_off={HS: "[hubspot] write_owners = false"}),
        plan_id,
        {HS: hubspot},
    )

    assert hubspot.writes == []
    assert states(database, plan_id) == {"H1": "written", "H2": "held"}


def test_a_disabled_crm_leaves_its_in_flight_changes_unfinished_and_holds_the_rest(
    database: Database,
) -> None:
    plan_id = saved_plan(
        database, [change("H1", "77", "78", source=HS), change("H2", "77", "79", source=HS)]
    )
    mark(database, plan_id, "H1", state="in_flight", attempts=1)

    figures = apply_plan(
        context(database, writes_off={HS: "[hubspot] enabled = false"}), plan_id, {}
    )

    assert states(database, plan_id) == {"H1": "in_flight", "H2": "held"}
    assert figures.as_dict()["unfinished"] == 1


def test_credentials_refused_mid_write_stop_the_run_and_leave_the_rest_unfinished(
    database: Database,
) -> None:
    error = CrmAuthenticationError(
        "rejected the access token in SALESFORCE_ACCESS_TOKEN", crm=SF, status=401
    )
    crm = FakeCrm(SF, {f"A{n}": "005OLD" for n in range(4)}, write_batch_size=1)
    crm.raise_on_batch[2] = error
    plan_id = saved_plan(database, [change(f"A{n}", "005OLD", "005NEW") for n in range(4)])

    figures = apply_plan(context(database, concurrency=1), plan_id, {SF: crm})

    summary = figures.as_dict()
    assert crm.batches == 2
    assert summary["written"] == 1 and summary["unfinished"] == 3
    assert "SALESFORCE_ACCESS_TOKEN" in summary["stopped_reason"]
    assert states(database, plan_id)["A1"] == "planned", "refused before sending: not in flight"


def test_a_crm_that_cannot_be_reached_stops_writing_to_it(database: Database) -> None:
    crm = FakeCrm(SF, {f"A{n}": "005OLD" for n in range(3)}, write_batch_size=1)
    crm.raise_on_batch[1] = CrmUnavailableError("no answer (after 6 attempts)", crm=SF)
    plan_id = saved_plan(database, [change(f"A{n}", "005OLD", "005NEW") for n in range(3)])

    figures = apply_plan(context(database, concurrency=1), plan_id, {SF: crm})

    assert crm.batches == 1
    assert figures.as_dict()["unfinished"] == 3
    assert figures.stopped_reason is not None


def test_what_a_batch_logs_carries_the_run_id(database: Database, tmp_path: Path) -> None:
    log_file = tmp_path / "run.log"
    configure_logging("info", str(log_file))
    crm = FakeCrm(SF, {"A1": "005OLD"})
    crm.raise_on_batch[1] = CrmUnavailableError("no answer (after 6 attempts)", crm=SF)
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])

    with run_context(41):
        apply_plan(context(database, concurrency=2), plan_id, {SF: crm})

    events = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    stopped = [event for event in events if event["event"] == "writeback.stopped"]
    assert [event["run_id"] for event in stopped] == [41]


def test_a_stop_request_lets_the_batch_in_flight_finish_and_starts_no_other(
    database: Database,
) -> None:
    stop = threading.Event()
    crm = FakeCrm(SF, {f"A{n}": "005OLD" for n in range(3)}, write_batch_size=1)
    crm.before_batch = lambda number: stop.set()
    plan_id = saved_plan(database, [change(f"A{n}", "005OLD", "005NEW") for n in range(3)])

    figures = apply_plan(context(database, concurrency=1, stop=stop), plan_id, {SF: crm})

    assert crm.batches == 1
    assert figures.interrupted
    assert figures.as_dict()["written"] == 1 and figures.as_dict()["unfinished"] == 2
    assert sorted(states(database, plan_id).values()) == ["planned", "planned", "written"]


def test_a_rollback_plan_records_its_writes_as_rolled_back_and_its_conflicts_as_skipped(
    database: Database,
) -> None:
    crm = FakeCrm(SF, {"A1": "005NEW", "A2": "005PERSON"})
    plan_id = saved_plan(
        database,
        [change("A1", "005NEW", "005OLD"), change("A2", "005NEW", "005OLD")],
        kind="rollback",
        scope={"undo_run": new_run(database)},
    )

    apply_plan(context(database), plan_id, {SF: crm})

    assert audit_rows(database, "A1")[-1] == ("rolled_back", "A1")
    assert audit_rows(database, "A2")[-1] == ("skipped", "A2")
    assert states(database, plan_id) == {"A1": ChangeState.WRITTEN.value, "A2": "conflict"}


def test_changes_of_a_crm_the_run_does_not_include_wait_for_a_run_that_does(
    database: Database,
) -> None:
    plan_id = saved_plan(database, [change("H1", "77", "78", source=HS)])

    apply_plan(context(database), plan_id, {SF: FakeCrm(SF)})

    assert states(database, plan_id) == {"H1": "planned"}
    assert get_plan(database, plan_id)["status"] == PlanStatus.APPLYING.value  # type: ignore[index]


def test_a_written_owner_is_stored_with_when_the_rep_gained_the_account(
    database: Database,
) -> None:
    store_accounts(database, {(SF, "A1"): "005OLD", (SF, "A2"): "005SAME"})
    crm = FakeCrm(SF, {"A1": "005OLD", "A2": "005SAME"})
    plan_id = saved_plan(database, [change("A1", "005OLD", "005NEW")])
    before = datetime.now(UTC)

    apply_plan(context(database), plan_id, {SF: crm})

    gained = stored_account(database, SF, "A1")["owner_since"]
    assert gained is not None and gained >= before - timedelta(seconds=1)
    assert stored_account(database, SF, "A2")["owner_since"] is None
