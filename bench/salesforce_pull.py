"""Salesforce pull throughput and memory: 200,000 Accounts through the REST query path and through
Bulk API 2.0, from the bundled emulator over loopback HTTP.

Target (issue "Connectors"): memory stays bounded whatever the org size, under 300 MB for 200,000
accounts. The emulator runs in its own process so that its copy of the org does not count against
the connector; each pull also runs in a fresh process, so the peak resident memory reported is
that pull's alone. A pull here is the connector's whole job: every page fetched, parsed into
RawAccounts and handed over (then dropped, as the sync drops a page once committed).
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from typing import Any

from bench.report import Report

ACCOUNTS = 200_000
PAGE_SIZE = 2_000
MEMORY_TARGET_MIB = 300
JAN_1_2026_MS = 1_767_225_600_000
REPS = 20
SAME_SECOND = 50
"""Records stamped in each second, so the (SystemModstamp, Id) cursor meets real ties."""


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve_org(urls: Queue[Any], stop: Event) -> None:
    """The emulator process: seed the org, serve it, report its own peak memory when stopped."""
    from sandbox.ids import ACCOUNT_PREFIX, USER_PREFIX, salesforce_id
    from sandbox.salesforce import SalesforceOrg, create_salesforce_app
    from sandbox.seed import SeedAccount, SeedRep
    from sandbox.server import serve_in_thread

    reps = [
        SeedRep(
            email=f"rep{n}@bench.example",
            first_name="Rep",
            last_name=f"Number{n}",
            active=True,
            salesforce_user_id=salesforce_id(USER_PREFIX, n),
            hubspot_owner_id=str(1000 + n),
            hubspot_user_id=2000 + n,
            team="bench",
        )
        for n in range(1, REPS + 1)
    ]
    countries = [
        ("United States", "CA", "San Francisco", "94105"),
        ("Germany", "BY", "München", "80331"),
    ]
    accounts = []
    for n in range(1, ACCOUNTS + 1):
        country, region, city, postal = countries[n % 2]
        accounts.append(
            SeedAccount(
                crm_id=salesforce_id(ACCOUNT_PREFIX, n),
                name=f"Company {n} Holdings",
                website=f"https://www.company{n}.example/en",
                domain=None,
                country=country,
                region=region,
                city=city,
                postal_code=postal,
                industry="Technology",
                employees=50 + n % 5000,
                annual_revenue=1_000_000 + n * 37,
                owner_id=reps[n % REPS].salesforce_user_id,
                account_type="Prospect",
                do_not_reassign=False,
                created_ms=JAN_1_2026_MS,
                modified_ms=JAN_1_2026_MS + (n // SAME_SECOND) * 1000,
            )
        )
    org = SalesforceOrg(reps, accounts)
    served = serve_in_thread(create_salesforce_app(org))
    urls.put((served.url, org.config.client_id, org.config.client_secret))
    stop.wait()
    served.stop()
    urls.put(_peak_mib())


def _pull(url: str, client_id: str, secret: str, bulk: bool, results: Queue[Any]) -> None:
    """One full pull in a fresh process: seconds, records, API calls, peak memory."""
    from connectors.base import PullMode
    from connectors.salesforce import SalesforceConnector
    from connectors.salesforce.auth import ClientCredentials
    from mapping.registry import crm_fields
    from territory_sync.settings import SalesforceSettings

    settings = SalesforceSettings(
        instance_url=url,
        page_size=PAGE_SIZE,
        bulk_threshold=1_000 if bulk else ACCOUNTS * 10,
        account_fields=["Type", "Do_Not_Reassign__c"],
    )
    connector = SalesforceConnector(
        url,
        ClientCredentials(client_id, secret),
        settings=settings,
        fields=crm_fields("salesforce"),
        bulk_poll_seconds=0.05,
    )
    connector.sign_in()
    records = 0
    started = time.perf_counter()
    for page in connector.pull_accounts(PullMode.FULL, None, timedelta(0)):
        records += len(page.records)
    seconds = time.perf_counter() - started
    connector.close()
    results.put((seconds, records, connector.usage.calls, _peak_mib()))


def run() -> Report:
    report = Report(
        name="salesforce_pull",
        title=f"Salesforce full pull ({ACCOUNTS:,} accounts, {PAGE_SIZE:,}-record pages)",
        target=f"peak memory under {MEMORY_TARGET_MIB} MB for {ACCOUNTS:,} accounts",
        columns=["path", "records", "seconds", "records/s", "API calls", "peak MiB", "verdict"],
    )
    context = multiprocessing.get_context("spawn")
    urls: Queue[Any] = context.Queue()
    stop = context.Event()
    emulator = context.Process(target=_serve_org, args=(urls, stop), daemon=True)
    emulator.start()
    url, client_id, secret = urls.get(timeout=600)
    try:
        for label, bulk in (("REST query", False), ("Bulk API 2.0", True)):
            results: Queue[Any] = context.Queue()
            pull = context.Process(target=_pull, args=(url, client_id, secret, bulk, results))
            pull.start()
            seconds, records, calls, peak = results.get(timeout=1_800)
            pull.join()
            verdict = "met" if peak < MEMORY_TARGET_MIB and records == ACCOUNTS else "missed"
            report.rows.append(
                [
                    label,
                    f"{records:,}",
                    f"{seconds:,.1f}",
                    f"{records / seconds:,.0f}",
                    f"{calls:,}",
                    f"{peak:,.0f}",
                    verdict,
                ]
            )
    finally:
        stop.set()
        emulator_peak = urls.get(timeout=60)
        emulator.join(timeout=60)
    report.notes.append(
        "Each pull ran in its own process against the emulator in another; the emulator's own "
        f"peak was {emulator_peak:,.0f} MiB (the org's records and the JSON/CSV it renders). "
        f"Modified times are shared by {SAME_SECOND} records per second; REST pages are asked "
        f"for with `Sforce-Query-Options: batchSize={PAGE_SIZE}`, Bulk results are read "
        "50,000 records per call and handed over in pages of the same size."
    )
    return report
