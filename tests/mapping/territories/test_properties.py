"""Properties of the engine over generated territory files and books (hypothesis).

Files are drawn from a small universe (three countries, five regions, three industries, a few
reps) so that overlaps, ties, holdouts, named accounts, capacities and orphans all happen often.
Reps' status is per CRM: besides reps active in both CRMs and one inactive in both, one is
inactive in HubSpot only, one in Salesforce only, and one has no HubSpot seat at all, so linked
businesses whose records must go to different reps happen often too. A drawn file that the
loader rejects (a provable overlap) is discarded.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mapping.territories import (
    Assignment,
    CompanyFacts,
    Evaluation,
    LoadedTerritories,
    RecordFacts,
    evaluate,
    explain,
    parse_territory_text,
)
from mapping.territories.facts import ordered_records
from territory_sync.errors import TerritoryFileError
from tests.mapping.territories.support import directory, email

COUNTRIES = ["US", "CA", "DE"]
REGIONS = ["US-CA", "US-NY", "CA-ON", "DE-BY", "DE-BE"]
INDUSTRIES = ["software", "banking", "retail"]
TYPES = ["Prospect", "Customer - Direct"]
ACTIVE = [f"r{n}" for n in range(1, 6)]
"""Active in at least one CRM: r4 is inactive in HubSpot, r5 in Salesforce, r7 has no HubSpot
seat."""
REPS = directory(
    "r1",
    "r2",
    "r3",
    inactive=["r6"],
    inactive_in_hubspot=["r4"],
    inactive_in_salesforce=["r5"],
    salesforce_only=["r7"],
)
EVERYONE = [*ACTIVE, "r6", "r7"]
OWNERS = [None, "gone@elsewhere.example", *(email(r) for r in EVERYONE)]
DOMAINS = [None, "acme.com", "globex.com", "initech.com"]
ASSIGNED_RULES = {"named_account", "priority", "specificity", "only_match", "catch_all"}
UNASSIGNED_RULES = {"holdout", "tie", "unmatched_keep_owner", "named_conflict"}
PROFILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)

# --- territory files ------------------------------------------------------------------------

leaf = st.one_of(
    st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=2, unique=True).map(
        lambda c: {"country": c}
    ),
    st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True).map(
        lambda r: {"region": r}
    ),
    st.lists(st.sampled_from(INDUSTRIES), min_size=1, max_size=2, unique=True).map(
        lambda i: {"industry": i}
    ),
    st.sampled_from([{"min": 200}, {"max": 200}, {"min": 50, "max": 1000}]).map(
        lambda band: {"employees": band}
    ),
    st.sampled_from(TYPES).map(lambda t: {"field": "Type", "equals": t}),
)
criterion = st.one_of(
    leaf,
    st.lists(leaf, min_size=2, max_size=2).map(lambda parts: {"any": parts}),
    leaf.map(lambda part: {"not": part}),
)


@st.composite
def members(draw: st.DrawFn) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(EVERYONE), max_size=3, unique=True))
    result = []
    for name in chosen:
        member: dict[str, Any] = {"email": email(name)}
        if draw(st.booleans()) and draw(st.booleans()):
            member["role"] = "overlay"
        else:
            if draw(st.booleans()):
                member["weight"] = draw(st.sampled_from([1, 2, 3]))
            if draw(st.booleans()):
                member["capacity"] = draw(st.integers(1, 4))
        result.append(member)
    return result


@st.composite
def territory_files(draw: st.DrawFn) -> str:
    names = iter(f"T{n}" for n in range(100))

    def territory(depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"name": next(names)}
        if draw(st.booleans()):
            node["priority"] = draw(st.integers(0, 2))
        parts = draw(st.lists(criterion, min_size=1, max_size=2))
        node["criteria"] = parts[0] if len(parts) == 1 else {"all": parts}
        node["members"] = draw(members())
        if depth < 2:
            count = draw(st.integers(0, 2))
            if count:
                node["children"] = [territory(depth + 1) for _ in range(count)]
        return node

    document: dict[str, Any] = {
        "version": 1,
        "territories": [territory(0) for _ in range(draw(st.integers(1, 3)))],
    }
    if draw(st.booleans()):
        document["settings"] = {"unmatched": "catch_all", "catch_all": "Rest"}
        document["territories"].append({"name": "Rest", "members": draw(members())})
    if draw(st.booleans()):
        document["settings"] = {**document.get("settings", {}), "balance_by": "employees"}
    if draw(st.booleans()):
        document["holdouts"] = [
            {"name": "Flagged", "criteria": {"field": "Do_Not_Reassign__c", "equals": True}}
        ]
    named = []
    for domain in ("acme.com", "globex.com"):
        if draw(st.booleans()):
            if draw(st.booleans()):
                named.append({"domain": domain, "rep": email(draw(st.sampled_from(ACTIVE)))})
            else:
                named.append({"domain": domain, "territory": "T0"})
    if named:
        document["named_accounts"] = named
    return yaml.safe_dump(document, sort_keys=False)


def loaded(text: str) -> LoadedTerritories:
    try:
        return parse_territory_text(text, "generated.yaml", known_reps=REPS)
    except TerritoryFileError:
        assume(False)
        raise


# --- books ----------------------------------------------------------------------------------


@st.composite
def records(draw: st.DrawFn, source: str, number: int) -> RecordFacts:
    external_id = f"001{number:012d}" if source == "salesforce" else str(1000 + number)
    return RecordFacts(
        source=source,
        external_id=external_id,
        domain=draw(st.sampled_from(DOMAINS)),
        current_owner_email=draw(st.sampled_from(OWNERS)),
        country=draw(st.sampled_from([None, *COUNTRIES])),
        region=draw(st.sampled_from([None, *REGIONS])),
        industry=draw(st.sampled_from([None, *INDUSTRIES])),
        employees=draw(st.sampled_from([None, 10, 200, 999, 5000])),
        raw={
            "Type": draw(st.sampled_from(TYPES)),
            "Do_Not_Reassign__c": draw(st.sampled_from([False, False, False, True])),
        },
    )


@st.composite
def books(draw: st.DrawFn) -> list[CompanyFacts]:
    book = []
    for number in range(draw(st.integers(0, 25))):
        first = draw(records("salesforce", number))
        if draw(st.booleans()):
            pair = (first, draw(records("hubspot", number)))
            if draw(st.booleans()):
                pair = pair[::-1]
            book.append(CompanyFacts(f"c{number:02d}", pair))
        else:
            book.append(CompanyFacts(f"c{number:02d}", (first,)))
    return book


def per_record(a: Assignment) -> tuple[tuple[str, str | None, str | None], ...]:
    """(CRM, rep, rep rule) for each record of the business."""
    return tuple((s, a.rep_for(s), a.rep_rule_for(s)) for s in sorted(a.sources))


def results(book: list[CompanyFacts], rules: LoadedTerritories) -> dict[str, tuple[Any, ...]]:
    return {
        a.key: (a.territory, per_record(a), a.territory_rule, a.tied, a.reason)
        for a in evaluate(book, rules, REPS)
    }


def with_owners(book: list[CompanyFacts], evaluation: Evaluation) -> list[CompanyFacts]:
    """The book after writing each record's rep (`rep_for` its CRM) into it."""
    written = []
    for company, a in zip(book, evaluation, strict=True):
        updated = tuple(
            replace(r, current_owner_email=a.rep_for(r.source) or r.current_owner_email)
            for r in company.records
        )
        written.append(CompanyFacts(company.key, updated))
    return written


# --- properties -----------------------------------------------------------------------------


@PROFILE
@given(territory_files(), books(), st.randoms(use_true_random=False))
def test_evaluation_does_not_depend_on_record_order(
    text: str, book: list[CompanyFacts], rng: random.Random
) -> None:
    rules = loaded(text)
    shuffled = list(book)
    rng.shuffle(shuffled)
    assert results(shuffled, rules) == results(book, rules)
    assert results(book, loaded(text)) == results(book, rules)


@PROFILE
@given(territory_files(), books())
def test_applying_the_engine_to_its_own_output_changes_nothing(
    text: str, book: list[CompanyFacts]
) -> None:
    rules = loaded(text)
    first = evaluate(book, rules, REPS)
    again = evaluate(with_owners(book, first), rules, REPS)
    assert [(a.territory, [a.rep_for(s) for s in a.sources]) for a in again] == [
        (a.territory, [a.rep_for(s) for s in a.sources]) for a in first
    ]


@PROFILE
@given(territory_files(), books())
def test_every_account_gets_one_territory_or_an_explicit_reason(
    text: str, book: list[CompanyFacts]
) -> None:
    rules = loaded(text)
    evaluation = evaluate(book, rules, REPS)
    assert [a.key for a in evaluation] == [c.key for c in book]
    for a in evaluation:
        if a.territory is None:
            # no territory: left unassigned for a stated reason, or pinned to a rep by name
            assert a.territory_rule in UNASSIGNED_RULES or a.note_rep() is not None
        else:
            assert a.territory in rules.territories
            assert a.territory_rule in ASSIGNED_RULES
        assert a.reason


@PROFILE
@given(territory_files(), books())
def test_a_held_out_account_never_moves(text: str, book: list[CompanyFacts]) -> None:
    rules = loaded(text)
    for company, a in zip(book, evaluate(book, rules, REPS), strict=True):
        first, second = ordered_records(company, rules.settings.primary_source)
        if any(h.criterion.test(first, second) for h in rules.holdouts):
            assert (a.territory_rule, a.rep_email) == ("holdout", None)


@PROFILE
@given(territory_files(), books())
def test_an_account_only_ever_goes_to_an_active_owner_member(
    text: str, book: list[CompanyFacts]
) -> None:
    """Active in the record's CRM, whatever the rep's status in the other one."""
    rules = loaded(text)
    for a in evaluate(book, rules, REPS):
        for source in a.sources:
            rep = a.rep_for(source)
            if rep is None:
                continue
            assert REPS[rep].is_active_in(source)
            if a.rep_rule_for(source) == "named_rep":
                continue
            assert a.territory is not None
            territory = rules.territories[a.territory]
            assert rep in {m.email for m in territory.owners}
            assert rep not in {m.email for m in territory.overlays}


@PROFILE
@given(territory_files(), books())
def test_a_rep_active_in_one_crm_keeps_the_records_they_own_there(
    text: str, book: list[CompanyFacts]
) -> None:
    """An owner member active in a record's CRM and inactive in the business's other CRM keeps
    the record (unless a capacity makes them give some up): archiving a rep's HubSpot seat never
    costs them a Salesforce account."""
    rules = loaded(text)
    for company, a in zip(book, evaluate(book, rules, REPS), strict=True):
        if a.territory is None:
            continue
        members = {m.email: m for m in rules.territories[a.territory].owners}
        for record in company.records:
            owner = record.current_owner_email
            member = members.get(owner) if owner is not None else None
            if member is None or member.capacity is not None or owner is None:
                continue
            entry = REPS[owner]
            others = {r.source for r in company.records} - {record.source}
            if entry.is_active_in(record.source) and not any(
                entry.is_active_in(other) for other in others
            ):
                assert a.rep_for(record.source) == owner


@PROFILE
@given(territory_files(), books())
def test_capacities_are_respected_for_accounts_the_engine_assigns(
    text: str, book: list[CompanyFacts]
) -> None:
    rules = loaded(text)
    evaluation = evaluate(book, rules, REPS)
    for name, territory in rules.territories.items():
        for load in evaluation.member_loads(name):
            if load.capacity is not None:
                assert load.accounts <= load.capacity
        assert sum(m.accounts for m in evaluation.member_loads(name)) == sum(
            len({a.rep_for(s) for s in a.sources} - {None})
            for a in evaluation
            if a.territory == name
        )
        del territory


@PROFILE
@given(territory_files(), books())
def test_the_index_offers_every_territory_an_account_can_match(
    text: str, book: list[CompanyFacts]
) -> None:
    """Explain tests every territory in full; whatever matches must have been a candidate, and
    the engine's decision must be the best-ranked match (or a tie between several)."""
    rules = loaded(text)
    evaluation = evaluate(book, rules, REPS)
    for company in book:
        explanation = explain(company, rules, REPS, evaluation=evaluation)
        matched = [t for t in explanation.territories if t.matched and not t.is_catch_all]
        assert all(t.candidate for t in matched)
        a = explanation.assignment
        if a.territory_rule in {"holdout", "named_account", "named_conflict"}:
            continue
        if not matched:
            assert a.territory_rule in {"unmatched_keep_owner", "catch_all"}
            continue
        best = max((t.priority, t.depth) for t in matched)
        top = sorted(t.name for t in matched if (t.priority, t.depth) == best)
        if len(top) > 1:
            assert (a.territory_rule, a.tied) == ("tie", tuple(top))
        else:
            assert a.territory == top[0]
