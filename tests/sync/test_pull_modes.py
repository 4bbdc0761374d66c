"""Which pulls are full: a field the territory file newly uses, or a changed unified model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connectors.base import PullPosition
from sync.pull import MODEL_MARK, pull_source, save_cursor
from sync.store.database import Database
from tests.sync.fakes import FakeCrm
from tests.sync.support import SF


def _pull(database: Database, extra_fields: tuple[str, ...] = ()) -> tuple[str, str | None]:
    figures = pull_source(
        database,
        FakeCrm(SF),
        full=False,
        lookback=timedelta(0),
        run_id=None,
        trigger="cli",
        actor="test",
        extra_fields=extra_fields,
    )
    return figures.mode, figures.full_because


def _cursor(database: Database, pulled_with: list[str]) -> None:
    with database.engine.begin() as connection:
        save_cursor(connection, SF, PullPosition(datetime.now(UTC)), extra_fields=pulled_with)


def test_a_store_pulled_with_the_current_model_and_fields_is_pulled_incrementally(
    database: Database,
) -> None:
    _cursor(database, ["Type", MODEL_MARK])

    assert _pull(database, ("Type",)) == ("incremental", None)


def test_a_field_the_territory_file_newly_uses_makes_the_next_pull_full(
    database: Database,
) -> None:
    _cursor(database, [MODEL_MARK])

    mode, why = _pull(database, ("Do_Not_Reassign__c",))

    assert mode == "full" and why is not None and "Do_Not_Reassign__c" in why


def test_accounts_stored_by_an_older_unified_model_are_pulled_in_full_once(
    database: Database,
) -> None:
    _cursor(database, [])

    mode, why = _pull(database)

    assert mode == "full" and why is not None and "unified model changed" in why
    assert _pull(database) == ("incremental", None)
