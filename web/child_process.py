"""Work run in a child process under a time limit: what the console must be able to stop.

A thread cannot be stopped from outside; a process can. Work whose cost a person's upload decides
(the what-if of a territory file: its size, its territories, its patterns) runs in a fresh
interpreter (`spawn`: none of the server's threads, connections or locks are inherited), and the
caller waits for its answer at most `time_limit` seconds. When the limit passes, or the console
stops, the child is killed and the caller gets an error saying so; the server's own threads keep
answering requests throughout, since the work holds none of their locks.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from territory_sync.errors import TerritorySyncError

T = TypeVar("T")
POLL_SECONDS = 0.1
"""How often the waiting thread looks at the stop signal and the clock."""


def _child_main(answer: Connection, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = target(*args)
    except TerritorySyncError as error:
        answer.send((False, str(error)))
    except BaseException as error:  # the parent must learn why, whatever went wrong
        answer.send((False, f"{type(error).__name__}: {error}"))
    else:
        answer.send((True, result))
    finally:
        answer.close()


def run_in_child(
    target: Callable[..., T],
    args: tuple[Any, ...],
    *,
    time_limit: float,
    stop: threading.Event,
    what: str,
    hint: str = "",
) -> T:
    """`target(*args)` in a child process; its return value, or `TerritorySyncError` with its
    error's message, or saying that it took longer than `time_limit` seconds (then `hint`) or that
    the console stopped (the child is killed then). `target`, its arguments and its result must
    pickle; `what` names the work in messages ("the what-if")."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main, args=(sender, target, args), name=f"console-{what}", daemon=True
    )
    child.start()
    sender.close()
    deadline = time.monotonic() + time_limit
    try:
        while not receiver.poll(POLL_SECONDS):
            if stop.is_set():
                raise TerritorySyncError(
                    f"the console stopped before {what} finished; start it again"
                )
            if not child.is_alive() and not receiver.poll(0):
                raise TerritorySyncError(
                    f"{what} ended without an answer (exit code {child.exitcode}); "
                    "the console's log may say why"
                )
            if time.monotonic() >= deadline:
                raise TerritorySyncError(
                    f"{what} took longer than {time_limit:g} s and was stopped"
                    + (f"; {hint}" if hint else "")
                )
        try:
            succeeded, value = receiver.recv()
        except EOFError:
            raise TerritorySyncError(f"{what} ended without an answer") from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if not succeeded:
        raise TerritorySyncError(str(value))
    result: T = value
    return result
