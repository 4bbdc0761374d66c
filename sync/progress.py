"""Progress of a long run, for whoever watches: a terminal's bars, the console, or nobody.

Every watcher is told of phases and of work done (`RunProgress`). One that shows more (the
console's jobs: records per CRM, API calls, the plan being written) is a `DetailedProgress` too;
the sync tells it through `advance_in`, `watch_connectors` and `writing_plan`, which leave any
other watcher as it was.

A watcher is called from one thread at a time, so none needs a lock of its own for the sync's
sake. The one part of a run that works on several threads, the pull of several CRMs side by side,
is one phase (`SharedPhase`): the run starts it, and each CRM's pull gets its share of it
(`SharedPhase.share`), whose calls reach the watcher one at a time, counted in that CRM's records
(`advance_in`); the phases a CRM's pull would start on its own ("pull hubspot contacts") are part
of the shared one and are not shown. The run's own thread says nothing to the watcher while the
pulls run.
"""

from __future__ import annotations

import threading
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


class SharedPhase:
    """One phase that several CRMs' work shares, each on a thread of its own (the pull of
    several CRMs side by side); its `share` per CRM is what that CRM's work reports to."""

    def __init__(self, progress: RunProgress) -> None:
        self._progress = progress
        self._one_at_a_time = threading.Lock()

    def share(self, source: str) -> CrmShare:
        """`source`'s share of the phase, as the `RunProgress` its work is given."""
        return CrmShare(self, source)

    def advance_in(self, source: str, amount: int) -> None:
        """`amount` more records of `source` done; told the watcher while no other share is."""
        with self._one_at_a_time:
            advance_in(self._progress, source, amount)


class CrmShare:
    """One CRM's share of a `SharedPhase`: the phases its work starts are part of the shared one
    (not shown), and its work is counted in its CRM's records."""

    def __init__(self, shared: SharedPhase, source: str) -> None:
        self._shared = shared
        self.source = source

    def phase(self, name: str, total: int | None = None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        self._shared.advance_in(self.source, amount)
