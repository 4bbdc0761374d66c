"""The admin console: an authenticated JSON API and server-rendered pages over the sync code.

`web.app.create_app(settings, database)` builds the application; `territory-sync serve` runs it.
Nothing here re-implements a run, a plan or a search: it calls `sync/` and `mapping/`.
"""
