"""The sObject Describe resource (`GET .../sobjects/{Account|Contact|...}/describe`): which
fields exist.

Connectors read it to learn whether an org has a field (a custom `Do_Not_Reassign__c`, say)
before they select or write it. The body is a DescribeSObjectResult: the object's `name`, `label`,
`keyPrefix`, `custom` and capability flags, `urls`, and one entry per field with its `name`,
`label`, `type`, `length`, `custom`, `updateable`, `nillable` and so on.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm

Built from the catalogue in `sandbox.salesforce.fields`, so describe lists exactly the fields SOQL
accepts. `updateable` is true only for the fields this emulator accepts in an update (OwnerId,
and Do_Not_Reassign__c on Account); nothing is `createable`, since the emulator offers no create
call.
"""

from __future__ import annotations

from sandbox.salesforce.fields import FieldSpec, FieldType, SObjectType

JsonObject = dict[str, object]

# SOAP types by describe type ("Field Types", SOAP API Developer Guide:
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm).
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "currency": "xsd:double",
    "datetime": "xsd:dateTime",
    "date": "xsd:date",
}


def describe_sobject(sobject: SObjectType, version: str) -> JsonObject:
    base = f"/services/data/v{version}/sobjects/{sobject.name}"
    fields = list(sobject.fields.values())
    return {
        "name": sobject.name,
        "label": sobject.name,
        "labelPlural": sobject.label_plural or f"{sobject.name}s",
        "keyPrefix": sobject.key_prefix,
        "custom": False,
        "customSetting": False,
        "createable": False,
        "deletable": False,
        "updateable": any(spec.writable for spec in fields),
        "queryable": True,
        "retrieveable": True,
        "searchable": False,
        "undeletable": False,
        "fields": [describe_field(spec) for spec in fields],
        "childRelationships": [],
        "recordTypeInfos": [],
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


def describe_field(spec: FieldSpec) -> JsonObject:
    describe_type = spec.describe_type or spec.type.value
    return {
        "name": spec.name,
        "label": spec.label or spec.name,
        "type": describe_type,
        "soapType": _SOAP_TYPES.get(describe_type, "xsd:string"),
        "length": spec.length,
        "digits": 8 if spec.type is FieldType.INTEGER else 0,
        "precision": 18 if spec.type is FieldType.CURRENCY else 0,
        "scale": spec.scale,
        "custom": spec.custom,
        "updateable": spec.writable,
        "createable": False,
        "nillable": spec.nillable,
        "filterable": describe_type != "textarea",
        "sortable": describe_type != "textarea",
        "calculated": False,
        "externalId": False,
        "unique": False,
        "idLookup": spec.type is FieldType.ID,
        "defaultValue": None,
        "picklistValues": [
            {
                "active": True,
                "defaultValue": False,
                "label": value,
                "validFor": None,
                "value": value,
            }
            for value in spec.picklist
        ],
        "referenceTo": list(spec.reference_to),
        "relationshipName": spec.relationship_name,
    }
