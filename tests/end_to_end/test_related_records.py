"""Contacts and opportunities follow their account, by the rules of engagement, on both CRMs.

Against the sandbox, on both databases: a territory change moves accounts; the contacts their
previous owners owned follow (the default), open opportunities stay unless the file says
`follow`, closed ones never move; each related record is written once in batches at the CRM's
minimum, also when writes land and then lose their answer; a person's change after the plan is a
conflict left alone; a rollback restores accounts, contacts and opportunities.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import text

from sync.rollback import rollback_run
from sync.runner import SyncRequest
from sync.saved_plans import apply_saved_plan
from territory_sync.errors import ExitCode
from tests.end_to_end.conftest import TERRITORIES, Product

SOURCES = ("salesforce", "hubspot")
WRITE_KINDS = {"salesforce": "collections-update", "hubspot": "batch-update"}
BATCH = {"salesforce": 200, "hubspot": 100}
# Every North American and EMEA account goes to new reps, and the rest of the world gets a
# territory: well over 300 accounts of the book change hands.
MOVED = TERRITORIES + (
    """  - name: Rest-of-World
    criteria:
      country: [AU, JP, BR, IN, ES, IT, SE, SG, MX, DK, NO, FI, NZ, KR, PT, AR, CL]
    members:
      - email: giulia.rossi@acme-revenue.example
"""
)
MOVED = (
    MOVED.replace(
        """          - email: maya.chen@acme-revenue.example
          - email: daniel.okafor@acme-revenue.example""",
        """          - email: emily.johnson@acme-revenue.example""",
    )
    .replace(
        """          - email: rachel.goldberg@acme-revenue.example""",
        """          - email: carlos.ramirez@acme-revenue.example""",
    )
    .replace(
        """      - email: oliver.bennett@acme-revenue.example
      - email: lena.fischer@acme-revenue.example""",
        """      - email: aoife.murphy@acme-revenue.example
      - email: camille.laurent@acme-revenue.example""",
    )
)
OPPORTUNITIES_FOLLOW = MOVED.replace(
    "settings:\n  unmatched: keep_owner\n",
    "settings:\n  unmatched: keep_owner\n  related_records: {open_opportunities: follow}\n",
)


def crm(product: Product, source: str) -> Any:
    return product.sandbox.salesforce if source == "salesforce" else product.sandbox.hubspot


def contacts(product: Product, source: str) -> list[Any]:
    emulator = crm(product, source)
    return list(emulator.contacts if source == "salesforce" else emulator.contacts())


def opportunities(product: Product, source: str) -> list[Any]:
    emulator = crm(product, source)
    return list(emulator.opportunities if source == "salesforce" else emulator.deals())


def owners(product: Product, source: str, records: Iterable[Any]) -> dict[str, str | None]:
    emulator = crm(product, source)
    return {r.crm_id: emulator.owner_of(r.crm_id) for r in records}


def moved_accounts(product: Product, run_id: int) -> dict[tuple[str, str], tuple[str, str]]:
    """(CRM, account) -> (previous owner, new owner) of every account the run wrote."""
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT source, external_id, old_owner_id, new_owner_id FROM audit_log "
                "WHERE run_id = :run AND status = 'written' AND object_name IS NULL"
            ),
            {"run": run_id},
        ).all()
    return {(s, r): (old, new) for s, r, old, new in rows}


def related_written(product: Product, run_id: int) -> dict[tuple[str, str], str]:
    """(object, record) -> new owner of every related record the run wrote."""
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT object_name, external_id, new_owner_id, parent_external_id FROM audit_log "
                "WHERE run_id = :run AND status = 'written' AND object_name IS NOT NULL"
            ),
            {"run": run_id},
        ).all()
    assert all(parent for *_, parent in rows), "every row names its account"
    return {(kind, record): owner for kind, record, owner, _ in rows}


def aligned(product: Product) -> None:
    """The book as territories left it: a first run, then the territory change under test."""
    first = product.sync()
    assert first.exit_code == ExitCode.OK


def test_by_default_exactly_the_previous_owners_contacts_follow_and_no_opportunity(
    product: Product,
) -> None:
    aligned(product)
    before_contacts = {s: owners(product, s, contacts(product, s)) for s in SOURCES}
    before_deals = {s: owners(product, s, opportunities(product, s)) for s in SOURCES}
    product.use_territories(MOVED)

    result = product.sync()

    moved = moved_accounts(product, result.run_id)
    assert len(moved) >= 300
    for source in SOURCES:
        now = owners(product, source, contacts(product, source))
        for contact in contacts(product, source):
            was = before_contacts[source][contact.crm_id]
            change = moved.get((source, contact.account_id))
            # An unowned contact is nobody's, so it is not the previous owner's either.
            if change is not None and was is not None and was == change[0]:
                assert now[contact.crm_id] == change[1], "a previous owner's contact follows"
            else:
                assert now[contact.crm_id] == was, "every other contact keeps its owner"
        assert owners(product, source, opportunities(product, source)) == before_deals[source]
    kinds = result.figures["related_records"]["by_kind"]
    assert kinds["salesforce contact"] > 0 and kinds["hubspot contact"] > 0
    assert not any("opportunity" in kind for kind in kinds)


def test_with_follow_every_open_opportunity_of_a_moved_account_moves_and_no_closed_one(
    product: Product,
) -> None:
    aligned(product)
    before = {s: owners(product, s, opportunities(product, s)) for s in SOURCES}
    product.use_territories(OPPORTUNITIES_FOLLOW)

    result = product.sync()

    moved = moved_accounts(product, result.run_id)
    followed = 0
    for source in SOURCES:
        now = owners(product, source, opportunities(product, source))
        for deal in opportunities(product, source):
            change = moved.get((source, deal.account_id))
            if change is not None and not deal.closed:
                assert now[deal.crm_id] == change[1]
                followed += 1
            else:
                assert now[deal.crm_id] == before[source][deal.crm_id]
    assert followed > 50


def test_related_writes_take_the_fewest_batches_and_write_each_record_once(
    product: Product,
) -> None:
    aligned(product)
    product.use_territories(MOVED)
    for source in SOURCES:
        crm(product, source).requests.clear()

    result = product.sync()

    written = related_written(product, result.run_id)
    accounts = moved_accounts(product, result.run_id)
    for source in SOURCES:
        log = crm(product, source).requests
        related = [r for r in written if (r[1] in {c.crm_id for c in contacts(product, source)})]
        account_writes = sum(1 for s, _ in accounts if s == source)
        least = math.ceil(account_writes / BATCH[source]) + math.ceil(len(related) / BATCH[source])
        assert log.count(WRITE_KINDS[source]) == least
        assert max(log.writes_per_record().values()) == 1


def test_contacts_are_written_once_when_writes_land_and_lose_their_answer(
    product: Product,
) -> None:
    aligned(product)
    for source in SOURCES:
        getattr(product.settings, source).write_batch_size = 20
        getattr(product.settings, source).timeout_seconds = 0.5
    product.settings.hubspot.contact_write_batch_size = 20
    product.settings.sync.concurrency = 1
    product.use_territories(MOVED)
    # A third of the writes land and then lose their answer: 503, dropped, or held past the
    # client's time-out (the faults are drawn from the seeded profile: the same every run).
    product.sandbox.set_faults(
        "applied_5xx=0.12,applied_drop=0.12,applied_timeout=0.08,stall_seconds=0.8"
    )
    before = {s: owners(product, s, contacts(product, s)) for s in SOURCES}
    for source in SOURCES:
        crm(product, source).requests.clear()

    first = product.sync()
    product.sandbox.set_faults("")
    rerun = product.sync()

    assert rerun.figures["unfinished"] == 0
    written = related_written(product, first.run_id) | related_written(product, rerun.run_id)
    for source in SOURCES:
        log = crm(product, source).requests
        ids = {c.crm_id for c in contacts(product, source)}
        struck = [
            r
            for r in log.records()
            if r.kind == WRITE_KINDS[source] and r.fault.startswith("applied")
        ]
        assert any(set(r.records_written) & ids for r in struck), "faults struck contacts"
        assert max(log.writes_per_record().values()) == 1, "no record written twice"
        now = owners(product, source, contacts(product, source))
        for contact_id, owner in now.items():
            if ("contact", contact_id) in written:
                assert owner == written[("contact", contact_id)], "the audit matches the CRM"
            else:
                assert owner == before[source][contact_id]


def test_a_contact_a_person_changed_after_the_plan_is_left_alone_as_a_conflict(
    product: Product,
) -> None:
    aligned(product)
    product.use_territories(MOVED)
    plan = product.sync(plan_only=True)
    contact = next(c for c in plan.changes if c.object_name == "contact" and c.source == "hubspot")
    person_choice = next(
        r.hubspot_owner_id
        for r in product.sandbox.book.reps
        if r.active and r.hubspot_owner_id not in (contact.old_owner_id, contact.new_owner_id)
    )
    product.sandbox.hubspot.change_owner_as_person(contact.external_id, person_choice)
    assert plan.plan_id is not None

    result = apply_saved_plan(
        product.settings, product.database, plan.plan_id, SyncRequest(actor="test")
    )

    assert product.sandbox.hubspot.owner_of(contact.external_id) == person_choice
    assert result.figures["related"]["hubspot contact"]["conflict"] == 1
    with product.database.engine.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM audit_log WHERE external_id = :c ORDER BY id DESC"),
            {"c": contact.external_id},
        ).scalar()
    assert status == "conflict"


def test_rolling_back_the_run_restores_accounts_contacts_and_opportunities(
    product: Product,
) -> None:
    aligned(product)
    before = {
        s: {
            "accounts": product.owners(s),
            "contacts": owners(product, s, contacts(product, s)),
            "opportunities": owners(product, s, opportunities(product, s)),
        }
        for s in SOURCES
    }
    product.use_territories(OPPORTUNITIES_FOLLOW)
    applied = product.sync()
    assert related_written(product, applied.run_id)

    written = set(moved_accounts(product, applied.run_id)) | {
        (source, record)
        for (_, record) in related_written(product, applied.run_id)
        for source in SOURCES
    }

    result = rollback_run(
        product.settings, product.database, applied.run_id, SyncRequest(actor="test")
    )

    # Nothing is handed back to a rep who has left (the CRM refuses it; the audit says so), and a
    # record that had no owner before keeps the one the run gave it (rollback never unassigns);
    # a contact or opportunity is restored with its account, so those of an account left as it is
    # stay as they are.
    left = {
        owner
        for rep in product.sandbox.book.reps
        if not rep.active
        for owner in (rep.salesforce_user_id, rep.hubspot_owner_id)
    }
    restored = 0
    for source in SOURCES:
        accounts_now = product.owners(source)
        kept_accounts = {
            a for a, owner in accounts_now.items() if owner != before[source]["accounts"][a]
        }
        parent = {
            r.crm_id: r.account_id
            for r in contacts(product, source) + opportunities(product, source)
        }
        now = {
            "accounts": accounts_now,
            "contacts": owners(product, source, contacts(product, source)),
            "opportunities": owners(product, source, opportunities(product, source)),
        }
        for kind, records in now.items():
            for record, owner in records.items():
                was = before[source][kind][record]
                if owner != was:
                    assert was is None or was in left or parent.get(record) in kept_accounts, (
                        f"{kind} {record} is restored"
                    )
                elif (source, record) in written:
                    restored += 1
    assert restored >= 300
    assert result.figures["written"] >= 300
    assert sum(c.get("written", 0) for c in result.figures["related"].values()) > 0
