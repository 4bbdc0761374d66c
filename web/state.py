"""What every route reads from the application: settings, database, job runner."""

from __future__ import annotations

from fastapi import Request

from sync.store.database import Database
from territory_sync.settings import Settings
from web.jobs import JobRunner


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def jobs_of(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs
