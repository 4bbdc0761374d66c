"""The incremental walk over HubSpot search returns every changed company exactly once.

The first tests drive the walk with a stand-in search that keeps HubSpot's rules (one sort, a
page of results from the first match on, ties at one timestamp in any order); the last one runs it
against the emulator through the real client with 25,000 changes.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import PullMode, PullPosition
from connectors.hubspot_records import from_epoch_ms
from connectors.hubspot_search import Company, Filter, walk_changes
from sandbox.hubspot import HubSpotPortalConfig
from sandbox.hubspot.properties import iso_ms
from tests.connectors.contract import BASE_MS
from tests.connectors.test_hubspot_support import StartRig, company, hubspot, pull

__all__ = ["hubspot"]


class StandInSearch:
    """HubSpot search over (id, modified ms) pairs: filters ANDed, one ascending sort, the first
    `limit` results; companies sharing a timestamp come back in a different order every call."""

    def __init__(self, stamps: dict[int, int], limit: int, seed: int = 0) -> None:
        self.stamps = stamps
        self.limit = limit
        self.calls = 0
        self._random = random.Random(seed)

    def _value(self, record_id: int, name: str) -> int:
        return record_id if name == "hs_object_id" else self.stamps[record_id]

    def __call__(self, filters: list[Filter], sort_property: str) -> list[Company]:
        self.calls += 1
        compare = {
            "EQ": lambda v, o: v == o,
            "GT": lambda v, o: v > o,
            "GTE": lambda v, o: v >= o,
        }
        matched = [
            i
            for i in self.stamps
            if all(
                compare[f["operator"]](self._value(i, f["propertyName"]), int(f["value"]))
                for f in filters
            )
        ]
        self._random.shuffle(matched)  # ties keep no order
        matched.sort(key=lambda i: self._value(i, sort_property))
        return [
            {"id": str(i), "properties": {"hs_lastmodifieddate": iso_ms(self.stamps[i])}}
            for i in matched[: self.limit]
        ]


def walked_ids(search: StandInSearch, start_ms: int) -> list[str]:
    return [
        str(c["id"])
        for page in walk_changes(search, start_ms, page_limit=search.limit)
        for c in page.companies
    ]


def test_the_walk_returns_each_company_once_when_a_page_ends_inside_a_run_of_ties() -> None:
    stamps = {i: 1_000 + i // 7 for i in range(1, 200)}  # runs of 7 companies per timestamp
    ids = walked_ids(StandInSearch(stamps, limit=10), 0)
    assert sorted(ids, key=int) == [str(i) for i in sorted(stamps)]


def test_more_companies_at_one_timestamp_than_a_page_holds_are_walked_by_id() -> None:
    stamps = {i: 5_000 for i in range(1, 95)} | {i: 4_000 + i for i in range(95, 120)}
    ids = walked_ids(StandInSearch(stamps, limit=10), 0)
    assert Counter(ids) == Counter(str(i) for i in stamps)


def test_companies_modified_before_the_start_are_left_out() -> None:
    stamps = {1: 10, 2: 20, 3: 30, 4: 30}
    assert sorted(walked_ids(StandInSearch(stamps, limit=2), 20)) == ["2", "3", "4"]


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.integers(0, 12), min_size=0, max_size=120),
    limit=st.integers(1, 9),
    seed=st.integers(0, 1000),
)
def test_every_change_set_is_walked_completely_and_exactly_once(
    stamps: list[int], limit: int, seed: int
) -> None:
    by_id = {i + 1: stamp for i, stamp in enumerate(stamps)}
    ids = walked_ids(StandInSearch(by_id, limit=limit, seed=seed), 0)
    assert Counter(ids) == Counter(str(i) for i in by_id)


def test_the_walk_resumes_inside_a_timestamp_after_the_last_committed_id() -> None:
    stamps = {i: 7_000 for i in range(1, 30)} | {30: 8_000}
    pages = list(
        walk_changes(StandInSearch(stamps, limit=5), 7_000, resume_after_id="12", page_limit=5)
    )
    ids = [c["id"] for page in pages for c in page.companies]
    assert ids == [str(i) for i in range(13, 31)]


def test_positions_inside_a_timestamp_walk_name_the_last_id() -> None:
    stamps = {i: 7_000 for i in range(1, 30)}
    pages = list(walk_changes(StandInSearch(stamps, limit=5), 0, page_limit=5))
    walked = [p for p in pages if p.last_id is not None]
    assert walked and all(p.modified_ms == 7_000 for p in walked)
    assert walked[-1].last_id == "29"
    assert pages[-1].final


@pytest.mark.slow
def test_an_incremental_pull_of_25000_changes_with_12000_sharing_one_time_returns_each_once(
    hubspot: StartRig,
) -> None:
    shared_ms = BASE_MS + 50_000_000
    accounts = [
        company(n, modified_ms=shared_ms if n % 25 < 12 else BASE_MS + n * 1000)
        for n in range(1, 25_001)
    ]
    rig = hubspot(
        accounts,
        config=HubSpotPortalConfig(ten_second_limit=1_000_000, search_per_second=1_000_000),
    )
    connector = rig.connect()
    since = PullPosition(from_epoch_ms(BASE_MS))
    records, _ = pull(connector, PullMode.INCREMENTAL, since)
    counts = Counter(r.external_id for r in records)
    assert len(counts) == 25_000
    assert set(counts.values()) == {1}
    assert sum(1 for a in accounts if a.modified_ms == shared_ms) == 12_000
    assert rig.portal.requests.count("search") >= 25_000 // 200
