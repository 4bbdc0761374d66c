"""Salesforce's own numbers, names and shapes the connector depends on, each beside its source.

Kept in one module so that a limit or header Salesforce changes is a one-line diff here, not a hunt
through the connector.
"""

from __future__ import annotations

from simple_salesforce.bulk2 import DEFAULT_QUERY_PAGE_SIZE, JobState

from territory_sync.objects import CONTACT, OPPORTUNITY

SOURCE = "salesforce"

# --- Environment variables holding the connection and its credentials ----------
INSTANCE_URL_VAR = "SALESFORCE_INSTANCE_URL"
CLIENT_ID_VAR = "SALESFORCE_CLIENT_ID"
CLIENT_SECRET_VAR = "SALESFORCE_CLIENT_SECRET"
USERNAME_VAR = "SALESFORCE_USERNAME"
PRIVATE_KEY_FILE_VAR = "SALESFORCE_PRIVATE_KEY_FILE"
ACCESS_TOKEN_VAR = "SALESFORCE_ACCESS_TOKEN"

# --- OAuth 2.0 server-to-server flows ----------
# Token endpoint on the org's My Domain host; the answer has access_token and instance_url but no
# expires_in, so clients re-authenticate when a call answers 401 INVALID_SESSION_ID.
# https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
TOKEN_PATH = "/services/oauth2/token"
CLIENT_CREDENTIALS_GRANT = "client_credentials"
# JWT bearer: RS256 assertion with iss (consumer key), sub (username), aud (login URL), exp.
# "exp ... must be within 3 minutes": the assertion is valid for at most that long.
# https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_ALGORITHM = "RS256"
JWT_LIFETIME_SECONDS = 180

# --- REST API headers ----------
# `Sforce-Query-Options: batchSize=N` asks for query pages of N records (200 to 2,000).
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
QUERY_OPTIONS_HEADER = "Sforce-Query-Options"
# `Sforce-Auto-Assign` defaults to TRUE and lets assignment rules re-route an owner we just wrote.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
AUTO_ASSIGN_HEADER = "Sforce-Auto-Assign"
# `Sforce-Limit-Info: api-usage=18/5000` on every REST response: calls used today / allocation.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
LIMIT_INFO_HEADER = "Sforce-Limit-Info"

# --- Queries ----------
# SOQL dateTime literals: YYYY-MM-DDThh:mm:ssZ, unquoted.
# https://developer.salesforce.com/docs/platform/salesforce-soql-sosl/guide/sforce-api-calls-soql-select-dateformats.md
SOQL_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# URIs longer than 16,384 bytes are refused with 414, so `WHERE Id IN (...)` is chunked. An
# 18-character id costs 27 bytes URL-encoded ('...' and a comma): 200 ids are about 5,400 bytes,
# far under the limit, and match one write batch.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
URI_LIMIT_BYTES = 16_384
IDS_PER_QUERY = 200
# Id listings ask for the largest REST query page, 2,000 records (`batchSize` takes 200 to 2,000).
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
ID_PAGE_SIZE = 2_000

# --- Metadata ----------
# sObject Describe: the object's metadata, `fields[].name` among it. simple-salesforce's
# `sf.Account.describe()` calls this path but takes no timeout, so it is called through `restful`.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_describe.htm
DESCRIBE_ACCOUNT_PATH = "sobjects/Account/describe"

# The Account fields the connector reads itself: the record's id, the stamp incremental pulls
# follow, and the flag `queryAll` sets on deleted records. The fields a pull selects besides are
# the caller's to name (the sync passes the unified model's, `mapping.registry`), and settings
# `salesforce.account_fields` adds more.
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm
ID_FIELD = "Id"
DELETED_FIELD = "IsDeleted"
MODIFIED_FIELD = "SystemModstamp"
"""Indexed and bumped by every change, system ones included: the field incremental pulls follow
(LastModifiedDate <= SystemModstamp)."""

# --- Bulk API 2.0 query jobs ----------
# Jobs run asynchronously: poll until JobComplete (or Failed/Aborted), then page through CSV results
# with `Sforce-Locator` (the string "null" after the last page). No ORDER BY in Bulk queries.
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_get_job_results.htm
# Page size and job states as simple-salesforce names them (simple_salesforce/bulk2.py).
BULK_RESULTS_PER_PAGE: int = DEFAULT_QUERY_PAGE_SIZE
BULK_LOCATOR_HEADER = "Sforce-Locator"
BULK_LAST_LOCATOR = "null"
BULK_JOB_COMPLETE: str = JobState.job_complete.value
BULK_JOB_FINISHED_BADLY = frozenset({JobState.failed.value, JobState.aborted.value})
BULK_MAX_POLL_INTERVAL_SECONDS = 10.0
BULK_MAX_WAIT_SECONDS = 3_600.0
"""Give up on a query job still running after an hour (Salesforce allows far longer)."""

# --- Writes ----------
# sObject Collections update: up to 200 records a call, one SaveResult per record in input order.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
COLLECTION_RECORDS_MAX = 200
COLLECTIONS_PATH = "composite/sobjects"

RELATED_SOBJECTS = {CONTACT: "Contact", OPPORTUNITY: "Opportunity"}
"""The sObject of each related record kind (`territory_sync.objects`): Contacts and Opportunities
name their Account in `AccountId`
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm)."""
