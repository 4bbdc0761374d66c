"""`GET /metrics`: what a Prometheus server scraping the console reads.

The answer is parsed with prometheus-client's own text-format parser, as a scraper would: the
family names and types stay what dashboards query, counts come from the database at each scrape,
label values are escaped, and each console keeps a registry of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from sync.runs import RUNS, close_run, open_run
from sync.store.database import Database
from sync.store.runs import RunStatus
from territory_sync.settings import Settings
from tests.web.conftest import bearer
from web.app import create_app


def _scrape(client: TestClient, token: str) -> dict[str, tuple[str, list[Sample]]]:
    answer = client.get("/metrics", headers=bearer(token))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        family.name: (family.type, family.samples)
        for family in text_string_to_metric_families(answer.text)
    }


def _values(samples: list[Sample]) -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted(sample.labels.items())): sample.value for sample in samples}


def _finished_run(database: Database, figures: dict[str, object]) -> datetime:
    run_id = open_run(database, kind="sync", trigger="cli", actor="test")
    close_run(database, run_id, status=RunStatus.SUCCEEDED, figures=figures)
    with database.engine.connect() as connection:
        finished: datetime = connection.execute(
            RUNS.select().where(RUNS.c.id == run_id).with_only_columns(RUNS.c.finished_at)
        ).scalar_one()
    return finished


def test_an_empty_store_gives_every_family_with_no_runs_and_no_success(
    client: TestClient, viewer_token: str
) -> None:
    families = _scrape(client, viewer_token)
    assert {name: kind for name, (kind, _) in families.items()} == {
        "territory_sync_runs": "counter",
        "territory_sync_changes": "counter",
        "territory_sync_api_calls": "counter",
        "territory_sync_last_success_timestamp_seconds": "gauge",
    }
    assert families["territory_sync_runs"][1] == []
    assert _values(families["territory_sync_last_success_timestamp_seconds"][1]) == {(): 0.0}


def test_the_families_keep_their_exposed_names_and_types(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    text = client.get("/metrics", headers=bearer(viewer_token)).text
    for name, kind in [
        ("territory_sync_runs_total", "counter"),
        ("territory_sync_changes_total", "counter"),
        ("territory_sync_api_calls_total", "counter"),
        ("territory_sync_last_success_timestamp_seconds", "gauge"),
    ]:
        assert f"# TYPE {name} {kind}\n" in text
        assert f"# HELP {name} " in text


def test_runs_and_changes_are_counted_by_their_labels(
    client: TestClient, seeded: dict[str, int], viewer_token: str
) -> None:
    families = _scrape(client, viewer_token)
    assert _values(families["territory_sync_runs"][1]) == {
        (("kind", "sync"), ("status", "succeeded")): 1.0
    }
    assert _values(families["territory_sync_changes"][1]) == {
        (("status", "planned"),): 1.0,  # the seeded plan's change
        (("status", "written"),): 1.0,  # its decision when applied
        (("status", "token_created"),): 1.0,  # the viewer's token
    }


def test_api_calls_are_summed_per_crm_and_the_last_success_is_its_finish_time(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    _finished_run(database, {"api_calls": {"salesforce": {"calls": 3}, "hubspot": {"calls": 2}}})
    finished = _finished_run(database, {"api_calls": {"salesforce": {"calls": 4}}})
    families = _scrape(client, viewer_token)
    assert _values(families["territory_sync_api_calls"][1]) == {
        (("source", "hubspot"),): 2.0,
        (("source", "salesforce"),): 7.0,
    }
    (last,) = families["territory_sync_last_success_timestamp_seconds"][1]
    assert last.value == finished.astimezone(UTC).timestamp()


def test_each_scrape_reads_the_store_afresh(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    assert _scrape(client, viewer_token)["territory_sync_runs"][1] == []
    _finished_run(database, {})
    assert len(_scrape(client, viewer_token)["territory_sync_runs"][1]) == 1


def test_label_values_with_quotes_backslashes_and_newlines_are_escaped(
    client: TestClient, database: Database, viewer_token: str
) -> None:
    odd = 'crm "two"\\\nline'
    _finished_run(database, {"api_calls": {odd: {"calls": 1}}})
    text = client.get("/metrics", headers=bearer(viewer_token)).text
    assert 'source="crm \\"two\\"\\\\\\nline"' in text
    families = _scrape(client, viewer_token)
    assert _values(families["territory_sync_api_calls"][1]) == {(("source", odd),): 1.0}


def test_two_consoles_in_one_process_keep_registries_of_their_own(
    client: TestClient, console_settings: Settings, database: Database, viewer_token: str
) -> None:
    other = create_app(console_settings, database, secret_key=b"another-console")
    assert other.state.metrics_registry is not client.app.state.metrics_registry  # type: ignore[attr-defined]
    with TestClient(other, base_url="http://127.0.0.1") as other_client:
        assert _scrape(other_client, viewer_token) == _scrape(client, viewer_token)
