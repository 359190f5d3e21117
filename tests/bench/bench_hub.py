"""Former name of the hub benchmark, kept as an alias: see tests/bench/hub/.

.venv/bin/python -m tests.bench.bench_hub ...  ==  .venv/bin/python -m tests.bench.hub ...
"""

from __future__ import annotations

import sys

from tests.bench.hub.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
