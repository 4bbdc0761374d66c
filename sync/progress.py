"""Progress of a long run, for whoever watches: a terminal's bars, the console, or nobody.

Every watcher is told of phases and of work done (`RunProgress`). One that shows more (the
console's jobs: records per CRM, API calls, the plan being written) is a `DetailedProgress` too;
the sync tells it through `advance_in`, `watch_connectors` and `writing_plan`, which leave any
other watcher as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from connectors.base import CrmConnector


class RunProgress(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase starts (pull salesforce, evaluate, write hubspot...)."""
        ...

    def advance(self, amount: int = 1) -> None:
        """Some of the current phase's work is done."""
        ...


class SilentProgress:
    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


@runtime_checkable
class DetailedProgress(Protocol):
    """A watcher that counts each CRM's records apart and reads the run's API calls."""

    def advance_in(self, source: str, amount: int) -> None:
        """`amount` more records of `source` (a CRM) done in the current phase."""
        ...

    def watch_connectors(self, connectors: Mapping[str, CrmConnector]) -> None:
        """The run's connectors, whose API calls so far (`usage`) the watcher may read."""
        ...

    def writing_plan(self, plan_id: int) -> None:
        """The current phase writes plan `plan_id`'s unfinished changes."""
        ...


def advance_in(progress: RunProgress, source: str, amount: int) -> None:
    """`amount` more of the current phase done, in `source`'s records."""
    if isinstance(progress, DetailedProgress):
        progress.advance_in(source, amount)
    else:
        progress.advance(amount)


def watch_connectors(progress: RunProgress, connectors: Mapping[str, CrmConnector]) -> None:
    """Show the run's connectors to a watcher that reads their API calls."""
    if isinstance(progress, DetailedProgress):
        progress.watch_connectors(connectors)


def writing_plan(progress: RunProgress, plan_id: int) -> None:
    """Tell a watcher that counts per CRM which plan the current phase writes."""
    if isinstance(progress, DetailedProgress):
        progress.writing_plan(plan_id)
