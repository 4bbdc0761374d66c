"""Balancing on the sandbox's own book: one run brings territories within tolerance, the next
moves nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from mapping.territories.balance import balance_summary
from sync.evaluate import balance_store
from territory_sync.cli.init import TERRITORY_FILE, starter_text
from territory_sync.errors import ExitCode
from tests.end_to_end.conftest import TERRITORIES, Product
from tests.end_to_end.test_territory_commands import cli, pulled

__all__ = ["pulled"]  # the fixture, shared with the other territory commands' tests


def test_one_run_brings_every_balanceable_territory_within_tolerance(product: Product) -> None:
    product.use_territories(starter_text(TERRITORY_FILE, "balanced"))
    first = product.sync()
    assert first.exit_code == ExitCode.OK
    rebalance = first.figures["rebalance"]
    assert rebalance["optimal"] is True
    assert rebalance["moves"] == rebalance["moves_lower_bound"] > 0
    report = balance_summary(balance_store(product.settings, product.database))
    checked = 0
    for territory in report["by_territory"]:
        if territory["territory"] in rebalance["territories_outside_tolerance"]:
            continue
        for member in territory["members"]:
            assert member["low"] <= member["accounts"] <= member["high"], (territory, member)
            checked += 1
    assert checked >= 10


def test_a_second_run_with_balancing_moves_nothing(product: Product) -> None:
    product.use_territories(starter_text(TERRITORY_FILE, "balanced"))
    product.sync()
    second = product.sync()
    assert second.figures["rebalance"]["moves"] == 0
    assert second.figures["planned"] == 0


def _second_member_in_na_east(product: Product) -> Path:
    """The test book's file with a second NA-East member and balancing on: the new member
    starts with nothing, so balancing has accounts to move."""
    proposed = product.territory_file.with_name("proposed.yaml")
    text = TERRITORIES.replace(
        "      - email: rachel.goldberg@acme-revenue.example\n",
        "      - email: rachel.goldberg@acme-revenue.example\n"
        "          - email: emily.johnson@acme-revenue.example\n",
    ).replace(
        "  unmatched: keep_owner\n", "  unmatched: keep_owner\n  balancing:\n    tolerance: 10%\n"
    )
    assert "emily.johnson" in text and "balancing" in text
    proposed.write_text(text, encoding="utf-8")
    return proposed


def test_the_trade_off_shows_fewer_accounts_out_of_balance_for_every_larger_cap(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = _second_member_in_na_east(pulled)
    capsys.readouterr()
    code = cli(pulled, "balance", "--proposed", str(proposed), "--max-moves", "0,5,10,50", "--json")
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["max_moves"] for row in rows] == [0, 5, 10, 50]
    for row in rows:
        assert row["moves"] <= row["max_moves"]
    outside = [row["outside_tolerance"]["accounts"] for row in rows]
    assert outside == sorted(outside, reverse=True)
    assert outside[0] > 0 and outside[-1] == 0
    assert [row["moves"] for row in rows[:3]] == [0, 5, 10]


def test_max_moves_needs_a_proposed_file_that_turns_balancing_on(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli(pulled, "balance", "--proposed", str(pulled.territory_file), "--max-moves", "10")
    assert code == ExitCode.USAGE
    assert "does not turn balancing on" in capsys.readouterr().err


def test_balance_json_lists_each_members_accounts_revenue_and_target(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert cli(pulled, "balance", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    west = next(t for t in report["by_territory"] if t["territory"] == "NA-West")
    members = {member["email"]: member for member in west["members"]}
    assert set(members) == {
        "maya.chen@acme-revenue.example",
        "daniel.okafor@acme-revenue.example",
    }
    for member in members.values():
        assert member["target"] == west["accounts"] / 2
        assert isinstance(member["revenue"], int) and member["accounts"] >= 0


def _audit_reasons(product: Product) -> list[tuple[str, str, str]]:
    with product.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT source, external_id, reason FROM audit_log WHERE status = 'written' "
                "AND reason LIKE '%takes it to even out%' ORDER BY id"
            )
        ).all()
    return [(source, external_id, reason) for source, external_id, reason in rows]


def test_rebalanced_owners_reach_the_crm_with_the_figures_in_the_audit_log(
    product: Product,
) -> None:
    product.sync()
    product.use_territories(_second_member_in_na_east(product).read_text(encoding="utf-8"))
    result = product.sync()
    moves = result.figures["rebalance"]["moves"]
    assert moves > 0
    rows = _audit_reasons(product)
    businesses = {reason for _, _, reason in rows}
    assert businesses and all("rachel.goldberg@acme-revenue.example" in r for r in businesses)
    assert all("target" in r and "->" in r for r in businesses)
    email_of_user = {rep.salesforce_user_id: rep.email for rep in product.sandbox.book.reps}
    for source, external_id, _ in rows:
        if source == "salesforce":
            owner = product.sandbox.salesforce.owner_of(external_id)
            assert email_of_user.get(owner) == "emily.johnson@acme-revenue.example"


def test_a_move_cap_limits_the_accounts_a_run_moves(product: Product) -> None:
    product.sync()
    text_with_cap = (
        _second_member_in_na_east(product)
        .read_text(encoding="utf-8")
        .replace("    tolerance: 10%\n", "    tolerance: 10%\n    max_moves: 4\n")
    )
    product.use_territories(text_with_cap)
    result = product.sync()
    assert result.figures["rebalance"]["moves"] == 4
    assert result.figures["rebalance"]["move_cap"] == 4


def test_the_what_if_lists_each_member_of_a_territory_balancing_changes(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    proposed = _second_member_in_na_east(pulled)
    capsys.readouterr()
    assert cli(pulled, "balance", "--proposed", str(proposed)) == 0
    out = capsys.readouterr().out
    assert "Members of the territories balancing changes" in out
    emily = next(line for line in out.splitlines() if line.startswith("    emily.johnson@"))
    assert ": 0 -> " in emily and "accounts (target" in emily and "out 0" in emily


def _members_after_balancing(
    pulled: Product, proposed: Path, capsys: pytest.CaptureFixture[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    """(territory, member email) -> the what-if's figures for them, for `proposed`."""
    capsys.readouterr()
    assert cli(pulled, "balance", "--proposed", str(proposed), "--json") == 0
    rebalance = json.loads(capsys.readouterr().out)["rebalance"]
    return {
        (t["territory"], m["email"]): m for t in rebalance["by_territory"] for m in t["members"]
    }


def _reweighted(starter: str, territory: str, email: str, rule: bool) -> str:
    """The file with `email` weighing 1 and the other members of `territory` 4 (so that member
    has to give accounts back), with or without never_move."""
    head, _, rest = starter.partition(f"- name: {territory}\n")
    block, marker, tail = rest.partition("- name: ")
    lines = []
    for line in block.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("- email: "):
            weight = 1 if stripped == f"- email: {email}" else 4
            line = line.rstrip("\n") + f"\n{' ' * (line.index('-') + 2)}weight: {weight}\n"
        lines.append(line)
    text = f"{head}- name: {territory}\n{''.join(lines)}{marker}{tail}"
    if rule:
        text = text.replace(
            "    tolerance: 10%\n",
            "    tolerance: 10%\n    never_move: {gained_within_days: 30}\n",
            1,
        )
    return text


def _accounts_of(product: Product, territory: str, email: str) -> int:
    report = balance_summary(balance_store(product.settings, product.database))
    members = next(t for t in report["by_territory"] if t["territory"] == territory)["members"]
    return int(next(m for m in members if m["email"] == email)["accounts"])


def test_accounts_balancing_just_gave_a_rep_stay_with_them_under_never_move(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    starter = starter_text(TERRITORY_FILE, "balanced")
    first_file = pulled.territory_file.with_name("balanced.yaml")
    first_file.write_text(starter, encoding="utf-8")
    planned = _members_after_balancing(pulled, first_file, capsys)
    (territory, gainer), figures = max(planned.items(), key=lambda item: item[1]["moved_in"])
    assert figures["moved_in"] > 0
    pulled.use_territories(starter)
    assert pulled.sync().figures["rebalance"]["moves"] > 0
    gained = _accounts_of(pulled, territory, gainer)

    without_rule = pulled.territory_file.with_name("reweighted.yaml")
    without_rule.write_text(_reweighted(starter, territory, gainer, False), encoding="utf-8")
    # Without the rule, the member who just gained accounts would give some back ...
    assert (
        _members_after_balancing(pulled, without_rule, capsys)[(territory, gainer)]["moved_out"] > 0
    )
    # ... with it, the accounts they gained in the last 30 days stay with them.
    pulled.use_territories(_reweighted(starter, territory, gainer, True))
    second = pulled.sync()
    assert second.figures["rebalance"]["recently_gained_kept"] > 0
    assert _accounts_of(pulled, territory, gainer) == gained
    assert territory in second.figures["rebalance"]["territories_outside_tolerance"]


def test_balance_json_gives_each_balanced_measures_load_target_and_band(
    pulled: Product, capsys: pytest.CaptureFixture[str]
) -> None:
    starter = starter_text(TERRITORY_FILE, "balanced").replace(
        "    measure: accounts ",
        "    measure: [accounts, workload]\n"
        "    workload: {accounts: 1, revenue: 1 per 10000000}\n    # ",
        1,
    )
    assert "workload" in starter
    pulled.use_territories(starter)
    capsys.readouterr()
    assert cli(pulled, "balance", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    members = [m for t in report["by_territory"] for m in t["members"] if "by_measure" in m]
    assert members
    for member in members:
        accounts = member["by_measure"]["accounts"]
        assert accounts["load"] == member["accounts"]
        assert (accounts["low"], accounts["high"]) == (member["low"], member["high"])
        workload = member["by_measure"]["workload"]
        assert workload["load"] >= member["accounts"]  # a point an account, and more for revenue
        assert workload["low"] <= workload["target"] <= workload["high"]
