"""`python -m counter …` is `montour counter …`."""

from __future__ import annotations

import sys

from shared.cli import main

if __name__ == "__main__":
    sys.exit(main(["counter", *sys.argv[1:]]))
