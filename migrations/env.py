"""Alembic environment: migrations toward `migrations.schema.target_metadata`, every table in it.

Run from code, `sync.store.migrate` hands over its connection. Run as `alembic upgrade head`,
`alembic current` or `alembic check` from the repository root (`alembic.ini`), it connects to
`-x url=...`, else to `TERRITORY_SYNC_DATABASE_URL`, else to the ini file's `sqlalchemy.url`.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context
from alembic.util import CommandError
from sqlalchemy import Connection

from migrations.schema import target_metadata
from sync.store.database import create_db_engine
from territory_sync.settings import ENV_PREFIX

DATABASE_URL_ENV_VAR = f"{ENV_PREFIX}DATABASE_URL"

config = context.config


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def database_url() -> str:
    """The URL a command-line run connects to: `-x url=`, the environment, or the ini file."""
    url = (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get(DATABASE_URL_ENV_VAR)
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        # Alembic's command line reports its own error type as one line, not a traceback.
        raise CommandError(
            f"no database to migrate: set {DATABASE_URL_ENV_VAR} or pass -x url=DATABASE_URL "
            "(for example `alembic -x url=sqlite:///territory-sync.db upgrade head`)"
        )
    return url


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    if config.config_file_name is not None:
        # The command line's own logging (alembic.ini); never when run from the product's code.
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = create_db_engine(database_url())
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
    finally:
        engine.dispose()


run_migrations()
