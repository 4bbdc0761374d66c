"""territory-sync's shell: the command line, configuration, errors and logging.

The product itself lives in the top-level packages `connectors`, `mapping`, `sync`, `sandbox` and
`web`, and in `scheduler.py`; this package holds what every one of them shares.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("territory-sync")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+unknown"
