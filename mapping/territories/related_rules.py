"""Rules of engagement for the records that hang off an account: which follow it to a new owner.

In the territory file, for both CRMs or per CRM:

    settings:
      related_records:
        contacts: owned_by_previous_owner     # follow_account | owned_by_previous_owner | stay
        open_opportunities: stay_until_closed # follow | stay_until_closed |
                                              # {follow_before_stage: Proposal/Price Quote}
        hubspot:                              # per CRM: overrides the keys above for HubSpot
          open_opportunities: {follow_before_stage: contractsent}
        stage_order:                          # optional: each CRM's open stages, first to last
          salesforce: [Prospecting, Qualification, ...]

Defaults, the commonest rules: the contacts the previous account owner owned follow the account
(others, a development rep's say, stay with theirs); open opportunities stay with the rep who
has them until they close. Closed opportunities never move, whatever the file says: their
owner is who booked (or lost) them.

`follow_before_stage: STAGE`: open opportunities at a stage before STAGE follow, those at STAGE
or later stay (a deal about to close stays with who worked it). Stages are ordered by
`stage_order`, or by each CRM's default pipeline: Salesforce's default Opportunity `StageName`
picklist, HubSpot's default sales pipeline (dealstage ids). An opportunity at a stage the order
does not know stays.

Turning a cascade off (`contacts: stay`, `open_opportunities: stay_until_closed`) is how an org
whose CRM already moves related records on an owner change keeps territory-sync out of it; the
run then does not pull what no rule reads (`pulls`).

Decisions are plain functions of the account's previous owner and the record's own facts; the
planner (`sync.related_changes`) reads the records from the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from yaml.nodes import Node, ScalarNode

from mapping.territories.yaml_nodes import (
    Where,
    mapping_items,
    one_of,
    reject_unknown_keys,
    sequence,
    suggestion,
    text,
)

SOURCES = ("salesforce", "hubspot")
CONTACTS, OPEN_OPPORTUNITIES = "contacts", "open_opportunities"

FOLLOW_ACCOUNT = "follow_account"
OWNED_BY_PREVIOUS_OWNER = "owned_by_previous_owner"
STAY = "stay"
CONTACT_RULES = (FOLLOW_ACCOUNT, OWNED_BY_PREVIOUS_OWNER, STAY)

FOLLOW = "follow"
STAY_UNTIL_CLOSED = "stay_until_closed"
FOLLOW_BEFORE_STAGE = "follow_before_stage"
OPPORTUNITY_RULES = (FOLLOW, STAY_UNTIL_CLOSED, FOLLOW_BEFORE_STAGE)

RULE_KEYS = (CONTACTS, OPEN_OPPORTUNITIES)
KEYS = (*RULE_KEYS, *SOURCES, "stage_order")

DEFAULT_STAGE_ORDER: Mapping[str, tuple[str, ...]] = {
    # The StageName picklist of a new org, open stages in order (Closed Won and Closed Lost
    # follow): https://help.salesforce.com/s/articleView?id=sf.opportunity_stages.htm
    "salesforce": (
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
    ),
    # The default sales pipeline's open stages, by their internal ids:
    # https://knowledge.hubspot.com/object-settings/set-up-and-customize-pipelines
    "hubspot": (
        "appointmentscheduled",
        "qualifiedtobuy",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
    ),
}


@dataclass(frozen=True, slots=True)
class RelatedRules:
    """One CRM's rules: what happens to an account's contacts and open opportunities when the
    account changes hands."""

    contacts: str = OWNED_BY_PREVIOUS_OWNER
    open_opportunities: str = STAY_UNTIL_CLOSED
    before_stage: str | None = None
    """With `follow_before_stage`: the first stage whose opportunities stay."""
    stage_order: tuple[str, ...] = ()

    @property
    def moves_contacts(self) -> bool:
        return self.contacts != STAY

    @property
    def moves_opportunities(self) -> bool:
        return self.open_opportunities != STAY_UNTIL_CLOSED

    def opportunity_rule_name(self) -> str:
        if self.open_opportunities == FOLLOW_BEFORE_STAGE:
            return f"{FOLLOW_BEFORE_STAGE}:{self.before_stage}"
        return self.open_opportunities

    def contact_follows(self, previous_owner_id: str | None, owner_id: str | None) -> bool:
        """Whether a contact owned by `owner_id` follows its account away from
        `previous_owner_id`."""
        if self.contacts == FOLLOW_ACCOUNT:
            return True
        if self.contacts == OWNED_BY_PREVIOUS_OWNER:
            return owner_id is not None and owner_id == previous_owner_id
        return False

    def opportunity_follows(self, *, closed: bool, stage: str | None) -> bool:
        """Whether an opportunity follows its account (never once closed)."""
        if closed or self.open_opportunities == STAY_UNTIL_CLOSED:
            return False
        if self.open_opportunities == FOLLOW:
            return True
        order = self.stage_order
        if stage is None or stage not in order or self.before_stage not in order:
            return False
        return order.index(stage) < order.index(self.before_stage)


@dataclass(frozen=True, slots=True)
class RelatedRecordRules:
    """The file's rules for each CRM (the defaults where it says nothing)."""

    by_crm: Mapping[str, RelatedRules] = field(
        default_factory=lambda: {
            s: RelatedRules(stage_order=DEFAULT_STAGE_ORDER[s]) for s in SOURCES
        }
    )
    line: int = 0

    def for_crm(self, source: str) -> RelatedRules:
        return self.by_crm[source]


def read_related_rules(node: Node, where: Where) -> RelatedRecordRules:
    """`settings.related_records` as written (see the module docstring); errors name the line
    and the key."""
    what = "settings.related_records"
    items = mapping_items(node, where, what, "related_records")
    reject_unknown_keys(items, KEYS, where, what, "related_records")
    values = {key: value for key, _, value in items}
    orders = dict(DEFAULT_STAGE_ORDER)
    if "stage_order" in values:
        orders.update(_stage_orders(values["stage_order"], where))
    shared = {key: values[key] for key in RULE_KEYS if key in values}
    by_crm: dict[str, RelatedRules] = {}
    for source in SOURCES:
        own: dict[str, Node] = dict(shared)
        if source in values:
            crm_items = mapping_items(values[source], where, f"{what}.{source}", source)
            reject_unknown_keys(crm_items, RULE_KEYS, where, f"{what}.{source}", source)
            own.update({key: value for key, _, value in crm_items})
        by_crm[source] = _rules(own, orders[source], source, where)
    return RelatedRecordRules(by_crm, node.start_mark.line + 1)


def _stage_orders(node: Node, where: Where) -> dict[str, tuple[str, ...]]:
    items = mapping_items(node, where, "settings.related_records.stage_order", "stage_order")
    reject_unknown_keys(items, SOURCES, where, "settings.related_records.stage_order")
    orders = {}
    for source, _, value in items:
        stages = [
            text(item, where, f"each stage in stage_order.{source} must be a name", "stage_order")
            for item in sequence(
                value, where, f"stage_order.{source} must be a list of stages", "stage_order"
            )
        ]
        if not stages:
            raise where.error(
                f"stage_order.{source} lists no stage: list the open stages first to last",
                value,
                "stage_order",
            )
        orders[source] = tuple(stages)
    return orders


def _rules(
    values: Mapping[str, Node], order: Sequence[str], source: str, where: Where
) -> RelatedRules:
    contacts = OWNED_BY_PREVIOUS_OWNER
    if CONTACTS in values:
        contacts = _choice(values[CONTACTS], CONTACTS, CONTACT_RULES, where)
    opportunities, before = STAY_UNTIL_CLOSED, None
    if OPEN_OPPORTUNITIES in values:
        node = values[OPEN_OPPORTUNITIES]
        if isinstance(node, ScalarNode):
            opportunities = _choice(node, OPEN_OPPORTUNITIES, (FOLLOW, STAY_UNTIL_CLOSED), where)
        else:
            items = mapping_items(node, where, OPEN_OPPORTUNITIES, OPEN_OPPORTUNITIES)
            reject_unknown_keys(items, (FOLLOW_BEFORE_STAGE,), where, OPEN_OPPORTUNITIES)
            if not items:
                raise where.error(
                    f"{OPEN_OPPORTUNITIES} is empty: write follow, stay_until_closed or "
                    "{follow_before_stage: STAGE}",
                    node,
                    OPEN_OPPORTUNITIES,
                )
            stage_node = items[0][2]
            before = text(
                stage_node,
                where,
                "follow_before_stage must name a stage, such as Proposal/Price Quote",
                FOLLOW_BEFORE_STAGE,
            )
            if before not in order:
                raise where.error(
                    f"follow_before_stage names {before!r}, which is not an open stage of "
                    f"{source}'s pipeline{suggestion(before, order)}: use one of "
                    f"{', '.join(order)}, or list the stages in stage_order.{source}",
                    stage_node,
                    FOLLOW_BEFORE_STAGE,
                )
            opportunities = FOLLOW_BEFORE_STAGE
    return RelatedRules(contacts, opportunities, before, tuple(order))


def _choice(node: Node, key: str, choices: Sequence[str], where: Where) -> str:
    value = text(node, where, f"{key} must be {one_of(choices)}", key)
    if value not in choices:
        hint = suggestion(value, choices)
        raise where.error(f"{key} must be {one_of(choices)}, not {value!r}{hint}", node, key)
    return value


def objects_moved(rules: RelatedRecordRules, source: str) -> tuple[str, ...]:
    """The related objects these rules may move in `source`: contacts unless they stay,
    opportunities when open ones may follow."""
    crm = rules.for_crm(source)
    wanted = []
    if crm.moves_contacts:
        wanted.append("contact")
    if crm.moves_opportunities:
        wanted.append("opportunity")
    return tuple(wanted)


__all__ = [
    "DEFAULT_STAGE_ORDER",
    "RelatedRecordRules",
    "RelatedRules",
    "objects_moved",
    "read_related_rules",
]
