"""Reading the named accounts and the holdouts of a territory file.

Named accounts pin one business, by registrable domain or by CRM id, to a territory or to a rep;
each entry has exactly one identifier and one target. Identifiers are normalised as records carry
them: domains as `mapping.normalise` makes them, Salesforce ids by their first 15 characters
(15- and 18-character forms both match), HubSpot ids as digits. Holdouts are named criteria for
accounts that are never reassigned.

Each entry is checked whatever the others hold: their errors are reported together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, MutableMapping

from yaml.nodes import Node

from mapping.normalise import normalise_domain
from mapping.territories.criteria_loader import CriteriaBuilder
from mapping.territories.fields import FieldUse
from mapping.territories.rules import Holdout, NamedAccount, Territory, salesforce_id_key
from mapping.territories.yaml_nodes import (
    Where,
    integer,
    is_number,
    line_of,
    mapping_items,
    reject_unknown_keys,
    sequence,
    suggestion,
    text,
)

NAMED_IDENTIFIERS = ("domain", "salesforce_id", "hubspot_id")
NAMED_TARGETS = ("territory", "rep")
HOLDOUT_KEYS = ("name", "criteria")
_SALESFORCE_ID = re.compile(r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")


def read_named_accounts(
    node: Node | None,
    where: Where,
    territories: Mapping[str, Territory],
    email_of: Callable[[Node, Where, str], str],
) -> tuple[NamedAccount, ...]:
    """The `named_accounts:` list; `email_of` checks a rep's email as members' are checked."""
    if node is None:
        return ()
    entries = sequence(
        node,
        where,
        "named_accounts must be a list, each item like - domain: acme.com",
        "named_accounts",
    )
    named: list[NamedAccount] = []
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        with where.collecting():
            named.append(_named_account(entry, where, territories, email_of, seen))
    return tuple(named)


def _named_account(
    entry: Node,
    where: Where,
    territories: Mapping[str, Territory],
    email_of: Callable[[Node, Where, str], str],
    seen: dict[tuple[str, str], int],
) -> NamedAccount:
    """One entry; its identifier and its target are both checked, whatever the other holds."""
    items = mapping_items(entry, where, "a named account", "named_accounts", keep_going=True)
    items = reject_unknown_keys(
        items,
        (*NAMED_IDENTIFIERS, *NAMED_TARGETS),
        where,
        "a named account",
        "named_accounts",
        keep_going=True,
    )
    values = {key: value for key, _, value in items}
    identifiers = [key for key in NAMED_IDENTIFIERS if key in values]
    targets = [key for key in NAMED_TARGETS if key in values]
    if not identifiers:
        raise where.error(
            "a named account needs one of domain, salesforce_id or hubspot_id",
            entry,
            "named_accounts",
        )
    if len(identifiers) > 1:
        raise where.error(
            f"a named account has both {identifiers[0]} and {identifiers[1]}: use one "
            "entry per identifier",
            entry,
            identifiers[1],
        )
    if len(targets) != 1:
        raise where.error(
            "a named account needs territory: NAME or rep: EMAIL"
            if not targets
            else "a named account has both territory and rep: pin it to one",
            entry,
            "named_accounts",
        )
    match_by, target = identifiers[0], targets[0]
    value = ""
    with where.collecting():
        value = _identifier(match_by, values[match_by], where)
        key = (match_by, value)
        if key in seen:
            raise where.error(
                f"{match_by} {value} is already named on line {seen[key]}: keep one entry "
                "per account",
                values[match_by],
                match_by,
            )
        seen[key] = line_of(entry) or 0
    territory = rep = None
    if target == "territory":
        territory = text(values["territory"], where, "territory must name a territory", "territory")
        if territory not in territories:
            raise where.error(
                f"territory {territory!r} is not defined in this file"
                f"{suggestion(territory, territories)}: fix the name or add the territory",
                values["territory"],
                "territory",
            )
    else:
        rep = email_of(values["rep"], where, "rep")
    return NamedAccount(line_of(entry) or 0, match_by, value, territory, rep)


def _identifier(match_by: str, node: Node, where: Where) -> str:
    if match_by == "hubspot_id":
        written = (
            str(integer(node, where, "", match_by))
            if is_number(node)
            else text(node, where, "hubspot_id must be a record id", match_by)
        )
        if not written.isdigit():
            raise where.error(
                f"{written!r} is not a HubSpot id: use the company's numeric record id",
                node,
                match_by,
            )
        return written
    written = text(node, where, f"{match_by} must be text", match_by)
    if match_by == "domain":
        domain = normalise_domain(written)
        if domain is None:
            raise where.error(
                f"{written!r} is not a domain: write it like acme.com", node, match_by
            )
        return domain
    if not _SALESFORCE_ID.match(written):
        raise where.error(
            f"{written!r} is not a Salesforce id: use the 15- or 18-character Account id, "
            "e.g. 0015g00000ABCDEAAA",
            node,
            match_by,
        )
    return salesforce_id_key(written)


def read_holdouts(
    node: Node | None,
    where: Where,
    known_fields: Collection[str] | None,
    uses: MutableMapping[str, FieldUse],
) -> tuple[Holdout, ...]:
    """The `holdouts:` list; raw fields their criteria test are recorded in `uses`."""
    if node is None:
        return ()
    entries = sequence(
        node, where, "holdouts must be a list, each item starting with - name: ...", "holdouts"
    )
    holdouts: list[Holdout] = []
    names: dict[str, int] = {}
    for entry in entries:
        with where.collecting():
            holdouts.append(_holdout(entry, where, known_fields, uses, names))
    return tuple(holdouts)


def _holdout(
    entry: Node,
    where: Where,
    known_fields: Collection[str] | None,
    uses: MutableMapping[str, FieldUse],
    names: dict[str, int],
) -> Holdout:
    """One holdout; a name already taken is reported, and its criteria are still checked."""
    items = mapping_items(entry, where, "a holdout", "holdouts", keep_going=True)
    items = reject_unknown_keys(
        items, HOLDOUT_KEYS, where, "a holdout", "holdouts", keep_going=True
    )
    values = {key: value for key, _, value in items}
    if "name" not in values:
        raise where.error(
            "each holdout needs a name, shown in explanations: add name: ...",
            entry,
            "holdouts",
        )
    name = text(values["name"], where, "a holdout's name must be text", "holdouts")
    if name in names:
        where.report(
            f"the holdout name {name!r} is already used on line {names[name]}: give "
            "each holdout its own name",
            values["name"],
            "holdouts",
        )
    names.setdefault(name, line_of(entry) or 0)
    if "criteria" not in values:
        raise where.error(
            f"holdout {name!r} needs criteria: the accounts it keeps with their owner",
            entry,
            "criteria",
        )
    criterion = CriteriaBuilder(where, known_fields, uses, holdout=name).one(values["criteria"])
    return Holdout(name, line_of(entry) or 0, criterion)
