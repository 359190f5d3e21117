"""`python -m kiosk …` is `montour kiosk …`."""

from __future__ import annotations

import sys

from shared.cli import main

if __name__ == "__main__":
    sys.exit(main(["kiosk", *sys.argv[1:]]))
