"""The planner turns the engine's answers into one owner change per record whose owner differs."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mapping.territories.assignment import BALANCED, ONLY_MATCH, Assignment
from mapping.territories.columnar import applies, evaluate_columns
from mapping.territories.columns import columns_from_companies
from mapping.territories.facts import CompanyFacts, RecordFacts
from mapping.territories.rules import LoadedTerritories
from sync.companies import CompanyBook, RepIndex
from sync.planner import Planner, Scope, build_changes
from sync.store.changes import ChangeState
from tests.mapping.territories.support import email as rep_email
from tests.mapping.territories.support import load
from tests.mapping.territories.test_columnar import by_accounts
from tests.mapping.territories.test_properties import (
    EVERYONE,
    PROFILE,
    books,
    loaded,
    territory_files,
)
from tests.mapping.territories.test_properties import REPS as PROPERTY_REPS

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


# --- the columnar path: rows that keep their owners are counted, not read -------------------


def directory_ids() -> RepIndex:
    """The property books' reps with an id in each CRM they have a seat in (r7: Salesforce
    only, so its HubSpot records are skipped, never written with a guessed id)."""
    index = RepIndex(directory=dict(PROPERTY_REPS))
    for name in EVERYONE:
        email = rep_email(name)
        for source in (SF, HS):
            if source == HS and name == "r7":
                continue
            owner_id = f"{source[:2]}-{name}"
            index.email_by_owner[(source, owner_id)] = email
            index.owner_by_email[(source, email)] = owner_id
    return index


def planned(planner: Planner, decided: list[tuple[CompanyFacts, Assignment]], owners: Any) -> Any:
    return list(planner.changes(owners, decided)), planner.figures


def both_ways(
    book: list[CompanyFacts],
    rules: LoadedTerritories,
    reps: RepIndex,
    *,
    sources: tuple[str, ...] = (SF, HS),
    writable: tuple[str, ...] = (SF, HS),
    territory: str | None = None,
    exclude: Collection[tuple[str, str]] = (),
    holds: dict[tuple[str, str], dict[str, Any]] | None = None,
    owners: dict[tuple[str, str], str | None] | None = None,
) -> tuple[Any, Any, list[int]]:
    """The plan of every row given to `changes`, the plan of the rows `rows_to_plan` gives it
    (the others counted), and those rows."""
    decisions = evaluate_columns(columns_from_companies(book, rules), rules, reps.directory)
    decided = []
    for row, company in enumerate(book):
        assignment = decisions.assignment(row)
        assignment.key = company.key
        decided.append((company, assignment))
    if owners is None:
        owners = {
            (r.source, r.external_id): reps.owner_id_of(r.source, r.current_owner_email)
            for company in book
            for r in company.records
        }
    marked_records = {*exclude, *(holds or {})}

    def planner() -> Planner:
        scope = Scope(territory=territory).with_subtree(rules)
        return Planner(
            reps, sources=sources, writable=writable, scope=scope, exclude=exclude, holds=holds
        )

    every_row = planned(planner(), decided, owners)
    counting = planner()
    marked = np.array(
        [any((r.source, r.external_id) in marked_records for r in c.records) for c in book],
        dtype=bool,
    )
    rows = counting.rows_to_plan(decisions, marked).tolist()
    return every_row, planned(counting, [decided[row] for row in rows], owners), rows


@PROFILE
@given(territory_files(), books(), st.data())
def test_counting_the_rows_that_keep_their_owners_plans_what_planning_every_row_plans(
    text: str, book: list[CompanyFacts], data: st.DataObject
) -> None:
    rules = loaded(by_accounts(text))
    if not applies(rules):
        return
    reps = directory_ids()
    keys = sorted((r.source, r.external_id) for company in book for r in company.records)
    sources = data.draw(st.sampled_from([(SF, HS), (SF,), (HS,)]))
    marked = data.draw(st.sets(st.sampled_from(keys))) if keys else set()
    exclude = {key for key in marked if data.draw(st.booleans())}
    owners = {
        (r.source, r.external_id): reps.owner_id_of(r.source, r.current_owner_email)
        for company in book
        for r in company.records
    }

    every_row, counted, rows = both_ways(
        book,
        rules,
        reps,
        sources=sources,
        writable=data.draw(st.sampled_from([sources, sources[:1]])),
        territory=data.draw(st.sampled_from([None, *rules.territories])),
        exclude=exclude,
        holds={key: {"owner_id": owners[key]} for key in marked - exclude},
    )

    assert counted == every_row
    assert rows == sorted(rows)


TWO_ALIKE = """
    territories:
      - name: East
        criteria: {country: [US]}
        members: [{email: r1@acme-revenue.example}]
      - name: Software
        criteria: {industry: [software]}
        members: [{email: r2@acme-revenue.example}]
      - name: Europe
        criteria: {country: [DE]}
        members: [{email: r1@acme-revenue.example}]
"""


def one_company(country: str, owner: str, industry: str = "retail") -> CompanyFacts:
    record = RecordFacts(
        SF, "001X", country=country, industry=industry, current_owner_email=rep_email(owner)
    )
    return CompanyFacts("c00", (record,))


def test_a_tie_is_given_to_the_planner_so_the_figures_name_it() -> None:
    book = [one_company("US", "r1", "software")]

    every_row, counted, rows = both_ways(book, load(TWO_ALIKE), directory_ids())

    assert rows == [0]
    assert counted == every_row
    assert counted[1].ties == 1 and counted[1].tie_examples == ["c00: East / Software"]


def test_a_business_that_keeps_its_owner_is_counted_without_being_planned() -> None:
    book = [one_company("DE", "r1")]

    every_row, counted, rows = both_ways(book, load(TWO_ALIKE), directory_ids())

    assert rows == []
    assert counted == every_row
    assert counted[1].unchanged == 1 and counted[1].companies == 1


def test_a_held_record_is_given_to_the_planner_and_kept_for_the_person() -> None:
    book = [one_company("DE", "r1")]

    every_row, counted, rows = both_ways(
        book, load(TWO_ALIKE), directory_ids(), holds={(SF, "001X"): {"owner_id": "sa-r1"}}
    )

    assert rows == [0]
    assert counted == every_row
    assert counted[1].kept_for_person == 1


def test_a_record_owned_under_another_id_of_its_reps_email_is_planned() -> None:
    reps = directory_ids()
    reps.email_by_owner[(SF, "sa-r1-old")] = rep_email("r1")  # two users share r1's email
    book = [one_company("DE", "r1")]

    every_row, counted, rows = both_ways(
        book, load(TWO_ALIKE), reps, owners={(SF, "001X"): "sa-r1-old"}
    )

    assert rows == [0]
    assert counted == every_row
    assert [(c.old_owner_id, c.new_owner_id) for c in counted[0]] == [("sa-r1-old", "sa-r1")]
