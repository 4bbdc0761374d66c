"""The engine's answer for one business: its territory, its rep, and the rules that decided.

Two codes say why: `territory_rule` (how the territory was chosen, or why there is none) and
`rep_rule` (how the rep was chosen, or why the owner stays). The `reason` sentence is built from
them when asked, not stored: a run over a million accounts keeps a million small objects, not a
million sentences. `rep_email` None always means "leave the owner as it is".
"""

from __future__ import annotations

from mapping.territories.rules import NamedAccount

# How the territory was chosen.
HOLDOUT = "holdout"
NAMED_ACCOUNT = "named_account"
PRIORITY = "priority"
SPECIFICITY = "specificity"
ONLY_MATCH = "only_match"
CATCH_ALL = "catch_all"
UNMATCHED_KEEP_OWNER = "unmatched_keep_owner"
TIE = "tie"
NAMED_CONFLICT = "named_conflict"
"""Two named-account entries pin the business to different targets: the owner stays."""
TERRITORY_RULES = (
    HOLDOUT,
    NAMED_ACCOUNT,
    PRIORITY,
    SPECIFICITY,
    ONLY_MATCH,
    CATCH_ALL,
    UNMATCHED_KEEP_OWNER,
    TIE,
    NAMED_CONFLICT,
)

# How the rep was chosen.
STICKY = "sticky"
BALANCED = "balanced"
SINGLE_OWNER = "single_owner"
NAMED_REP = "named_rep"
NO_ELIGIBLE_MEMBER = "no_eligible_member"
CAPACITY_FULL = "capacity_full"
KEEP_OWNER = "keep_owner"
REP_RULES = (
    STICKY,
    BALANCED,
    SINGLE_OWNER,
    NAMED_REP,
    NO_ELIGIBLE_MEMBER,
    CAPACITY_FULL,
    KEEP_OWNER,
)

# Why a balanced account did not stay with its previous owner.
NO_OWNER = "no_owner"
OWNER_INACTIVE = "inactive"
OWNER_UNKNOWN = "unknown"
OWNER_NOT_MEMBER = "not_member"
OWNER_OVER_CAPACITY = "over_capacity"


class Assignment:
    """One business's outcome. `note` holds what the territory rule needs to explain itself: the
    runner-up's name, the holdout's name, the named-account entry, or the tied names."""

    __slots__ = (
        "key",
        "note",
        "previous_owner",
        "rep_email",
        "rep_note",
        "rep_rule",
        "territory",
        "territory_rule",
    )

    def __init__(
        self,
        key: str,
        territory: str | None,
        rep_email: str | None,
        territory_rule: str,
        rep_rule: str,
        note: object = None,
    ) -> None:
        self.key = key
        self.territory = territory
        self.rep_email = rep_email
        self.territory_rule = territory_rule
        self.rep_rule = rep_rule
        self.note = note
        self.previous_owner: str | None = None
        self.rep_note: str | None = None
        """For balanced accounts: why the previous owner did not keep it (`NO_OWNER`, ...)."""

    def __repr__(self) -> str:
        return (
            f"Assignment({self.key!r}, territory={self.territory!r}, rep={self.rep_email!r}, "
            f"{self.territory_rule}/{self.rep_rule})"
        )

    @property
    def tied(self) -> tuple[str, ...]:
        """The territories that tied, for `territory_rule == "tie"`; else empty."""
        if self.territory_rule == TIE and isinstance(self.note, tuple):
            return self.note
        return ()

    @property
    def unassigned(self) -> bool:
        return self.territory is None and self.territory_rule != NAMED_ACCOUNT

    @property
    def reason(self) -> str:
        """Why, in sentences a rep can read."""
        return f"{self.territory_reason} {self.rep_reason}".strip()

    @property
    def territory_reason(self) -> str:
        """How the territory was chosen (or why there is none)."""
        rule, territory, note = self.territory_rule, self.territory, self.note
        if rule == HOLDOUT:
            return f'Held out by "{note}": the account is never reassigned and keeps its owner.'
        if rule == NAMED_ACCOUNT and isinstance(note, NamedAccount):
            return (
                f"Named account ({note.match_by} {note.value}) pinned to {note.target} by the "
                f"territory file (line {note.line})."
            )
        if rule == ONLY_MATCH:
            return f"{territory} is the only territory whose criteria match."
        if rule == PRIORITY:
            return f"{territory} matches and has a higher priority than {note}."
        if rule == SPECIFICITY:
            return f"{territory} matches and is more specific than {note}."
        if rule == CATCH_ALL:
            return f"No territory matches, so the catch-all territory {territory} takes it."
        if rule == UNMATCHED_KEEP_OWNER:
            return "No territory matches, and unmatched accounts keep their owner."
        if rule == TIE:
            names = " and ".join(self.tied)
            return (
                f"Tie between {names}: they match with the same priority and depth, and the "
                "territory file does not say which wins, so the account keeps its owner."
            )
        if rule == NAMED_CONFLICT and isinstance(note, tuple):
            lines = " and ".join(str(entry.line) for entry in note)
            return (
                f"Named-account entries on lines {lines} pin this account to different targets, "
                "so the account keeps its owner; keep one entry."
            )
        return ""

    @property
    def rep_reason(self) -> str:
        """How the rep was chosen (or why the owner stays)."""
        rule, rep, territory = self.rep_rule, self.rep_email, self.territory
        if rule == STICKY:
            return f"{rep} already owns it and is an active owner member of {territory}."
        if rule == SINGLE_OWNER:
            return f"{rep} is the single owner of {territory}."
        if rule == NAMED_REP:
            return f"{rep} is the rep the territory file names for this account."
        if rule == BALANCED:
            return f"{rep} had the lowest load for their weight in {territory}" + (
                f" ({self._previous_owner_phrase()})." if self.rep_note else "."
            )
        if rule == NO_ELIGIBLE_MEMBER:
            if territory is None:
                return (
                    f"The named rep {self.note_rep()} is inactive or unknown, so the owner stays."
                )
            return f"{territory} has no active owner member, so the account keeps its owner."
        if rule == CAPACITY_FULL:
            return (
                f"Every owner member of {territory} is at capacity, so the account keeps its owner."
            )
        return ""

    def note_rep(self) -> str | None:
        return self.note.rep if isinstance(self.note, NamedAccount) else None

    def _previous_owner_phrase(self) -> str:
        owner, why = self.previous_owner, self.rep_note
        if why == NO_OWNER:
            return "the account had no owner"
        if why == OWNER_INACTIVE:
            return f"the previous owner {owner} is inactive"
        if why == OWNER_UNKNOWN:
            return f"the previous owner {owner} is not a known rep"
        if why == OWNER_OVER_CAPACITY:
            return f"the previous owner {owner} is over capacity in {self.territory}"
        return f"the previous owner {owner} is not an owner member of {self.territory}"
