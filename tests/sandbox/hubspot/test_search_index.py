"""Search answers on modified-time and id ranges from its sorted index exactly as a scan of every
company would: the same companies, order and total, through writes, archives, creations, bulk
stamps, the search lag and the inconsistent modes."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from sandbox.hubspot import HubSpotPortal, HubSpotPortalConfig
from sandbox.hubspot.search import SEARCH_INCONSISTENCIES, parse_search_request
from tests.sandbox.hubspot.conftest import START_MS, FakeClock, make_company, make_reps

MODIFIED = "hs_lastmodifieddate"
ID = "hs_object_id"


def _portal(rng: random.Random, clock: FakeClock, count: int = 300) -> HubSpotPortal:
    # Few distinct timestamps, so that many companies share one.
    companies = [
        make_company(n, modified_ms=START_MS + 1000 * rng.randrange(12)) for n in range(1, count)
    ]
    config = HubSpotPortalConfig(clock=clock, search_delay_s=2.0)
    return HubSpotPortal(make_reps(), companies, config=config)


def _filter(name: str, operator: str, value: int) -> dict[str, str]:
    return {"propertyName": name, "operator": operator, "value": str(value)}


def _random_body(rng: random.Random, ids: list[int]) -> dict[str, object]:
    def stamp() -> int:
        return START_MS + 1000 * rng.randrange(-1, 20)

    groups = []
    for _ in range(rng.randrange(1, 4)):
        shape = rng.randrange(4)
        if shape == 0:
            group = [_filter(MODIFIED, rng.choice(["GT", "GTE"]), stamp())]
        elif shape == 1:
            group = [_filter(MODIFIED, "EQ", stamp()), _filter(ID, "GT", rng.choice(ids))]
        elif shape == 2:
            low = stamp()
            group = [_filter(MODIFIED, "GTE", low), _filter(MODIFIED, "LT", low + 4000)]
        else:
            group = [_filter(MODIFIED, "EQ", stamp())]
        groups.append({"filters": group})
    one_stamp = all(len(g["filters"]) <= 2 and g["filters"][0]["operator"] == "EQ" for g in groups)
    sort = ID if one_stamp and len(groups) == 1 and rng.random() < 0.5 else MODIFIED
    return {
        "filterGroups": groups,
        "sorts": [{"propertyName": sort, "direction": "ASCENDING"}],
        "limit": rng.choice([5, 50, 200]),
        "after": rng.choice([0, 0, 0, 7]),
    }


def _answer(portal: HubSpotPortal, body: dict[str, object], scan: bool) -> tuple[int, list[str]]:
    request = parse_search_request(body, inconsistency=portal.search_inconsistency)
    if scan:
        request = replace(request, key_ranges=None)
    page = portal.search(request)
    return page.total, [account.crm_id for account, _ in page.results]


def _change_something(rng: random.Random, portal: HubSpotPortal, clock: FakeClock) -> None:
    clock.advance(rng.choice([0.0, 0.5, 1.5, 3.0]))
    live = portal.first_ids(400)
    kind = rng.randrange(5)
    if kind == 0:
        portal.change_owner_as_person(rng.choice(live), "302")
    elif kind == 1:
        portal.mass_update(rng.sample(live, rng.randrange(1, 60)))
    elif kind == 2:
        portal.delete_records([rng.choice(live)])
    elif kind == 3:
        portal.create_records([{"name": "Fresh"}])
    else:
        portal.flag_do_not_reassign_as_person(rng.sample(live, 3))


@pytest.mark.parametrize("seed", range(6))
def test_indexed_answers_match_a_scan_of_every_company_through_writes_and_lag(seed: int) -> None:
    rng = random.Random(seed)
    clock = FakeClock()
    portal = _portal(rng, clock)
    for _ in range(60):
        ids = [int(i) for i in portal.first_ids(400)]
        body = _random_body(rng, ids)
        indexed = parse_search_request(body)
        assert indexed.key_ranges is not None
        assert _answer(portal, body, scan=False) == _answer(portal, body, scan=True)
        _change_something(rng, portal, clock)


@pytest.mark.parametrize("mode", SEARCH_INCONSISTENCIES)
def test_inconsistent_answers_from_the_index_match_a_scan(mode: str) -> None:
    rng = random.Random(7)
    clock = FakeClock()
    portal = _portal(rng, clock)
    portal.set_search_inconsistency(mode)
    for _ in range(40):
        body = _random_body(rng, [int(i) for i in portal.first_ids(400)])
        assert _answer(portal, body, scan=False) == _answer(portal, body, scan=True)


def test_a_purge_leaves_the_purged_companies_out_of_indexed_answers() -> None:
    clock = FakeClock()
    portal = _portal(random.Random(3), clock, count=20)
    body = {
        "filterGroups": [{"filters": [_filter(MODIFIED, "GTE", START_MS - 1)]}],
        "sorts": [{"propertyName": MODIFIED, "direction": "ASCENDING"}],
        "limit": 200,
    }
    before, _ = _answer(portal, body, scan=False)
    gone = portal.first_ids(5)

    portal.delete_records(gone, purge=True)
    total, ids = _answer(portal, body, scan=False)

    assert total == before - 5
    assert not set(gone) & set(ids)


def test_requests_on_other_properties_are_answered_by_a_scan() -> None:
    body = {
        "filterGroups": [{"filters": [{"propertyName": "name", "operator": "EQ", "value": "x"}]}],
        "sorts": [{"propertyName": MODIFIED, "direction": "ASCENDING"}],
    }
    by_owner = {
        "filterGroups": [{"filters": [_filter(MODIFIED, "GT", START_MS)]}],
        "sorts": [{"propertyName": "hubspot_owner_id", "direction": "ASCENDING"}],
    }

    assert parse_search_request(body).key_ranges is None
    assert parse_search_request(by_owner).key_ranges is None
