"""The measured counter: the real counter app (ServerLink, view model, window) in this process,
offscreen, signed in at G1; F1 pressed on the window, timed until the window shows the ticket.

The window is CounterWindow itself, watched from outside: `Watched.event` lets the window
handle each UpdateRequest (a top-level widget paints itself and all its children while it
does) and then tells the benchmark, so the time stops once the called ticket's number is on the
backing store, not merely set on a label.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from counter.app import SIZE
from counter.session import Action, Phase
from counter.viewmodel import CounterViewModel
from counter.window import CounterWindow
from shared.client.link import ServerLink
from shared.client.stream import fixed_hub
from shared.core.model import TicketState

A = Action
STEP_TIMEOUT_S = 30.0  # one press, start or complete, under load; far above any sane figure
WAKE_MS = 50
TRACE = 40


class BenchError(RuntimeError):
    pass


class Watched(CounterWindow):
    def __init__(self, vm: CounterViewModel) -> None:
        super().__init__(vm)
        self.painted: Callable[[], None] = lambda: None

    def event(self, e: QEvent) -> bool:
        handled = super().event(e)
        if e.type() == QEvent.Type.UpdateRequest:
            self.painted()
        return bool(handled)


class Press:
    """One signed-in counter app; `sample()` presses F1 and returns the milliseconds until the
    called ticket is painted (None: the press found nothing to call, the others were faster),
    then starts and completes that ticket so that the counter is idle again."""

    def __init__(self, url: str, token: str, counter: str, services: list[str]) -> None:
        app = QApplication.instance() or QApplication([])
        assert isinstance(app, QApplication)
        self.app = app
        self.link = ServerLink(fixed_hub(url), token)
        self.trace: deque[str] = deque(maxlen=TRACE)  # shown when the app gets stuck
        self._trace_link(counter)
        self.vm = CounterViewModel(self.link, "fr")
        self.window = Watched(self.vm)
        self.window.resize(*SIZE)
        self.window.painted = self._painted
        self._pressed: float | None = None
        self._shown_ms: float | None = None
        self.failed: dict[str, int] = {}
        self._wake = QTimer()  # ends a blocking processEvents: time-outs and pauses are seen
        self._wake.start(WAKE_MS)
        self.link.start()
        self.vm.start()
        self.window.show()
        self.window.activateWindow()
        vm = self.vm
        # Shortcuts reach the active window only.
        self.run_until(lambda: QApplication.activeWindow() is self.window, "window active")
        self.run_until(lambda: vm.session.connected and vm.office is not None, "connected")
        if not vm.sign_in("Banc d'essai", counter, services):
            raise BenchError(f"sign-in refused: {vm.error}")
        self.run_until(lambda: vm.session.phase is Phase.IDLE and vm.session.pending is None,
                       "counter open")  # fmt: skip

    def _trace_link(self, counter: str) -> None:
        """What the app asked and heard, for the error message of a stuck benchmark (labels
        and states only: nothing personal)."""
        link, t0, note = self.link, time.perf_counter(), self.trace.append
        ask = link.request

        def request(name: str, *args: Any, **kwargs: Any) -> int:
            i = ask(name, *args, **kwargs)
            if name not in ("queue", "callbacks", "office"):
                note(f"{time.perf_counter() - t0:.3f} ask {i} {name}")
            return i

        def event(state: Any, e: Any, seq: int) -> None:
            if getattr(e, "counter", None) == counter:
                what = f"{type(e).__name__} {getattr(e, 'ticket', '')}"
                note(f"{time.perf_counter() - t0:.3f} event {seq} {what}")

        link.request = request  # type: ignore[method-assign]
        link.callFinished.connect(lambda i, a: note(f"{time.perf_counter() - t0:.3f} ok {i}"),
                                  Qt.ConnectionType.DirectConnection)  # fmt: skip
        link.callFailed.connect(lambda i, c, m: note(f"{time.perf_counter() - t0:.3f} "
                                                     f"failed {i} {c}"),
                                Qt.ConnectionType.DirectConnection)  # fmt: skip
        link.eventReceived.connect(event, Qt.ConnectionType.DirectConnection)

    def close(self) -> None:
        self._wake.stop()
        self.vm.stop()
        self.link.stop()
        self.window.close()

    def run_until(self, done: Callable[[], bool], what: str) -> None:
        # processEvents(flags, maxtime) drops WaitForMoreEvents and would spin a core that
        # the hub and the others need; this one blocks until events come (the wake-up timer's
        # at the latest), so the app uses the CPU it really needs.
        deadline = time.monotonic() + STEP_TIMEOUT_S
        while not done():
            if time.monotonic() > deadline:
                seen = "\n".join(self.trace)  # a session holds labels and states only
                raise BenchError(f"the counter app never got to: {what} (error "
                                 f"{self.vm.error!r}, session {self.vm.session!r}); "
                                 f"the last it saw:\n{seen}")  # fmt: skip
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def _painted(self) -> None:
        t = self.vm.session.ticket
        if (
            self._pressed is not None
            and t is not None
            and t.state is TicketState.CALLED
            and self.window.card.number.text() == t.label
        ):
            self._shown_ms = (time.perf_counter() - self._pressed) * 1000
            self._pressed = None

    def sample(self) -> float | None:
        vm = self.vm
        ready = False
        while not ready:
            self.run_until(lambda: vm.actions[A.CALL_NEXT], "somebody waiting, F1 enabled")
            self.app.processEvents()  # paint what is pending: the press starts from a quiet window
            ready = vm.actions[A.CALL_NEXT]  # an event just handled may have emptied the queue
        self._shown_ms = None
        self._pressed = time.perf_counter()
        QTest.keyClick(self.window, Qt.Key.Key_F1)
        if vm.session.pending is not A.CALL_NEXT:
            active = QApplication.activeWindow() is self.window
            raise BenchError(f"F1 did not send 'call next' (window active: {active}, "
                             f"session {vm.session!r})")  # fmt: skip
        self.run_until(
            lambda: self._shown_ms is not None or (vm.session.pending is None and
                                                   vm.session.ticket is None),
            "the called ticket shown",
        )  # fmt: skip
        shown, self._pressed = self._shown_ms, None
        if shown is None:  # refused (another counter took the last ticket): counted, not timed
            reason = vm.error_detail or vm.error or "?"
            self.failed[reason] = self.failed.get(reason, 0) + 1
            vm.dismiss_error()
            return None
        self._finish()
        return shown

    def _finish(self) -> None:
        vm = self.vm
        self.run_until(lambda: vm.actions[A.START], "start enabled")
        vm.start_service()
        self.run_until(lambda: vm.actions[A.COMPLETE], "complete enabled")
        vm.complete("done")
        self.run_until(lambda: vm.session.phase is Phase.IDLE and vm.session.pending is None,
                       "idle again")  # fmt: skip

    def idle(self, seconds: float) -> None:
        """The agent between two visitors: the app goes on handling the office's events."""
        end = time.monotonic() + seconds
        self.run_until(lambda: time.monotonic() >= end, "the end of a pause")

    def summary(self) -> dict[str, Any]:
        state = self.vm.state  # the day so far: every client folds all of it on each event
        return {"refused_presses": dict(self.failed),
                "day_tickets_at_end": 0 if state is None else len(state.tickets)}  # fmt: skip
