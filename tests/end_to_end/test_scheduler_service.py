"""`territory-sync scheduler` as a service: clean stops, one run per fire time across instances,
missed fire times, and `scheduler status`.

The scheduler runs as a real process against the sandbox CRMs, with the hidden test trigger
`--every-seconds N` (a cron on the seconds field) instead of waiting for 02:00.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sync.lock import RunLock
from sync.runner import SyncRequest
from sync.runs import RUNS
from sync.scheduling.firing_run import FiringOrder, run_firing
from sync.scheduling.firings import Decision
from sync.scheduling.instances import SchedulerInstance
from sync.store.database import Database
from sync.store.scheduler_state import SCHEDULE_FIRINGS, SCHEDULER_INSTANCES
from territory_sync.errors import ExitCode
from tests.end_to_end.conftest import Product
from tests.end_to_end.scheduler_processes import Process, scheduler, territory_sync, wait_for
from tests.end_to_end.test_crash_and_concurrency import write_calls


def schedule_runs(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(RUNS.c.id, RUNS.c.status, RUNS.c.figures, RUNS.c.pid)
            .where(RUNS.c.trigger == "schedule")
            .order_by(RUNS.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def firings(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(SCHEDULE_FIRINGS).order_by(SCHEDULE_FIRINGS.c.fire_time)
        ).mappings()
        return [dict(row) for row in rows]


def instances(database: Database) -> list[dict[str, Any]]:
    with database.engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(SCHEDULER_INSTANCES)).mappings()]


def finished(run: dict[str, Any]) -> bool:
    return run["status"] != "running"


def each_owner_written_once(product: Product) -> None:
    for crm in (product.sandbox.salesforce, product.sandbox.hubspot):
        assert all(count == 1 for count in crm.requests.writes_per_record().values())
    assert product.sync(dry_run=True).figures["planned"] == 0, "every owner is in place"


def no_traceback(*processes: Process) -> None:
    for process in processes:
        assert "Traceback" not in process.stdout() + process.stderr(), process.output()


@pytest.fixture
def sqlite_only(product: Product) -> Product:
    if not product.database.is_sqlite:
        pytest.skip("one scheduler process is tested on SQLite; several on PostgreSQL")
    return product


@pytest.fixture
def postgresql_only(product: Product) -> Product:
    if product.database.is_sqlite:
        pytest.skip("schedulers share a PostgreSQL database; SQLite allows one")
    return product


@pytest.mark.slow
def test_sigterm_during_a_scheduled_run_exits_0_records_the_run_and_the_next_start_finishes(
    sqlite_only: Product, tmp_path: Path
) -> None:
    product = sqlite_only
    product.sandbox.set_faults("latency_ms=300")
    first = scheduler(product, tmp_path, "first", "--every-seconds", "1")
    try:
        wait_for(lambda: write_calls(product) >= 2, "a scheduled run writing", watching=(first,))
        # Both arrive while the batch is in flight; either may be handled first.
        first.popen.send_signal(signal.SIGTERM)
        first.popen.send_signal(signal.SIGINT)
        code = first.wait(60)
    finally:
        first.kill()

    assert code == ExitCode.OK, first.output()
    no_traceback(first)
    human = first.stderr()
    lines = human.splitlines()
    stopping = [line for line in lines if line.startswith("stopping (")]
    acknowledged = [line for line in lines if line.startswith("still stopping (")]
    assert len(stopping) == 1 and len(acknowledged) == 1, human
    first_signal = stopping[0].split("(")[1].split(")")[0]
    assert {first_signal, acknowledged[0].split("(")[1].split(")")[0]} == {"SIGTERM", "SIGINT"}
    (run,) = schedule_runs(product.database)
    assert run["status"] in ("interrupted", "succeeded")
    if run["status"] == "interrupted":
        assert run["figures"]["written"] > 0 and run["figures"]["unfinished"] > 0
    assert instances(product.database)[0]["stop_reason"] == f"stopped by {first_signal}"

    product.sandbox.set_faults("none")
    second = scheduler(product, tmp_path, "second", "--every-seconds", "1")
    try:
        wait_for(
            lambda: any(r["status"] == "succeeded" for r in schedule_runs(product.database)[1:]),
            "a scheduled run finishing the work",
            watching=(second,),
        )
        assert second.stop() == ExitCode.OK, second.output()
    finally:
        second.kill()
    no_traceback(second)
    each_owner_written_once(product)


def test_a_second_scheduler_on_the_same_sqlite_file_refuses_to_start_with_one_line(
    sqlite_only: Product, tmp_path: Path
) -> None:
    product = sqlite_only
    first = scheduler(product, tmp_path, "first")
    try:
        wait_for(lambda: instances(product.database), "the first scheduler", watching=(first,))
        second = scheduler(product, tmp_path, "second")
        code = second.wait(60)
        assert first.stop() == ExitCode.OK, first.output()
    finally:
        first.kill()

    assert code == ExitCode.LOCKED, second.output()
    (line,) = second.stderr().strip().splitlines()
    assert line.startswith("error: another scheduler is running on ")
    assert f"pid {first.pid} on " in line
    assert "use PostgreSQL to run a standby" in line


def running_run_pid(database: Database) -> int | None:
    runs = [run for run in schedule_runs(database) if run["status"] == "running"]
    return runs[-1]["pid"] if runs else None


@pytest.mark.slow
def test_two_schedulers_on_postgresql_run_each_fire_time_once_and_the_next_finishes_a_killed_run(
    postgresql_only: Product, tmp_path: Path
) -> None:
    product = postgresql_only
    product.sandbox.set_faults("latency_ms=200")
    pair = [scheduler(product, tmp_path, name, "--every-seconds", "3") for name in ("a", "b")]
    try:
        wait_for(
            lambda: len(instances(product.database)) == 2, "both schedulers", watching=tuple(pair)
        )
        wait_for(
            lambda: write_calls(product) >= 2,
            "the first scheduled run writing",
            watching=tuple(pair),
        )
        killed_pid = running_run_pid(product.database)
        assert killed_pid is not None, "the first run ended before it could be killed mid-run"
        killed = next(p for p in pair if p.pid == killed_pid)
        survivor = next(p for p in pair if p is not killed)
        killed.popen.kill()  # SIGKILL, mid-run
        killed.wait(10)
        product.sandbox.set_faults("none")
        wait_for(
            lambda: len(runs := schedule_runs(product.database)) >= 3 and finished(runs[2]),
            "three fire times run",
            timeout=30,
            watching=(survivor,),
        )
        assert survivor.stop() == ExitCode.OK, survivor.output()
    finally:
        for process in pair:
            process.kill()

    no_traceback(survivor)
    runs = schedule_runs(product.database)
    fired = firings(product.database)
    # A fourth fire time may come before the stop: every fire time claimed has exactly one run.
    assert len(runs) >= 3, runs
    assert [f["run_id"] for f in fired] == [run["id"] for run in runs], "one run per fire time"
    assert len({f["fire_time"] for f in fired}) == len(fired)
    assert runs[0]["pid"] == killed.pid and runs[0]["status"] == "interrupted"
    assert {run["status"] for run in runs[1:]} == {"succeeded"}
    assert runs[1]["figures"]["written"] > 0, "the next firing finished the killed run's work"
    for event in survivor.events("scheduler.stood_by"):
        assert "claimed by pid" in event["reason"] or "still going" in event["reason"], event
    each_owner_written_once(product)


def test_a_late_standby_does_not_run_a_fire_time_already_run(
    product: Product, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "territory-sync.toml"
    config.write_text(
        f'[database]\nurl = "{product.database.url}"\n'
        f'[territories]\nfile = "{product.territory_file}"\n'
        "[sync]\nblast_radius = 1.0\nretry_initial_seconds = 0.01\n",
        encoding="utf-8",
    )
    order = FiringOrder("nightly-sync", datetime(2026, 12, 1, 2, 0, tzinfo=UTC), Decision.ON_TIME)
    request = SyncRequest(trigger="schedule", actor="scheduler")
    active = SchedulerInstance("active", "alpha", 101, datetime.now(UTC), 30)
    standby = SchedulerInstance("standby", "beta", 202, datetime.now(UTC), 30)

    def fire(instance: SchedulerInstance) -> int:
        return run_firing(
            order,
            request,
            config_path=str(config),
            database_url=None,
            instance=instance,
            stop=threading.Event(),
        )

    assert fire(active) == ExitCode.OK
    writes = write_calls(product)
    product_logger = logging.getLogger("territory_sync")
    product_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="territory_sync"):
            assert fire(standby) == ExitCode.OK
    finally:
        product_logger.removeHandler(caplog.handler)

    assert len(schedule_runs(product.database)) == 1
    assert write_calls(product) == writes
    # One event; seen once or twice (the product's logger may also propagate to caplog's).
    (reason,) = {
        record.fields["reason"]  # type: ignore[attr-defined]
        for record in caplog.records
        if record.getMessage() == "scheduler.stood_by"
    }
    assert "was claimed by pid 101 on alpha at " in reason and "(run " in reason


def register_jobs_due(product: Product, ago: timedelta) -> None:
    """The job store as a scheduler that stopped before its next fire time, `ago`, leaves it."""
    from apscheduler.job import Job
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    from scheduler import JOB_TABLE
    from sync.scheduling.jobs import configured_jobs

    store = SQLAlchemyJobStore(engine=product.database.engine, tablename=JOB_TABLE)
    owner = BackgroundScheduler(timezone=UTC)  # never started: it only lends the jobs its clock
    store.start(owner, "default")
    for spec in configured_jobs(product.settings):
        due = datetime.now(UTC) - ago if spec.id == "nightly-sync" else None
        store.add_job(
            Job(
                owner,
                id=spec.id,
                func=spec.reference,
                trigger=spec.trigger,
                executor="default",
                args=(),
                kwargs={},
                name=spec.name,
                misfire_grace_time=60,
                coalesce=True,
                max_instances=1,
                next_run_time=due or spec.trigger.get_next_fire_time(None, datetime.now(UTC)),
            )
        )


def test_started_within_the_grace_time_of_a_missed_fire_time_it_runs_once_and_status_reports_it(
    sqlite_only: Product, tmp_path: Path
) -> None:
    product = sqlite_only
    register_jobs_due(product, timedelta(seconds=20))
    process = scheduler(
        product,
        tmp_path,
        "late",
        environment={"TERRITORY_SYNC_SCHEDULE_MISFIRE_GRACE_SECONDS": "60"},
    )
    try:
        wait_for(
            lambda: (runs := schedule_runs(product.database)) and finished(runs[0]),
            "the catch-up run",
            watching=(process,),
        )
        assert process.stop() == ExitCode.OK, process.output()
    finally:
        process.kill()

    no_traceback(process)
    (run,) = schedule_runs(product.database)
    assert run["status"] == "succeeded"
    (firing,) = firings(product.database)
    assert (firing["decision"], firing["run_id"]) == ("catch_up", run["id"])
    (caught_up,) = process.events("scheduler.catch_up")
    assert caught_up["grace_seconds"] == 60

    status = territory_sync(product, tmp_path, "status", "scheduler", "status", "--json")
    assert status.wait(60) == ExitCode.OK, status.output()
    report = json.loads(status.stdout())
    job = next(job for job in report["jobs"] if job["id"] == "nightly-sync")
    assert job["registered"] is True
    next_fire = datetime.fromisoformat(job["next_fire_time"])
    assert (next_fire.hour, next_fire.minute) == (2, 0) and next_fire > datetime.now(UTC)
    assert job["last"]["run_id"] == run["id"]
    assert (job["last"]["decision"], job["last"]["run_status"]) == ("catch_up", "succeeded")
    assert report["scheduler"]["state"] == "stopped"


def test_started_after_the_grace_time_of_missed_fire_times_it_runs_nothing_and_says_so(
    sqlite_only: Product, tmp_path: Path
) -> None:
    product = sqlite_only
    register_jobs_due(product, timedelta(days=2))
    process = scheduler(
        product,
        tmp_path,
        "late",
        environment={"TERRITORY_SYNC_SCHEDULE_MISFIRE_GRACE_SECONDS": "60"},
    )
    try:
        wait_for(
            lambda: firings(product.database), "the missed fire time recorded", watching=(process,)
        )
        assert process.stop() == ExitCode.OK, process.output()
    finally:
        process.kill()

    no_traceback(process)
    assert schedule_runs(product.database) == []
    (firing,) = firings(product.database)
    assert firing["decision"] == "missed" and firing["run_id"] is None
    assert firing["coalesced"] >= 1, "the earlier missed fire times were folded into one"
    assert "outside the grace time of 60 s" in firing["message"]
    (missed,) = process.events("scheduler.missed")
    assert missed["recorded"] is True and missed["late_seconds"] > 60
    assert "outside the grace time of 60 s" in process.stderr() and "; not run" in process.stderr()


def job_config(product: Product, tmp_path: Path, *, grace_seconds: int) -> Path:
    config = tmp_path / "territory-sync.toml"
    config.write_text(
        f'[database]\nurl = "{product.database.url}"\n'
        f'[territories]\nfile = "{product.territory_file}"\n'
        "[sync]\nblast_radius = 1.0\nretry_initial_seconds = 0.01\n"
        f"[schedule]\nmisfire_grace_seconds = {grace_seconds}\n",
        encoding="utf-8",
    )
    return config


def fire_now(config: Path, stop: threading.Event | None = None) -> int:
    order = FiringOrder("weekly-reconcile", datetime.now(UTC), Decision.ON_TIME)
    return run_firing(
        order,
        SyncRequest(trigger="schedule", actor="scheduler", reconcile=True),
        config_path=str(config),
        database_url=None,
        instance=SchedulerInstance("only", "alpha", 101, datetime.now(UTC), 30),
        stop=stop or threading.Event(),
    )


def test_a_fire_time_finding_the_run_lock_taken_runs_once_the_lock_is_free(
    product: Product, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reconciliation's fire time comes while the nightly sync (here, any run) still holds
    the lock: it waits and runs afterwards instead of being skipped for a week."""
    monkeypatch.setattr("sync.scheduling.firing_run.LOCK_RETRY_SECONDS", 0.05)
    config = job_config(product, tmp_path, grace_seconds=600)
    lock = RunLock(product.database)
    lock.acquire()
    releaser = threading.Timer(0.5, lock.release)
    releaser.start()
    try:
        assert fire_now(config) == ExitCode.OK
    finally:
        releaser.join()

    (fired,) = firings(product.database)
    (run,) = schedule_runs(product.database)
    assert fired["run_id"] == run["id"] and run["status"] == "succeeded"


def test_a_fire_time_whose_lock_stays_taken_past_its_grace_time_is_recorded_not_run(
    product: Product, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sync.scheduling.firing_run.LOCK_RETRY_SECONDS", 0.05)
    config = job_config(product, tmp_path, grace_seconds=1)
    lock = RunLock(product.database)
    lock.acquire()
    try:
        assert fire_now(config) == ExitCode.LOCKED
    finally:
        lock.release()

    (fired,) = firings(product.database)
    assert fired["run_id"] is None
    assert fired["message"].startswith("not run: ")
    assert fired["message"].endswith("(its grace time ended while waiting for it)")
    assert schedule_runs(product.database) == []


def test_a_stop_while_a_fire_time_waits_for_the_lock_ends_the_wait_and_says_so(
    product: Product, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sync.scheduling.firing_run.LOCK_RETRY_SECONDS", 0.05)
    config = job_config(product, tmp_path, grace_seconds=600)
    stop = threading.Event()
    lock = RunLock(product.database)
    lock.acquire()
    stopper = threading.Timer(0.3, stop.set)
    stopper.start()
    try:
        assert fire_now(config, stop) == ExitCode.LOCKED
    finally:
        stopper.join()
        lock.release()

    (fired,) = firings(product.database)
    assert fired["run_id"] is None
    assert "the scheduler was asked to stop while waiting for it" in fired["message"]


def test_a_scheduler_whose_loop_dies_on_a_database_error_exits_instead_of_idling(
    product: Product,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """APScheduler's loop ends for good when storing a job's next fire time fails (a database
    failover at the fire time); the process must end too, so its service manager restarts it,
    with the failure as a log event rather than a traceback on standard error."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy.exc import OperationalError

    from scheduler import run_scheduler
    from territory_sync.errors import SchedulerLoopError
    from territory_sync.settings import load_settings

    update_job = SQLAlchemyJobStore.update_job

    def failing_in_the_loop(store: SQLAlchemyJobStore, job: Any) -> None:
        if threading.current_thread().name == "APScheduler":
            raise OperationalError("UPDATE apscheduler_jobs", {}, Exception("server closed"))
        update_job(store, job)

    monkeypatch.setattr(SQLAlchemyJobStore, "update_job", failing_in_the_loop)
    config = job_config(product, tmp_path, grace_seconds=600)
    settings = load_settings(str(config))
    said: list[str] = []
    with pytest.raises(SchedulerLoopError, match="exiting so the service manager starts it"):
        run_scheduler(
            settings,
            product.database,
            config_path=str(config),
            database_url=None,
            announce=said.append,
            every_seconds=1,
        )
    assert "Traceback" not in capsys.readouterr().err
