"""Full pull of 200,000 HubSpot companies through the connector: throughput and peak memory.

Target (issue "Connectors"): memory bounded whatever the portal's size, under 300 MB for 200,000
companies. The emulator runs in a child process with its limits out of the way, so the figures
are the connector's own (paging, parsing, records) and the child's memory is not counted. Pages
are dropped once counted, as the sync drops them once committed.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import urllib.request
from datetime import timedelta

from bench.report import Report, peak_memory_mib
from connectors.base import PullMode
from connectors.hubspot import HubSpotConnector
from mapping.registry import crm_fields
from sandbox.server import free_port

COMPANIES = 200_000
MEMORY_TARGET_MIB = 300
HOST = "127.0.0.1"
COUNTRIES = [
    ("United States", "CA", "San Francisco", "94105"),
    ("Germany", "Bavaria", "München", "80331"),
    ("United Kingdom", "England", "London", "EC1A 1BB"),
    ("France", "Île-de-France", "Paris", "75001"),
]


def serve_portal(port: int, count: int) -> None:
    """Child process: a portal of `count` companies on `port`, limits out of the way."""
    import uvicorn

    from sandbox.hubspot import HubSpotPortal, HubSpotPortalConfig, create_hubspot_app
    from sandbox.ids import hubspot_id
    from sandbox.seed import SeedAccount, generate_book

    reps = generate_book(accounts=50, seed=3).reps
    owners = [r.hubspot_owner_id for r in reps if r.active]
    base_ms = 1_767_225_600_000
    companies = []
    for n in range(1, count + 1):
        country, region, city, postal = COUNTRIES[n % len(COUNTRIES)]
        companies.append(
            SeedAccount(
                crm_id=hubspot_id(n),
                name=f"Company {n} Holdings",
                website=f"https://www.company{n}.example/en",
                domain=f"company{n}.example",
                country=country,
                region=region,
                city=city,
                postal_code=postal,
                industry="COMPUTER_SOFTWARE",
                employees=50 + n % 5000,
                annual_revenue=1_000_000 + n * 37,
                owner_id=owners[n % len(owners)],
                account_type="customer",
                do_not_reassign=False,
                created_ms=base_ms - 86_400_000,
                modified_ms=base_ms + n,
            )
        )
    config = HubSpotPortalConfig(ten_second_limit=10**9, search_per_second=10**9, daily_limit=10**9)
    portal = HubSpotPortal(reps, companies, config=config)
    uvicorn.run(create_hubspot_app(portal), host=HOST, port=port, log_level="warning")


def wait_until_serving(url: str, deadline_s: float = 300.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/__sandbox/state", timeout=5) as answer:
                json.load(answer)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the HubSpot emulator did not start at {url}") from None
            time.sleep(0.2)


def run() -> Report:
    from sandbox.hubspot import DEFAULT_ACCESS_TOKEN

    report = Report(
        name="hubspot_pull",
        title=f"HubSpot full pull ({COMPANIES:,} companies, 100 a page)",
        target=f"peak memory under {MEMORY_TARGET_MIB} MB; throughput reported",
        columns=["companies", "pages", "seconds", "companies/s", "peak memory MiB", "verdict"],
    )
    port = free_port(HOST)
    url = f"http://{HOST}:{port}"
    child = multiprocessing.get_context("spawn").Process(
        target=serve_portal, args=(port, COMPANIES), daemon=True
    )
    child.start()
    try:
        wait_until_serving(url)
        connector = HubSpotConnector(
            DEFAULT_ACCESS_TOKEN,
            base_url=url,
            fields=crm_fields("hubspot"),
            requests_per_ten_seconds=10**9,
            search_requests_per_second=10**9,
        )
        before = peak_memory_mib()
        pulled = pages = 0
        started = time.perf_counter()
        for page in connector.pull_accounts(PullMode.FULL, None, timedelta(0)):
            pulled += len(page.records)
            pages += 1
        seconds = time.perf_counter() - started
    finally:
        child.terminate()
        child.join(10)
    peak = peak_memory_mib()
    verdict = "met" if pulled == COMPANIES and peak < MEMORY_TARGET_MIB else "missed"
    report.rows.append(
        [
            f"{pulled:,}",
            f"{pages:,}",
            f"{seconds:,.1f}",
            f"{pulled / seconds:,.0f}",
            f"{peak:,.0f}",
            verdict,
        ]
    )
    report.notes.append(
        f"Peak memory of the pulling process, {before:,.0f} MiB of it before the pull began "
        "(interpreter and libraries). The emulator runs in its own process, with its rate "
        "limits raised: the benchmark measures the connector, not HubSpot's 10-second limit, "
        "which at 190 calls per 10 s would hold a 2,000-page pull to about 105 s."
    )
    return report
