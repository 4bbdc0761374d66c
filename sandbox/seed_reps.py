"""The reps who own the seeded accounts: a fixed roster, plus generated reps for large books.

The roster never depends on the seed or the book size, because the product's starter territory
file names these reps by email. Each rep exists in both CRMs under the same email: a Salesforce
User (id prefix `005`) and a HubSpot owner (whose `id` is what companies are assigned to, distinct
from the owner's `userId`). Two roster reps have left the company (inactive users, archived owners)
so books always contain orphaned accounts to find.

Large books get extra reps, about one per 400 accounts, spread over the teams in proportion to the
accounts each team covers; they are generated from a fixed stream so they too are the same for
every seed.
"""

from __future__ import annotations

import random
from dataclasses import replace

from sandbox.ids import USER_PREFIX, hubspot_id, salesforce_id
from sandbox.seed import SeedRep
from sandbox.seed_geography import team_shares
from sandbox.seed_vocabulary import REP_FIRST_NAMES, REP_LAST_NAMES

REP_EMAIL_DOMAIN = "acme-revenue.example"
"""The fictional company whose sales team owns the book."""

ACCOUNTS_PER_REP = 400
"""Large books get `max(24, accounts // ACCOUNTS_PER_REP)` reps in total."""

TEAMS: tuple[str, ...] = (
    "na-west",
    "na-east",
    "na-central",
    "canada",
    "uk-ireland",
    "dach",
    "benelux-france",
    "southern-europe",
    "nordics",
    "apac",
    "latam",
    "india",
)

HUBSPOT_OWNER_ID_BASE = 41_800_000
HUBSPOT_USER_ID_BASE = 7_260_000
_GENERATED_REPS_SEED = 400_024
_GENERATED_INACTIVE_EVERY = 20


def _rep(number: int, first: str, last: str, team: str, active: bool = True) -> SeedRep:
    local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    return SeedRep(
        email=f"{local}@{REP_EMAIL_DOMAIN}",
        first_name=first,
        last_name=last,
        active=active,
        salesforce_user_id=salesforce_id(USER_PREFIX, number),
        hubspot_owner_id=hubspot_id(number, base=HUBSPOT_OWNER_ID_BASE),
        hubspot_user_id=HUBSPOT_USER_ID_BASE + number,
        team=team,
    )


REP_ROSTER: tuple[SeedRep, ...] = (
    _rep(1, "Maya", "Chen", "na-west"),
    _rep(2, "Daniel", "Okafor", "na-west"),
    _rep(3, "Rachel", "Goldberg", "na-east"),
    _rep(4, "Marcus", "Williams", "na-east", active=False),
    _rep(5, "Emily", "Johnson", "na-central"),
    _rep(6, "Carlos", "Ramirez", "na-central"),
    _rep(7, "Sophie", "Tremblay", "canada"),
    _rep(8, "Liam", "MacDonald", "canada"),
    _rep(9, "Oliver", "Bennett", "uk-ireland"),
    _rep(10, "Aoife", "Murphy", "uk-ireland"),
    _rep(11, "Lena", "Fischer", "dach"),
    _rep(12, "Jonas", "Weber", "dach", active=False),
    _rep(13, "Camille", "Laurent", "benelux-france"),
    _rep(14, "Daan", "de Vries", "benelux-france"),
    _rep(15, "Giulia", "Rossi", "southern-europe"),
    _rep(16, "Javier", "Morales", "southern-europe"),
    _rep(17, "Erik", "Lindqvist", "nordics"),
    _rep(18, "Ingrid", "Hansen", "nordics"),
    _rep(19, "Kenji", "Tanaka", "apac"),
    _rep(20, "Chloe", "Nguyen", "apac"),
    _rep(21, "Lucas", "Oliveira", "latam"),
    _rep(22, "Valentina", "Herrera", "latam"),
    _rep(23, "Priya", "Sharma", "india"),
    _rep(24, "Arjun", "Mehta", "india"),
)
"""The 24 reps every book has, two per team; Marcus Williams and Jonas Weber have left."""


def rep_count(accounts: int) -> int:
    """How many reps a book of `accounts` records per CRM has."""
    return max(len(REP_ROSTER), accounts // ACCOUNTS_PER_REP)


def _extra_reps_per_team(extra: int) -> list[tuple[str, int]]:
    """Split `extra` reps over the teams so every rep covers about the same number of accounts:
    each team gets a share of what it lacks beyond its two roster reps (largest remainder)."""
    shares = team_shares()
    total = len(REP_ROSTER) + extra
    per_team = {team: sum(1 for r in REP_ROSTER if r.team == team) for team in TEAMS}
    wanted = {team: max(0.0, shares.get(team, 0.0) * total - per_team[team]) for team in TEAMS}
    wanted_total = sum(wanted.values()) or 1.0
    exact = {team: extra * wanted[team] / wanted_total for team in TEAMS}
    counts = {team: int(exact[team]) for team in TEAMS}
    left = extra - sum(counts.values())
    for team in sorted(TEAMS, key=lambda t: (counts[t] - exact[t], TEAMS.index(t)))[:left]:
        counts[team] += 1
    return [(team, counts[team]) for team in TEAMS]


def build_reps(accounts: int) -> list[SeedRep]:
    """Fresh copies of the roster, then the generated reps a book of this size needs.

    The same `accounts` always gives the same reps; the seed of the book plays no part."""
    reps = [replace(rep) for rep in REP_ROSTER]
    extra = rep_count(accounts) - len(REP_ROSTER)
    if extra <= 0:
        return reps
    rng = random.Random(_GENERATED_REPS_SEED)
    emails = {rep.email for rep in reps}
    number = len(reps)
    for team, count in _extra_reps_per_team(extra):
        for _ in range(count):
            number += 1
            first = rng.choice(REP_FIRST_NAMES)
            last = rng.choice(REP_LAST_NAMES)
            rep = _rep(number, first, last, team, active=number % _GENERATED_INACTIVE_EVERY != 0)
            suffix = 1
            while rep.email in emails:
                suffix += 1
                local, _, domain = rep.email.partition("@")
                rep.email = f"{local.rstrip('0123456789')}{suffix}@{domain}"
            emails.add(rep.email)
            reps.append(rep)
    return reps
