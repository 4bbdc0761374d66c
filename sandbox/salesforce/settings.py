"""The Salesforce numbers the emulator reproduces, each beside the page that documents it.

Kept in one module so that a limit Salesforce changes is a one-line diff here, not a hunt through
the routes.
"""

from __future__ import annotations

# Releases served under /services/data/vNN.N; any other version answers 404 NOT_FOUND.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
API_VERSIONS: dict[str, str] = {
    "50.0": "Winter '21",
    "51.0": "Spring '21",
    "52.0": "Summer '21",
    "53.0": "Winter '22",
    "54.0": "Spring '22",
    "55.0": "Summer '22",
    "56.0": "Winter '23",
    "57.0": "Spring '23",
    "58.0": "Summer '23",
    "59.0": "Winter '24",
    "60.0": "Spring '24",
    "61.0": "Summer '24",
    "62.0": "Winter '25",
}

# REST query pages: up to 2,000 records; `Sforce-Query-Options: batchSize=N` asks for 200..2,000.
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
QUERY_PAGE_MAX = 2_000
QUERY_PAGE_MIN = 200

# "A user can have up to 10 query cursors open at a time"; opening another releases the oldest.
# https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query.htm
OPEN_QUERY_CURSORS_MAX = 10

# sObject Collections: "The list can contain up to 200 objects."
# https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_update.htm
COLLECTION_RECORDS_MAX = 200

# Enterprise Edition daily API requests: 100,000 + 1,000 per user licence.
# https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
DAILY_API_BASE = 100_000
DAILY_API_PER_LICENCE = 1_000

# Bulk API 2.0: 10,000 query jobs per rolling 24 hours; results stored up to 1 TB.
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/queries.htm
BULK_QUERY_JOBS_PER_DAY = 10_000
BULK_QUERY_STORAGE_MB = 976_562
# Without `maxRecords` Salesforce returns "as many rows as can be listed"; the emulator caps a page
# at simple-salesforce's own default (simple_salesforce/bulk2.py DEFAULT_QUERY_PAGE_SIZE).
BULK_RESULTS_DEFAULT_PAGE = 50_000
# How many finished query jobs the emulator keeps (Salesforce keeps results 7 days; an emulator
# seeded with a million records cannot keep every job's membership list, so the oldest go first).
BULK_JOBS_KEPT = 20

# Column delimiters and line endings a Bulk API 2.0 job may ask for.
# https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
BULK_COLUMN_DELIMITERS: dict[str, str] = {
    "BACKQUOTE": "`",
    "CARET": "^",
    "COMMA": ",",
    "PIPE": "|",
    "SEMICOLON": ";",
    "TAB": "\t",
}
BULK_LINE_ENDINGS: dict[str, str] = {"LF": "\n", "CRLF": "\r\n"}

# Who may log in through the JWT bearer flow: `aud` is the login URL (or the My Domain / instance).
# https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
JWT_LOGIN_AUDIENCES = frozenset({"https://login.salesforce.com", "https://test.salesforce.com"})
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_CREDENTIALS_GRANT = "client_credentials"
