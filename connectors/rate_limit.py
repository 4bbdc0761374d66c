"""A proactive, thread-safe sliding-window limiter: stay under a CRM's burst limit, never hit it.

HubSpot allows a number of requests per rolling 10 seconds (190 on Professional and Enterprise:
https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details) and search requests per
second (5). Each call first takes a slot; if the window is full it sleeps until the oldest call
leaves the window. A 429 that still gets through pauses every caller for its `Retry-After`.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    def __init__(
        self,
        max_calls: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_calls < 1 or window_seconds <= 0:
            raise ValueError("a limiter needs at least one call per positive window")
        self.max_calls = max_calls
        self.window_seconds = window_seconds
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self) -> None:
        """Block until a call may be made, then count it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._calls and self._calls[0] <= now - self.window_seconds:
                    self._calls.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._calls) < self.max_calls:
                    self._calls.append(now)
                    return
                if wait <= 0:
                    wait = self._calls[0] + self.window_seconds - now
            wait = max(wait, 0.001)
            self.waited_seconds += wait
            self._sleep(wait)

    def pause(self, seconds: float) -> None:
        """Hold every caller back for `seconds` (the CRM said so)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
