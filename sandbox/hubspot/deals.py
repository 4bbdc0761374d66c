"""The deals object: its properties as HubSpot names them, over `SeedOpportunity` records.

A deal's `dealstage` is an internal id of the portal's only pipeline, HubSpot's default sales
pipeline (`pipeline` "default"); `hs_is_closed` and `hs_is_closed_won` are read-only and derived
from the stage, as the stage's probability says: 1.0 is closed won, 0.0 closed lost
(https://developers.hubspot.com/docs/api/crm/pipelines). They come back as the strings "true" and
"false" (https://github.com/HubSpot/agent-cli-skills/blob/main/deal-management/SKILL.md).
`hs_created_by_user_id` is the creator's HubSpot *user* id, so the catalogue is built per portal
from its owners (`deal_schema`).

Not emulated: HubSpot sets `closedate` itself when a deal moves into a closed stage or is created
open without one (https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties); the
sandbox changes it only when it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sandbox.hubspot.objects import ObjectSchema
from sandbox.hubspot.properties import (
    Kind,
    Property,
    created_property,
    int_property,
    iso_seconds,
    modified_property,
    owner_property,
    parse_datetime_ms,
    record_id_property,
    text_property,
)
from sandbox.seed import SeedOpportunity

PIPELINE = "default"
# HubSpot's default sales pipeline: (internal id, label, probability)
# (https://knowledge.hubspot.com/object-settings/set-up-and-customize-pipelines).
STAGES: tuple[tuple[str, str, float], ...] = (
    ("appointmentscheduled", "Appointment Scheduled", 0.2),
    ("qualifiedtobuy", "Qualified To Buy", 0.4),
    ("presentationscheduled", "Presentation Scheduled", 0.6),
    ("decisionmakerboughtin", "Decision Maker Bought-In", 0.8),
    ("contractsent", "Contract Sent", 0.9),
    ("closedwon", "Closed Won", 1.0),
    ("closedlost", "Closed Lost", 0.0),
)
_PROBABILITY = {stage: probability for stage, _, probability in STAGES}
TRUE_FALSE = (("True", "true"), ("False", "false"))


def is_closed(stage: str) -> bool:
    """Closed won (probability 1.0) or closed lost (0.0)."""
    return _PROBABILITY.get(stage) in (0.0, 1.0)


def is_won(stage: str) -> bool:
    return _PROBABILITY.get(stage) == 1.0


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _set_stage(deal: SeedOpportunity, raw: str) -> None:
    deal.stage = raw
    deal.closed, deal.won = is_closed(raw), is_won(raw)


def _set_close_date(deal: SeedOpportunity, raw: str) -> None:
    moment = parse_datetime_ms(raw)
    assert moment is not None, "checked by check_writes"
    deal.close_date_ms = moment


def _derived(
    name: str, label: str, value: Callable[[SeedOpportunity], str]
) -> Property[SeedOpportunity]:
    """A read-only "true"/"false" property computed from the deal."""
    return Property(
        name,
        Kind.BOOL,
        value,
        value,
        None,
        label=label,
        field_type="booleancheckbox",
        options=TRUE_FALSE,
    )


def _closed(deal: SeedOpportunity) -> str:
    return _flag(is_closed(deal.stage))


def _won(deal: SeedOpportunity) -> str:
    return _flag(is_won(deal.stage))


def deal_schema(user_ids: Mapping[str, int]) -> ObjectSchema[SeedOpportunity]:
    """The deals object of a portal whose owners have these user ids (owner id -> userId):
    `hs_created_by_user_id` reads the creator's user id from them."""

    def creator(deal: SeedOpportunity) -> int | None:
        return None if deal.created_by is None else user_ids.get(deal.created_by)

    def creator_text(deal: SeedOpportunity) -> str | None:
        user = creator(deal)
        return None if user is None else str(user)

    # Names, labels and types of HubSpot's default deal properties
    # (https://knowledge.hubspot.com/crm-deals/hubspots-default-deal-properties). `amount` is a
    # numeric string (https://developers.hubspot.com/docs/api/crm/deals); the seed keeps whole
    # amounts, so a written decimal is stored without its fraction.
    catalogue: tuple[Property[SeedOpportunity], ...] = (
        record_id_property(),
        text_property("dealname", "name", "Deal Name"),
        int_property("amount", "amount", "Amount"),
        Property(
            "dealstage",
            Kind.ENUMERATION,
            lambda d: d.stage,
            lambda d: d.stage,
            _set_stage,
            label="Deal Stage",
            field_type="radio",
            options=tuple((label, stage) for stage, label, _ in STAGES),
        ),
        Property(
            "pipeline",
            Kind.ENUMERATION,
            lambda d: PIPELINE,
            lambda d: PIPELINE,
            None,
            label="Pipeline",
            field_type="select",
            options=(("Sales Pipeline", PIPELINE),),
        ),
        Property(
            "closedate",
            Kind.DATETIME,
            lambda d: iso_seconds(d.close_date_ms),
            lambda d: d.close_date_ms,
            _set_close_date,
            label="Close Date",
            field_type="date",
        ),
        _derived("hs_is_closed", "Is Deal Closed?", _closed),
        _derived("hs_is_closed_won", "Is Closed Won", _won),
        owner_property("Deal owner"),
        Property(
            "hs_created_by_user_id",
            Kind.NUMBER,
            creator_text,
            creator,
            None,
            label="Created by user ID",
            field_type="number",
        ),
        created_property(),
        modified_property("hs_lastmodifieddate"),
    )
    return ObjectSchema(
        name="deals",
        singular="deal",
        type_id="0-3",
        catalogue=catalogue,
        # The search guide's default set for deals as quoted by third parties (dealname, amount,
        # closedate, pipeline, dealstage, plus the always-returned three); unconfirmed.
        default_properties=(
            "amount",
            "closedate",
            "createdate",
            "dealname",
            "dealstage",
            "hs_lastmodifieddate",
            "hs_object_id",
            "pipeline",
        ),
        always_returned=("createdate", "hs_lastmodifieddate", "hs_object_id"),
        modified="hs_lastmodifieddate",
        query_properties=("dealname",),
        group_name="dealinformation",
        first_id=30_000_000_000,
    )
