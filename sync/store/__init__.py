"""The SQL database: engine and sessions, migrations, the sync tables and bulk writes."""
