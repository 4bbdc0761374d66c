"""Builds the sandbox's book: the same businesses seen through two CRMs, each with its own mess.

Every business is generated once (name, domain, place, industry, size, stage, usual owner) and then
written into Salesforce, HubSpot or both, the way each CRM would hold it: Salesforce with its
Industry picklist and `Type`, whole-second timestamps and no `domain`; HubSpot with its industry
enumeration, `lifecyclestage`, a `domain` derived from the website, millisecond timestamps, and
more companies without an owner. The two records of one business agree on what matters (domain,
place, industry family, usually the owner) but are typed independently, so they differ the way
real records do ("Acme, Inc." and "Acme Inc", "USA" and "United States", "CA" and "California").

Memory matters (a benchmark seeds a million accounts per CRM): shared values (countries, regions,
cities, industries, types, owner ids) are the table strings themselves, postal codes are interned,
and the two records of a business share their name and website objects when they are equal.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from sandbox.ids import hubspot_id
from sandbox.seed import SeedAccount, SeedBook, SeedRep
from sandbox.seed_addresses import Place, PostalCodes, build_places
from sandbox.seed_companies import (
    CompanyName,
    CompanyNamer,
    fold_accents,
    render_name,
    render_website,
)
from sandbox.seed_ids import AccountIds
from sandbox.seed_reps import build_reps
from sandbox.seed_vocabulary import (
    HUBSPOT_CUSTOMER_STAGES,
    HUBSPOT_OTHER,
    HUBSPOT_PROSPECT_STAGES,
    SALESFORCE_CUSTOMER_TYPES,
    SALESFORCE_OTHER,
    SALESFORCE_PARTNER_TYPES,
    SALESFORCE_PROSPECT,
    SECTORS,
    Sector,
)
from sandbox.seed_weights import Weighted, between, choose

CREATED_FROM_MS = 1_609_459_200_000
"""2021-01-01T00:00:00Z: the oldest record's creation."""
BOOK_AS_OF_MS = 1_767_225_600_000
"""2026-01-01T00:00:00Z: records are created before and last modified no later than this."""

SHARED_SHARE = 0.60
"""Share of each CRM's records that are businesses present in both CRMs."""
SUBSIDIARY_SHARE = 0.006
"""Chance a new business is a subsidiary sharing a recent business's domain."""
_RECENT_PARENTS = 64

# Blank fields, per CRM: (Salesforce, HubSpot).
_NO_COUNTRY = 0.05
_NO_CITY = (0.03, 0.05)
_NO_POSTAL = (0.06, 0.09)
_NO_INDUSTRY = (0.09, 0.12)
_NO_EMPLOYEES = (0.10, 0.14)
_NO_REVENUE = (0.18, 0.22)
_NO_TYPE = (0.06, 0.05)
# Businesses in both CRMs tend to have complete records; the others lack a website more often.
_NO_WEBSITE_SHARED = 0.04
_NO_WEBSITE_SINGLE = 0.14
_HUBSPOT_DOMAIN_WITHOUT_WEBSITE = 0.5
_DROP_LEGAL_FORM = (0.08, 0.30)

# How often the HubSpot record of a shared business repeats the Salesforce value as typed.
_SAME_NAME = 0.55
_SAME_WEBSITE = 0.50
_SAME_COUNTRY = 0.40
_SAME_POSTAL = 0.70
_SAME_EMPLOYEES = 0.75
_SAME_REVENUE = 0.70
_FOLD_ACCENTS = 0.10
_CUSTOMER_STAGE_LAGS = 0.12
"""A customer in Salesforce whose HubSpot lifecycle stage was never moved on."""
_PROSPECT_STAGE_LEADS = 0.02
"""A customer in HubSpot that Salesforce still lists as a prospect."""

# Ownership.
_ORPHANED = 0.03
"""Records owned by a rep who has left."""
_DRIFTED = 0.07
"""Records owned by an active rep of another team (territories move, records do not)."""
_HUBSPOT_UNOWNED = 0.10
_SAME_OWNER = 0.85
"""A shared business owned by the same rep in both CRMs."""

# Stage of a business: customer, partner, other, prospect.
_CUSTOMER = 0.15
_PARTNER = 0.04
_OTHER = 0.03

_DO_NOT_REASSIGN = 0.018
_DO_NOT_REASSIGN_STRAY = 0.002

_EMPLOYEES_MEDIAN = 100
_EMPLOYEES_SIGMA = 1.7
_EMPLOYEES_MU = math.log(_EMPLOYEES_MEDIAN)
_EMPLOYEES_MAX = 500_000
_REVENUE_SIGMA = 0.5

# Imports: runs of consecutive records last modified in one second.
_ACCOUNTS_PER_IMPORT = 50_000
_IMPORT_SIZE = (150, 500)


class _Owners:
    """Picks owners the way real books end up: mostly the team's reps, some drift, some orphans."""

    def __init__(self, reps: list[SeedRep]) -> None:
        self.reps = reps
        self.active = [i for i, rep in enumerate(reps) if rep.active]
        self.inactive = [i for i, rep in enumerate(reps) if not rep.active]
        self.by_team: dict[str, list[int]] = {}
        for i in self.active:
            self.by_team.setdefault(reps[i].team, []).append(i)

    def pick(self, rng: random.Random, team: str) -> int:
        r = rng.random()
        if r < _ORPHANED and self.inactive:
            return choose(rng, self.inactive)
        if r < _ORPHANED + _DRIFTED or not self.active:
            return choose(rng, self.active or self.inactive)
        return choose(rng, self.by_team.get(team) or self.active)


class _Clock:
    """Creation and modification times for one CRM: ids follow creation order, created times
    spread evenly over five years, and a few imports leave hundreds of records last modified in
    the same second."""

    def __init__(self, rng: random.Random, count: int, whole_seconds: bool) -> None:
        self.count = max(count, 1)
        self.whole_seconds = whole_seconds
        self.step = (BOOK_AS_OF_MS - CREATED_FROM_MS) / self.count
        self.imports: dict[int, int] = {}
        if count < 2:
            return
        for _ in range(max(1, count // _ACCOUNTS_PER_IMPORT)):
            size = min(between(rng, *_IMPORT_SIZE), max(2, count // 10))
            start = int(rng.random() * (count - size + 1))
            latest_created_s = math.ceil((CREATED_FROM_MS + (start + size) * self.step) / 1000)
            last_s = BOOK_AS_OF_MS // 1000
            second = between(rng, min(latest_created_s, last_s), last_s)
            for index in range(start, start + size):
                self.imports[index] = max(self.imports.get(index, 0), second)

    def times(self, rng: random.Random, index: int) -> tuple[int, int]:
        created = int(CREATED_FROM_MS + (index + rng.random()) * self.step)
        imported = self.imports.get(index)
        if imported is not None:
            modified = imported * 1000
            if not self.whole_seconds:
                modified = min(BOOK_AS_OF_MS, modified + 50 * int(rng.random() * 20))
        elif rng.random() < 0.25:
            modified = created + between(rng, 1_000, 3_600_000)
        else:
            modified = created + int((BOOK_AS_OF_MS - created) * math.sqrt(rng.random()))
        if self.whole_seconds:
            created -= created % 1000
            modified -= modified % 1000
            modified = max(modified, created + 1000)
        else:
            modified = max(modified, created + 1)
        return created, min(modified, BOOK_AS_OF_MS)


@dataclass(slots=True)
class _Business:
    company: CompanyName
    place: Place
    sector: Sector
    hubspot_industry: str
    employees: int
    revenue: int
    stage: int
    """0 prospect, 1 customer, 2 partner, 3 other."""
    do_not_reassign: bool
    shared: bool


_PROSPECT, _CUSTOMER_STAGE, _PARTNER_STAGE, _OTHER_STAGE = 0, 1, 2, 3
_Parent = tuple[CompanyName, Sector]
"""A business a subsidiary can belong to: its name and domain, and its sector."""


class BookBuilder:
    """Generates one book; see `sandbox.seed.generate_book`."""

    def __init__(self, accounts: int, seed: int) -> None:
        self.accounts = accounts
        self.rng = random.Random(seed)
        self.reps = build_reps(accounts)
        self.owners = _Owners(self.reps)
        self.places = build_places()
        self.sectors = Weighted((s, s.weight) for s in SECTORS)
        self.hubspot_industries = {s.salesforce: Weighted(s.hubspot) for s in SECTORS}
        self.namer = CompanyNamer()
        self.postal = PostalCodes()
        self.account_ids = AccountIds()
        self.salesforce_types = (
            Weighted(((SALESFORCE_PROSPECT, 1.0),)),
            Weighted(SALESFORCE_CUSTOMER_TYPES),
            Weighted(SALESFORCE_PARTNER_TYPES),
            Weighted(((SALESFORCE_OTHER, 1.0),)),
        )
        self.hubspot_stages = (
            Weighted(HUBSPOT_PROSPECT_STAGES),
            Weighted(HUBSPOT_CUSTOMER_STAGES),
            Weighted(((HUBSPOT_OTHER, 1.0),)),
            Weighted(((HUBSPOT_OTHER, 1.0),)),
        )
        self.salesforce_clock = _Clock(self.rng, accounts, whole_seconds=True)
        self.hubspot_clock = _Clock(self.rng, accounts, whole_seconds=False)
        self.recent: tuple[list[_Parent], list[_Parent]] = ([], [])
        self.remembered = 0

    def build(self) -> SeedBook:
        rng = self.rng
        shared_left = round(self.accounts * SHARED_SHARE)
        salesforce_left = self.accounts - shared_left
        hubspot_left = self.accounts - shared_left
        salesforce: list[SeedAccount] = []
        hubspot: list[SeedAccount] = []
        while True:
            left = shared_left + salesforce_left + hubspot_left
            if left == 0:
                break
            draw = int(rng.random() * left)
            in_salesforce = draw < shared_left + salesforce_left
            in_hubspot = draw < shared_left or draw >= shared_left + salesforce_left
            if in_salesforce and in_hubspot:
                shared_left -= 1
            elif in_salesforce:
                salesforce_left -= 1
            else:
                hubspot_left -= 1
            business = self._business(in_salesforce, in_hubspot)
            sf_record: SeedAccount | None = None
            sf_owner = -1
            if in_salesforce:
                sf_owner = self.owners.pick(rng, business.place.team)
                sf_record = self._salesforce(business, len(salesforce) + 1, sf_owner)
                salesforce.append(sf_record)
                self._remember(0, business)
            if in_hubspot:
                hubspot.append(self._hubspot(business, len(hubspot) + 1, sf_record, sf_owner))
                self._remember(1, business)
        return SeedBook(reps=self.reps, salesforce=salesforce, hubspot=hubspot)

    def _remember(self, crm: int, business: _Business) -> None:
        """Keep a few recent businesses of each CRM as possible parents of subsidiaries."""
        recent = self.recent[crm]
        parent = (business.company, business.sector)
        if len(recent) < _RECENT_PARENTS:
            recent.append(parent)
        else:
            recent[self.remembered % _RECENT_PARENTS] = parent
        self.remembered += 1

    def _business(self, in_salesforce: bool, in_hubspot: bool) -> _Business:
        rng = self.rng
        place = self.places.pick(rng)
        parents = self.recent[0 if in_salesforce else 1]
        if parents and rng.random() < SUBSIDIARY_SHARE:
            parent, sector = choose(rng, parents)
            company = self.namer.subsidiary(rng, parent, place.country)
        else:
            sector = self.sectors.pick(rng)
            company = self.namer.name(rng, place.country, sector, place.city.name)
        employees = int(math.exp(_EMPLOYEES_MU + _EMPLOYEES_SIGMA * rng.gauss(0.0, 1.0)))
        employees = min(max(employees, 1), _EMPLOYEES_MAX)
        revenue = employees * sector.revenue_per_employee * math.exp(_REVENUE_SIGMA * rng.gauss())
        revenue_units = int(revenue)
        if revenue_units >= 1_000_000 and rng.random() < 0.7:
            revenue_units = round(revenue_units, -3)
        r = rng.random()
        if r < _CUSTOMER:
            stage = _CUSTOMER_STAGE
        elif r < _CUSTOMER + _PARTNER:
            stage = _PARTNER_STAGE
        elif r < _CUSTOMER + _PARTNER + _OTHER:
            stage = _OTHER_STAGE
        else:
            stage = _PROSPECT
        return _Business(
            company=company,
            place=place,
            sector=sector,
            hubspot_industry=self.hubspot_industries[sector.salesforce].pick(rng),
            employees=employees,
            revenue=revenue_units,
            stage=stage,
            do_not_reassign=rng.random() < _DO_NOT_REASSIGN,
            shared=in_salesforce and in_hubspot,
        )

    def _do_not_reassign(self, business: _Business) -> bool:
        if business.do_not_reassign:
            return self.rng.random() < 0.95
        return self.rng.random() < _DO_NOT_REASSIGN_STRAY

    def _region(self, place: Place) -> str | None:
        if self.rng.random() >= place.country.region_fill:
            return None
        return place.regions.pick(self.rng)

    def _website(self, business: _Business) -> str | None:
        missing = _NO_WEBSITE_SHARED if business.shared else _NO_WEBSITE_SINGLE
        if self.rng.random() < missing:
            return None
        return render_website(self.rng, business.company.domain)

    def _salesforce(self, business: _Business, number: int, owner: int) -> SeedAccount:
        rng = self.rng
        place = business.place
        created, modified = self.salesforce_clock.times(rng, number - 1)
        account_type = None
        if rng.random() >= _NO_TYPE[0]:
            account_type = self.salesforce_types[business.stage].pick(rng)
        return SeedAccount(
            crm_id=self.account_ids(number),
            name=render_name(rng, business.company, _DROP_LEGAL_FORM[0]),
            website=self._website(business),
            domain=None,
            country=None if rng.random() < _NO_COUNTRY else place.countries.pick(rng),
            region=self._region(place),
            city=None if rng.random() < _NO_CITY[0] else place.cities.pick(rng),
            postal_code=None if rng.random() < _NO_POSTAL[0] else self.postal.code(rng, place),
            industry=None if rng.random() < _NO_INDUSTRY[0] else business.sector.salesforce,
            employees=None if rng.random() < _NO_EMPLOYEES[0] else business.employees,
            annual_revenue=None if rng.random() < _NO_REVENUE[0] else business.revenue,
            owner_id=self.reps[owner].salesforce_user_id,
            account_type=account_type,
            do_not_reassign=self._do_not_reassign(business),
            created_ms=created,
            modified_ms=modified,
        )

    def _hubspot(
        self, business: _Business, number: int, twin: SeedAccount | None, twin_owner: int
    ) -> SeedAccount:
        rng = self.rng
        place = business.place
        company = business.company
        created, modified = self.hubspot_clock.times(rng, number - 1)

        if twin is not None and rng.random() < _SAME_NAME:
            name = twin.name
        else:
            name = render_name(rng, company, _DROP_LEGAL_FORM[1])
        if not name.isascii() and rng.random() < _FOLD_ACCENTS:
            name = fold_accents(name)

        if twin is not None and twin.website is not None and rng.random() < _SAME_WEBSITE:
            website: str | None = twin.website
        else:
            website = self._website(business)
        domain: str | None = company.domain
        if website is None and rng.random() >= _HUBSPOT_DOMAIN_WITHOUT_WEBSITE:
            domain = None

        if twin is not None and rng.random() < _SAME_COUNTRY:
            country = twin.country
        else:
            country = None if rng.random() < _NO_COUNTRY else place.countries.pick(rng)

        if twin is not None and twin.postal_code is not None and rng.random() < _SAME_POSTAL:
            postal: str | None = twin.postal_code
        elif rng.random() < _NO_POSTAL[1]:
            postal = None
        else:
            postal = self.postal.code(rng, place)

        employees: int | None = business.employees
        if rng.random() < _NO_EMPLOYEES[1]:
            employees = None
        elif twin is not None and rng.random() >= _SAME_EMPLOYEES:
            employees = max(1, round(business.employees * rng.uniform(0.7, 1.4)))
        revenue: int | None = business.revenue
        if rng.random() < _NO_REVENUE[1]:
            revenue = None
        elif twin is not None and rng.random() >= _SAME_REVENUE:
            revenue = round(int(business.revenue * rng.uniform(0.6, 1.5)), -3)

        owner_id: str | None = None
        if rng.random() >= _HUBSPOT_UNOWNED:
            if twin_owner >= 0 and rng.random() < _SAME_OWNER:
                owner = twin_owner
            else:
                owner = self.owners.pick(rng, place.team)
            owner_id = self.reps[owner].hubspot_owner_id

        stage = business.stage
        if twin is not None:
            if stage == _CUSTOMER_STAGE and rng.random() < _CUSTOMER_STAGE_LAGS:
                stage = _PROSPECT
            elif stage == _PROSPECT and rng.random() < _PROSPECT_STAGE_LEADS:
                stage = _CUSTOMER_STAGE
        lifecycle = None if rng.random() < _NO_TYPE[1] else self.hubspot_stages[stage].pick(rng)

        return SeedAccount(
            crm_id=hubspot_id(number),
            name=name,
            website=website,
            domain=domain,
            country=country,
            region=self._region(place),
            city=None if rng.random() < _NO_CITY[1] else place.cities.pick(rng),
            postal_code=postal,
            industry=None if rng.random() < _NO_INDUSTRY[1] else business.hubspot_industry,
            employees=employees,
            annual_revenue=revenue,
            owner_id=owner_id,
            account_type=lifecycle,
            do_not_reassign=self._do_not_reassign(business),
            created_ms=created,
            modified_ms=modified,
        )
