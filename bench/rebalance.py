"""Balancing: 200,000 companies in 1,000 territories shared by 300 reps, +-10% on accounts.

Target (issue #15): the solve under 10 s on these 2-core machines; moves against the solver's
lower bound; peak memory.

The book is synthetic and deterministic (fixed seeds): 1,000 territories, one per ISO 3166-2
region (the first 1,000 of the countries with the most regions), each with 2 to 4 owner
members drawn from 300 reps (so every rep sits in about 10 territories) with weights 1 to 3;
every tenth member has a capacity. Owners are skewed as books drift: in each territory one
member holds about 60% of the accounts, 5% of the accounts have no owner and 5% belong to a rep
who is no member there. 30% of the companies are in both CRMs. Each timed run, in a fresh
process, evaluates the book with the reference engine (which balancing runs in) and times the
balancing pass apart: building and solving the CP-SAT models and applying their moves. Five
runs: the median is the figure, the spread is given.
"""

from __future__ import annotations

import copy
import multiprocessing
import os
import random
import statistics
import time
from dataclasses import replace
from typing import Any

import pycountry
import yaml

from bench.report import Report
from bench.territory_engine import peak_resident_mib, valid_regions
from mapping.territories import (
    ACTIVE_EVERYWHERE,
    CompanyFacts,
    RecordFacts,
    RepDirectoryEntry,
    evaluate,
    parse_territory_text,
)
from mapping.territories.rebalance import rebalance

COMPANIES = 200_000
TERRITORIES = 1_000
REPS = 300
RUNS = 5
TARGET_SECONDS = 10.0
SEED = 15
DOMAIN = "acme-revenue.example"


def reps() -> dict[str, RepDirectoryEntry]:
    return {
        f"rep{n:03d}@{DOMAIN}": RepDirectoryEntry(
            f"rep{n:03d}@{DOMAIN}", ACTIVE_EVERYWHERE, True, True
        )
        for n in range(REPS)
    }


def territory_members() -> list[list[str]]:
    rng = random.Random(SEED)
    emails = sorted(reps())
    return [rng.sample(emails, rng.randint(2, 4)) for _ in range(TERRITORIES)]


def regions() -> list[tuple[str, str]]:
    """(country, region) of TERRITORIES regions: the countries with the most regions first."""
    countries = sorted({s.country_code for s in pycountry.subdivisions})
    by_country = {country: valid_regions(country) for country in countries}
    ordered = sorted(countries, key=lambda c: (-len(by_country[c]), c))
    found = [(country, region) for country in ordered for region in by_country[country]]
    return found[:TERRITORIES]


def territory_text(members: list[list[str]]) -> str:
    rng = random.Random(SEED + 1)
    territories = []
    places = regions()
    for number, emails in enumerate(members):
        country, region = places[number]
        entries: list[dict[str, Any]] = []
        for email in emails:
            entry: dict[str, Any] = {"email": email, "weight": rng.randint(1, 3)}
            if rng.random() < 0.1:
                entry["capacity"] = rng.randint(150, 400)
            entries.append(entry)
        territories.append(
            {
                "name": f"T{number:03d}",
                "criteria": {"country": [country], "region": [region]},
                "members": entries,
            }
        )
    document = {
        "version": 1,
        "settings": {"balancing": {"measure": "accounts", "tolerance": "10%"}},
        "territories": territories,
    }
    return yaml.safe_dump(document, sort_keys=False)


def book(members: list[list[str]]) -> list[CompanyFacts]:
    rng = random.Random(SEED + 2)
    places = regions()
    everyone = sorted(reps())
    companies = []
    for n in range(COMPANIES):
        territory = rng.randrange(TERRITORIES)
        emails = members[territory]
        roll = rng.random()
        if roll < 0.05:
            owner = None
        elif roll < 0.10:
            owner = rng.choice(everyone)
        elif roll < 0.70:
            owner = emails[0]
        else:
            owner = rng.choice(emails)
        place = places[territory]
        records = [_record("salesforce", f"001{n:015d}", owner, place)]
        if rng.random() < 0.3:
            records.append(_record("hubspot", str(10_000_000 + n), owner, place))
        companies.append(CompanyFacts(f"c{n:07d}", tuple(records)))
    return companies


def _record(
    source: str, external_id: str, owner: str | None, place: tuple[str, str]
) -> RecordFacts:
    record = RecordFacts(source, external_id, current_owner_email=owner)
    record.country, record.region = place
    return record


def _timed_child(queue: Any) -> None:
    """One run: the engine's pass and dealing, then balancing, timed apart (what `evaluate`
    does with `settings.balancing`, in two steps)."""
    members = territory_members()
    rules = parse_territory_text(territory_text(members), "bench-balanced.yaml", known_reps=reps())
    balancing = rules.settings.balancing
    assert balancing is not None
    unbalanced = copy.copy(rules)
    unbalanced.settings = replace(rules.settings, balancing=None)
    companies = book(members)
    directory = reps()
    started = time.perf_counter()
    result = evaluate(companies, unbalanced, directory)
    dealt = time.perf_counter()
    outcome = rebalance(result.assignments, result.pools, balancing)
    done = time.perf_counter()
    queue.put(
        (
            done - started,
            done - dealt,
            peak_resident_mib(),
            outcome.moves,
            outcome.moves_lower_bound,
            outcome.optimal,
            outcome.distance_before,
            outcome.distance_after,
            len(outcome.territories),
            len(outcome.outside_tolerance),
            outcome.dealt_moves,
        )
    )


def run() -> Report:
    report = Report(
        name="rebalance",
        title="Balancing (200,000 companies, 1,000 territories, 300 reps, +-10% on accounts)",
        target=f"the balancing solve under {TARGET_SECONDS:.0f} s (median of {RUNS}); moves "
        "against the solver's lower bound; peak memory",
        columns=[
            "companies",
            "balancing seconds, median (spread)",
            "whole evaluation seconds (median)",
            "moves",
            "solver's lower bound",
            "proven optimal",
            "peak memory, median",
            "verdict",
        ],
    )
    context = multiprocessing.get_context("spawn")
    load_average = os.getloadavg()
    runs = []
    for _ in range(RUNS):
        queue = context.Queue()
        process = context.Process(target=_timed_child, args=(queue,))
        process.start()
        runs.append(queue.get())
        process.join()
    walls, solves, peaks = [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]
    first = runs[0]
    assert all(r[3:] == first[3:] for r in runs), "balancing is deterministic"
    median = statistics.median(solves)
    report.rows.append(
        [
            f"{COMPANIES:,}",
            f"{median:.2f} ({min(solves):.2f}-{max(solves):.2f})",
            f"{statistics.median(walls):.2f}",
            f"{first[3]:,}",
            f"{first[4]:,}",
            "yes" if first[5] else "no",
            f"{statistics.median(peaks):.0f} MiB",
            "met" if median < TARGET_SECONDS else "missed",
        ]
    )
    report.notes.append(
        f"Balancing seconds per run: {', '.join(f'{s:.2f}' for s in solves)}; whole evaluation "
        f"(territory matching, dealing and balancing) per run: "
        f"{', '.join(f'{w:.2f}' for w in walls)}; load average (1, 5, 15 min) before the runs "
        f"{', '.join(f'{a:.2f}' for a in load_average)}. Every run gave the same plan."
    )
    report.notes.append(
        f"Accounts outside their member's tolerance band (summed over members): {first[6]:,} "
        f"before, {first[7]:,} after; territories balanced: {first[8]:,}, of which "
        f"{first[9]:,} could not be brought fully within tolerance (capacities); accounts just "
        f"dealt that balancing placed elsewhere: {first[10]:,}. Each timed run is a fresh "
        "process: its peak memory includes the interpreter, the book (200,000 companies as "
        "objects) and the evaluation."
    )
    report.notes.append(
        "Not measured: balancing revenue or accounts and revenue together, which the territory "
        "file does not offer yet (balancing evens out accounts only)."
    )
    return report
