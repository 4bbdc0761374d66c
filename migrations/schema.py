"""The schema the migrations build toward: every table module imported onto `SQLModel.metadata`.

Alembic's environment (`env.py`) compares against this metadata, and so does the test that checks
the migrations against the models, so a table left out of it would be one an autogenerate drops.
Importing a module registers its tables; a new table module is added to `TABLE_MODULES`.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlmodel import SQLModel

from mapping import model as unified_model
from sync.store import console_tables, scheduler_jobs, scheduler_state
from sync.store import tables as sync_tables

TABLE_MODULES = (unified_model, sync_tables, scheduler_jobs, scheduler_state, console_tables)
"""Whose import registers the tables: accounts, reps, company links and link overrides; runs,
cursors, plans, owner changes, holds and the audit log; the scheduler's job store, instances and
firings; the console's
sessions and API tokens."""

target_metadata: MetaData = SQLModel.metadata
