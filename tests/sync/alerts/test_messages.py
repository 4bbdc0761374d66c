"""The alert builders: one digest per rep with the accounts named (capped, the rest counted), the
admins' summary, run problems, territories nobody can own, goal pace, and bounded dedup keys."""

from __future__ import annotations

from decimal import Decimal

from sync.alerts.messages import (
    BELOW_GOAL_PACE,
    BOOK_CHANGED,
    CONFLICTS,
    EMAIL_CHANNEL,
    GUARD_RAIL,
    REP_WEBHOOK,
    RUN_FAILED,
    Audience,
    Destination,
    NewOpportunity,
    addressed,
    below_goal_pace,
    book_changed,
    no_eligible_member,
    opportunity_digest,
    rep_digest,
    run_problems,
)
from sync.notify import RepMoves
from sync.store.runs import RunStatus
from territory_sync.errors import ExitCode
from tests.sync.support import change

ADMINS = (Destination(EMAIL_CHANNEL, "revops@acme.example"), Destination("webhook:ops", "ops"))
FIGURES = {"pulled": 300, "evaluated": 300, "planned": 3, "written": 3, "conflicts": 0}


def moves_of(*changes: tuple[str, str | None, str | None], listed: int = 10) -> RepMoves:
    moves = RepMoves(names_per_rep=listed)
    for record, old, new in changes:
        moves.add(change(record, old, new))
    return moves


def test_a_rep_who_gained_and_lost_gets_one_digest_naming_both() -> None:
    moves = moves_of(("A1", "ana", "maya"), ("A2", "ana", "maya"), ("A3", "maya", "ana"))
    digest = rep_digest(7, "maya@acme.example", moves["maya@acme.example"])
    assert digest.event == BOOK_CHANGED
    assert "+2 / -1" in digest.subject
    assert "You gained 2 accounts:\n  - Company A1\n  - Company A2" in digest.body
    assert "You no longer own 1 account:\n  - Company A3" in digest.body
    assert "territory-sync audit --rep maya@acme.example" in digest.body


def test_a_long_list_is_capped_and_the_rest_counted() -> None:
    moves = moves_of(*((f"A{i}", None, "maya") for i in range(30)), listed=5)
    body = rep_digest(7, "maya@acme.example", moves["maya@acme.example"]).body
    assert body.count("  - Company A") == 5
    assert "  ... and 25 more" in body
    assert "no longer own" not in body


def test_every_affected_rep_gets_exactly_one_digest_and_the_admins_one_summary() -> None:
    moves = moves_of(*((f"A{i}", "ana", "maya") for i in range(40)), ("B1", None, "lee"))
    audience = Audience(admins=ADMINS, email_reps=True)
    alerts = book_changed(7, "succeeded", FIGURES, moves, audience)
    to_reps = [
        a for a in alerts if a.recipient.endswith("@acme.example") and "revops" not in a.recipient
    ]
    assert sorted(a.recipient for a in to_reps) == [
        "ana@acme.example",
        "lee@acme.example",
        "maya@acme.example",
    ]
    summaries = [a for a in alerts if a not in to_reps]
    assert [(a.channel, a.recipient) for a in summaries] == [
        (EMAIL_CHANNEL, "revops@acme.example"),
        ("webhook:ops", "ops"),
    ]
    assert "maya@acme.example: +40 / -0" in summaries[0].body
    assert "41 accounts changed owner, 3 reps affected" in summaries[0].subject


def test_a_rep_with_a_webhook_of_their_own_gets_the_same_digest_there() -> None:
    moves = moves_of(("A1", None, "maya"))
    audience = Audience(email_reps=True, rep_webhooks=frozenset({"maya@acme.example"}))
    email, hook = book_changed(7, "succeeded", FIGURES, moves, audience)
    assert (email.channel, hook.channel) == (EMAIL_CHANNEL, REP_WEBHOOK)
    assert hook.recipient == "maya@acme.example"
    assert (email.subject, email.body) == (hook.subject, hook.body)
    assert email.dedup_key != hook.dedup_key


def test_reps_get_nothing_unless_email_to_reps_or_a_webhook_says_so() -> None:
    alerts = book_changed(7, "succeeded", FIGURES, moves_of(("A1", None, "maya")), Audience())
    assert alerts == []


def test_no_written_change_means_no_book_alert() -> None:
    assert book_changed(7, "succeeded", FIGURES, RepMoves(), Audience(admins=ADMINS)) == []


def test_a_dedup_key_is_bounded_and_the_same_for_the_same_alert() -> None:
    email = "x" * 300 + "@acme.example"
    digest = rep_digest(123456789, email, moves_of(("A1", None, "maya"))["maya@acme.example"])
    (first,) = addressed(digest, [Destination(EMAIL_CHANNEL, email)])
    (again,) = addressed(digest, [Destination(EMAIL_CHANNEL, email)])
    assert first.dedup_key == again.dedup_key
    assert len(first.dedup_key) <= 128
    assert first.dedup_key.startswith("book_changed:")
    (other_run,) = addressed(
        rep_digest(7, email, moves_of(("A1", None, "maya"))["maya@acme.example"]),
        [Destination(EMAIL_CHANNEL, email)],
    )
    assert other_run.dedup_key != first.dedup_key


def test_the_same_destination_twice_is_addressed_once() -> None:
    digest = rep_digest(7, "maya@acme.example", moves_of(("A1", None, "maya"))["maya@acme.example"])
    assert len(addressed(digest, [ADMINS[0], ADMINS[0]])) == 1


def test_a_failed_run_a_guard_rail_and_many_conflicts_each_alert() -> None:
    (failed,) = run_problems(
        9,
        RunStatus.FAILED,
        ExitCode.CRM_UNAVAILABLE,
        "hubspot: down",
        FIGURES,
        conflicts_threshold=10,
    )
    assert failed.event == RUN_FAILED
    assert "hubspot: down" in failed.body
    (stopped,) = run_problems(
        9,
        RunStatus.STOPPED,
        ExitCode.GUARD_RAIL,
        "120 of 300 ... blast-radius",
        FIGURES,
        conflicts_threshold=10,
    )
    assert stopped.event == GUARD_RAIL
    assert "blast-radius" in stopped.body
    (conflicts,) = run_problems(
        9,
        RunStatus.SUCCEEDED,
        ExitCode.OK,
        "succeeded",
        {**FIGURES, "conflicts": 11},
        conflicts_threshold=10,
    )
    assert conflicts.event == CONFLICTS
    assert "11 conflicts" in conflicts.subject


def test_a_quiet_run_or_the_admins_no_alerts_nobody() -> None:
    assert run_problems(9, "succeeded", 0, "", FIGURES, conflicts_threshold=10) == []
    assert run_problems(9, "stopped", 0, "not confirmed", FIGURES, conflicts_threshold=10) == []
    at_threshold = {**FIGURES, "conflicts": 10}
    assert run_problems(9, "succeeded", 0, "", at_threshold, conflicts_threshold=10) == []


def test_territories_without_an_active_member_are_listed_per_crm() -> None:
    notice = no_eligible_member(
        9,
        {"salesforce": ["EMEA", "NA-West"], "hubspot": ["EMEA"]},
        [
            "t.yaml:12: territory 'APAC', field 'members': territory 'APAC' has no owner members",
            "t.yaml:3: territory 'NA', field 'criteria': never matches",
        ],
    )
    assert notice is not None
    assert "2 territories without an eligible member" in notice.subject
    assert "No owner member active in salesforce:\n  - EMEA\n  - NA-West" in notice.body
    assert "APAC" in notice.body
    assert "never matches" not in notice.body


def test_every_territory_with_an_eligible_member_means_no_alert() -> None:
    assert no_eligible_member(9, {}, ["t.yaml:3: territory 'NA', field 'criteria': x"]) is None


def test_new_opportunities_are_one_digest_per_owner_capped() -> None:
    opportunities = [
        NewOpportunity("salesforce", f"Deal {i}", "Acme", "Prospecting", Decimal("1250.5"), "USD")
        for i in range(4)
    ]
    digest = opportunity_digest(9, "maya@acme.example", opportunities, listed=2)
    assert "4 new opportunities" in digest.subject
    assert "  - Deal 0 (Prospecting, 1,250.50 USD) on Acme [salesforce]" in digest.body
    assert "  ... and 2 more" in digest.body


def test_territories_below_their_goal_pace_are_listed() -> None:
    notice = below_goal_pace(
        [("NA-West", 0.30, 0.50), ("NA-East", 0.45, 0.50), ("EMEA", 0.10, 0.0)],
        percent=80,
        period="2026-Q4",
    )
    assert notice is not None
    assert notice.event == BELOW_GOAL_PACE
    assert "NA-West: 30% of goal, 50% expected by now" in notice.body
    assert "NA-East" not in notice.body  # 90% of pace
    assert "EMEA" not in notice.body  # no pace yet
    assert below_goal_pace([("NA-East", 0.45, 0.50)], percent=80, period="2026-Q4") is None
