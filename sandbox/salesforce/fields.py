"""Field catalogues and their renderings: the Account and User fields, and the machinery every
sObject's catalogue uses (`sandbox.salesforce.related_fields` has Contact and Opportunity).

Records stay as compact seed objects (`SeedAccount`, `SeedRep`, ...); a field here is only a name,
a type and a function reading the value, so a million records cost no per-record dicts. Datetimes
are held as epoch milliseconds and rendered as Salesforce renders them:
`2026-01-01T00:00:00.000+0000` in REST JSON
(https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_valid_date_formats.htm)
and `2026-01-01T00:00:00.000Z` in Bulk API CSV. Dates (a date field such as `CloseDate`) are held
as midnight UTC in epoch milliseconds and rendered `2026-03-31` in both.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from json.encoder import encode_basestring_ascii
from operator import attrgetter
from typing import Any

from sandbox.ids import case_safe_suffix
from sandbox.seed_vocabulary import (
    SALESFORCE_CUSTOMER_TYPES,
    SALESFORCE_OTHER,
    SALESFORCE_PARTNER_TYPES,
    SALESFORCE_PROSPECT,
    SECTORS,
)


class FieldType(Enum):
    ID = "id"
    STRING = "string"
    BOOLEAN = "boolean"
    INTEGER = "int"
    CURRENCY = "currency"
    DATETIME = "datetime"
    DATE = "date"
    REFERENCE = "reference"

    @property
    def soql_type_name(self) -> str:
        """The type name Salesforce uses in "value of filter criterion ... must be of type X"."""
        return {
            FieldType.ID: "id",
            FieldType.STRING: "string",
            FieldType.BOOLEAN: "boolean",
            FieldType.INTEGER: "integer",
            FieldType.CURRENCY: "double",
            FieldType.DATETIME: "dateTime",
            FieldType.DATE: "date",
            FieldType.REFERENCE: "reference",
        }[self]

    @property
    def is_textual(self) -> bool:
        return self in (FieldType.ID, FieldType.STRING, FieldType.REFERENCE)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    """The API name, in Salesforce's casing (SOQL names are case-insensitive)."""
    type: FieldType
    read: Callable[[Any], Any]
    """Reads the value from a seed record; datetimes come back as epoch milliseconds."""
    writable: bool = False
    """Whether the emulator accepts the field in an update (Salesforce allows more)."""
    label: str = ""
    """The field label describe reports (the standard field's label in a new org)."""
    describe_type: str = ""
    """The describe `type` when it is finer than `type` (`url`, `textarea`, `picklist`,
    `email`); empty means `type`'s own name."""
    length: int = 0
    """Maximum length of a text value (describe `length`; 0 for non-text fields)."""
    nillable: bool = True
    picklist: tuple[str, ...] = ()
    """The active picklist values, for a picklist field."""
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    scale: int = 0
    """Digits after the decimal point of a currency field (describe `scale`)."""

    @property
    def custom(self) -> bool:
        return self.name.endswith("__c")


@dataclass(frozen=True)
class SObjectType:
    name: str
    key_prefix: str
    fields: dict[str, FieldSpec]
    """Keyed by lower-case name."""
    label_plural: str = ""
    """Describe `labelPlural`; empty means the name with an `s`."""

    @property
    def has_recycle_bin(self) -> bool:
        """Whether records can be deleted (`IsDeleted`): query hides them, queryAll keeps them."""
        return "isdeleted" in self.fields

    def field(self, name: str) -> FieldSpec | None:
        return self.fields.get(name.lower())


def catalogue(specs: Sequence[FieldSpec]) -> dict[str, FieldSpec]:
    return {spec.name.lower(): spec for spec in specs}


def _nothing(_record: Any) -> None:
    return None


# fmt: off
ACCOUNT_TYPES: tuple[str, ...] = (
    SALESFORCE_PROSPECT,
    *(value for value, _ in SALESFORCE_CUSTOMER_TYPES),
    *(value for value, _ in SALESFORCE_PARTNER_TYPES),
    SALESFORCE_OTHER,
)
INDUSTRIES: tuple[str, ...] = tuple(sector.salesforce for sector in SECTORS)

# Labels, describe types and lengths of the standard Account fields as a new org describes them
# (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm).
ACCOUNT = SObjectType(
    "Account",
    "001",
    catalogue(
        [
            FieldSpec("Id", FieldType.ID, attrgetter("crm_id"), label="Account ID", length=18,
                      nillable=False),
            FieldSpec("IsDeleted", FieldType.BOOLEAN, attrgetter("deleted"), label="Deleted",
                      nillable=False),
            FieldSpec("Name", FieldType.STRING, attrgetter("name"), label="Account Name",
                      length=255, nillable=False),
            FieldSpec("Website", FieldType.STRING, attrgetter("website"), label="Website",
                      describe_type="url", length=255),
            FieldSpec("BillingStreet", FieldType.STRING, _nothing, label="Billing Street",
                      describe_type="textarea", length=255),
            FieldSpec("BillingCity", FieldType.STRING, attrgetter("city"), label="Billing City",
                      length=40),
            FieldSpec("BillingState", FieldType.STRING, attrgetter("region"),
                      label="Billing State/Province", length=80),
            FieldSpec("BillingPostalCode", FieldType.STRING, attrgetter("postal_code"),
                      label="Billing Zip/Postal Code", length=20),
            FieldSpec("BillingCountry", FieldType.STRING, attrgetter("country"),
                      label="Billing Country", length=80),
            FieldSpec("Industry", FieldType.STRING, attrgetter("industry"), label="Industry",
                      describe_type="picklist", length=255, picklist=INDUSTRIES),
            FieldSpec("NumberOfEmployees", FieldType.INTEGER, attrgetter("employees"),
                      label="Employees"),
            FieldSpec("AnnualRevenue", FieldType.CURRENCY, attrgetter("annual_revenue"),
                      label="Annual Revenue"),
            FieldSpec("OwnerId", FieldType.REFERENCE, attrgetter("owner_id"), writable=True,
                      label="Owner ID", length=18, nillable=False, reference_to=("User",),
                      relationship_name="Owner"),
            FieldSpec("Type", FieldType.STRING, attrgetter("account_type"), label="Account Type",
                      describe_type="picklist", length=255, picklist=ACCOUNT_TYPES),
            FieldSpec("Do_Not_Reassign__c", FieldType.BOOLEAN, attrgetter("do_not_reassign"),
                      writable=True, label="Do Not Reassign", nillable=False),
            FieldSpec("CreatedDate", FieldType.DATETIME, attrgetter("created_ms"),
                      label="Created Date", nillable=False),
            FieldSpec("LastModifiedDate", FieldType.DATETIME, attrgetter("modified_ms"),
                      label="Last Modified Date", nillable=False),
            FieldSpec("SystemModstamp", FieldType.DATETIME, attrgetter("modified_ms"),
                      label="System Modstamp", nillable=False),
        ]
    ),
)
# fmt: on


def _user_name(rep: Any) -> str:
    return f"{rep.first_name} {rep.last_name}"


def _standard(_rep: Any) -> str:
    return "Standard"


# The standard User fields, as a new org describes them
# (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_user.htm).
# fmt: off
USER = SObjectType(
    "User",
    "005",
    catalogue(
        [
            FieldSpec("Id", FieldType.ID, attrgetter("salesforce_user_id"), label="User ID",
                      length=18, nillable=False),
            FieldSpec("Email", FieldType.STRING, attrgetter("email"), label="Email",
                      describe_type="email", length=128, nillable=False),
            FieldSpec("Name", FieldType.STRING, _user_name, label="Full Name", length=121,
                      nillable=False),
            FieldSpec("FirstName", FieldType.STRING, attrgetter("first_name"), label="First Name",
                      length=40),
            FieldSpec("LastName", FieldType.STRING, attrgetter("last_name"), label="Last Name",
                      length=80, nillable=False),
            FieldSpec("IsActive", FieldType.BOOLEAN, attrgetter("active"), label="Active",
                      nillable=False),
            FieldSpec("Username", FieldType.STRING, attrgetter("email"), label="Username",
                      length=80, nillable=False),
            FieldSpec("UserType", FieldType.STRING, _standard, label="User Type",
                      describe_type="picklist", length=40, picklist=("Standard",)),
        ]
    ),
)
# fmt: on


def rest_datetime(epoch_ms: int) -> str:
    """`2026-01-01T00:00:00.000+0000`, the REST API's datetime form."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms // 1000)) + (
        f".{epoch_ms % 1000:03d}+0000"
    )


def iso_date(epoch_ms: int) -> str:
    """`2026-03-31`, a date field's form in REST JSON and Bulk API CSV alike."""
    return time.strftime("%Y-%m-%d", time.gmtime(epoch_ms // 1000))


def bulk_datetime(epoch_ms: int) -> str:
    """`2026-01-01T00:00:00.000Z`, the Bulk API CSV datetime form."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch_ms // 1000)) + (
        f".{epoch_ms % 1000:03d}Z"
    )


# Records written together share modified times, so formatting is cached.
_quoted_rest_datetime = lru_cache(maxsize=65_536)(lambda ms: f'"{rest_datetime(ms)}"')
_bulk_datetime_cached = lru_cache(maxsize=65_536)(bulk_datetime)
_iso_date_cached = lru_cache(maxsize=65_536)(iso_date)
_quoted_iso_date = lru_cache(maxsize=65_536)(lambda ms: f'"{iso_date(ms)}"')

ValueEncoder = Callable[[Any], str]


def _json_encoder(spec: FieldSpec) -> ValueEncoder:
    """Reads a field and returns its JSON text, chosen once by field type (no per-value dispatch:
    a 2,000-record page encodes about twice as fast as building dicts for json.dumps)."""
    read = spec.read
    if spec.type is FieldType.DATETIME:
        return lambda record: "null" if (v := read(record)) is None else _quoted_rest_datetime(v)
    if spec.type is FieldType.DATE:
        return lambda record: "null" if (v := read(record)) is None else _quoted_iso_date(v)
    if spec.type is FieldType.CURRENCY:
        return lambda record: "null" if (v := read(record)) is None else repr(float(v))
    if spec.type is FieldType.INTEGER:
        return lambda record: "null" if (v := read(record)) is None else str(int(v))
    if spec.type is FieldType.BOOLEAN:
        return lambda record: "null" if (v := read(record)) is None else ("true" if v else "false")
    return lambda record: "null" if (v := read(record)) is None else encode_basestring_ascii(v)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv_reader(spec: FieldSpec) -> Callable[[Any], str]:
    read = spec.read
    if spec.type is FieldType.DATETIME:
        return lambda record: "" if (v := read(record)) is None else _bulk_datetime_cached(v)
    if spec.type is FieldType.DATE:
        return lambda record: "" if (v := read(record)) is None else _iso_date_cached(v)
    return lambda record: _csv_text(read(record))


def eighteen_character_id(record_id: str) -> str:
    """The API's 18-character form of a 15- or 18-character id."""
    return record_id + case_safe_suffix(record_id) if len(record_id) == 15 else record_id


def record_url(version: str, sobject: SObjectType, record_id: str) -> str:
    return f"/services/data/v{version}/sobjects/{sobject.name}/{record_id}"


def json_record_encoder(
    sobject: SObjectType, specs: Sequence[FieldSpec], version: str
) -> Callable[[Any], str]:
    """Encodes records as the query resource returns them: `attributes` first, then the fields
    asked for, in the order asked. Built once per page, applied to each record."""
    url_prefix = record_url(version, sobject, "")
    read_id = sobject.fields["id"].read
    head = '{"attributes":{"type":' + encode_basestring_ascii(sobject.name) + ',"url":'
    fields = [(encode_basestring_ascii(spec.name) + ":", _json_encoder(spec)) for spec in specs]

    def encode(record: Any) -> str:
        url = encode_basestring_ascii(url_prefix + read_id(record))
        body = ",".join([key + value(record) for key, value in fields])
        return f"{head}{url}}},{body}}}" if body else f"{head}{url}}}}}"

    return encode


def csv_renderer(specs: Sequence[FieldSpec]) -> Callable[[Any], list[str]]:
    """Renders records as Bulk API CSV rows (null as an empty value, booleans as true/false)."""
    readers = [_csv_reader(spec) for spec in specs]
    return lambda record: [read(record) for read in readers]
