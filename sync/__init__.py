"""Sync: runs that pull, link, evaluate, plan, guard, write back and audit; and the store they use.

`sync.store` owns the SQL database (engine, migrations, tables for runs, cursors, plans and the
audit log, and the bulk account upsert).
"""
