"""The sandbox's seeded book: reproducible, sized as asked, and shaped like a real, messy B2B book.

Most checks run on one 20,000-account book; shares are asserted with tolerances that hold for any
seed at that size. Websites and countries are read with small helpers here rather than the
product's normalisers, so these tests specify the seed on their own terms.
"""

from __future__ import annotations

import gc
import re
import statistics
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

import pycountry
import pytest

from mapping.normalise.industries import HUBSPOT_INDUSTRIES, SALESFORCE_INDUSTRIES
from sandbox.ids import hubspot_id, salesforce_id
from sandbox.seed import SeedAccount, SeedBook, generate_book
from sandbox.seed_book import BOOK_AS_OF_MS, CREATED_FROM_MS
from sandbox.seed_ids import AccountIds
from sandbox.seed_reps import REP_EMAIL_DOMAIN, REP_ROSTER, TEAMS, build_reps, rep_count
from sandbox.seed_vocabulary import SECTORS

ACCOUNTS = 20_000
T = TypeVar("T")

US_ALIASES = {"united states", "usa", "us", "u.s.", "u.s.a.", "united states of america", "america"}
COUNTRY_ALIASES: dict[str, set[str]] = {
    "US": US_ALIASES,
    "CA": {"canada", "ca", "can"},
    "GB": {"united kingdom", "uk", "u.k.", "gb", "great britain", "england", "scotland", "wales",
           "northern ireland", "united kingdom of great britain and northern ireland"},
    "DE": {"germany", "deutschland", "de", "deu", "ger", "federal republic of germany",
           "bundesrepublik deutschland"},
    "FR": {"france", "fr", "fra", "république française"},
    "NL": {"netherlands", "the netherlands", "nederland", "nl", "holland"},
    "AU": {"australia", "au", "aus"},
    "JP": {"japan", "jp", "jpn", "日本"},
    "BR": {"brazil", "brasil", "br", "bra"},
    "IN": {"india", "in", "ind"},
}  # fmt: skip
_COUNTRY_BY_ALIAS = {alias: code for code, aliases in COUNTRY_ALIASES.items() for alias in aliases}

SALESFORCE_TYPES = {
    "Prospect",
    "Customer - Direct",
    "Customer - Channel",
    "Channel Partner / Reseller",
    "Installation Partner",
    "Technology Partner",
    "Other",
}
HUBSPOT_STAGES = {
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
}

# USPS 3-digit ZIP prefixes by state (first and last of each block).
ZIP_PREFIXES: dict[str, list[tuple[int, int]]] = {
    "CA": [(900, 961)],
    "TX": [(750, 799), (885, 885)],
    "NY": [(100, 149)],
    "MA": [(10, 27)],
    "WA": [(980, 994)],
    "FL": [(320, 349)],
    "IL": [(600, 629)],
    "NJ": [(70, 89)],
}
# Canada Post: first letters of postal codes by province.
CANADIAN_LETTERS = {"ON": "KLMNP", "QC": "GHJ", "BC": "V", "AB": "T", "MB": "R", "NS": "B"}
CANADIAN_POSTAL_CODE = re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$", re.IGNORECASE)


def registrable_domain(website: str | None) -> str | None:
    """Host of a website as typed, lower case, without scheme, path or `www.`."""
    if not website or not website.strip():
        return None
    host = re.sub(r"^[a-z]+://", "", website.strip().lower()).split("/")[0]
    return host.removeprefix("www.") or None


def country_code(value: str | None) -> str | None:
    return _COUNTRY_BY_ALIAS.get(value.strip().lower()) if value else None


_US_SUBDIVISIONS = [
    s for s in pycountry.subdivisions if s.country_code == "US" and s.type in ("State", "District")
]
_STATE_BY_CODE_OR_NAME = {s.code[3:]: s.code[3:] for s in _US_SUBDIVISIONS} | {
    s.name: s.code[3:] for s in _US_SUBDIVISIONS
}


def state_code(value: str | None) -> str | None:
    """A US state's two-letter code from its code or its name; None for other spellings."""
    return _STATE_BY_CODE_OR_NAME.get(value.strip()) if value else None


def zip_prefix(postal_code: str) -> int:
    return int(postal_code.split("-")[0].strip().zfill(5)[:3])


def share(items: Iterable[T], test: Callable[[T], bool]) -> float:
    listed = list(items)
    return sum(1 for item in listed if test(item)) / len(listed)


def domain_of(account: SeedAccount) -> str | None:
    return account.domain or registrable_domain(account.website)


@pytest.fixture(scope="module")
def book() -> SeedBook:
    return generate_book(ACCOUNTS, seed=2024)


@pytest.fixture(scope="module")
def both(book: SeedBook) -> list[SeedAccount]:
    return book.salesforce + book.hubspot


@pytest.fixture(scope="module")
def pairs(book: SeedBook) -> list[tuple[SeedAccount, SeedAccount]]:
    """Salesforce and HubSpot records of the same business: matched by a domain only one record
    in each CRM has."""
    salesforce = Counter(domain_of(a) for a in book.salesforce)
    hubspot = Counter(domain_of(a) for a in book.hubspot)
    by_domain = {domain_of(a): a for a in book.hubspot}
    return [
        (a, by_domain[d])
        for a in book.salesforce
        if (d := domain_of(a)) and salesforce[d] == 1 and hubspot.get(d) == 1
    ]


# ----------------------------------------------------------------------------------------------
# Reproducibility and size
# ----------------------------------------------------------------------------------------------


def test_the_same_size_and_seed_give_an_equal_book() -> None:
    assert generate_book(1_500, seed=5) == generate_book(1_500, seed=5)


def test_another_seed_gives_other_businesses_but_the_same_reps() -> None:
    first, second = generate_book(1_500, seed=5), generate_book(1_500, seed=6)

    assert [a.name for a in first.salesforce] != [a.name for a in second.salesforce]
    assert [a.website for a in first.hubspot] != [a.website for a in second.hubspot]
    assert first.reps == second.reps


@pytest.mark.parametrize("accounts", [0, 1, 7, 2_345])
def test_each_crm_gets_the_number_of_records_asked_for(accounts: int) -> None:
    book = generate_book(accounts, seed=3)

    assert len(book.salesforce) == accounts
    assert len(book.hubspot) == accounts


def test_an_empty_book_still_has_the_roster() -> None:
    assert [r.email for r in generate_book(0).reps] == [r.email for r in REP_ROSTER]


def test_a_negative_size_is_refused_with_what_to_pass() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        generate_book(-1)


# ----------------------------------------------------------------------------------------------
# Businesses in both CRMs
# ----------------------------------------------------------------------------------------------


def test_about_sixty_percent_of_each_crm_are_businesses_in_both(book: SeedBook) -> None:
    hubspot_domains = {domain_of(a) for a in book.hubspot} - {None}

    in_both = share(book.salesforce, lambda a: domain_of(a) in hubspot_domains)

    # 60% are shared; a few percent of shared records have no website in one of the CRMs.
    assert 0.52 <= in_both <= 0.64


def test_a_shared_business_is_often_written_differently_in_each_crm(
    pairs: list[tuple[SeedAccount, SeedAccount]],
) -> None:
    assert share(pairs, lambda p: p[0].name != p[1].name) > 0.2
    assert share(pairs, lambda p: p[0].website != p[1].website) > 0.3
    assert share(pairs, lambda p: p[0].country != p[1].country) > 0.3


def test_a_shared_business_has_matching_industries_in_both_vocabularies(
    pairs: list[tuple[SeedAccount, SeedAccount]],
) -> None:
    hubspot_values = {s.salesforce: {v for v, _ in s.hubspot} for s in SECTORS}
    both_known = [(sf, hs) for sf, hs in pairs if sf.industry and hs.industry]

    assert len(both_known) > 5_000
    for salesforce, hubspot in both_known:
        assert salesforce.industry is not None
        assert hubspot.industry in hubspot_values[salesforce.industry]


def test_a_shared_business_is_usually_owned_by_the_same_rep(
    book: SeedBook, pairs: list[tuple[SeedAccount, SeedAccount]]
) -> None:
    email_by_owner = {r.salesforce_user_id: r.email for r in book.reps}
    email_by_owner.update({r.hubspot_owner_id: r.email for r in book.reps})
    owned = [(sf, hs) for sf, hs in pairs if hs.owner_id is not None]

    same = sum(
        1
        for sf, hs in owned
        if email_by_owner[sf.owner_id or ""] == email_by_owner[hs.owner_id or ""]
    )

    assert 0.75 <= same / len(owned) <= 0.97


def test_about_one_percent_of_records_share_a_domain_with_another_in_the_same_crm(
    book: SeedBook,
) -> None:
    for records in (book.salesforce, book.hubspot):
        counts = Counter(domain_of(a) for a in records if domain_of(a))
        duplicated = sum(c for c in counts.values() if c > 1)
        assert 0.004 <= duplicated / len(records) <= 0.025


# ----------------------------------------------------------------------------------------------
# Reps and owners
# ----------------------------------------------------------------------------------------------


def test_every_book_starts_with_the_same_24_rep_roster() -> None:
    for accounts, seed in ((0, 1), (1_000, 99), (12_000, 7)):
        assert generate_book(accounts, seed).reps[:24] == list(REP_ROSTER)


def test_the_roster_has_two_reps_per_team_on_the_company_domain() -> None:
    assert len(REP_ROSTER) == 24
    assert Counter(r.team for r in REP_ROSTER) == {team: 2 for team in TEAMS}
    assert all(r.email.endswith(f"@{REP_EMAIL_DOMAIN}") for r in REP_ROSTER)
    assert all(r.first_name and r.last_name for r in REP_ROSTER)


def test_two_roster_reps_have_left() -> None:
    assert sum(1 for r in REP_ROSTER if not r.active) == 2


def test_a_rep_is_one_person_with_one_id_in_each_crm() -> None:
    reps = build_reps(200_000)

    assert len({r.email for r in reps}) == len(reps)
    assert len({r.salesforce_user_id for r in reps}) == len(reps)
    assert len({r.hubspot_owner_id for r in reps}) == len(reps)
    assert len({r.hubspot_user_id for r in reps}) == len(reps)
    assert all(re.fullmatch(r"005[0-9A-Za-z]{15}", r.salesforce_user_id) for r in reps)
    assert all(r.hubspot_owner_id.isdigit() for r in reps)
    assert not {str(r.hubspot_user_id) for r in reps} & {r.hubspot_owner_id for r in reps}


def test_large_books_have_a_rep_per_400_accounts_spread_by_team() -> None:
    reps = build_reps(1_000_000)
    per_team = Counter(r.team for r in reps)

    assert rep_count(1_000_000) == len(reps) == 2_500
    assert reps[:24] == list(REP_ROSTER)
    assert per_team["na-east"] > per_team["uk-ireland"] > per_team["india"]
    assert any(not r.active for r in reps[24:])
    assert build_reps(1_000_000) == reps


def test_every_owner_is_a_rep_of_the_book(book: SeedBook) -> None:
    salesforce_ids = {r.salesforce_user_id for r in book.reps}
    hubspot_ids = {r.hubspot_owner_id for r in book.reps}

    assert all(a.owner_id in salesforce_ids for a in book.salesforce)
    assert all(a.owner_id is None or a.owner_id in hubspot_ids for a in book.hubspot)


def test_about_three_percent_of_records_belong_to_reps_who_left(book: SeedBook) -> None:
    gone = {r.salesforce_user_id for r in book.reps if not r.active}
    gone |= {r.hubspot_owner_id for r in book.reps if not r.active}

    for records in (book.salesforce, book.hubspot):
        assert 0.02 <= share(records, lambda a: a.owner_id in gone) <= 0.04


def test_about_a_tenth_of_hubspot_companies_have_no_owner(book: SeedBook) -> None:
    assert 0.08 <= share(book.hubspot, lambda a: a.owner_id is None) <= 0.12
    assert all(a.owner_id for a in book.salesforce)


def test_most_accounts_are_owned_by_the_team_covering_their_country(
    book: SeedBook, both: list[SeedAccount]
) -> None:
    teams = {
        "CA": "canada", "GB": "uk-ireland", "DE": "dach", "FR": "benelux-france",
        "NL": "benelux-france", "JP": "apac", "AU": "apac", "BR": "latam", "IN": "india",
    }  # fmt: skip
    reps = {r.salesforce_user_id: r for r in book.reps} | {r.hubspot_owner_id: r for r in book.reps}
    placed = [
        (a, teams[code])
        for a in both
        if (code := country_code(a.country)) in teams and a.owner_id and reps[a.owner_id].active
    ]

    on_team = sum(1 for a, team in placed if reps[a.owner_id or ""].team == team) / len(placed)

    assert 0.85 <= on_team < 1.0  # some drift, as in real CRMs


# ----------------------------------------------------------------------------------------------
# Geography
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [("US", 45), ("GB", 8), ("CA", 6), ("DE", 6), ("FR", 5), ("AU", 4), ("NL", 3), ("JP", 3),
     ("BR", 3), ("IN", 3)],
)  # fmt: skip
def test_countries_are_weighted_like_a_b2b_book(
    both: list[SeedAccount], code: str, expected: float
) -> None:
    with_country = [a for a in both if a.country]

    # Percent of records with a country; a small share is written in ways the aliases miss.
    found = 100 * share(with_country, lambda a: country_code(a.country) == code)

    assert expected * 0.85 <= found <= expected * 1.1


def test_every_us_state_and_dc_has_accounts(both: list[SeedAccount]) -> None:
    states = {state_code(a.region) for a in both if country_code(a.country) == "US"}

    assert states - {None} == {s.code[3:] for s in _US_SUBDIVISIONS}


def test_the_most_populous_states_hold_the_most_us_accounts(both: list[SeedAccount]) -> None:
    counts = Counter(state_code(a.region) for a in both if country_code(a.country) == "US")
    counts.pop(None, None)
    top = [state for state, _ in counts.most_common(5)]

    assert top[0] == "CA"
    assert {"TX", "NY", "FL"} <= set(top)
    assert counts["WY"] < counts["CO"] < counts["CA"]


@pytest.mark.parametrize("state", sorted(ZIP_PREFIXES))
def test_us_zip_codes_fall_in_their_states_prefix_range(
    both: list[SeedAccount], state: str
) -> None:
    zips = [
        a.postal_code
        for a in both
        if state_code(a.region) == state and country_code(a.country) == "US" and a.postal_code
    ]

    assert len(zips) > 20
    for code in zips:
        assert re.fullmatch(r"\d{3,5}(-\d{4})?", code)
        assert any(low <= zip_prefix(code) <= high for low, high in ZIP_PREFIXES[state]), code


def test_canadian_postal_codes_start_with_their_provinces_letter(both: list[SeedAccount]) -> None:
    checked = 0
    for account in both:
        letters = CANADIAN_LETTERS.get(account.region or "")
        if letters and country_code(account.country) == "CA" and account.postal_code:
            assert CANADIAN_POSTAL_CODE.match(account.postal_code), account.postal_code
            assert account.postal_code[0].upper() in letters, account
            checked += 1
    assert checked > 100


def test_cities_are_in_their_region(both: list[SeedAccount]) -> None:
    regions_of = {
        "Toronto": {"ON", "Ontario", "Ont.", "ontario"},
        "San Francisco": {"CA", "California", "Calif.", "Cal.", "california", "Ca"},
        "München": {"BY", "Bayern", "Bavaria"},
        "São Paulo": {"SP", "São Paulo", "Sao Paulo"},
    }
    for account in both:
        if account.city in regions_of and account.region is not None:
            assert account.region in regions_of[account.city], account


# ----------------------------------------------------------------------------------------------
# Mess
# ----------------------------------------------------------------------------------------------


def test_countries_are_written_many_ways(both: list[SeedAccount]) -> None:
    countries = {a.country for a in both}

    assert {"USA", "United States", "U.S.", "us", "US", "United States of America"} <= countries
    assert {"Deutschland", "Germany", "UK", "United Kingdom", "England"} <= countries
    assert any(c and c != c.strip() for c in countries)


def test_regions_are_written_as_codes_names_and_abbreviations(both: list[SeedAccount]) -> None:
    regions = {a.region for a in both}

    assert {"CA", "California", "Calif.", "ON", "Ontario", "Bayern", "Bavaria"} <= regions


def test_websites_come_with_and_without_scheme_www_paths_and_capitals(
    both: list[SeedAccount],
) -> None:
    websites = [a.website for a in both if a.website]

    assert any(w.startswith("https://www.") for w in websites)
    assert any(w.startswith("http://") for w in websites)
    assert any("/" not in w and not w.startswith("www.") for w in websites)
    assert any(re.search(r"\.[a-z.]+/\w", w) for w in websites)
    assert any(w != w.lower() for w in websites)


def test_some_fields_are_left_blank(book: SeedBook, both: list[SeedAccount]) -> None:
    us = [a for a in both if country_code(a.country) == "US"]

    assert 0.03 <= share(both, lambda a: a.country is None) <= 0.07
    assert 0.06 <= share(us, lambda a: a.region is None) <= 0.14
    assert 0.05 <= share(both, lambda a: a.website is None) <= 0.11
    assert 0.05 <= share(both, lambda a: a.employees is None) <= 0.20
    assert 0.10 <= share(both, lambda a: a.annual_revenue is None) <= 0.30
    assert 0.05 <= share(both, lambda a: a.industry is None) <= 0.15


def test_names_include_unicode_and_stray_spaces(both: list[SeedAccount]) -> None:
    names = [a.name for a in both]

    assert any("株式会社" in n for n in names)
    assert any(re.search(r"[äöüÄÖÜß]", n) for n in names)
    assert any(re.search(r"[éèàçÉ]", n) for n in names)
    assert any(n != n.strip() or "  " in n for n in names)
    assert "São Paulo" in {a.city for a in both}


def test_the_same_legal_form_is_spelled_several_ways(both: list[SeedAccount]) -> None:
    names = [a.name for a in both]

    assert any(n.endswith(", Inc.") for n in names)
    assert any(n.endswith(" Inc") for n in names)
    assert any(n.endswith(" GmbH") for n in names)


# ----------------------------------------------------------------------------------------------
# Values in each CRM's vocabulary
# ----------------------------------------------------------------------------------------------


def test_industries_are_each_crms_own_values(book: SeedBook) -> None:
    assert {a.industry for a in book.salesforce} - {None} <= set(SALESFORCE_INDUSTRIES)
    assert {a.industry for a in book.hubspot} - {None} <= set(HUBSPOT_INDUSTRIES)
    assert len({a.industry for a in book.salesforce}) > 25


def test_account_types_and_lifecycle_stages_are_each_crms_own_values(book: SeedBook) -> None:
    assert {a.account_type for a in book.salesforce} - {None} == SALESFORCE_TYPES
    assert {a.account_type for a in book.hubspot} - {None} == HUBSPOT_STAGES
    customers = share(book.salesforce, lambda a: (a.account_type or "").startswith("Customer"))
    assert 0.11 <= customers <= 0.18


def test_hubspot_domain_is_the_websites_registrable_domain(book: SeedBook) -> None:
    with_website = [a for a in book.hubspot if a.website]

    assert all(a.domain == registrable_domain(a.website) for a in with_website)
    assert all(a.domain is None for a in book.salesforce)


def test_employees_are_log_normal_around_a_hundred(both: list[SeedAccount]) -> None:
    employees = [a.employees for a in both if a.employees is not None]

    assert 70 <= statistics.median(employees) <= 140
    assert min(employees) >= 1
    assert max(employees) >= 10_000


def test_revenue_is_whole_units_and_grows_with_size(both: list[SeedAccount]) -> None:
    sized = [(a.employees, a.annual_revenue) for a in both if a.employees and a.annual_revenue]
    small = statistics.median(r for e, r in sized if e < 50)
    large = statistics.median(r for e, r in sized if e > 1_000)

    assert all(type(r) is int for _, r in sized)
    assert large > 20 * small


def test_about_two_percent_are_marked_do_not_reassign(both: list[SeedAccount]) -> None:
    assert 0.01 <= share(both, lambda a: a.do_not_reassign) <= 0.03


def test_no_seeded_record_is_deleted(both: list[SeedAccount]) -> None:
    assert not any(a.deleted for a in both)


# ----------------------------------------------------------------------------------------------
# Ids and times
# ----------------------------------------------------------------------------------------------


def test_record_ids_are_unique_and_in_each_crms_format(book: SeedBook) -> None:
    assert [a.crm_id for a in book.salesforce] == [
        salesforce_id("001", n) for n in range(1, ACCOUNTS + 1)
    ]
    assert [a.crm_id for a in book.hubspot] == [hubspot_id(n) for n in range(1, ACCOUNTS + 1)]
    assert len({a.crm_id for a in book.salesforce}) == ACCOUNTS


def test_account_ids_agree_with_salesforce_id_past_five_base62_digits() -> None:
    ids = AccountIds()
    for number in (0, 61, 62, 3_843, 3_844, 916_132_831, 916_132_832, 10**12):
        assert ids(number) == salesforce_id("001", number)


def test_times_fall_in_the_books_five_years(both: list[SeedAccount]) -> None:
    assert all(CREATED_FROM_MS <= a.created_ms < BOOK_AS_OF_MS for a in both)
    assert all(a.created_ms < a.modified_ms <= BOOK_AS_OF_MS for a in both)


def test_records_were_created_in_id_order(book: SeedBook) -> None:
    for records in (book.salesforce, book.hubspot):
        created = [a.created_ms for a in records]
        assert created == sorted(created)


def test_salesforce_times_are_whole_seconds_and_hubspot_times_are_not(book: SeedBook) -> None:
    assert all(a.modified_ms % 1000 == 0 and a.created_ms % 1000 == 0 for a in book.salesforce)
    assert share(book.hubspot, lambda a: a.modified_ms % 1000 != 0) > 0.9


def test_an_import_leaves_hundreds_of_records_modified_in_one_second(book: SeedBook) -> None:
    for records in (book.salesforce, book.hubspot):
        busiest = Counter(a.modified_ms // 1000 for a in records).most_common(1)[0][1]
        assert busiest >= 150


# ----------------------------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------------------------


def test_shared_values_are_one_string_object_each(both: list[SeedAccount]) -> None:
    for field in ("country", "region", "city", "industry", "account_type", "owner_id"):
        values = [getattr(a, field) for a in both if getattr(a, field) is not None]
        assert len({id(v) for v in values}) == len(set(values)), field


def test_a_seeded_record_takes_under_600_bytes() -> None:
    tracemalloc.start()
    try:
        book = generate_book(5_000, seed=9, related=False)
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert used / (len(book.salesforce) + len(book.hubspot)) < 600


def test_a_seeded_contact_or_opportunity_takes_under_400_bytes() -> None:
    generate_book(10, seed=9)  # the generator's modules imported before measuring
    tracemalloc.start()
    try:
        alone = generate_book(2_000, seed=9, related=False)
        alone_used, _ = tracemalloc.get_traced_memory()
        del alone
        tracemalloc.reset_peak()
        book = generate_book(2_000, seed=9)
        used, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    related = (
        len(book.salesforce_contacts)
        + len(book.salesforce_opportunities)
        + len(book.hubspot_contacts)
        + len(book.hubspot_deals)
    )

    assert related > 10_000
    assert (used - alone_used) / related < 400


def test_each_account_has_one_to_seven_contacts_and_up_to_five_opportunities() -> None:
    book = generate_book(300, seed=4)
    per_account = Counter(c.account_id for c in book.salesforce_contacts)
    deals = Counter(d.account_id for d in book.hubspot_deals)

    assert set(per_account.values()) <= set(range(1, 8))
    assert max(deals.values()) <= 5
    assert {d.closed for d in book.hubspot_deals} == {True, False}
    assert all(d.won <= d.closed for d in book.salesforce_opportunities)


def test_the_accounts_of_a_seed_are_the_same_with_or_without_related_records() -> None:
    assert (
        generate_book(200, seed=5).salesforce
        == generate_book(200, seed=5, related=False).salesforce
    )


def test_generation_leaves_the_cycle_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    generate_book(10)
    assert gc.isenabled()

    gc.disable()
    try:
        generate_book(10)
        assert not gc.isenabled()
    finally:
        gc.enable()
