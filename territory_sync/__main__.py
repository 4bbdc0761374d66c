"""`python -m territory_sync` runs the command line."""

import sys

from territory_sync.cli import main

sys.exit(main())
