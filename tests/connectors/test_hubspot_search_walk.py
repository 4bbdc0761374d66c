"""The incremental walk over HubSpot search returns every changed company exactly once, resumes
exactly where it stopped, and ends in a bounded number of searches whatever search answers.

The first tests drive the walk with a stand-in search that keeps HubSpot's rules (filter groups
ORed, one sort, a page of results from the first match on, ties at one timestamp in any order),
optionally answering inconsistently; the last ones run it against the emulator through the real
client.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.base import PullMode, PullPosition
from connectors.hubspot.search import (
    ChangedPage,
    Filter,
    FilterGroups,
    SearchAnswer,
    walk_changes,
)
from sandbox.hubspot import HubSpotPortalConfig
from sandbox.hubspot.properties import iso_ms
from territory_sync.times import from_epoch_ms
from tests.connectors.contract import BASE_MS
from tests.connectors.test_hubspot_support import StartRig, company, hubspot, pull

__all__ = ["hubspot"]

COMPARE = {
    "EQ": lambda v, o: v == o,
    "GT": lambda v, o: v > o,
    "GTE": lambda v, o: v >= o,
    "LT": lambda v, o: v < o,
}


class StandInSearch:
    """HubSpot search over (id, modified ms) pairs: filter groups ORed, the filters of a group
    ANDed, one ascending sort, the first `limit` results; companies sharing a timestamp come back
    in a different order every call. `inconsistency` answers as the emulator's switch does."""

    def __init__(
        self,
        stamps: dict[int, int],
        limit: int,
        seed: int = 0,
        inconsistency: str | None = None,
        ties_in_id_order: bool = False,
    ) -> None:
        self.ties_in_id_order = ties_in_id_order
        self.stamps = stamps
        self.limit = limit
        self.calls = 0
        self.inconsistency = inconsistency
        self._random = random.Random(seed)

    def _value(self, record_id: int, name: str) -> int:
        return record_id if name == "hs_object_id" else self.stamps[record_id]

    def _applies(self, record_id: int, group: list[Filter]) -> bool:
        pinned = any(
            f["propertyName"] == "hs_lastmodifieddate" and f["operator"] == "EQ" for f in group
        )
        for f in group:
            operator = f["operator"]
            ignored = self.inconsistency == "eq_ignores_id_bound" and pinned
            if ignored and f["propertyName"] == "hs_object_id":
                continue
            if self.inconsistency == "gt_includes_boundary" and operator == "GT":
                operator = "GTE" if f["propertyName"] == "hs_lastmodifieddate" else operator
            if not COMPARE[operator](self._value(record_id, f["propertyName"]), int(f["value"])):
                return False
        return True

    def __call__(self, groups: FilterGroups, sort_property: str) -> SearchAnswer:
        self.calls += 1
        assert 1 <= len(groups) <= 5 and sum(len(g) for g in groups) <= 18
        matched = [i for i in self.stamps if any(self._applies(i, g) for g in groups)]
        if self.ties_in_id_order:
            matched.sort()
        else:
            self._random.shuffle(matched)  # ties keep no order
        matched.sort(key=lambda i: self._value(i, sort_property))
        page = [
            {"id": str(i), "properties": {"hs_lastmodifieddate": iso_ms(self.stamps[i])}}
            for i in matched[: self.limit]
        ]
        return SearchAnswer(page, len(matched))


def walked_pages(
    search: StandInSearch,
    since_ms: int,
    *,
    after_id: str | None = None,
    lookback_ms: int = 0,
) -> list[ChangedPage]:
    return list(
        walk_changes(
            search, since_ms, after_id=after_id, lookback_ms=lookback_ms, page_limit=search.limit
        )
    )


def walked_ids(
    search: StandInSearch,
    since_ms: int,
    *,
    after_id: str | None = None,
    lookback_ms: int = 0,
) -> list[str]:
    pages = walked_pages(search, since_ms, after_id=after_id, lookback_ms=lookback_ms)
    return [str(c["id"]) for page in pages for c in page.companies]


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
    ids = walked_ids(StandInSearch(stamps, limit=5), 7_000, after_id="12")
    assert Counter(ids) == Counter(str(i) for i in range(13, 31))


@settings(max_examples=80, deadline=None)
@given(
    stamps=st.lists(st.integers(0, 12), min_size=1, max_size=80),
    limit=st.integers(1, 9),
    seed=st.integers(0, 1000),
    resume_stamp=st.integers(0, 12),
    resume_id=st.integers(0, 80),
    lookback=st.integers(0, 4),
)
def test_a_resumed_walk_reads_exactly_what_lies_beyond_the_position_and_in_the_lookback(
    stamps: list[int], limit: int, seed: int, resume_stamp: int, resume_id: int, lookback: int
) -> None:
    by_id = {i + 1: stamp for i, stamp in enumerate(stamps)}
    search = StandInSearch(by_id, limit=limit, seed=seed)
    ids = walked_ids(search, resume_stamp, after_id=str(resume_id), lookback_ms=lookback)
    expected = [
        str(i)
        for i, stamp in by_id.items()
        if (stamp, i) > (resume_stamp, resume_id) or resume_stamp - lookback <= stamp < resume_stamp
    ]
    assert Counter(ids) == Counter(expected)


def test_positions_inside_a_timestamp_walk_name_the_last_id() -> None:
    stamps = {i: 7_000 for i in range(1, 30)}
    pages = walked_pages(StandInSearch(stamps, limit=5), 0)
    walked = [p for p in pages if p.last_id is not None]
    assert walked and all(p.modified_ms == 7_000 for p in walked)
    assert walked[-1].last_id == "29"
    assert pages[-1].final


def test_each_page_names_its_last_timestamp_and_highest_id_once_the_next_answer_confirms_it() -> (
    None
):
    stamps = {i: 1_000 + i // 3 for i in range(1, 40)}
    pages = walked_pages(StandInSearch(stamps, limit=4, ties_in_id_order=True), 0)
    for page in pages:
        top = max(page.companies, key=lambda c: (stamps[int(c["id"])], int(c["id"])))
        assert (page.modified_ms, page.last_id) == (stamps[int(top["id"])], top["id"])


def test_a_page_whose_last_timestamp_had_companies_passed_over_names_no_id() -> None:
    stamps = {i: 1_000 for i in range(1, 40)}
    pages = walked_pages(StandInSearch(stamps, limit=4, seed=5), 0)
    assert (pages[0].modified_ms, pages[0].last_id) == (1_000, None)
    assert pages[1].last_id is not None  # the first page of those read by id


def test_the_last_page_names_the_highest_id_at_the_last_timestamp() -> None:
    stamps = {1: 100, 2: 200, 5: 300, 3: 300, 4: 300}
    [*_, last] = walked_pages(StandInSearch(stamps, limit=2, seed=3), 0)
    assert (last.final, last.modified_ms, last.last_id) == (True, 300, "5")


def test_a_rerun_from_the_last_position_with_nothing_new_makes_one_search() -> None:
    stamps = {i: 9_000 for i in range(1, 1_001)}
    first = StandInSearch(stamps, limit=10)
    last = walked_pages(first, 0)[-1]
    assert (last.modified_ms, last.last_id) == (9_000, "1000")
    rerun = StandInSearch(stamps, limit=10)
    pages = walked_pages(rerun, 9_000, after_id="1000", lookback_ms=5_000)
    assert [p.companies for p in pages] == [[]]
    assert rerun.calls == 1


def test_an_answer_that_ignores_the_id_bound_inside_a_timestamp_stalls_on_the_second_search() -> (
    None
):
    stamps = {i: 5_000 for i in range(1, 101)}
    search = StandInSearch(
        stamps, limit=10, inconsistency="eq_ignores_id_bound", ties_in_id_order=True
    )
    pages = walked_pages(search, 0)
    assert pages[-1].stalled is not None and "hs_object_id" in pages[-1].stalled
    assert search.calls == 2  # the first page at 5000, then the same page again


def test_a_gt_answer_that_includes_its_boundary_stalls_instead_of_repeating() -> None:
    stamps = {i: 5_000 for i in range(1, 101)} | {101: 6_000}
    search = StandInSearch(stamps, limit=10, inconsistency="gt_includes_boundary")
    pages = walked_pages(search, 5_000, after_id="100")
    assert pages[-1].stalled is not None
    assert search.calls == 1


def test_records_an_inconsistent_answer_holds_below_the_frontier_are_left_out() -> None:
    stamps = {1: 5_000, 2: 5_000, 3: 6_000}
    search = StandInSearch(stamps, limit=10, inconsistency="gt_includes_boundary")
    ids = walked_ids(search, 5_000, after_id="2")
    assert ids == ["3"]


@settings(max_examples=60, deadline=None)
@given(
    stamps=st.lists(st.integers(0, 6), min_size=0, max_size=80),
    limit=st.integers(1, 9),
    seed=st.integers(0, 1000),
    mode=st.sampled_from(["eq_ignores_id_bound", "gt_includes_boundary"]),
)
def test_any_inconsistent_search_ends_within_a_bounded_number_of_searches(
    stamps: list[int], limit: int, seed: int, mode: str
) -> None:
    by_id = {i + 1: stamp for i, stamp in enumerate(stamps)}
    search = StandInSearch(by_id, limit=limit, seed=seed, inconsistency=mode)
    pages = walked_pages(search, 0)
    assert pages[-1].final or pages[-1].stalled is not None
    assert search.calls <= 2 * len(by_id) + len(set(stamps)) + 2


# -- against the emulator ---------------------------------------------------------------------


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


@pytest.mark.slow
def test_a_no_change_rerun_after_11000_companies_share_the_newest_timestamp_makes_at_most_two_searches(  # noqa: E501
    hubspot: StartRig,
) -> None:
    shared_ms = BASE_MS + 3_600_000
    older = [company(n, modified_ms=BASE_MS + (n - 11_000) * 1000) for n in range(11_001, 11_301)]
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 11_001)] + older)
    connector = rig.connect()
    records, position = pull(connector, PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS)))
    assert len(records) == 11_300
    assert position == PullPosition(from_epoch_ms(shared_ms), company(11_000).crm_id)
    rig.portal.requests.clear()
    again, after = pull(connector, PullMode.INCREMENTAL, position)
    assert again == []
    assert after == position
    assert rig.portal.requests.count("search") <= 2
    assert rig.portal.requests.count() == rig.portal.requests.count("search")


def test_an_eq_walk_that_ignores_its_id_bound_ends_by_listing_within_a_bounded_number_of_calls(
    hubspot: StartRig, caplog: pytest.LogCaptureFixture
) -> None:
    shared_ms = BASE_MS + 3_600_000
    accounts = [company(n, modified_ms=shared_ms) for n in range(1, 601)] + [
        company(n, modified_ms=BASE_MS - 60_000) for n in range(601, 701)
    ]
    rig = hubspot(accounts)
    rig.portal.set_search_inconsistency("eq_ignores_id_bound")
    caplog.set_level(logging.INFO, logger="territory_sync")
    since = PullPosition(from_epoch_ms(BASE_MS))
    records, position = pull(rig.connect(), PullMode.INCREMENTAL, since)
    assert {r.external_id for r in records} == {a.crm_id for a in accounts[:600]}
    assert rig.portal.requests.count("search") == 2  # the first page, then the same again
    assert rig.portal.requests.count("list") == 7  # 700 live companies, 100 a page
    [event] = [r for r in caplog.records if r.getMessage() == "crm.search_inconsistent"]
    assert "hs_object_id" in event.fields["reason"]  # type: ignore[attr-defined]
    assert position is not None and position.modified_at >= since.modified_at


def test_a_gt_answer_that_includes_its_boundary_ends_by_listing_within_a_bounded_number_of_calls(
    hubspot: StartRig,
) -> None:
    shared_ms = BASE_MS + 3_600_000
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 401)])
    connector = rig.connect()
    _, position = pull(connector, PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS)))
    assert position == PullPosition(from_epoch_ms(shared_ms), company(400).crm_id)
    rig.portal.set_search_inconsistency("gt_includes_boundary")
    rig.portal.requests.clear()
    records, _ = pull(connector, PullMode.INCREMENTAL, position)
    assert rig.portal.requests.count("search") == 1
    assert rig.portal.requests.count("list") == 4
    assert {r.external_id for r in records} == {company(n).crm_id for n in range(1, 401)}


def test_the_position_after_listing_is_where_the_listing_started_less_the_lookback(
    hubspot: StartRig,
) -> None:
    listed_at = from_epoch_ms(BASE_MS + 7_200_000)
    shared_ms = BASE_MS + 3_600_000
    rig = hubspot([company(n, modified_ms=shared_ms) for n in range(1, 301)])
    rig.portal.set_search_inconsistency("eq_ignores_id_bound")
    connector = rig.connect(clock=lambda: listed_at)
    pages = list(
        connector.pull_accounts(
            PullMode.INCREMENTAL, PullPosition(from_epoch_ms(BASE_MS)), timedelta(minutes=5)
        )
    )
    assert pages[-1].final
    assert pages[-1].position == PullPosition(listed_at - timedelta(minutes=5))
