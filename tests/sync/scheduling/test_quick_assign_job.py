"""`[schedule] quick_assign`: off by default, an interval the scheduler registers beside the
nightly jobs, with the same fire times on every instance and across restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler import register_jobs
from sync.scheduling.jobs import QUICK_ASSIGN_JOB_ID, configured_jobs
from territory_sync.errors import ConfigurationError
from territory_sync.settings import Settings, load_settings


def settings_with(tmp_path: Path, quick_assign: str) -> Settings:
    path = tmp_path / "territory-sync.toml"
    path.write_text(f'[schedule]\nquick_assign = "{quick_assign}"\n', encoding="utf-8")
    return load_settings(path, environ={})


def test_quick_assign_is_off_unless_configured() -> None:
    settings = Settings()
    assert settings.schedule.quick_assign_interval is None
    assert QUICK_ASSIGN_JOB_ID not in {job.id for job in configured_jobs(settings)}


def test_every_10_minutes_is_a_job_beside_the_nightly_ones(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, "10m")
    jobs = {job.id: job for job in configured_jobs(settings)}
    assert set(jobs) == {"nightly-sync", "weekly-reconcile", QUICK_ASSIGN_JOB_ID}
    job = jobs[QUICK_ASSIGN_JOB_ID]
    assert job.reference == "scheduler:scheduled_quick_assign"
    assert job.schedule == "every 10m"
    now = datetime(2026, 12, 1, 9, 3, 27, tzinfo=UTC)
    first = job.trigger.get_next_fire_time(None, now)
    assert first == datetime(2026, 12, 1, 9, 10, tzinfo=UTC)
    assert job.trigger.get_next_fire_time(first, first) - first == timedelta(minutes=10)


def test_two_instances_compute_the_same_trigger_so_a_restart_keeps_the_job(
    tmp_path: Path,
) -> None:
    one, other = (configured_jobs(settings_with(tmp_path, "10m"))[-1] for _ in range(2))
    assert repr(one.trigger) == repr(other.trigger)


def test_register_jobs_adds_and_removes_the_quick_assign_job(tmp_path: Path) -> None:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)
    try:
        register_jobs(scheduler, settings_with(tmp_path, "10m"), {})
        assert scheduler.get_job(QUICK_ASSIGN_JOB_ID) is not None
        register_jobs(scheduler, settings_with(tmp_path, ""), {})
        assert scheduler.get_job(QUICK_ASSIGN_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("given", ["10", "ten minutes", "30s", "2d"])
def test_an_unusable_interval_is_refused_naming_the_key(tmp_path: Path, given: str) -> None:
    with pytest.raises(ConfigurationError, match=r"schedule\.quick_assign"):
        settings_with(tmp_path, given)
