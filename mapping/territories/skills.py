"""Reps' skills and what a territory asks of them: the `reps:` section, `require` and `prefer`.

A rep's skills are tags by dimension, each with a level (1 unless the file says otherwise):

    reps:
      - email: lena.fischer@acme-revenue.example
        languages: [de, en]              # tags, level 1
        industries: {manufacturing: 3}   # a tag with its level
        segment: enterprise              # one tag

A territory may `require` skills (hard: only owner members who have them are eligible; a
territory none of whose owners qualify keeps its accounts with their owners, and the file says
so) and `prefer` them (soft: new accounts, and accounts balancing moves, go to the member who
matches best; ties go on to the lowest load):

    require: {languages: [de]}           # one of the tags, at level 1 or more
    require: {industries: {software: 2}} # the tag at level 2 or more
    prefer: {languages: account}         # the account's own value: its country's languages
    prefer: {industries: account, segment: [enterprise]}

`account` compares a dimension with the account's own facts (`ACCOUNT_DIMENSIONS`):
`languages` with the official languages of its normalised country (CLDR, through Babel: the
CRMs keep no language on accounts), `industries` with its unified industry, `countries` with its
country code (lower case), `segment` with its size band by employees (`SEGMENTS`). A preference
scores the level of the rep's best matching tag, summed over the dimensions; a requirement can
only name tags (an account-by-account requirement would leave accounts no member may take).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from babel.languages import get_official_languages
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mapping.territories.facts import RecordFacts
from mapping.territories.yaml_nodes import (
    Where,
    integer,
    is_null,
    line_of,
    mapping_items,
    sequence,
    text,
)

SkillSet = Mapping[str, Mapping[str, int]]
"""Dimension -> tag -> level."""
NO_SKILLS: SkillSet = {}
ACCOUNT = "account"
ACCOUNT_DIMENSIONS = ("languages", "industries", "countries", "segment")
SEGMENTS = (("enterprise", 1000), ("mid_market", 100), ("smb", 0))
"""Size bands by employees: the first whose floor the account reaches (none without a count)."""
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True, slots=True)
class SkillTest:
    """One dimension of a `require` or `prefer`: the tags it accepts, each with its minimum
    level, or None for the account's own value in that dimension."""

    dimension: str
    tags: Mapping[str, int] | None
    line: int

    def level(self, skills: SkillSet, first: RecordFacts | None, second: RecordFacts | None) -> int:
        """The level of the rep's best tag this test accepts; 0 when none."""
        held = skills.get(self.dimension)
        if not held:
            return 0
        if self.tags is None:
            wanted = account_tags(self.dimension, first, second)
            return max((held[tag] for tag in wanted if tag in held), default=0)
        return max(
            (held[tag] for tag, least in self.tags.items() if held.get(tag, 0) >= least),
            default=0,
        )

    def describe(self) -> str:
        if self.tags is None:
            return f"{self.dimension}: the account's"
        return f"{self.dimension}: " + ", ".join(
            tag if least <= 1 else f"{tag} (level {least}+)" for tag, least in self.tags.items()
        )


def qualifies(skills: SkillSet, require: tuple[SkillTest, ...]) -> bool:
    """The rep has every required skill."""
    return all(test.level(skills, None, None) > 0 for test in require)


def preference(
    skills: SkillSet,
    prefer: tuple[SkillTest, ...],
    first: RecordFacts,
    second: RecordFacts | None,
) -> int:
    """How well the rep matches the account on the preferred skills (0: not at all)."""
    return sum(test.level(skills, first, second) for test in prefer)


def matched(
    skills: SkillSet,
    prefer: tuple[SkillTest, ...],
    first: RecordFacts,
    second: RecordFacts | None,
) -> str:
    """The preferred skills the rep matches on this account, in words ("" for none)."""
    parts = []
    for test in prefer:
        held = skills.get(test.dimension) or {}
        wanted = (
            account_tags(test.dimension, first, second) if test.tags is None else set(test.tags)
        )
        tags = sorted(tag for tag in wanted if tag in held and test.level(skills, first, second))
        if tags:
            parts.append(f"{test.dimension} {', '.join(tags)}")
    return "; ".join(parts)


def account_tags(
    dimension: str, first: RecordFacts | None, second: RecordFacts | None
) -> frozenset[str]:
    """The account's own tags in `dimension` (its primary record's value, else the other's)."""
    if first is None:
        return frozenset()

    def value(name: str) -> object:
        found = getattr(first, name)
        if found is None and second is not None:
            found = getattr(second, name)
        return found

    if dimension == "languages":
        country = value("country")
        return country_languages(country if isinstance(country, str) else None)
    if dimension == "industries":
        industry = value("industry")
        return frozenset({str(industry)}) if industry else frozenset()
    if dimension == "countries":
        country = value("country")
        return frozenset({str(country).lower()}) if country else frozenset()
    if dimension == "segment":
        employees = value("employees")
        if not isinstance(employees, int):
            return frozenset()
        return frozenset({next(name for name, floor in SEGMENTS if employees >= floor)})
    return frozenset()


@lru_cache(maxsize=512)
def country_languages(country: str | None) -> frozenset[str]:
    """ISO 639-1 codes of a country's official languages, de facto ones included (CLDR)."""
    if not country:
        return frozenset()
    return frozenset(
        code.split("_")[0].lower() for code in get_official_languages(country, de_facto=True)
    )


# --- reading the file --------------------------------------------------------------------------


def _name(node: Node, where: Where, what: str, field: str) -> str:
    value = text(node, where, f"{what} must be a word such as de or manufacturing", field)
    tag = value.strip().lower()
    if not _NAME.match(tag):
        raise where.error(
            f"{what} {value!r} must be lower-case letters, digits and underscores, starting with "
            "a letter (for example de, manufacturing, mid_market)",
            node,
            field,
        )
    return tag


def _tags(node: Node, where: Where, field: str, what: str) -> dict[str, int]:
    """A tag, a list of tags (level 1 each) or a mapping of tags to whole-number levels."""
    if isinstance(node, ScalarNode) and not is_null(node):
        return {_name(node, where, what, field): 1}
    if isinstance(node, SequenceNode):
        items = sequence(node, where, f"{field} must be a list of tags", field)
        if not items:
            raise where.error(f"{field} lists no tags: name at least one", node, field)
        return {_name(item, where, what, field): 1 for item in items}
    if isinstance(node, MappingNode):
        levels = {}
        for _, key_node, value in mapping_items(node, where, field, field):
            tag = _name(key_node, where, what, field)
            message = f"the level of {tag} must be a whole number from 1"
            level = integer(value, where, message, field)
            if level < 1:
                raise where.error(message, value, field)
            levels[tag] = level
        if not levels:
            raise where.error(f"{field} lists no tags: name at least one", node, field)
        return levels
    raise where.error(
        f"{field} must be a tag, a list of tags, or tags with levels ({{de: 3, en: 5}})",
        node,
        field,
    )


def read_rep_skills(
    node: Node | None, where: Where, email_of: Callable[[Node, Where, str], str]
) -> dict[str, SkillSet]:
    """The `reps:` section: skills by lower-case email."""
    if node is None or is_null(node):
        return {}
    entries = sequence(node, where, "reps must be a list, each item starting with - email:", "reps")
    found: dict[str, SkillSet] = {}
    lines: dict[str, int | None] = {}
    for entry in entries:
        with where.collecting():  # each rep is checked, whatever the others hold
            items = mapping_items(entry, where, "a rep", "reps", keep_going=True)
            values = {key: (key_node, value) for key, key_node, value in items}
            if "email" not in values:
                raise where.error("each rep needs an email: add email: ...", entry, "reps")
            email = email_of(values["email"][1], where, "reps")
            if email in found:
                raise where.error(
                    f"{email} is described twice under reps (first on line {lines[email]}): "
                    "keep one",
                    values["email"][1],
                    "reps",
                )
            lines[email] = line_of(entry)
            skills = {}
            for key, (key_node, value) in values.items():
                if key == "email":
                    continue
                with where.collecting():
                    dimension = _name(key_node, where, "a skill", "reps")
                    skills[dimension] = _tags(value, where, dimension, "a tag")
            found[email] = skills
    return found


def read_skill_tests(node: Node, where: Where, field: str) -> tuple[SkillTest, ...]:
    """A territory's `require` or `prefer` mapping."""
    items = mapping_items(node, where, field, field)
    if not items:
        raise where.error(f"{field} names no skills: remove it or name one", node, field)
    tests = []
    for _, key_node, value in items:  # each skill is checked, whatever the others hold
        with where.collecting():
            tests.append(_skill_test(key_node, value, where, field))
    return tuple(tests)


def _skill_test(key_node: Node, value: Node, where: Where, field: str) -> SkillTest:
    dimension = _name(key_node, where, "a skill", field)
    if isinstance(value, ScalarNode) and value.value.strip().lower() == ACCOUNT:
        if field == "require":
            raise where.error(
                f"require takes tags, not {ACCOUNT}: use prefer: {{{dimension}: account}} "
                "to favour the members who match each account",
                value,
                field,
            )
        if dimension not in ACCOUNT_DIMENSIONS:
            raise where.error(
                f"{dimension}: account compares with the account's own value, which only "
                f"{', '.join(ACCOUNT_DIMENSIONS)} have: name tags instead",
                value,
                field,
            )
        return SkillTest(dimension, None, line_of(value) or 0)
    return SkillTest(dimension, _tags(value, where, field, "a tag"), line_of(value) or 0)
