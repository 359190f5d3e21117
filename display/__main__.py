"""`python -m display …` is `montour display …`."""

from __future__ import annotations

import sys

from shared.cli import main

if __name__ == "__main__":
    sys.exit(main(["display", *sys.argv[1:]]))
