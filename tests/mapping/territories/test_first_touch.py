"""First touch: an overlap goes to the territory of the rep who touched the account first."""

from __future__ import annotations

from datetime import UTC, datetime

from mapping.territories import evaluate
from mapping.territories.facts import FirstTouch, RecordFacts
from tests.mapping.territories.support import company, directory, email, load, one, refusal, sf

FILE = """
    version: 1
    settings:
      overlap_rules: [{rules}]
    territories:
      - name: Enterprise
        priority: 5
        criteria: {{employees: {{min: 1000}}}}
        members: [{{email: ana@acme-revenue.example}}]
      - name: US
        criteria: {{country: [US]}}
        members: [{{email: ben@acme-revenue.example}}, {{email: cy@acme-revenue.example}}]
"""
REPS = directory("ana", "ben", "cy")
EARLY = datetime(2024, 1, 1, tzinfo=UTC)


def _touched(by: str | None, *, tied: bool = False, opened_by: str | None = None) -> FirstTouch:
    return FirstTouch(
        "006A", EARLY, email(by) if by else None, email(opened_by) if opened_by else None, tied
    )


def _big_us(touch: FirstTouch | None) -> RecordFacts:
    record = sf(country="US", employees=5000, owner="ana")
    record.first_touch = touch
    return record


def test_first_touch_gives_the_overlap_to_the_earliest_opportunitys_owner() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    outcome = one(rules, _big_us(_touched("cy")), reps=REPS)

    assert outcome == ("US", email("cy"), "first_touch", "first_touch")


def test_without_a_first_touch_priority_decides_as_before() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    assert one(rules, _big_us(None), reps=REPS)[:3] == ("Enterprise", email("ana"), "priority")


def test_a_first_touch_by_someone_in_no_matching_territory_falls_through() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    outcome = one(rules, _big_us(_touched("stranger")), reps=REPS)

    assert outcome[:3] == ("Enterprise", email("ana"), "priority")


def test_a_tied_first_touch_falls_through_to_the_next_rule() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    assert one(rules, _big_us(_touched("cy", tied=True)), reps=REPS)[2] == "priority"


def test_the_opportunitys_creator_counts_when_its_owner_is_not_a_member() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    outcome = one(rules, _big_us(_touched("stranger", opened_by="ben")), reps=REPS)

    assert outcome[:2] == ("US", email("ben"))


def test_after_priority_first_touch_only_decides_between_equal_priorities() -> None:
    rules = load(FILE.format(rules="priority, first_touch, depth"), reps=REPS)

    assert one(rules, _big_us(_touched("cy")), reps=REPS)[:3] == (
        "Enterprise",
        email("ana"),
        "priority",
    )


def test_explain_names_the_opportunity_and_the_rep_who_touched_it_first() -> None:
    rules = load(FILE.format(rules="first_touch, priority, depth"), reps=REPS)

    evaluation = evaluate([company("big", _big_us(_touched("cy")))], rules, REPS)
    reason = evaluation.assignments[0].reason

    assert "earliest opportunity (006A, created 2024-01-01)" in reason
    assert "by first touch US takes it" in reason


def test_overlap_rules_must_keep_priority_before_depth() -> None:
    message = refusal(FILE.format(rules="depth, first_touch, priority"))

    assert "overlap_rules must list priority and depth in that order" in message
    assert "territories.yaml:4" in message


NESTED = """
    version: 1
    settings:
      overlap_rules: [first_touch, priority, depth]
    territories:
      - name: Americas
        criteria: {country: [US, CA]}
        members: [{email: ana@acme-revenue.example}]
        children:
          - name: US
            criteria: {country: [US]}
            members: [{email: ben@acme-revenue.example}]
      - name: Enterprise
        criteria: {employees: {min: 1000}}
        members: [{email: cy@acme-revenue.example}]
"""


def test_first_touch_never_sets_a_parent_against_its_own_child() -> None:
    rules = load(NESTED, reps=REPS)

    outcome = one(rules, _big_us(_touched("ana")), reps=REPS)

    assert outcome[:3] == ("US", email("ben"), "specificity")


def test_first_touch_decides_between_branches_at_their_most_specific_territories() -> None:
    rules = load(NESTED, reps=REPS)

    outcome = one(rules, _big_us(_touched("cy")), reps=REPS)

    assert outcome[:3] == ("Enterprise", email("cy"), "first_touch")


def test_opportunities_opened_at_one_moment_by_different_reps_are_no_first_touch() -> None:
    owned_alike = FirstTouch("006A", EARLY, email("cy"), email("ben"))
    other_creator = FirstTouch("006B", EARLY, email("cy"), email("ana"))

    assert owned_alike.earlier(other_creator).tied
    assert not owned_alike.earlier(FirstTouch("006C", EARLY, email("cy"), email("ben"))).tied
    assert owned_alike.earlier(FirstTouch("006D", EARLY, email("cy"), email("ben"), True)).tied
