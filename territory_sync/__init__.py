"""territory-sync's foundation and its command line.

The modules directly in this package are the foundation every layer stands on and that imports
nothing of the product: `settings`, `errors`, `logs`, `secrets`, `csv_export`. The command line
(and the demo) is the top of the stack, in `territory_sync.cli`. The product in between lives in
the top-level packages `connectors`, `mapping`, `sync`, `sandbox` and `web`, and `scheduler.py`;
`lint-imports` (run by `make test`, contract in pyproject.toml) keeps the layers pointing one way.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("territory-sync")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
