"""Settings every test needs before any test module imports Qt or python-escpos."""

from __future__ import annotations

import os
import tempfile

# Without a display, Qt aborts the whole pytest process (exit 134) unless told to go offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# python-escpos pickles its printer capabilities into this directory at import. A private
# directory, removed when the session ends, instead of a new one left in /tmp at every import.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _escpos_dir = tempfile.TemporaryDirectory(prefix="montour-escpos-")
    os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = _escpos_dir.name
