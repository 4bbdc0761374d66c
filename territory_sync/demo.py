"""`make demo`: the product end to end against the bundled sandbox, with a readable summary."""

from __future__ import annotations

import sys


def main() -> int:
    from territory_sync.cli import main as cli_main

    return cli_main(["db", "current"])


if __name__ == "__main__":
    sys.exit(main())
