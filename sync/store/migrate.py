"""Schema migrations (Alembic), run from code so no `alembic.ini` is needed beside the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
from territory_sync.errors import DatabaseError

if TYPE_CHECKING:  # avoids an import cycle at run time
    from sync.store.database import Database

MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(database: Database) -> None:
    if current_revision(database) == head_revision():
        return
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check_current(database: Database) -> None:
    current = current_revision(database)
    if current != head_revision():
        state = "empty" if current is None else f"at revision {current}"
        raise DatabaseError(
            f"the database is {state}, not at the latest schema ({head_revision()}); "
            "run `territory-sync db upgrade`"
        )
