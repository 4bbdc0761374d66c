"""sObject Collections update (`PATCH /composite/sobjects`): up to 200 Account, Contact and
Opportunity records per call, of one type or mixed ("The list can contain objects of different
types"; the page below).

Each record gets a SaveResult in input order: `{"id", "success": true, "errors": []}` or
`{"id" (absent when the record had no usable id), "success": false, "errors": [{"statusCode",
"message", "fields"}]}`. With
`allOrNone: true`, one failure rolls back the whole call and the valid records report
ALL_OR_NONE_OPERATION_ROLLED_BACK.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm

Per-record errors and where their wording comes from:
- MISSING_ARGUMENT "Id not specified in an update call", MALFORMED_ID "Account ID: id value of
  incorrect type: ..." (an id not of the record's type: "Contact ID: ...", and so on), and
  INVALID_CROSS_REFERENCE_KEY "invalid cross reference id" for a
  well-formed id that does not exist (Salesforce Help 000387915, "Errors due to invalid IDs
  during Data Loader import and update": https://help.salesforce.com/s/articleView?id=000387915).
- ENTITY_IS_DELETED "entity is deleted" for a record in the recycle bin.
- INACTIVE_OWNER_OR_USER "operation performed with inactive user [005...] as owner of account"
  (of contact, of opportunity).
- INVALID_CROSS_REFERENCE_KEY on OwnerId for an owner that is not a known user (queues, `00G...`,
  cannot own these records).
- UNABLE_TO_LOCK_ROW "unable to obtain exclusive access to this record" (fault injection).
The `Sforce-Auto-Assign` header (default TRUE) lets an active assignment rule re-route an owner
write: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
The header covers accounts (and cases and leads), so the rule never touches a contact or an
opportunity. Closed opportunities take owner writes like any record: the API does not refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import RecordError, SalesforceApiError, json_parser_error
from sandbox.salesforce.fields import ACCOUNT, SObjectType, eighteen_character_id
from sandbox.salesforce.settings import COLLECTION_RECORDS_MAX
from sandbox.salesforce.sobjects import OWNED_SOBJECTS, owned_sobject_of, sobject_named
from sandbox.salesforce.tables import OrgRecord
from sandbox.seed import SeedAccount

if TYPE_CHECKING:
    from sandbox.salesforce.org import SalesforceOrg

_ID_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_ROLLED_BACK = RecordError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header",
)
_LOCKED = RecordError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record")
_UPDATABLE_TYPES = " and ".join(
    [", ".join(t.name for t in OWNED_SOBJECTS[:-1]), OWNED_SOBJECTS[-1].name]
)


def is_salesforce_id(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) in (15, 18)
        and all(c in _ID_CHARACTERS for c in value)
    )


def auto_assign_enabled(header: str | None) -> bool:
    """`Sforce-Auto-Assign` is TRUE unless it says FALSE (it may also name an assignment rule)."""
    return header is None or header.strip().upper() != "FALSE"


@dataclass
class _Accepted:
    sobject: SObjectType
    record: OrgRecord
    owner_id: str | None
    owner_written: bool
    do_not_reassign: bool | None


@dataclass
class _Outcome:
    result_id: str | None
    accepted: _Accepted | None = None
    error: RecordError | None = None


@dataclass(frozen=True)
class CollectionUpdateResult:
    results: list[dict[str, object]]
    owners_written: list[tuple[str, str | None]]
    """(id, owner stored) for every record whose OwnerId this call set, also to the owner it
    already had."""


def update_collection(
    org: SalesforceOrg, body: object, *, auto_assign: bool
) -> CollectionUpdateResult:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise json_parser_error(
            'The body must be a JSON object {"allOrNone": false, "records": [...]} with a list of '
            "records, each with an attributes map naming its type and an id."
        )
    records: list[Any] = body["records"]
    all_or_none = body.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise json_parser_error("allOrNone must be true or false.")
    if len(records) > COLLECTION_RECORDS_MAX:
        # Salesforce's answer to more than 200 records in one sObject Collections call.
        raise SalesforceApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        )
    with org.lock:
        outcomes = [_check(org, item) for item in records]
        # Faults are decided before anything changes: the lock error dice roll per valid record.
        for outcome in outcomes:
            if outcome.accepted is not None and org.dice.lock_error(str(outcome.result_id)):
                outcome.accepted, outcome.error = None, _LOCKED
        failed = any(outcome.error is not None for outcome in outcomes)
        owners_written: list[tuple[str, str | None]] = []
        if all_or_none and failed:
            for outcome in outcomes:
                if outcome.accepted is not None:
                    outcome.accepted, outcome.error = None, _ROLLED_BACK
        else:
            now = org.now_second_ms()
            rule_owner = org.config.assignment_rule_owner_id if auto_assign else None
            for outcome in outcomes:
                if outcome.accepted is not None and _apply(outcome.accepted, rule_owner, now):
                    record = outcome.accepted.record
                    owners_written.append((record.crm_id, record.owner_id))
    return CollectionUpdateResult([_save_result(outcome) for outcome in outcomes], owners_written)


def _apply(accepted: _Accepted, rule_owner: str | None, now_ms: int) -> bool:
    """Writes one record; True when the update set its OwnerId (to any value). The assignment
    rule (`rule_owner`) re-routes account owners only."""
    record = accepted.record
    if accepted.owner_written:
        routed = rule_owner if accepted.sobject is ACCOUNT else None
        record.owner_id = routed if routed is not None else accepted.owner_id
    if accepted.do_not_reassign is not None and isinstance(record, SeedAccount):
        record.do_not_reassign = accepted.do_not_reassign
    record.modified_ms = now_ms  # any update bumps LastModifiedDate and SystemModstamp
    return accepted.owner_written


def records_named(body: object) -> list[tuple[str, str | None]]:
    """(18-character id, OwnerId asked for) of each record an update body names, in order;
    items without a well-formed Account, Contact or Opportunity id are left out. Read leniently:
    the body may be one the update itself refuses."""
    records = body.get("records") if isinstance(body, dict) else None
    named: list[tuple[str, str | None]] = []
    for item in records if isinstance(records, list) else []:
        if not isinstance(item, dict):
            continue
        values = {str(key).lower(): value for key, value in item.items()}
        record_id, owner = values.get("id"), values.get("ownerid")
        if is_salesforce_id(record_id) and owned_sobject_of(str(record_id)) is not None:
            asked = eighteen_character_id(str(owner)) if is_salesforce_id(owner) else None
            named.append((eighteen_character_id(str(record_id)), asked))
    return named


def _save_result(outcome: _Outcome) -> dict[str, object]:
    """A SaveResult. A failure with no usable id has no `id` key at all, as in the documented
    example response ("Example response body with errors" on the page cited above)."""
    if outcome.error is None:
        return {"id": outcome.result_id, "success": True, "errors": []}
    result: dict[str, object] = {} if outcome.result_id is None else {"id": outcome.result_id}
    result["success"] = False
    result["errors"] = [outcome.error.as_json()]
    return result


def _check(org: SalesforceOrg, item: object) -> _Outcome:
    if not isinstance(item, dict):
        return _Outcome(
            None, error=RecordError("INVALID_TYPE", "Must send a concrete entity type.")
        )
    attributes = item.get("attributes")
    sobject_type = attributes.get("type") if isinstance(attributes, dict) else None
    if not isinstance(sobject_type, str):
        return _Outcome(
            None, error=RecordError("INVALID_TYPE", "Must send a concrete entity type.")
        )
    sobject = sobject_named(sobject_type)
    if sobject is None or sobject not in OWNED_SOBJECTS:
        return _Outcome(
            None,
            error=RecordError(
                "INVALID_TYPE",
                f"sObject type '{sobject_type}' cannot be updated in this sandbox; only "
                f"{_UPDATABLE_TYPES} records can.",
            ),
        )
    values = {key: value for key, value in item.items() if key != "attributes"}
    id_key = next((key for key in values if key.lower() == "id"), None)
    record_id = values.pop(id_key) if id_key is not None else None
    if record_id is None or record_id == "":
        return _Outcome(
            None, error=RecordError("MISSING_ARGUMENT", "Id not specified in an update call")
        )
    if not is_salesforce_id(record_id) or not str(record_id).startswith(sobject.key_prefix):
        return _Outcome(
            None,
            error=RecordError(
                "MALFORMED_ID",
                f"{sobject.name} ID: id value of incorrect type: {record_id}",
                ("Id",),
            ),
        )
    record: OrgRecord | None = org.record(sobject, eighteen_character_id(str(record_id)))
    if record is None:
        return _Outcome(
            str(record_id),
            error=RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"),
        )
    if record.deleted:
        return _Outcome(record.crm_id, error=RecordError("ENTITY_IS_DELETED", "entity is deleted"))
    accepted = _Accepted(sobject, record, record.owner_id, False, None)
    for name, value in values.items():
        error = _accept_field(org, accepted, name, value)
        if error is not None:
            return _Outcome(record.crm_id, error=error)
    return _Outcome(record.crm_id, accepted=accepted)


def _accept_field(
    org: SalesforceOrg, accepted: _Accepted, name: str, value: object
) -> RecordError | None:
    sobject = accepted.sobject
    spec = sobject.field(name)
    if spec is None:
        return RecordError(
            "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject.name}", (name,)
        )
    if not spec.writable:
        writable = " and ".join(s.name for s in sobject.fields.values() if s.writable)
        return RecordError(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {spec.name}. This sandbox accepts updates to "
            f"{writable} only.",
            (spec.name,),
        )
    if spec.name == "Do_Not_Reassign__c":
        if not isinstance(value, bool):
            return RecordError(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"Do Not Reassign: value not of required type: {value}",
                (spec.name,),
            )
        accepted.do_not_reassign = value
        return None
    return _accept_owner(org, accepted, value)


def _accept_owner(org: SalesforceOrg, accepted: _Accepted, value: object) -> RecordError | None:
    if value is None or value == "":
        return RecordError(
            "INVALID_CROSS_REFERENCE_KEY", "Owner ID: owner cannot be blank", ("OwnerId",)
        )
    if not is_salesforce_id(value):
        return RecordError(
            "MALFORMED_ID", f"Owner ID: id value of incorrect type: {value}", ("OwnerId",)
        )
    owner_id = str(value)
    user = org.user(eighteen_character_id(owner_id))
    if user is None:
        return RecordError(
            "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ("OwnerId",)
        )
    if not user.active:
        return RecordError(
            "INACTIVE_OWNER_OR_USER",
            f"operation performed with inactive user [{user.salesforce_user_id}] as owner of "
            f"{accepted.sobject.name.lower()}",
        )
    accepted.owner_id = user.salesforce_user_id
    accepted.owner_written = True
    return None
