"""PySide6 must not steal references to None, True and False.

PySide6 6.12.0's abi3 wheel, on Python 3.11, returned these singletons without the reference it
owed, as if they were immortal (they are only from Python 3.12, PEP 683): every void call, emit
or disconnect took one away, and after a few thousand the interpreter aborted ("none_dealloc").
A kiosk makes that many calls in minutes. We pin a PySide6 without the bug; this test fails if
an upgrade brings it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal


class Source(QObject):
    said = Signal(str)


def test_calls_emits_and_disconnects_keep_the_singletons_references(qapp) -> None:  # type: ignore[no-untyped-def]
    source, timer = Source(), QTimer()
    heard: list[str] = []
    before = [sys.getrefcount(x) for x in (None, True, False)]
    for _ in range(3000):
        timer.setInterval(5)  # a void C++ call: returns None
        source.said.connect(heard.append)
        source.said.emit("x")  # returns a bool in 6.12
        source.said.disconnect(heard.append)
    after = [sys.getrefcount(x) for x in (None, True, False)]
    assert len(heard) == 3000
    # Other threads may hold a few references for a moment; thousands lost is the bug.
    assert all(a >= b - 50 for a, b in zip(after, before, strict=True)), (before, after)
