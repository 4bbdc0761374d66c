"""What every command shares: the global options, the loaded settings and the open database."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import typer

from sync.store.database import Database, open_database
from territory_sync.logs import configure_logging
from territory_sync.settings import Settings, load_settings


class LogFormat(StrEnum):
    DEFAULT = "default"
    """Warnings and errors (info with --verbose) as JSON lines on standard error, or to
    `[logging] file`."""
    JSON = "json"
    """Every event from info up as one JSON line on standard output."""


@dataclass
class CliContext:
    config_path: Path | None = None
    database_url: str | None = None
    verbose: bool = False
    log_format: LogFormat = LogFormat.DEFAULT
    _settings: Settings | None = None
    _databases: list[Database] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            overrides = {"database": {"url": self.database_url}} if self.database_url else None
            self._settings = load_settings(self.config_path, overrides=overrides)
            level = self._settings.logging.level
            if self.verbose or (self.log_format == LogFormat.JSON and level != "debug"):
                level = "info"
            log_file = self._settings.logging.file
            configure_logging(
                level,
                str(self._settings.resolve_path(log_file)) if log_file else "",
                stdout=self.log_format == LogFormat.JSON,
            )
        return self._settings

    def database(self, *, upgrade: bool | None = None) -> Database:
        """The configured database; `upgrade` None follows `[database] migrate_on_open`."""
        migrate = self.settings.database.migrate_on_open if upgrade is None else upgrade
        database = open_database(self.settings.database_url, upgrade=migrate)
        self._databases.append(database)
        return database

    def close(self) -> None:
        for database in self._databases:
            database.dispose()
        self._databases.clear()


def cli_context(ctx: typer.Context) -> CliContext:
    root = ctx.find_root()
    if not isinstance(root.obj, CliContext):
        root.obj = CliContext()
    return root.obj
