"""HubSpot's API limits for a private app: the 10-second burst window, the daily allowance and the
search endpoints' own per-second limit, with the headers HubSpot reports them in.

The sync engine paces itself from these headers and backs off on 429s, so both have to look like
HubSpot's. Times come from the portal's clock, so tests can move time instead of sleeping.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from sandbox.hubspot.errors import HubSpotError, rate_limited

# The burst window is 10 seconds (X-HubSpot-RateLimit-Interval-Milliseconds: 10000 in real
# responses: hubspot-api-python#143).
WINDOW_S = 10.0
SEARCH_WINDOW_S = 1.0
DAY_S = 86_400


@dataclass(frozen=True)
class Admission:
    """The limiter's answer for one request: None error means it may proceed (and was counted)."""

    error: HubSpotError | None
    headers: dict[str, str]


class RateLimiter:
    """Counts requests per token (10-second window), per portal (day) and per portal for search
    (1 second). "The daily limit resets at midnight based on your time zone setting"
    (https://developers.hubspot.com/docs/api/usage-details); the sandbox portal's time zone is
    UTC."""

    def __init__(
        self,
        *,
        ten_second_limit: int,
        daily_limit: int,
        search_per_second: int,
        account_id: int,
    ) -> None:
        self.ten_second_limit = ten_second_limit
        self.daily_limit = daily_limit
        self.search_per_second = search_per_second
        self.account_id = account_id
        self._windows: dict[str, deque[float]] = {}
        self._search_window: deque[float] = deque()
        self._day = -1
        self._daily_used = 0

    def group_name(self, policy: str) -> str:
        """The 429 body's `groupName`: a real one reads
        "publicapi:hapikey-api-calls-ten-secondly:6748263" (hubspot-api-python#117); the sandbox
        names its groups the same way for a private app."""
        kind = {
            "TEN_SECONDLY_ROLLING": "private-app-api-calls-ten-secondly",
            "DAILY": "private-app-api-calls-daily",
            "SECONDLY": "crm-search-api-calls-secondly",
        }[policy]
        return f"publicapi:{kind}:{self.account_id}"

    # -- bookkeeping -------------------------------------------------------------------------

    def _roll_day(self, now_s: float) -> None:
        day = int(now_s // DAY_S)
        if day != self._day:
            self._day = day
            self._daily_used = 0

    def _window(self, token: str, now_s: float) -> deque[float]:
        window = self._windows.setdefault(token, deque())
        while window and window[0] <= now_s - WINDOW_S:
            window.popleft()
        return window

    def daily_used(self, now_s: float) -> int:
        self._roll_day(now_s)
        return self._daily_used

    # -- headers -----------------------------------------------------------------------------

    def headers(self, token: str, now_s: float) -> dict[str, str]:
        """X-HubSpot-RateLimit-* as on real responses: Daily, Daily-Remaining,
        Interval-Milliseconds, Max, Remaining, Secondly, Secondly-Remaining (all seven on a
        companies response in hubspot-api-python#143; the Daily pair and the Secondly pair are
        also in https://developers.hubspot.com/changelog/2018-11-06-rate-limit-information-headers-will-be-included-in-http-responses).
        Secondly is a tenth of Max there (150 and 15), and so here."""
        self._roll_day(now_s)
        window = self._window(token, now_s)
        secondly = max(1, self.ten_second_limit // 10)
        last_second = sum(1 for t in window if t > now_s - 1.0)
        return {
            "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, self.daily_limit - self._daily_used)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_S * 1000)),
            "X-HubSpot-RateLimit-Max": str(self.ten_second_limit),
            "X-HubSpot-RateLimit-Remaining": str(max(0, self.ten_second_limit - len(window))),
            "X-HubSpot-RateLimit-Secondly": str(secondly),
            "X-HubSpot-RateLimit-Secondly-Remaining": str(max(0, secondly - last_second)),
        }

    # -- decisions ---------------------------------------------------------------------------

    def _seconds_to_midnight(self, now_s: float) -> int:
        return max(1, math.ceil((self._day + 1) * DAY_S - now_s))

    def admit(self, token: str, now_s: float, *, search: bool) -> Admission:
        """Check the limits for one request and count it when it may proceed.

        Search requests are held to the search limit ("five requests per second per account":
        https://developers.hubspot.com/docs/api-reference/search/guide#limitations,
        quoted in activepieces/activepieces#10160) and count towards the daily allowance; they do
        not consume the 10-second burst window, and their responses carry no X-HubSpot-RateLimit
        headers. HubSpot documents none for search;
        users report that search answers carry only X-HubSpot-Correlation-Id
        (https://community.hubspot.com/t5/Developer-Announcements/Rate-limit-headers-will-now-appear-for-OAuth-authenticated-calls/m-p/399520).
        """
        self._roll_day(now_s)
        headers = {} if search else self.headers(token, now_s)
        if self._daily_used >= self.daily_limit:
            return Admission(
                rate_limited(
                    "DAILY", self.group_name("DAILY"), self._seconds_to_midnight(now_s), headers
                ),
                headers,
            )
        if search:
            while self._search_window and self._search_window[0] <= now_s - SEARCH_WINDOW_S:
                self._search_window.popleft()
            if len(self._search_window) >= self.search_per_second:
                return Admission(
                    rate_limited("SECONDLY", self.group_name("SECONDLY"), 1, headers), headers
                )
            self._search_window.append(now_s)
        else:
            window = self._window(token, now_s)
            if len(window) >= self.ten_second_limit:
                retry_after = math.ceil(window[0] + WINDOW_S - now_s)
                return Admission(
                    rate_limited(
                        "TEN_SECONDLY_ROLLING",
                        self.group_name("TEN_SECONDLY_ROLLING"),
                        retry_after,
                        headers,
                    ),
                    headers,
                )
            window.append(now_s)
        self._daily_used += 1
        return Admission(None, {} if search else self.headers(token, now_s))

    def throttled(self, token: str, now_s: float, *, search: bool) -> HubSpotError:
        """A 429 as the 10-second policy (or the search policy), for the throttle fault."""
        headers = {} if search else self.headers(token, now_s)
        policy = "SECONDLY" if search else "TEN_SECONDLY_ROLLING"
        return rate_limited(policy, self.group_name(policy), 1, headers)
