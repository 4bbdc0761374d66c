"""The scheduler's job store table, declared on the product's metadata so migrations see it.

APScheduler's `SQLAlchemyJobStore` reads and writes this table through a definition of its own;
the columns here are the ones APScheduler 3 defines (id, next run time as a float of precision 25
with an index, the pickled job state), so both descriptions name the same table that migration
0001 creates (a test compares the two). The job store:
https://apscheduler.readthedocs.io/en/3.x/modules/jobstores/sqlalchemy.html
"""

from __future__ import annotations

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode
from sqlmodel import SQLModel

SCHEDULER_JOBS = Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
