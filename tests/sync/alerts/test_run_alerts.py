"""`alert_run`, the one call a run makes: it never raises, and does nothing at all when no
destination is configured."""

from __future__ import annotations

import logging
from typing import Any, cast

import pytest

from sync.alerts import run as alerts_run
from sync.alerts.run import alert_failed_run, alert_run, record_below_goal_pace
from sync.session import SyncResult
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.errors import CrmUnavailableError, ExitCode
from territory_sync.settings import Settings
from tests.alert_servers import SmtpServer
from tests.sync.alerts.conftest import ADMIN, alert_settings
from tests.sync.support import new_run


def events(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict[str, Any]]]:
    return [(r.getMessage(), getattr(r, "fields", {})) for r in caplog.records]


def test_an_error_while_alerting_is_logged_and_never_raised(
    database: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object) -> list[object]:
        raise RuntimeError("the alerts table is on fire")

    monkeypatch.setattr(alerts_run, "run_alerts", broken)
    settings = Settings(alerts=alert_settings())
    result = SyncResult(new_run(database), RunStatus.SUCCEEDED, ExitCode.OK, {})
    with caplog.at_level(logging.INFO, logger="territory_sync"):
        alert_run(settings, database, result)  # no exception
    ((name, fields),) = [e for e in events(caplog) if e[0].startswith("alerts.")]
    assert name == "alerts.failed"
    assert fields["error"] == "RuntimeError"
    assert fields["run_id"] == result.run_id


def test_without_a_destination_alerting_reads_and_writes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nowhere = cast(Database, object())  # any use of it would fail, and be logged
    result = SyncResult(1, RunStatus.FAILED, ExitCode.CRM_UNAVAILABLE, {}, message="down")
    with caplog.at_level(logging.INFO, logger="territory_sync"):
        alert_run(Settings(), nowhere, result)
    assert [e for e in events(caplog) if e[0].startswith("alerts.")] == []


def test_a_run_ended_by_an_error_alerts_the_admins_with_it(
    database: Database, smtp: SmtpServer
) -> None:
    settings = Settings(alerts=alert_settings(email_to_reps=False))
    error = CrmUnavailableError("kept failing (503) after 6 attempts", crm="hubspot")
    alert_failed_run(settings, database, new_run(database), {"pulled": 12}, error, str(error))
    (message,) = smtp.messages
    assert message.recipients == [ADMIN]
    assert "failed" in message.subject
    assert "hubspot: kept failing (503) after 6 attempts" in message.body
    assert "pulled 12" in message.body


def test_territories_below_goal_pace_are_recorded_for_the_admins_when_asked(
    database: Database, smtp: SmtpServer
) -> None:
    pace = [("NA-West", 0.30, 0.50), ("NA-East", 0.49, 0.50)]
    off = Settings(alerts=alert_settings())
    assert record_below_goal_pace(off, database, pace, period="2026-Q4") == 0
    on = Settings(alerts=alert_settings(events=["below_goal_pace"], goal_pace_percent=80))
    assert record_below_goal_pace(on, database, pace, period="2026-Q4", run_id=3) == 1
    assert record_below_goal_pace(on, database, pace, period="2026-Q4", run_id=3) == 0
    alert_run(on, database, SyncResult(new_run(database), RunStatus.SUCCEEDED, ExitCode.OK, {}))
    (message,) = smtp.messages
    assert message.recipients == [ADMIN]
    assert "NA-West: 30% of goal, 50% expected by now" in message.body
    assert "NA-East" not in message.body
