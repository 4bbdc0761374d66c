"""Switches hold for every plan, old plans are not replayed, rollbacks undo exactly one run."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from sync.rollback import rollback_run
from sync.runner import SyncRequest, run_sync
from sync.saved_plans import apply_saved_plan
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode, StalePlanError
from tests.end_to_end.conftest import Product

WRITE_KINDS = {"salesforce": "collections-update", "hubspot": "batch-update"}


class StopAfterWrites:
    """Progress that asks the run to stop once `batches` write batches have been recorded."""

    def __init__(self, stop: threading.Event, batches: int) -> None:
        self.stop, self.batches, self.writing = stop, batches, False

    def phase(self, name: str, total: int | None = None) -> None:
        self.writing = name == "write owners" or name.startswith("finish plan")

    def advance(self, amount: int = 1) -> None:
        if self.writing:
            self.batches -= 1
            if self.batches <= 0:
                self.stop.set()


def interrupted_run(product: Product, batches: int = 1, **request: object) -> int:
    """A sync stopped (as by Ctrl-C) after `batches` write batches; returns its run id."""
    product.settings.salesforce.write_batch_size = 5
    product.settings.hubspot.write_batch_size = 5
    product.settings.sync.concurrency = 1
    stop = threading.Event()
    result = run_sync(
        product.settings,
        product.database,
        SyncRequest(actor="test", **request),  # type: ignore[arg-type]
        stop=stop,
        progress=StopAfterWrites(stop, batches),
    )
    assert result.status == RunStatus.INTERRUPTED
    assert result.exit_code == ExitCode.INTERRUPTED
    assert result.figures["unfinished"] > 0
    return result.run_id


def audit_statuses(product: Product, run_id: int) -> dict[str, int]:
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, count(*) FROM audit_log WHERE run_id = :r GROUP BY status"),
            {"r": run_id},
        ).all()
    return {status: count for status, count in rows}


def write_calls(product: Product, source: str) -> int:
    crm = product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot
    return crm.requests.count(WRITE_KINDS[source])


def test_a_saved_plan_applied_with_hubspot_writes_off_writes_nothing_there_and_reports_held(
    product: Product,
) -> None:
    plan = product.sync(plan_only=True)
    planned = [c for c in plan.changes if c.source == "hubspot" and c.new_owner_id]
    planned_hubspot = sum(1 for c in planned if c.object_name == "account")
    assert plan.plan_id is not None and planned_hubspot > 0
    product.settings.hubspot.write_owners = False

    result = apply_saved_plan(
        product.settings, product.database, plan.plan_id, SyncRequest(actor="test")
    )

    assert write_calls(product, "hubspot") == 0
    assert result.figures["by_crm"]["hubspot"]["held"] == planned_hubspot
    assert "[hubspot] write_owners = false" in next(iter(result.figures["why_held"]))
    # The contacts that would have followed those companies are held with them.
    assert audit_statuses(product, result.run_id).get("held") == len(planned)
    assert result.figures["by_crm"]["salesforce"]["written"] > 0


def test_a_resumed_plan_writes_nothing_to_a_crm_whose_writes_were_switched_off(
    product: Product,
) -> None:
    interrupted_run(product)
    hubspot_writes_before = write_calls(product, "hubspot")
    product.settings.hubspot.write_owners = False

    result = product.sync()

    assert write_calls(product, "hubspot") == hubspot_writes_before
    assert result.figures["held"] > 0
    assert result.figures["by_crm"]["hubspot"]["written"] == 0


def test_applying_a_plan_after_a_newer_run_wrote_its_changes_writes_nothing(
    product: Product,
) -> None:
    old = product.sync(plan_only=True)
    assert old.plan_id is not None
    product.sync()
    calls = {source: write_calls(product, source) for source in WRITE_KINDS}

    with pytest.raises(StalePlanError, match="superseded") as refused:
        apply_saved_plan(product.settings, product.database, old.plan_id, SyncRequest(actor="t"))

    assert refused.value.new_plan_id is not None
    forced = apply_saved_plan(
        product.settings, product.database, old.plan_id, SyncRequest(actor="t", force=True)
    )
    assert {source: write_calls(product, source) for source in WRITE_KINDS} == calls
    assert forced.figures["written"] == 0
    assert forced.figures["already_there"] == old.figures["planned"]
    assert "written" not in audit_statuses(product, forced.run_id)


def test_a_plan_older_than_plan_max_age_is_re_planned_not_replayed(product: Product) -> None:
    old = product.sync(plan_only=True)
    with product.database.engine.begin() as connection:
        connection.execute(
            text("UPDATE plans SET created_at = :t WHERE id = :p"),
            {"t": datetime.now(UTC) - timedelta(hours=25), "p": old.plan_id},
        )
    assert old.plan_id is not None

    with pytest.raises(StalePlanError, match="plan_max_age") as refused:
        apply_saved_plan(product.settings, product.database, old.plan_id, SyncRequest(actor="t"))

    assert write_calls(product, "salesforce") == write_calls(product, "hubspot") == 0
    assert refused.value.new_plan_id is not None and refused.value.new_plan_id > old.plan_id


def test_an_unfinished_plan_older_than_plan_max_age_is_retired_and_re_planned(
    product: Product,
) -> None:
    interrupted = interrupted_run(product)
    with product.database.engine.begin() as connection:
        connection.execute(
            text("UPDATE plans SET created_at = :t WHERE run_id = :r"),
            {"t": datetime.now(UTC) - timedelta(days=2), "r": interrupted},
        )

    result = product.sync()

    assert result.exit_code == ExitCode.OK
    retired = result.figures["unfinished_plans"]["retired"]
    assert len(retired) == 1 and "plan_max_age" in next(iter(retired.values()))
    assert result.figures["unfinished"] == 0
    for source in WRITE_KINDS:
        crm = product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot
        assert max(crm.requests.writes_per_record().values(), default=1) == 1


def test_rolling_back_a_run_finished_by_the_next_restores_all_of_it_and_none_of_the_next(
    product: Product,
) -> None:
    before = {source: product.owners(source) for source in WRITE_KINDS}
    crashed = interrupted_run(product, territory="NA-West")
    finisher = product.sync()
    assert finisher.figures["unfinished"] == 0
    with product.database.engine.connect() as connection:
        crashed_records = {
            (source, record)
            for source, record in connection.execute(
                text(
                    "SELECT c.source, c.external_id FROM owner_changes c JOIN plans p "
                    "ON p.id = c.plan_id WHERE p.run_id = :r AND c.state = 'written' "
                    "AND c.object_name = 'account'"
                ),
                {"r": crashed},
            )
        }
    finisher_records = {
        (c.source, c.external_id)
        for c in finisher.changes
        if c.new_owner_id is not None and c.object_name == "account"
    }
    assert crashed_records and finisher_records and not crashed_records & finisher_records
    after_finisher = {source: product.owners(source) for source in WRITE_KINDS}

    result = rollback_run(product.settings, product.database, crashed, SyncRequest(actor="t"))

    # Every change of the crashed run is restored, except where the previous owner has left
    # (skipped, and the audit log says so: the CRM would refuse an inactive owner).
    assert result.figures["failed"] == 0
    departed = {
        owner
        for rep in product.sandbox.book.reps
        if not rep.active
        for owner in (rep.salesforce_user_id, rep.hubspot_owner_id)
    }
    left_alone = {(s, r) for s, r in crashed_records if before[s][r] in departed}
    assert result.figures["restored"] + len(left_alone) == len(crashed_records)
    assert result.figures["restored"] > 0
    now = {source: product.owners(source) for source in WRITE_KINDS}
    restored = {
        (source, record)
        for source, record in crashed_records
        if now[source][record] == before[source][record]
    }
    assert len(restored) == result.figures["restored"]
    for source, record in finisher_records:
        assert now[source][record] == after_finisher[source][record]
