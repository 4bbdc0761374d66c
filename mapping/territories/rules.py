"""The territory file once loaded: territories, members, named accounts, holdouts and settings.

Everything here is immutable after loading except the territory index's candidate cache, which
fills as evaluation meets new (country, region) pairs. Criteria are already compiled; a child's
`criteria` holds its ancestors' criteria followed by its own (children inherit), and `origins`
says which territory wrote each one, for explanations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from mapping.territories.criteria import Criterion, Test, all_of
from mapping.territories.fields import FieldUse
from mapping.territories.goals import Goals
from mapping.territories.related_rules import RelatedRecordRules
from territory_sync.errors import TerritoryFileError

if TYPE_CHECKING:
    from mapping.territories.index import TerritoryIndex
    from mapping.territories.skills import SkillSet, SkillTest

OWNER = "owner"
OVERLAY = "overlay"
BALANCED = "balanced"
SINGLE = "single"
KEEP_OWNER = "keep_owner"
CATCH_ALL = "catch_all"
BALANCE_MEASURES = ("accounts", "revenue", "employees")
WORKLOAD = "workload"
"""The measure `settings.balancing.workload` defines: points per account from its size."""
BALANCING_MEASURES = (*BALANCE_MEASURES, WORKLOAD)
"""What `settings.balancing.measure` may name."""


@dataclass(frozen=True, slots=True)
class Member:
    email: str
    """Lower case."""
    role: str
    """`owner` (can be given accounts) or `overlay` (recorded, never made owner)."""
    weight: float
    """Share of new accounts relative to the territory's other owners."""
    capacity: int | None
    """At most this many accounts in the territory; None for no cap."""
    line: int


@dataclass(slots=True, eq=False)
class Territory:
    name: str
    line: int
    parent: str | None
    depth: int
    """0 for a top-level territory; deeper is more specific."""
    priority: int
    """Higher wins an overlap before depth is considered; 0 unless the file says otherwise."""
    own_criteria: tuple[Criterion, ...]
    criteria: tuple[Criterion, ...]
    """Ancestors' criteria first, then this territory's own; all must hold (AND)."""
    origins: tuple[str, ...]
    """For each entry of `criteria`, the territory that wrote it."""
    assignment: str
    """`balanced` or `single`."""
    members: tuple[Member, ...]
    children: list[str] = field(default_factory=list)
    is_catch_all: bool = False
    require: tuple[SkillTest, ...] = ()
    """Skills an owner member must have to be eligible (see `mapping.territories.skills`)."""
    prefer: tuple[SkillTest, ...] = ()
    """Skills that decide between eligible members for new and rebalanced accounts."""

    @property
    def owners(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.role == OWNER)

    @property
    def overlays(self) -> tuple[Member, ...]:
        return tuple(member for member in self.members if member.role == OVERLAY)

    @cached_property
    def test(self) -> Test:
        return all_of(criterion.test for criterion in self.criteria)


@dataclass(frozen=True, slots=True)
class NamedAccount:
    """An account pinned by the file, matched by domain or CRM id."""

    line: int
    match_by: str
    """`domain`, `salesforce_id` or `hubspot_id`."""
    value: str
    """Normalised: a registrable domain, a 15-character Salesforce id, a HubSpot id."""
    territory: str | None
    rep: str | None

    @property
    def target(self) -> str:
        return f"territory {self.territory}" if self.territory else f"rep {self.rep}"


@dataclass(frozen=True, slots=True)
class Holdout:
    """Accounts matching `criterion` are never reassigned."""

    name: str
    line: int
    criterion: Criterion


@dataclass(frozen=True, slots=True)
class Balancing:
    """`settings.balancing`: after the reps are chosen, move the fewest accounts that bring every
    owner member of each territory within `tolerance` of their weight-proportional share of its
    accounts (or revenue, or employees; see `mapping.territories.rebalance`)."""

    tolerance: float
    """A member's accounts may differ from their target by this share of it (0.1: +-10%)."""
    max_moves: int | None = None
    """At most this many accounts move off their owner in one evaluation (None: no cap)."""
    max_share: float | None = None
    """At most this share of the accounts that could move do (None: no cap)."""
    line: int = 0
    measures: tuple[str, ...] = ("accounts",)
    """What is evened out: accounts, revenue, employees, the workload, or several together."""
    workload: tuple[tuple[str, float], ...] = ()
    gained_within_days: int | None = None
    """`never_move: {gained_within_days: N}`: an account whose owner gained it less than N days
    ago stays with them (None: no such rule)."""
    """The workload's points: per measure (accounts, revenue, employees), the points one unit
    of it counts (an account with revenue R and E employees: accounts + R x revenue + E x
    employees points)."""


@dataclass(frozen=True, slots=True)
class Settings:
    unmatched: str = KEEP_OWNER
    """`keep_owner`: accounts no territory matches keep their owner; `catch_all`: they go to the
    catch-all territory."""
    catch_all: str | None = None
    balance_by: str = "accounts"
    """The load that balancing evens out: `accounts`, `revenue` or `employees`."""
    primary_source: str = "salesforce"
    """Whose values decide for a business present in both CRMs."""
    balancing: Balancing | None = None
    """Off unless the file asks for it."""
    first_touch_at: int | None = None
    """Where `first_touch` stands among the overlap rules (`settings.overlap_rules`): 0 before
    priority, 1 between priority and depth, 2 after both (for ties only); None: not used."""
    related: RelatedRecordRules = field(default_factory=RelatedRecordRules)
    """What follows an account to its new owner: contacts, open opportunities
    (`mapping.territories.related_rules`)."""
    goals: Goals = field(default_factory=Goals)
    """Territories' and owner members' goals, and the fiscal year and currency they are
    reported in (`mapping.territories.goals`); nothing the engine decides reads them."""


@dataclass(eq=False)
class LoadedTerritories:
    """A validated territory file, ready for `evaluate`."""

    source_name: str
    fingerprint: str
    """SHA-256 of the file's bytes: recorded with every plan so a run says which rules it used."""
    settings: Settings
    territories: dict[str, Territory]
    """By name, in file order (parents before their children)."""
    named_accounts: tuple[NamedAccount, ...]
    holdouts: tuple[Holdout, ...]
    warnings: list[str]
    raw_fields: Mapping[str, FieldUse] = field(default_factory=dict)
    """Every raw CRM field the file tests (territories' criteria and holdouts), by name, with
    its first use in the file. Unified fields are not listed."""
    skills: Mapping[str, SkillSet] = field(default_factory=dict)
    """The `reps:` section: each described rep's skills, by lower-case email."""

    def raw_field_error(self, name: str, message: str) -> TerritoryFileError:
        """An error about raw field `name` (one of `raw_fields`) that names the file, the line
        and the territory or holdout where the file first tests it, e.g. when no CRM has it."""
        use = self.raw_fields[name]
        return TerritoryFileError(
            message if use.territory is not None else f"{use.place}: {message}",
            file=self.source_name,
            line=use.line or None,
            territory=use.territory,
            field=name,
        )

    def subtree(self, name: str) -> tuple[str, ...]:
        """`name` and every territory under it (its children, theirs...), in file order."""
        found = {name}
        for territory in self.territories.values():  # parents come before their children
            if territory.parent in found:
                found.add(territory.name)
        return tuple(t for t in self.territories if t in found)

    @cached_property
    def index(self) -> TerritoryIndex:
        from mapping.territories.index import TerritoryIndex

        return TerritoryIndex(
            [t for t in self.territories.values() if not t.is_catch_all],
            [holdout.criterion for holdout in self.holdouts],
        )

    @property
    def catch_all(self) -> Territory | None:
        """The territory that takes unmatched accounts, when the settings name one."""
        name = self.settings.catch_all
        if self.settings.unmatched != CATCH_ALL or name is None:
            return None
        return self.territories[name]

    @cached_property
    def named_lookup(self) -> NamedLookup:
        """The named accounts by domain and by CRM id."""
        return NamedLookup.build(self.named_accounts)


def salesforce_id_key(value: str) -> str:
    """Salesforce ids match on their first 15 characters (the 18-character form adds a checksum
    suffix for case-insensitive systems)."""
    return value[:15]


_SUFFIX_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id_18(id_15: str) -> str:
    """The 18-character form of a 15-character Salesforce id: each 5-character chunk adds one
    letter whose bits mark the chunk's upper-case letters (Salesforce's documented checksum)."""
    suffix = ""
    for start in (0, 5, 10):
        bits = 0
        for offset, char in enumerate(id_15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        suffix += _SUFFIX_LETTERS[bits]
    return id_15 + suffix


@dataclass(frozen=True)
class NamedLookup:
    """Named-account entries by identifier; CRM ids are stored as records carry them."""

    by_domain: dict[str, NamedAccount]
    by_salesforce_id: dict[str, NamedAccount]
    """By 15- and by 18-character id."""
    by_hubspot_id: dict[str, NamedAccount]

    @classmethod
    def build(cls, named: tuple[NamedAccount, ...]) -> NamedLookup:
        tables: dict[str, dict[str, NamedAccount]] = {
            "domain": {},
            "salesforce_id": {},
            "hubspot_id": {},
        }
        for entry in named:
            tables[entry.match_by][entry.value] = entry
            if entry.match_by == "salesforce_id":
                tables["salesforce_id"][salesforce_id_18(entry.value)] = entry
        return cls(tables["domain"], tables["salesforce_id"], tables["hubspot_id"])

    def __bool__(self) -> bool:
        return bool(self.by_domain or self.by_salesforce_id or self.by_hubspot_id)

    @property
    def salesforce_get(self) -> Callable[[str], NamedAccount | None]:
        """Look up a record's Salesforce id as pulled, 15 or 18 characters."""
        return self.by_salesforce_id.get

    @cached_property
    def any_identifier(self) -> dict[str, NamedAccount]:
        """Every domain and id in one table: a quick "is this business named at all?" (a hit is
        then resolved by CRM, see `engine`)."""
        return {**self.by_domain, **self.by_salesforce_id, **self.by_hubspot_id}
