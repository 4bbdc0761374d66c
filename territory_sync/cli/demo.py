"""`make demo`: the whole product against the bundled sandbox, in under a minute, with a summary.

It starts both CRM emulators on free loopback ports, writes a starter configuration and
territory file into `demo-workspace/`, and then runs what an admin would: a dry run, a first
sync stopped by the blast-radius guard rail, the reviewed plan applied, a territory change shown
as a what-if, a resync of one territory, and the audit trail of one account. Unless
`TERRITORY_SYNC_AUDIT_KEY` is already set, the demo signs its audit log with a fixed, public demo
key: fine for a rehearsal, never for production.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

WORKSPACE = Path("demo-workspace")
DEMO_ACCOUNTS = 400
DEMO_SEED = 7
DEMO_AUDIT_KEY = "territory-sync-demo-audit-key-public-never-for-production"

console = Console()


def step(number: int, title: str, command: Sequence[str]) -> int:
    from territory_sync.cli import main as cli

    console.print()
    console.print(Rule(f"[bold]{number}. {title}[/bold]"))
    console.print(f"[dim]$ territory-sync {' '.join(command)}[/dim]")
    code = cli(["--config", str(WORKSPACE / "territory-sync.toml"), *command])
    console.print(f"[dim]exit code {code}[/dim]")
    return code


def latest_plan_id() -> int:
    from sqlalchemy import select

    from sync.plan import PLANS
    from sync.store.database import open_database

    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            return int(
                connection.execute(
                    select(PLANS.c.id).order_by(PLANS.c.id.desc()).limit(1)
                ).scalar_one()
            )
    finally:
        database.dispose()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def rep_leaves(territory_file: str) -> str:
    """The starter file with Maya Chen gone: NA-West keeps Daniel Okafor, who also becomes the
    owner of NA-West-Enterprise (where he was the overlay). Edits the text, so comments stay."""
    leaver, successor = "maya.chen@acme-revenue.example", "daniel.okafor@acme-revenue.example"
    lines = territory_file.splitlines()
    out: list[str] = []
    territory = None
    i = 0
    while i < len(lines):
        line, text = lines[i], lines[i].strip()
        if text.startswith("- name:"):
            territory = text.removeprefix("- name:").split("#")[0].strip()
        if not text.startswith("- email:"):
            out.append(line)
            i += 1
            continue
        item = [line]  # a member: its email line and the keys under it (capacity, role...)
        while (
            i + 1 < len(lines)
            and lines[i + 1].strip()
            and _indent(lines[i + 1]) > _indent(line)
            and not lines[i + 1].strip().startswith("- ")
        ):
            i += 1
            item.append(lines[i])
        i += 1
        email = text.removeprefix("- email:").split("#")[0].strip()
        if email == leaver:
            continue
        if territory == "NA-West-Enterprise" and email == successor:
            item = [line]  # no longer the overlay: the owner
        out.extend(item)
    return "\n".join(out) + "\n"


def written_in_audit() -> int:
    from sqlalchemy import func, select

    from sync.audit import AUDIT
    from sync.store.database import open_database

    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            query = select(func.count()).where(AUDIT.c.status == "written")
            return int(connection.execute(query).scalar_one())
    finally:
        database.dispose()


def first_written_account() -> str:
    from sqlalchemy import select

    from sync.plan import CHANGES
    from sync.store.database import open_database

    database = open_database(f"sqlite:///{(WORKSPACE / 'territory-sync.db').resolve()}")
    try:
        with database.engine.connect() as connection:
            query = (
                select(CHANGES.c.external_id)
                .where(CHANGES.c.state == "written", CHANGES.c.territory == "NA-West")
                .order_by(CHANGES.c.id.desc())
                .limit(1)
            )
            return str(connection.execute(query).scalar_one())
    finally:
        database.dispose()


def main() -> int:
    from sandbox.launcher import start_sandbox
    from territory_sync.cli import main as cli

    started = time.monotonic()
    if not sys.stdout.isatty():
        os.environ.setdefault("COLUMNS", "150")  # tables stay readable in logs and CI output
    if WORKSPACE.exists():
        shutil.rmtree(WORKSPACE)
    console.print(Rule("[bold]territory-sync demo[/bold]"))
    console.print(
        f"Starting the sandbox: Salesforce and HubSpot emulators with {DEMO_ACCOUNTS} accounts "
        "each (about 60% the same businesses), on loopback."
    )
    sandbox = start_sandbox(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED)
    os.environ.update(sandbox.env())
    if not os.environ.get("TERRITORY_SYNC_AUDIT_KEY", "").strip():
        os.environ["TERRITORY_SYNC_AUDIT_KEY"] = DEMO_AUDIT_KEY
        console.print(
            "The audit log is signed with the demo's public key (TERRITORY_SYNC_AUDIT_KEY)."
        )
    try:
        cli(["init", str(WORKSPACE)])
        failures = 0
        failures += step(1, "Dry run: what would change, nothing written", ["sync", "--dry-run"])
        code = step(2, "First real sync: the blast-radius guard rail stops it", ["sync", "--yes"])
        failures += code not in (0, 3)
        plan_id = latest_plan_id()
        failures += step(
            3, "The admin reviewed the plan and applies it", ["apply", str(plan_id), "--yes"]
        )
        failures += step(4, "A second sync with nothing changed writes nothing", ["sync", "--yes"])
        proposed = WORKSPACE / "territories-proposed.yaml"
        current = (WORKSPACE / "territories.yaml").read_text(encoding="utf-8")
        proposed.write_text(rep_leaves(current), encoding="utf-8")
        console.print()
        console.print(
            "Maya Chen leaves: the proposed file drops her from NA-West and hands "
            "NA-West-Enterprise to Daniel Okafor."
        )
        failures += step(
            5,
            "What-if: balance before and after the change",
            ["balance", "--proposed", str(proposed)],
        )
        shutil.copyfile(proposed, WORKSPACE / "territories.yaml")
        failures += step(
            6, "Resync the one territory she left", ["sync", "--territory", "NA-West", "--yes"]
        )
        failures += step(7, "Last night's runs", ["runs", "--limit", "6"])
        failures += step(8, "The audit log is intact", ["audit", "verify"])
        account = first_written_account()
        failures += step(
            7, f"The audit trail of one account ({account})", ["audit", "--account", account]
        )
        console.print()
        console.print(Rule("[bold]summary[/bold]"))
        elapsed = time.monotonic() - started
        owner_writes = sum(
            sum(crm.requests.writes_per_record().values())
            for crm in (sandbox.salesforce, sandbox.hubspot)
        )
        audited = written_in_audit()
        verdict = "each change written once" if audited == owner_writes else "MISMATCH"
        console.print(
            f"{audited} owner changes written according to the audit log; {owner_writes} owner "
            f"writes seen by the CRMs ({verdict}). "
            f"API calls: {sandbox.salesforce.requests.count()} Salesforce, "
            f"{sandbox.hubspot.requests.count()} HubSpot. Finished in {elapsed:.0f} s. "
            f"Files: {WORKSPACE}/"
        )
        return 1 if failures or audited != owner_writes else 0
    finally:
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
