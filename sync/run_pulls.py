"""The pull phase of a run: each CRM's reps and accounts, then its related records.

`RunPulls.pull` pulls one CRM on the caller's thread (`sync.pull` for its reps and accounts,
`sync.pull_related` for its contacts and opportunities or deals). `RunPulls.side_by_side` pulls
several CRMs at the same time, each on a thread of its own, so the faster one's pull hides behind
the other's rate limit; its docstring says how reps, failures and stops are kept safe.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from connectors.base import CrmConnector
from mapping.territories.rules import Settings as TerritorySettings
from sync.progress import RunProgress, SharedPhase
from sync.pull import StopSignal, pull_reps, pull_source
from sync.pull_related import objects_to_pull, pull_related_of
from sync.store.database import Database
from territory_sync.errors import RunInterruptedError
from territory_sync.logs import log_event


def check_stop(stop: threading.Event, where: str) -> None:
    """Raise `RunInterruptedError` (naming `where`) once a stop has been requested."""
    if stop.is_set():
        raise RunInterruptedError(
            f"stopped by request {where}; nothing was written. Run the command again to finish"
        )


class _AnySet:
    """Set when any of its events is (a pull's stop: the caller's request, or the run's own stop
    of the other pulls once one failed)."""

    def __init__(self, *events: threading.Event) -> None:
        self._events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)


@dataclass(frozen=True)
class RunPulls:
    """The pull of a run's CRMs: for each, its reps and accounts (`sync.pull`), then the related
    records the territory file needs (`sync.pull_related`)."""

    database: Database
    crms: Mapping[str, CrmConnector]
    territory_settings: TerritorySettings
    full: bool
    lookback: timedelta
    run_id: int
    trigger: str
    actor: str
    extra_fields: Mapping[str, Sequence[str]]

    def pull(
        self,
        source: str,
        *,
        progress: RunProgress,
        stop: StopSignal,
        reps: int | None = None,
    ) -> dict[str, Any]:
        """Pull `source`'s accounts, then its related records; returns its figures as the run
        records them (`reps`: its reps, when `pull_reps` recorded them already)."""
        connector = self.crms[source]
        result = pull_source(
            self.database,
            connector,
            full=self.full,
            lookback=self.lookback,
            run_id=self.run_id,
            trigger=self.trigger,
            actor=self.actor,
            progress=progress.advance,
            extra_fields=self.extra_fields.get(source, ()),
            stop=stop,
            reps=reps,
        )
        pulled = result.as_dict()
        related_pulls = pull_related_of(
            self.database,
            connector,
            objects_to_pull(self.territory_settings, source),
            full=self.full,
            lookback=self.lookback,
            run_id=self.run_id,
            trigger=self.trigger,
            actor=self.actor,
            progress=progress,
            stop=stop,
        )
        if related_pulls:
            pulled["related"] = related_pulls
        return pulled

    def side_by_side(
        self, sources: Sequence[str], *, progress: RunProgress, stop: threading.Event
    ) -> dict[str, dict[str, Any]]:
        """Pull every CRM of `sources` at the same time, each on a thread of its own, in one
        phase ("pull salesforce and hubspot") whose records are counted per CRM; returns each
        CRM's figures, in the order of `sources`.

        The reps come first, one CRM after the other on this thread: the `reps` table is the one
        both pulls would write, and a rep (an email) in both CRMs would otherwise be locked by
        each pull in its own order (PostgreSQL: a deadlock), or inserted by both (a duplicate).

        When a pull fails (or is stopped: `stop`), the others are stopped at their next page
        (their pages read so far are committed) and waited for, and the first error is raised:
        the caller's `stop` is only read. No thread is left running on the way out.
        """
        progress.phase(f"pull {' and '.join(sources)}")
        reps: dict[str, int] = {}
        for source in sources:
            check_stop(stop, f"before pulling {source}")
            reps[source] = pull_reps(self.database, self.crms[source])
        stop_pulls = threading.Event()
        pull_stop = _AnySet(stop, stop_pulls)
        shared = SharedPhase(progress)
        failures: list[tuple[str, BaseException]] = []
        failures_guard = threading.Lock()

        def pull_in_thread(source: str) -> dict[str, Any]:
            try:
                return self.pull(
                    source, progress=shared.share(source), stop=pull_stop, reps=reps[source]
                )
            except BaseException as error:
                with failures_guard:
                    failures.append((source, error))
                stop_pulls.set()
                raise

        with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="pull") as pool:
            try:
                # Each thread runs in a copy of this context: its log lines carry the run id.
                futures = {
                    source: pool.submit(contextvars.copy_context().run, pull_in_thread, source)
                    for source in sources
                }
                wait(futures.values())
            finally:
                # Whatever ends the wait (an interrupt of this thread), no pull outlives it: each
                # stops at its next page, and leaving the pool waits for them.
                stop_pulls.set()
        if failures:
            failed, first = failures[0]
            for source, error in failures[1:]:
                log_event(
                    "pull.ended_after_another",
                    source=source,
                    first_ended=failed,
                    error=f"{type(error).__name__}: {error}",
                )
            raise first
        return {source: futures[source].result() for source in sources}
