"""Territory engine: 1,000,000 companies against 1,000 territories, from the store to decisions.

Target (issue #14): the nightly run's evaluation, 1,000,000 companies x 1,000 territories, in
under 1.5 s (median of 5 runs) with peak memory under 1 GB, loading from SQLite included; and
200,000 companies from the store to decisions in under 1 s. Every decision (territory, rule, note,
rep, rep rule, per-CRM rep, why the previous owner lost it) is checked against the reference
engine (`mapping.territories.engine`, over `CompanyFacts` from `sync.companies`) for every account.

Everything is synthetic and deterministic (fixed seeds):
- 1,000 territories in a four-level hierarchy: 4 areas > 45 countries > districts (groups of real
  ISO 3166-2 regions) > Enterprise / Mid-Market / SMB segments by employee band, plus
  public-sector territories per area (industry, priority 5), channel-partner territories per area
  (a raw CRM field, priority 15), key-account territories in two US districts (priority 10) and
  a global strategic-accounts territory without geography (revenue, priority 20);
  about 2,700 reps with weights and some capacities, 1,500 named accounts (domain, Salesforce id,
  rep), and a holdout on customers and the do-not-reassign checkboxes of both CRMs.
- companies written to a migrated SQLite store (accounts, links, reps), each record with its own
  raw fields; 40% present in both CRMs (the HubSpot record sometimes missing the region), 10%
  without a region, 5% without an employee count; owners as a rerun finds them: an untimed
  first evaluation assigns everyone, then 75% keep that owner, 8% lose it, 7% belong to a rep who
  has left and 10% to some other rep.

Each timed run, in a fresh process of its own (so its peak memory is its own), reads the reps,
loads the book as columns from the SQLite file (`sync.company_columns`) and evaluates it
(`mapping.territories.columnar`); loading the territory file is timed apart. Five runs: the
median is the figure, the spread is given, and the machine's load average is recorded.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pycountry
import yaml

from bench.report import Report, peak_memory_mib
from mapping.normalise import UNIFIED_INDUSTRIES, normalise_region
from mapping.territories import (
    ACTIVE_EVERYWHERE,
    ACTIVE_NOWHERE,
    LoadedTerritories,
    RepDirectoryEntry,
    evaluate,
    parse_territory_text,
)
from mapping.territories.assignment import Assignment
from mapping.territories.columnar import ColumnarEvaluation, evaluate_columns
from mapping.territories.facts import SOURCES
from mapping.territories.rules import salesforce_id_18
from sync.companies import load_companies, load_rep_index
from sync.company_columns import load_company_columns
from sync.evaluate import decide_store
from sync.store.database import open_database
from territory_sync.memory import limit_malloc_arenas

COMPANIES = 1_000_000
SMALL_BOOK = 200_000
TERRITORIES = 1_000
RUNS = 5
TARGET_SECONDS = 1.5
TARGET_MEMORY_MIB = 1024
SMALL_TARGET_SECONDS = 1.0
SEED = 20_260_101

AREAS: dict[str, tuple[str, ...]] = {
    "NA": ("US", "CA", "MX"),
    "LATAM": ("BR", "AR", "CL", "CO", "PE"),
    "EMEA": (
        "DE", "AT", "CH", "FR", "BE", "NL", "LU", "ES", "PT", "IT", "SE", "NO", "DK", "FI", "PL",
        "CZ", "HU", "RO", "GR", "TR", "IE", "ZA", "NG", "EG", "AE", "SA", "IL",
    ),
    "APAC": ("IN", "JP", "KR", "AU", "NZ", "SG", "MY", "TH", "ID", "PH"),
}  # fmt: skip
COUNTRY_WEIGHT = {"US": 40.0, "DE": 5.0, "FR": 4.0, "JP": 4.0, "CA": 3.0, "IN": 3.0, "AU": 2.0}
EMAIL_DOMAIN = "bench-revenue.example"
CUSTOMER_TYPES = ("Customer - Direct", "Customer - Channel")
KEY_ACCOUNTS: dict[str, object] = {
    "industry": ["software", "financial_services"],
    "employees": {"min": 5000},
}
"""Criteria of the key-account territories (priority 10) added under the first US districts
to make exactly TERRITORIES territories."""


def valid_regions(country: str) -> list[str]:
    """The ISO 3166-2 codes of a country that the region normaliser keeps as they are."""
    codes = sorted(s.code for s in pycountry.subdivisions if s.country_code == country)
    return [code for code in codes if normalise_region(country, code) == code]


class Book:
    """The synthetic territory file, reps and companies."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.regions = {c: valid_regions(c) for cs in AREAS.values() for c in cs}
        self.reps: dict[str, RepDirectoryEntry] = {}
        self.leaves: list[str] = []
        self.text = self._territory_file()

    # --- the territory file ---------------------------------------------------------------

    def _members(self, territory: str, count: int) -> list[dict[str, object]]:
        members: list[dict[str, object]] = []
        for n in range(count):
            email = f"{territory.lower()}.{n + 1}@{EMAIL_DOMAIN}"
            active = self.rng.random() > 0.04
            status = ACTIVE_EVERYWHERE if active else ACTIVE_NOWHERE
            self.reps[email] = RepDirectoryEntry(email, status, True, True)
            member: dict[str, object] = {"email": email}
            if n == 0 and self.rng.random() < 0.3:
                member["weight"] = 2
            if n == 1 and self.rng.random() < 0.2:
                member["capacity"] = 500
            members.append(member)
        if self.rng.random() < 0.3:
            email = f"{territory.lower()}.overlay@{EMAIL_DOMAIN}"
            self.reps[email] = RepDirectoryEntry(email, ACTIVE_EVERYWHERE, True, True)
            members.append({"email": email, "role": "overlay"})
        return members

    @staticmethod
    def _fixed_count() -> int:
        """Territories other than districts, segments and key accounts: areas, countries,
        public-sector and channel-partner territories, and the global strategic one."""
        return len(AREAS) * 3 + sum(len(cs) for cs in AREAS.values()) + 1

    def _districts(self) -> dict[str, list[list[str]]]:
        wanted = (TERRITORIES - self._fixed_count()) // 4
        districts: dict[str, list[list[str]]] = {c: [] for c in self.regions}
        counts = dict.fromkeys(self.regions, 0)
        order = sorted(self.regions, key=lambda c: -COUNTRY_WEIGHT.get(c, 1.0))
        made = 0
        while made < wanted:
            for country in order:
                if made < wanted and counts[country] < len(self.regions[country]):
                    counts[country] += 1
                    made += 1
        for country, count in counts.items():
            codes = self.regions[country]
            size = max(1, len(codes) // count)
            for d in range(count):
                chunk = codes[d * size : (d + 1) * size] if d < count - 1 else codes[d * size :]
                districts[country].append(chunk)
        return districts

    def _territory_file(self) -> str:
        districts = self._districts()
        spare = TERRITORIES - self._fixed_count() - 4 * sum(len(d) for d in districts.values())
        territories: list[dict[str, object]] = []
        for area, countries in AREAS.items():
            country_nodes: list[dict[str, object]] = []
            for country in countries:
                district_nodes: list[dict[str, object]] = []
                for d, regions in enumerate(districts[country]):
                    name = f"{country}-D{d + 1}"
                    segments = [
                        (f"{name}-ENT", {"min": 1000}),
                        (f"{name}-MM", {"min": 200, "max": 1000}),
                        (f"{name}-SMB", {"max": 200}),
                    ]
                    children: list[dict[str, object]] = []
                    if country == "US" and d < spare:
                        children.append(
                            {
                                "name": f"{name}-Key-Accounts",
                                "priority": 10,
                                "criteria": KEY_ACCOUNTS,
                                "members": self._members(f"{name}-Key-Accounts", 2),
                            }
                        )
                    for segment, band in segments:
                        self.leaves.append(segment)
                        children.append(
                            {
                                "name": segment,
                                "criteria": {"employees": band},
                                "members": self._members(segment, self.rng.choice((2, 3, 4))),
                            }
                        )
                    district_nodes.append(
                        {
                            "name": name,
                            "criteria": {"region": regions},
                            "members": self._members(name, 2),
                            "children": children,
                        }
                    )
                country_nodes.append(
                    {
                        "name": f"{area}-{country}",
                        "criteria": {"country": [country]},
                        "members": self._members(f"{area}-{country}", 2),
                        "children": district_nodes,
                    }
                )
            country_nodes.append(
                {
                    "name": f"{area}-Public-Sector",
                    "priority": 5,
                    "criteria": {"industry": ["government", "education"]},
                    "members": self._members(f"{area}-Public-Sector", 3),
                }
            )
            territories.append(
                {"name": area, "criteria": {"country": list(countries)}, "children": country_nodes}
            )
            territories.append(
                {
                    "name": f"{area}-Channel-Partners",
                    "priority": 15,
                    "criteria": {
                        "country": list(countries),
                        "any": [
                            {"field": "Type", "equals": "Channel Partner / Reseller"},
                            {"field": "lifecyclestage", "equals": "partner"},
                        ],
                    },
                    "members": self._members(f"{area}-Channel-Partners", 2),
                }
            )
        territories.append(
            {
                "name": "Global-Strategic",
                "priority": 20,
                "criteria": {"annual_revenue": {"min": 1_000_000_000}},
                "members": self._members("Global-Strategic", 4),
            }
        )
        document: dict[str, object] = {
            "version": 1,
            "settings": {"unmatched": "keep_owner", "balance_by": "accounts"},
            "territories": territories,
            "holdouts": [
                {
                    "name": "Customers and do-not-reassign flags",
                    "criteria": {
                        "any": [
                            {"field": "Type", "in": list(CUSTOMER_TYPES)},
                            {"field": "Do_Not_Reassign__c", "equals": True},
                            {"field": "do_not_reassign", "equals": True},
                            {"field": "lifecyclestage", "in": ["customer", "evangelist"]},
                        ]
                    },
                }
            ],
            "named_accounts": self._named_accounts(),
        }
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

    def _named_accounts(self) -> list[dict[str, str]]:
        named = []
        rng = random.Random(SEED + 1)
        for n in range(1_000):
            named.append(
                {"domain": f"company{n * 997}.example", "territory": rng.choice(self.leaves)}
            )
        for n in range(400):
            named.append(
                {
                    "salesforce_id": salesforce_id_18(f"001B{n * 2003:011d}"),
                    "territory": rng.choice(self.leaves),
                }
            )
        active = sorted(e for e, r in self.reps.items() if r.active and "overlay" not in e)
        for n in range(100):
            named.append(
                {"salesforce_id": salesforce_id_18(f"001C{n * 7:011d}"), "rep": rng.choice(active)}
            )
        return named

    # --- the store ------------------------------------------------------------------------

    def rep_ids(self) -> dict[str, tuple[str, str]]:
        """Each rep's Salesforce user id and HubSpot owner id."""
        return {
            email: (f"005{n:012d}", str(70_000 + n)) for n, email in enumerate(sorted(self.reps))
        }

    def companies(self, count: int) -> Iterator[tuple[Any, ...]]:
        """(key, Salesforce row, HubSpot row or None) per company; rows as `accounts` columns
        from source to raw (the owner column left empty)."""
        rng = random.Random(SEED + 2)
        countries = sorted(self.regions)
        weights = [COUNTRY_WEIGHT.get(c, 1.0) for c in countries]
        industries = list(UNIFIED_INDUSTRIES)
        sf_raws = [
            (t, flag)
            for t in ("Prospect", *CUSTOMER_TYPES, "Channel Partner / Reseller", "Other")
            for flag in (False, True)
        ]
        sf_raw_weights = [70, 0.7, 8, 0.1, 3, 0.03, 3, 0.03, 16, 0.2]
        hs_raws = [
            (stage, flag)
            for stage in ("lead", "opportunity", "customer", "partner", "other")
            for flag in ("false", "true")
        ]
        hs_raw_weights = [50, 0.5, 25, 0.2, 10, 0.1, 3, 0.03, 12, 0.1]
        country_picks = rng.choices(countries, weights, k=count)
        sf_picks = rng.choices(sf_raws, sf_raw_weights, k=count)
        hs_picks = rng.choices(hs_raws, hs_raw_weights, k=count)
        for n in range(count):
            country = country_picks[n]
            codes = self.regions[country]
            region = rng.choice(codes) if rng.random() < 0.9 else None
            employees = None if rng.random() < 0.05 else int(rng.paretovariate(1.1) * 20)
            revenue = None if employees is None else employees * rng.randint(50_000, 400_000)
            industry = rng.choice(industries)
            domain = f"company{n}.example"
            both = rng.random() < 0.4
            sf_id = salesforce_id_18(f"001{'B' if n % 5 else 'C'}{n:011d}")
            kind, flag = sf_picks[n]
            salesforce = (
                "salesforce", sf_id, f"Company {n}", domain, country, region, industry,
                employees, revenue,
                orjson.dumps({"Type": kind, "Do_Not_Reassign__c": flag, "Id": sf_id}).decode(),
            )  # fmt: skip
            if not both:
                yield f"salesforce:{sf_id}", salesforce, None
                continue
            hs_id = str(10_000_000_000 + n)
            stage, hs_flag = hs_picks[n]
            hubspot = (
                "hubspot", hs_id, f"Company {n}", domain, country,
                region if rng.random() < 0.8 else None, industry, employees, revenue,
                orjson.dumps({"lifecyclestage": stage, "do_not_reassign": hs_flag}).decode(),
            )  # fmt: skip
            yield f"salesforce:{sf_id}|hubspot:{hs_id}", salesforce, hubspot


def build_store(book: Book, path: Path, count: int) -> tuple[float, list[str]]:
    """A migrated SQLite store holding `count` companies with owners as a rerun finds them;
    the seconds it took and the companies' keys in key order."""
    started = time.perf_counter()
    open_database(f"sqlite:///{path}", upgrade=True).dispose()
    ids = book.rep_ids()
    now = datetime(2026, 1, 5, tzinfo=UTC).isoformat(" ")
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO reps (email, salesforce_user_id, salesforce_active, hubspot_owner_id, "
        "hubspot_active, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (email, ids[email][0], entry.active, ids[email][1], entry.active, now)
            for email, entry in book.reps.items()
        ],
    )
    keys: list[str] = []
    accounts: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    columns = (
        "source, external_id, name, domain, country, region, industry, employees, "
        "annual_revenue, raw, deleted, first_seen_at, last_seen_at"
    )
    insert = f"INSERT INTO accounts ({columns}) VALUES ({', '.join('?' * 13)})"
    for key, salesforce, hubspot in book.companies(count):
        keys.append(key)
        accounts.append((*salesforce, False, now, now))
        if hubspot is not None:
            accounts.append((*hubspot, False, now, now))
            links.append((salesforce[1], hubspot[1], salesforce[3], "domain", now))
        if len(accounts) >= 50_000:
            connection.executemany(insert, accounts)
            accounts.clear()
    connection.executemany(insert, accounts)
    connection.executemany(
        "INSERT INTO company_links (salesforce_id, hubspot_id, domain, origin, linked_at) "
        "VALUES (?, ?, ?, ?, ?)",
        links,
    )
    connection.commit()
    keys.sort()
    # Owners as a rerun finds them: the first evaluation's reps, then churn.
    rules = fresh_rules(book.text, book.reps)
    first = decide(path, rules)
    rng = random.Random(SEED + 3)
    inactive = sorted(e for e, r in book.reps.items() if not r.active)
    everyone = sorted(book.reps)
    updates: list[tuple[str | None, str, str]] = []
    for row, key in enumerate(keys):
        assignment = first.assignment(row)
        roll = rng.random()
        if roll < 0.75:
            owner = assignment.rep_email
        elif roll < 0.83:
            owner = None
        elif roll < 0.90:
            owner = rng.choice(inactive)
        else:
            owner = rng.choice(everyone)
        for part in key.split("|"):
            source, external_id = part.split(":", 1)
            at = 0 if source == "salesforce" else 1
            updates.append((ids[owner][at] if owner is not None else None, source, external_id))
    del first
    connection.executemany(
        "UPDATE accounts SET owner_id = ? WHERE source = ? AND external_id = ?", updates
    )
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return time.perf_counter() - started, keys


def fresh_rules(text: str, reps: dict[str, RepDirectoryEntry]) -> LoadedTerritories:
    return parse_territory_text(text, "bench-territories.yaml", known_reps=reps)


def decide(path: Path, rules: LoadedTerritories) -> ColumnarEvaluation:
    """What a run does from the store to decisions (`sync.evaluate.decide_store`): the reps,
    the book as columns, evaluation."""
    database = open_database(f"sqlite:///{path}", upgrade=False)
    try:
        decided = decide_store(database, rules)
        assert decided is not None, "the columnar path applies to the benchmark's file"
        return decided
    finally:
        database.dispose()


def peak_resident_mib() -> float:
    """This process's peak resident memory (VmHWM: unlike `ru_maxrss`, not inherited from the
    process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return peak_memory_mib()


def _timed_child(path: str, text: str, reps: dict[str, RepDirectoryEntry], queue: Any) -> None:
    """One timed run: what `decide_store` does, its two halves timed apart."""
    limit_malloc_arenas()  # as the product's entry point does
    rules = fresh_rules(text, reps)
    database = open_database(f"sqlite:///{path}", upgrade=False)  # connecting: not timed
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    index = load_rep_index(database)
    columns = load_company_columns(database, index, rules)
    assert columns is not None, "the columnar path applies to the benchmark's file"
    loaded = time.perf_counter()
    result = evaluate_columns(columns, rules, index.directory)
    done = time.perf_counter()
    cpu = time.process_time() - started_cpu
    database.dispose()
    queue.put(
        (
            done - started,
            cpu,
            peak_resident_mib(),
            len(result),
            len(result.fallback_territories),
            loaded - started,
            done - loaded,
        )
    )


def timed_runs(book: Book, path: Path) -> list[tuple[float, float, float, int, int, float, float]]:
    """RUNS runs, each in a fresh process: (wall, CPU, peak MiB, companies, fallbacks, load
    seconds, evaluation seconds)."""
    context = multiprocessing.get_context("spawn")
    results = []
    for _ in range(RUNS):
        queue = context.Queue()
        process = context.Process(
            target=_timed_child, args=(str(path), book.text, book.reps, queue)
        )
        process.start()
        results.append(queue.get())
        process.join()
    return results


def decision(a: Assignment) -> tuple[Any, ...]:
    split = a.split
    return (
        a.territory,
        a.territory_rule,
        a.note,
        a.rep_email,
        a.rep_rule,
        a.previous_owner,
        a.rep_note,
        tuple(a.rep_for(s) for s in SOURCES),
        tuple(a.rep_rule_for(s) for s in SOURCES),
        None if split is None else (split.source, split.rep_email, split.rep_rule, split.why),
    )


def check_against_reference(
    book: Book, path: Path, keys: list[str]
) -> tuple[int, int, float, float, Any]:
    """(identical, compared, seconds to build the Assignment objects, reference seconds,
    summary) for every account of the store."""
    rules = fresh_rules(book.text, book.reps)
    fast = decide(path, rules)
    fast.columns.keys = keys
    started = time.perf_counter()
    built = fast.assignments()
    building = time.perf_counter() - started
    summary = fast.evaluation().summary
    del built
    database = open_database(f"sqlite:///{path}", upgrade=False)
    started = time.perf_counter()
    reps = load_rep_index(database)
    reference_rules = fresh_rules(book.text, book.reps)
    companies = load_companies(database, reps, reference_rules.raw_fields).companies
    reference = evaluate(companies, reference_rules, reps.directory)
    reference_seconds = time.perf_counter() - started
    database.dispose()
    del companies
    by_key = {a.key: decision(a) for a in reference.assignments}
    del reference
    identical = sum(
        1 for row, key in enumerate(keys) if by_key.get(key) == decision(fast.assignment(row))
    )
    return identical, len(by_key), building, reference_seconds, summary


def run() -> Report:
    report = Report(
        name="territory_engine",
        title="Territory engine (1,000,000 companies, 1,000 territories, from SQLite)",
        target=(
            f"1,000,000 companies x 1,000 territories from the SQLite store to decisions in "
            f"under {TARGET_SECONDS} s (median of {RUNS}) and under 1 GB; 200,000 companies "
            f"under {SMALL_TARGET_SECONDS:.0f} s; every decision identical to the reference "
            "engine's"
        ),
        columns=[
            "companies",
            "seconds, median (spread)",
            "CPU seconds (median)",
            "peak memory, median (spread)",
            "identical to the reference",
            "verdict",
        ],
    )
    book = Book()
    started = time.perf_counter()
    rules = fresh_rules(book.text, book.reps)
    rules_seconds = time.perf_counter() - started
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-territories-") as folder:
        for count, target in ((COMPANIES, TARGET_SECONDS), (SMALL_BOOK, SMALL_TARGET_SECONDS)):
            path = Path(folder) / f"book-{count}.db"
            build_seconds, keys = build_store(book, path, count)
            load_average = os.getloadavg()
            runs = timed_runs(book, path)
            walls = [r[0] for r in runs]
            peaks = [r[2] for r in runs]
            wall = statistics.median(walls)
            peak = statistics.median(peaks)
            identical, compared, building, reference_seconds, summary = check_against_reference(
                book, path, keys
            )
            met = (
                wall < target
                and (count != COMPANIES or max(peaks) < TARGET_MEMORY_MIB)
                and identical == compared == count
            )
            report.rows.append(
                [
                    f"{count:,}",
                    f"{wall:.2f} ({min(walls):.2f}-{max(walls):.2f})",
                    f"{statistics.median(r[1] for r in runs):.2f}",
                    f"{peak:,.0f} MiB ({min(peaks):,.0f}-{max(peaks):,.0f})",
                    f"{identical:,} of {compared:,}",
                    "met" if met else "missed",
                ]
            )
            rules_line = ", ".join(
                f"{k} {v:,}" for k, v in sorted(summary.by_territory_rule.items())
            )
            reps_line = ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_rep_rule.items()))
            notes += [
                f"{count:,} companies: wall seconds per run "
                + ", ".join(f"{w:.2f}" for w in walls)
                + "; load average (1, 5, 15 min) before the runs "
                + ", ".join(f"{x:.2f}" for x in load_average)
                + "; per part (medians): reading the reps and loading the columns from SQLite "
                f"{statistics.median(r[5] for r in runs):.2f} s, evaluating "
                f"{statistics.median(r[6] for r in runs):.2f} s. Territories left to "
                f"the reference engine (per run): {runs[0][4]}. "
                f"Building the store took {build_seconds:.0f} s (not timed). The reference "
                f"engine, from the same store (`load_companies` and `evaluate`), took "
                f"{reference_seconds:.1f} s. Turning the decisions into {count:,} `Assignment` "
                f"objects (what the plan builder reads today) takes {building:.2f} s more, not "
                "in the figure.",
                f"{count:,} companies: territory rules: {rules_line}. Rep rules: {reps_line}; "
                f"orphans redistributed {summary.orphans_redistributed:,}, unowned accounts "
                f"assigned {summary.unowned_assigned:,}.",
            ]
    report.notes += [
        *notes,
        f"Territories: {len(rules.territories):,}; reps: {len(book.reps):,}; named accounts: "
        f"{len(rules.named_accounts):,}. Loading and validating the territory file, compiling its "
        f"criteria and building the index took {rules_seconds:.2f} s (once per run, not in the "
        "timed figure). Each timed run is a fresh process: its peak memory includes the "
        "interpreter and its libraries.",
        "Decisions compared per account: territory, territory rule and its note, rep and rep "
        "rule of each CRM record, the previous owner and why they lost the account, and the "
        "split record of a linked business.",
    ]
    return report
