"""Every table of the sync's store, imported in one place so metadata and migrations see them."""

from sync.store.alerts import Alert
from sync.store.audit import AuditChainHead, AuditEntry
from sync.store.changes import OwnerChange, Plan
from sync.store.console_jobs import CONSOLE_JOBS
from sync.store.cursors import PullCursor
from sync.store.holds import OwnerHold
from sync.store.runs import Run
from sync.store.scorecards import ScorecardSnapshot

__all__ = [
    "CONSOLE_JOBS",
    "Alert",
    "AuditChainHead",
    "AuditEntry",
    "OwnerChange",
    "OwnerHold",
    "Plan",
    "PullCursor",
    "Run",
    "ScorecardSnapshot",
]
