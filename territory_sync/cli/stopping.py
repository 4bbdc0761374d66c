"""Ctrl-C and SIGTERM during a run: finish the batches in flight, record them, then stop.

While a run is in progress the first Ctrl-C (SIGINT) or SIGTERM sets the run's stop event: the
pull ends after the page being read, write-back starts no new batch, the batches in flight finish
and are recorded, and the run ends `interrupted` (exit code 130) with a line saying how to finish.
A second Ctrl-C stops at once (the run is then marked interrupted by the next run, which
re-checks whatever was in flight).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], object] | int | None


@contextmanager
def stop_on_signals(announce: Callable[[str], None]) -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM while the block runs (main thread only)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        if not stop.is_set():
            stop.set()
            announce(
                "stopping: the batches in flight finish and are recorded first "
                "(Ctrl-C again stops at once)"
            )

    previous: dict[signal.Signals, Handler] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, on_signal)
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def default_interrupt() -> Iterator[None]:
    """Ctrl-C behaves as usual inside the block (a question being asked)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
