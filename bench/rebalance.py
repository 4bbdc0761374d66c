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
    rebalance_solver,
)
from mapping.territories.facts import ordered_records
from mapping.territories.rebalance import rebalance

COMPANIES = 200_000
TERRITORIES = 1_000
REPS = 300
RUNS = 5
TARGET_SECONDS = 10.0
SEED = 15
MEASURES = ("accounts", "revenue")
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


def territory_text(members: list[list[str]], measures: tuple[str, ...] = MEASURES) -> str:
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
        "settings": {"balancing": {"measure": list(measures), "tolerance": "10%"}},
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
        revenue = round(rng.lognormvariate(15, 1.5), -3)  # median about 3.3 million
        records = [_record("salesforce", f"001{n:015d}", owner, place, revenue)]
        if rng.random() < 0.3:
            records.append(_record("hubspot", str(10_000_000 + n), owner, place, revenue))
        companies.append(CompanyFacts(f"c{n:07d}", tuple(records)))
    return companies


def _record(
    source: str, external_id: str, owner: str | None, place: tuple[str, str], revenue: float
) -> RecordFacts:
    record = RecordFacts(source, external_id, current_owner_email=owner)
    record.country, record.region = place
    record.annual_revenue = int(revenue)
    return record


def _timed_child(queue: Any, measures: tuple[str, ...]) -> None:
    """One run: the engine's pass and dealing, then balancing, timed apart (what `evaluate`
    does with `settings.balancing`, in two steps)."""
    members = territory_members()
    rules = parse_territory_text(
        territory_text(members, measures), "bench-balanced.yaml", known_reps=reps()
    )
    balancing = rules.settings.balancing
    assert balancing is not None
    unbalanced = copy.copy(rules)
    unbalanced.settings = replace(rules.settings, balancing=None)
    companies = book(members)
    directory = reps()
    started = time.perf_counter()
    result = evaluate(companies, unbalanced, directory)
    dealt = time.perf_counter()
    records = [ordered_records(company, "salesforce") for company in companies]
    outcome = rebalance(result.assignments, result.pools, balancing, records)
    done = time.perf_counter()
    queue.put(
        (
            done - started,
            done - dealt,
            peak_resident_mib(),
            outcome.moves,
            outcome.moves_lower_bound,
            outcome.optimal,
            outcome.outside_before,
            outcome.outside_after,
            len(outcome.territories),
            len(outcome.outside_tolerance),
            outcome.dealt_moves,
        )
    )


def _runs(measures: tuple[str, ...]) -> list[tuple[Any, ...]]:
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(RUNS):
        queue = context.Queue()
        process = context.Process(target=_timed_child, args=(queue, measures))
        process.start()
        runs.append(queue.get())
        process.join()
    return runs


def _outside(figures: dict[str, int]) -> str:
    return ", ".join(f"{name} {value:,}" for name, value in figures.items())


def run() -> Report:
    report = Report(
        name="rebalance",
        title="Balancing (200,000 companies, 1,000 territories, 300 reps, +-10%)",
        target=f"the balancing solve under {TARGET_SECONDS:.0f} s (median of {RUNS}) on accounts "
        "and revenue together; moves against the solver's lower bound; peak memory",
        columns=[
            "balanced on",
            "balancing seconds, median (spread)",
            "whole evaluation seconds (median)",
            "moves",
            "solver's lower bound",
            "proven optimal",
            "peak memory, median",
            "verdict",
        ],
    )
    load_average = os.getloadavg()
    for measures in (("accounts",), MEASURES):
        runs = _runs(measures)
        walls, solves, peaks = [r[0] for r in runs], [r[1] for r in runs], [r[2] for r in runs]
        first = runs[0]
        assert all(r[3:] == first[3:] for r in runs), "balancing is deterministic"
        median = statistics.median(solves)
        report.rows.append(
            [
                " and ".join(measures),
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
            f"{' and '.join(measures).capitalize()}: balancing seconds per run "
            f"{', '.join(f'{s:.2f}' for s in solves)}; whole evaluation (territory matching, "
            f"dealing and balancing) per run {', '.join(f'{w:.2f}' for w in walls)}. Every run "
            f"gave the same plan. Outside the members' tolerance bands (summed over members): "
            f"{_outside(first[6])} before, {_outside(first[7])} after; territories balanced: "
            f"{first[8]:,}, of which {first[9]:,} could not be brought fully within tolerance; "
            f"accounts just dealt that balancing placed elsewhere: {first[10]:,}."
        )
    report.notes.append(
        f"Load average (1, 5, 15 min) before the runs "
        f"{', '.join(f'{a:.2f}' for a in load_average)}. Each timed run is a fresh process: its "
        "peak memory includes the interpreter, the book (200,000 companies as objects) and the "
        "evaluation. Revenue is log-normal (median about 3.3 million, a long tail), so a "
        "territory of some 200 accounts often holds one account larger than a member's band: "
        "those territories cannot be brought fully within tolerance on revenue. With revenue "
        "each account is its own item (a packing problem); each territory's model gets a share "
        "of a fixed amount of solver work (`rebalance.WORK_SECONDS`), the models are solved "
        f"{rebalance_solver.THREADS} at a time, and a territory's search stops once its plan "
        "meets the least moves any plan within the bands needs (then it is optimal); the "
        "others' plans are the best found, with the bound reported."
    )
    return report
