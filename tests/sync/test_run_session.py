"""What every kind of run shares: the connectors it builds live as long as the run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from sync.session import RunSession, SyncRequest
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.settings import load_settings
from tests.sync.fakes import FakeCrm


class ClosableCrm(FakeCrm):
    closed: bool = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[ClosableCrm]:
    """Every connector a run builds (in place of real ones), in the order it built them."""
    made: list[ClosableCrm] = []

    def build(_settings: Any, sources: Sequence[str]) -> Mapping[str, ClosableCrm]:
        crms = {source: ClosableCrm(source) for source in sources}
        made.extend(crms.values())
        return crms

    monkeypatch.setattr("sync.session.build_connectors", build)
    return made


def _session(database: Database) -> RunSession:
    return RunSession(load_settings(None, environ={}), database, "sync", SyncRequest(), {})


def test_the_connectors_a_run_builds_are_closed_when_the_run_ends(
    database: Database, built: list[ClosableCrm]
) -> None:
    session = _session(database)
    session.connectors(["salesforce"])
    session.connectors(["salesforce", "hubspot"])
    assert [(crm.source, crm.closed) for crm in built] == [
        ("salesforce", False),
        ("hubspot", False),
    ]
    session.close(RunStatus.SUCCEEDED, {})
    assert [(crm.source, crm.closed) for crm in built] == [("salesforce", True), ("hubspot", True)]


def test_connectors_the_caller_brings_are_used_as_they_are_and_left_open(
    database: Database, built: list[ClosableCrm]
) -> None:
    mine = {"salesforce": ClosableCrm("salesforce")}
    session = _session(database)
    assert session.connectors(["salesforce"], mine) is mine
    session.close(RunStatus.SUCCEEDED, {})
    assert built == []
    assert mine["salesforce"].closed is False
