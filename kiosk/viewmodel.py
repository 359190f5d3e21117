"""The kiosk's view model: owns the flow's state and runs its effects with real parts.

The hub through the ServerLink (answers come back as signals on the GUI thread), the printer
through the PrintWorker (its Future completes on the worker's thread: the done-callback only
emits a signal, which Qt queues to the GUI thread), speech through the Speaker, idle through
QTimers. Nothing here blocks the GUI thread.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk import flow
from kiosk.flow import Access, Effect, Intent, State
from kiosk.screens import ScreenView, focus_utterance, utterances, view
from shared import const
from shared.client.link import Link

log = logging.getLogger(__name__)


class Printer(Protocol):
    def print(self, blocks: Any) -> Future[Any]: ...


class Pairer(Protocol):
    """Trades a pairing code for credentials (and saves them); see kiosk/pairing.py."""

    def pair(self, code: str) -> Future[Any]: ...


class Voice(Protocol):
    def say(self, lang: str, texts: list[str]) -> None: ...
    def stop(self) -> None: ...


class KioskViewModel(QObject):
    viewChanged = Signal(object, object)  # ScreenView, Access
    ready = Signal()  # first screen with the office's services loaded
    paired = Signal(object)  # Credentials: the app makes the hub link with the new token
    unpaired = Signal(object)  # the link whose token the hub refused: the app drops it
    _printDone = Signal(object)  # a Future from the print worker's thread
    _pairDone = Signal(object)  # a Future from the pairer's network thread

    def __init__(
        self, link: Link | None, printer: Printer | None, speaker: Voice, state: State,
        parent: QObject | None = None, clock: Callable[[], float] = time.monotonic,
        prefer_lang: str | None = None, pairer: Pairer | None = None,
        today: Callable[[str], date] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.link: Link | None = None
        self.printer, self.speaker, self.pairer = printer, speaker, pairer
        self.state = state
        self.office: dict[str, Any] | None = None
        self.queue: dict[str, Any] | None = None
        self.current: ScreenView | None = None
        self.spoken: list[str] = []  # the last texts handed to the speaker
        self.screen_spoken: list[str] = []  # the last whole screen handed to the speaker
        self._clock = clock
        self._today = today or _office_today
        self._prefer_lang = prefer_lang
        self._calls: dict[int, str] = {}
        self._queue_busy = self._queue_dirty = False
        self._last_queue = 0.0
        # Timers are configured by setters: PySide6 6.12 corrupts a bool's refcount when it is
        # passed as a property keyword to a constructor (the interpreter aborts at exit).
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(lambda: self.dispatch(flow.IdleTimeout()))
        self._tick = QTimer(self)
        self._tick.setInterval(int(const.KIOSK_COUNTDOWN_TICK_S * 1000))
        self._tick.timeout.connect(lambda: self.dispatch(flow.Tick()))
        self._queue_timer = QTimer(self)
        self._queue_timer.setSingleShot(True)
        self._queue_timer.timeout.connect(self._refresh_queue)
        self._printDone.connect(self._on_printed)
        self._pairDone.connect(self._on_paired)
        if link is not None:
            self._connect(link)

    def _connect(self, link: Link) -> None:
        self.link = link
        link.callFinished.connect(self._finished)
        link.callFailed.connect(self._failed)
        link.statusChanged.connect(self._status)
        link.snapshotReceived.connect(self._refresh_queue)
        link.eventReceived.connect(self._refresh_queue)
        link.estimatesChanged.connect(self._refresh_queue)

    def attach(self, link: Link) -> None:
        """Use this link (made after pairing) and load the office through it."""
        self._connect(link)
        self.start()

    def _detach(self) -> None:
        link, self.link = self.link, None
        if link is None:
            return
        for signal, slot in ((link.callFinished, self._finished), (link.callFailed, self._failed),
                             (link.statusChanged, self._status),
                             (link.snapshotReceived, self._refresh_queue),
                             (link.eventReceived, self._refresh_queue)):  # fmt: skip
            signal.disconnect(slot)
        self._calls.clear()
        self._queue_busy = self._queue_dirty = False
        self.office = self.queue = None
        self.unpaired.emit(link)

    # --- input --------------------------------------------------------------------------------

    def start(self) -> None:
        """Load the office and the queue; the first screen follows."""
        self._request("office", "office")
        self._refresh_queue()
        self._emit(speak=False)

    def load(self, office: dict[str, Any], queue: dict[str, Any]) -> None:
        """Use this office and queue directly (screenshots and tests without a hub)."""
        self.office, self.queue = office, queue
        self.dispatch(flow.Loaded())

    def press(self, button_id: str) -> None:
        self.dispatch(flow.Press(button_id))

    def focus_moved(self, button_id: str) -> None:
        if self.state.access.speech and self.current is not None:
            text = focus_utterance(self.current, button_id)
            if text:
                self.spoken = [text]
                self.speaker.say(self.state.lang, [text])

    def dispatch(self, intent: Intent) -> None:
        was_ready = self.state.ready
        self.state, effects = flow.handle(self.state, intent, self._clock(), str(uuid.uuid4()))
        speak = any(isinstance(e, flow.Speak) for e in effects)
        for effect in effects:
            self._run(effect)
        self._emit(speak)
        if self.state.ready and not was_ready:
            self.ready.emit()

    def _emit(self, speak: bool) -> None:
        today = self._today(str(self.office.get("timezone") or "UTC")) if self.office else None
        self.current = view(self.state, self.office, self.queue, today)
        self.viewChanged.emit(self.current, self.state.access)
        if speak and self.state.access.speech:
            self.spoken = self.screen_spoken = utterances(self.current)
            self.speaker.say(self.state.lang, self.spoken)

    # --- effects ------------------------------------------------------------------------------

    def _run(self, e: Effect) -> None:
        if isinstance(e, flow.RequestPreview):
            self._request("preview", "preview", e.service, priority=e.priority)
        elif isinstance(e, flow.Issue):
            self._request("issue", "issue", e.service, priority=e.priority, lang=e.lang,
                          idempotency_key=e.key)  # fmt: skip
        elif isinstance(e, flow.RequestCallback):
            self._request("callback", "request_callback", e.service, e.phone, True, e.lang,
                          ticket=e.ticket)  # fmt: skip
        elif isinstance(e, flow.Print):
            self._print(e.ticket, e.lang)
        elif isinstance(e, flow.ReportPrinter):
            self._request("report", "report_printer", e.state, detail=e.detail)
        elif isinstance(e, flow.RefreshQueue):
            self._refresh_queue()
        elif isinstance(e, flow.ReloadOffice):
            self._request("office", "office")
            self._refresh_queue()
        elif isinstance(e, flow.Pair):
            self._pair(e.code)
        elif isinstance(e, flow.Unpair):
            log.warning("the hub refused this kiosk's token (revoked?): pair the kiosk again")
            self._detach()
        elif isinstance(e, flow.StopSpeech):
            self.speaker.stop()
        elif isinstance(e, flow.ArmIdle):
            self._idle.start(int(e.seconds * 1000))
        elif isinstance(e, flow.DisarmIdle):
            self._idle.stop()
        elif isinstance(e, flow.Countdown):
            if e.on:
                self._tick.start()
            else:
                self._tick.stop()

    def _request(self, kind: str, name: str, *args: Any, **kwargs: Any) -> None:
        if self.link is None:
            return
        try:
            self._calls[self.link.request(name, *args, **kwargs)] = kind
        except RuntimeError:  # the link is stopping (the app is closing)
            log.info("hub request %s dropped: the link is stopped", kind)

    def stop(self) -> None:
        """Before the link stops: no more timers, no more requests."""
        for timer in (self._idle, self._tick, self._queue_timer):
            timer.stop()
        self.link = None
        self.speaker.stop()

    def _refresh_queue(self, *_: Any) -> None:
        """At most one queue request in flight, and not more often than the minimum interval:
        a busy office's events must not turn into a storm of requests."""
        if self.link is None:
            return
        wait = self._last_queue + const.KIOSK_QUEUE_REFRESH_MIN_S - self._clock()
        if self._queue_busy or wait > 0:
            self._queue_dirty = True
            if not self._queue_busy and not self._queue_timer.isActive():
                self._queue_timer.start(int(wait * 1000) + 1)
            return
        self._queue_busy, self._queue_dirty = True, False
        self._last_queue = self._clock()
        self._request("queue", "queue", state=False)  # the stream gives the state

    def _print(self, ticket: dict[str, Any], lang: str) -> None:
        from kiosk.ticket_layout import layout, ticket_info

        if self.printer is None:
            self.dispatch(flow.Printed(False, "offline", "no printer configured"))
            return
        try:
            blocks = layout(ticket_info(ticket, self.office or {}, lang))
        except ValueError as exc:  # a ticket the layout cannot read: show it on screen instead
            log.exception("cannot lay out ticket")
            detail = str(exc)
            QTimer.singleShot(0, lambda: self.dispatch(flow.Printed(False, "error", detail)))
            return
        future = self.printer.print(blocks)
        future.add_done_callback(self._printDone.emit)

    def _pair(self, code: str) -> None:
        if self.pairer is None:
            QTimer.singleShot(0, lambda: self.dispatch(flow.PairFailed("unreachable")))
            return
        self.pairer.pair(code).add_done_callback(self._pairDone.emit)

    def _on_paired(self, future: Future[Any]) -> None:
        from shared.client.api import ClientError

        try:
            creds = future.result()
        except ClientError as exc:
            log.warning("pairing failed: %s (%s)", exc.code, exc.message)
            self.dispatch(flow.PairFailed(exc.code))
            return
        except Exception:  # a bug must leave the installer a screen to try again on
            log.exception("pairing failed")
            self.dispatch(flow.PairFailed("unreachable"))
            return
        log.info("paired with the hub at %s", creds.hub_url)
        self.dispatch(flow.Paired())
        self.paired.emit(creds)

    def _on_printed(self, future: Future[Any]) -> None:
        try:
            result = future.result()
            intent = flow.Printed(bool(result.ok), str(result.state), str(result.message))
        except Exception as exc:  # the worker never raises, but a bug must not lose the ticket
            log.exception("print job failed")
            intent = flow.Printed(False, "error", str(exc) or type(exc).__name__)
        self.dispatch(intent)

    # --- answers from the hub -------------------------------------------------------------------

    def _finished(self, call_id: int, answer: dict[str, Any]) -> None:
        kind = self._calls.pop(call_id, "")
        if kind == "office":
            self.office = answer
            self._loaded()
        elif kind == "queue":
            self.queue = answer
            self._queue_done()
            self._loaded()
        elif kind == "preview":
            self.dispatch(flow.PreviewReady(answer))
        elif kind == "issue":
            log.info("ticket %s issued", answer.get("label"))
            self.dispatch(flow.Issued(answer))
            self._refresh_queue()
        elif kind == "callback":
            self.dispatch(flow.CallbackStored(answer))

    def _failed(self, call_id: int, code: str, message: str) -> None:
        kind = self._calls.pop(call_id, "")
        if kind:
            log.warning("hub request %s failed: %s (%s)", kind, code, message)
        if code == "unauthorized" and kind not in ("issue", "callback"):  # those: the flow's
            self.dispatch(flow.Unpaired())
        elif kind == "queue":
            self._queue_done()
        elif kind == "preview":
            self.dispatch(flow.PreviewFailed(code))
        elif kind == "issue":
            self.dispatch(flow.IssueFailed(code))
        elif kind == "callback":
            self.dispatch(flow.CallbackFailed(code))

    def _queue_done(self) -> None:
        self._queue_busy = False
        if self._queue_dirty:
            self._refresh_queue()

    def _loaded(self) -> None:
        if self.office is not None and not self.state.ready and self.state.paired:
            langs = tuple(self.office.get("languages") or self.state.languages)
            lang = self._prefer_lang if self._prefer_lang in langs else langs[0]
            self.state = replace(self.state, languages=langs, lang=lang, default_lang=lang)
        if self.office is not None and self.queue is not None:
            if self.state.ready:
                self._emit(speak=False)  # new figures: redraw, do not interrupt speech
            else:
                self.dispatch(flow.Loaded())

    def _status(self, status: str, detail: str) -> None:
        if status == "connected":
            if self.office is None:
                self._request("office", "office")
            self._refresh_queue()
            self.dispatch(flow.HubStatus(True))
        elif status == "disconnected":
            self.dispatch(flow.HubStatus(False))

    def set_access(self, access: Access) -> None:
        self.state = replace(self.state, access=access, default_access=access)
        self._emit(speak=False)


def _office_today(timezone: str) -> date:
    """Today in the office's time zone: a kiosk's system clock may be set to UTC."""
    try:
        return datetime.now(ZoneInfo(timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return datetime.now().astimezone().date()
