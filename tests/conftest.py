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


# --- every thread a test starts, the test ends --------------------------------------------------

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hubproc import HubProcess

THREAD_JOIN_TIMEOUT_S = 5.0
# Threads that belong to fixtures of a wider scope, which end them: the output reader of a hub
# process lives as long as the process (tests/client keeps a package-wide pool of hubs).
OWNED_BY_WIDER_FIXTURES = ("hub-output",)


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Fail a test that leaves a thread running (a writer, a NetThread, a load generator).

    Threads get a few seconds to finish on their own: shutting down is allowed to take a moment,
    never to be forgotten.
    """
    before = set(threading.enumerate())
    yield
    left = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.name.startswith(OWNED_BY_WIDER_FIXTURES)
    ]
    for thread in left:
        thread.join(THREAD_JOIN_TIMEOUT_S)
    alive = [t.name for t in left if t.is_alive()]
    assert not alive, f"threads left running by this test: {alive}"


# --- a real hub ---------------------------------------------------------------------------------


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    """A real hub process on a loopback port with the example office and a fresh database.

    (tests/client overrides it with a pool of hubs shared by its package.)"""
    process = HubProcess(tmp_path / "hub.db")
    process.start()
    try:
        yield process
    finally:
        process.stop()
