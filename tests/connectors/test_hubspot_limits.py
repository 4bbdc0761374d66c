"""Pacing against HubSpot's limits: the proactive limiter keeps bursts under the 10-second limit,
and a 429 that still gets through pauses everyone and is retried, never reported as a failure."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from connectors.rate_limit import SlidingWindowLimiter
from sandbox.faults import FaultProfile
from sandbox.hubspot import HubSpotPortalConfig
from tests.connectors.test_hubspot_support import StartRig, companies, hubspot

__all__ = ["hubspot"]

SPEED = 10
"""The emulator's clock runs ten times faster than real time, so its fixed 10-second burst
window lasts one real second, and the connector is told its window is one second long."""


class FastClock:
    def __init__(self) -> None:
        self.started = time.time()

    def __call__(self) -> float:
        return self.started + (time.time() - self.started) * SPEED


def test_a_burst_from_several_threads_stays_under_the_ten_second_limit(hubspot: StartRig) -> None:
    config = HubSpotPortalConfig(ten_second_limit=12, clock=FastClock())
    rig = hubspot(companies(30), config=config)
    connector = rig.connect(requests_per_ten_seconds=12, burst_window_seconds=10 / SPEED)
    ids = [a.crm_id for a in companies(30)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        owners = list(pool.map(lambda i: connector.read_owners([i]), ids))
    assert [list(o) for o in owners] == [[i] for i in ids]
    statuses = [r.status for r in rig.portal.requests.records()]
    assert statuses == [200] * 30


def test_a_throttled_call_is_retried_and_never_surfaces(hubspot: StartRig) -> None:
    rig = hubspot(companies(500), faults=FaultProfile(rate_429=0.3))
    connector = rig.connect()
    owners = connector.read_owners([a.crm_id for a in companies(500)])
    assert owners == {a.crm_id: a.owner_id for a in companies(500)}
    assert 429 in {r.status for r in rig.portal.requests.records()}
    assert connector.usage.calls == rig.portal.requests.count()


def test_a_429_holds_back_every_caller_for_its_retry_after(hubspot: StartRig) -> None:
    rig = hubspot(companies(5), faults=FaultProfile(rate_429=1.0))
    connector = rig.connect()
    now = [1_000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds
        rig.portal.set_faults(FaultProfile())  # the throttling is over

    limiter = SlidingWindowLimiter(100, 10.0, clock=lambda: now[0], sleep=sleep)
    connector.transport.burst_limiter = limiter
    first = companies(1)[0]
    assert connector.read_owners([first.crm_id]) == {first.crm_id: first.owner_id}
    assert slept == [1.0]  # the emulator's Retry-After
