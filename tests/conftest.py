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

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.hubproc import HubProcess
from tests.pulse import (
    RECORD_START_TIMEOUT_MS,
    PulseServer,
    Recorder,
    start_pulse,
    stop_pulse,
)

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


# --- real sound: a PulseAudio null sink, recorded (machinery in tests/pulse.py) -----------------
# Here at the root: QtMultimedia connects to PulseAudio once per process and never retries, so the
# daemon must start before any test of any folder can touch QtMultimedia (see tests/pulse.py).

_SERVER = pytest.StashKey[PulseServer | str]()  # the server, or why there is none


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _SERVER in config.stash or not any("pulse" in item.fixturenames for item in items):
        return
    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        config.stash[_SERVER] = (
            "pulseaudio and parec are not installed (Debian: pulseaudio pulseaudio-utils)"
        )
        return
    server = start_pulse()
    config.stash[_SERVER] = server
    saved = {k: os.environ.get(k) for k in server.client_env()}
    os.environ.update(server.client_env())

    def stop() -> None:
        stop_pulse(server)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    config.add_cleanup(stop)


@pytest.fixture(scope="session")
def pulse(request: pytest.FixtureRequest, qapp: object) -> PulseServer:
    """The session's PulseAudio daemon; QtMultimedia is checked to play into its null sink."""
    server = request.config.stash.get(_SERVER, "the PulseAudio fixture was not started")
    if isinstance(server, str):
        pytest.skip(server)
    from PySide6.QtMultimedia import QMediaDevices

    outputs = [device.description() for device in QMediaDevices.audioOutputs()]
    if not outputs:
        pytest.fail(
            "QtMultimedia sees no audio output: it was initialised before the PulseAudio "
            "fixture started (it never reconnects), or the daemon refused this process"
        )
    return server


@pytest.fixture
def recorder(pulse: PulseServer, tmp_path: Path, qtbot: QtBot) -> Iterator[Recorder]:
    rec = Recorder(pulse, tmp_path / "recording.wav")
    try:
        # Returns once samples flow: whatever the test plays from now on is in the file.
        qtbot.waitUntil(lambda: rec.frames() > 0, timeout=RECORD_START_TIMEOUT_MS)
        yield rec
    finally:
        rec.stop()
