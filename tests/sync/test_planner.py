"""The planner turns the engine's answers into one owner change per record whose owner differs."""

from __future__ import annotations

from mapping.territories.assignment import BALANCED, ONLY_MATCH, Assignment
from mapping.territories.facts import CompanyFacts, RecordFacts
from sync.companies import CompanyBook, RepIndex
from sync.planner import Scope, build_changes
from sync.store.changes import ChangeState

SF, HS = "salesforce", "hubspot"


def reps() -> RepIndex:
    index = RepIndex()
    for email, sf_id, hs_id in (
        ("ana@acme.example", "005ANA", "71"),
        ("bo@acme.example", "005BO", None),
    ):
        index.email_by_owner[(SF, sf_id)] = email
        index.owner_by_email[(SF, email)] = sf_id
        if hs_id:
            index.email_by_owner[(HS, hs_id)] = email
            index.owner_by_email[(HS, email)] = hs_id
    return index


def linked_company(sf_owner: str | None, hs_owner: str | None) -> tuple[CompanyBook, CompanyFacts]:
    records = (RecordFacts(SF, "001A", name="Acme"), RecordFacts(HS, "901", name="Acme"))
    company = CompanyFacts("salesforce:001A|hubspot:901", records)
    return CompanyBook([company], {(SF, "001A"): sf_owner, (HS, "901"): hs_owner}), company


def assigned(company: CompanyFacts, email: str | None) -> list[Assignment]:
    return [Assignment(company.key, "NA-West", email, ONLY_MATCH, BALANCED, None, SF, HS)]


def test_one_change_per_record_whose_owner_differs_from_the_rep_in_that_crm() -> None:
    book, company = linked_company("005BO", "71")

    changes, figures = build_changes(
        book,
        assigned(company, "ana@acme.example"),
        reps(),
        sources=[SF, HS],
        writable=[SF, HS],
        scope=Scope(),
    )

    assert [(c.source, c.old_owner_id, c.new_owner_id) for c in changes] == [
        (SF, "005BO", "005ANA")
    ]
    assert figures.planned == 1 and figures.unchanged == 1
    assert figures.by_crm == {SF: 1}


def test_a_rep_without_an_id_in_a_crm_is_never_written_there_with_a_guessed_id() -> None:
    book, company = linked_company("005ANA", "71")

    changes, figures = build_changes(
        book,
        assigned(company, "bo@acme.example"),
        reps(),
        sources=[SF, HS],
        writable=[SF, HS],
        scope=Scope(),
    )

    hubspot = next(c for c in changes if c.source == HS)
    assert hubspot.state == ChangeState.SKIPPED and hubspot.new_owner_id is None
    assert "has no HubSpot owner id" in (hubspot.reason or "")
    assert figures.skipped == 1


def test_a_crm_whose_writes_are_off_gets_no_change_and_is_counted() -> None:
    book, company = linked_company("005BO", "72")

    changes, figures = build_changes(
        book,
        assigned(company, "ana@acme.example"),
        reps(),
        sources=[SF, HS],
        writable=[SF],
        scope=Scope(),
    )

    assert [c.source for c in changes] == [SF]
    assert figures.writes_disabled == 1


def test_records_an_unfinished_plan_already_covers_are_left_to_it() -> None:
    book, company = linked_company("005BO", "72")

    changes, figures = build_changes(
        book,
        assigned(company, "ana@acme.example"),
        reps(),
        sources=[SF, HS],
        writable=[SF, HS],
        scope=Scope(),
        exclude={(SF, "001A")},
    )

    assert [c.source for c in changes] == [HS]
    assert figures.resuming == 1


def test_an_account_scope_plans_only_that_account_but_counts_the_whole_book() -> None:
    book, company = linked_company("005BO", "72")

    changes, figures = build_changes(
        book,
        assigned(company, "ana@acme.example"),
        reps(),
        sources=[SF, HS],
        writable=[SF, HS],
        scope=Scope(account="nope"),
    )

    assert changes == [] and figures.book_records == 2


def test_a_business_the_engine_leaves_alone_is_unchanged() -> None:
    book, company = linked_company("005BO", "72")

    changes, figures = build_changes(
        book, assigned(company, None), reps(), sources=[SF, HS], writable=[SF, HS], scope=Scope()
    )

    assert changes == [] and figures.unchanged == 2
