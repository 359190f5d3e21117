"""The side panels of the counter: call-backs and the visitor's contact history (P4).

Plain Python driven by the view model: it sends through the view model's `send` and redraws
through its `emit`. Personal data stays in memory and only as long as needed: the phone number
of the call-back this agent took (gone at its outcome, release or sign-out) and the file or
phone number a visitor gave for their history (gone when the visitor leaves the counter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from counter.session import Session
from counter.texts import CHANNELS, DOMAIN, error_text
from shared.i18n import translator

NOTE_MAX = 140  # the hub's limit for a contact's or a call-back's note


@dataclass(frozen=True)
class VisitorKey:
    kind: str  # "file" | "phone"
    key: str


class Desk:
    def __init__(
        self,
        send: Callable[..., int | None],
        emit: Callable[[], None],
        fail: Callable[[str, str], None],
        session: Callable[[], Session],
        lang: str,
    ) -> None:
        self._send_raw, self._emit, self._fail, self._session = send, emit, fail, session
        self.lang = lang
        self.callbacks: list[dict[str, Any]] = []
        self.taken: dict[str, Any] | None = None  # with "phone": only for the agent who took it
        self.visitor: VisitorKey | None = None
        self.subject: str | None = None
        self.contacts: list[dict[str, Any]] | None = None  # None: nothing searched yet
        self.visit = 0  # +1 when the visitor leaves: the history panel then empties its fields
        self.added = 0  # +1 per contact recorded from the panel: its note field then empties
        self.busy: set[str] = set()  # "callbacks" / "contacts": a request of that panel in flight
        self.notice = ""  # the panels' last confirmation ("Contact recorded")
        self._listing = self._reading = False
        self._epoch = 0  # one per sign-in: an answer to an earlier agent's request is dropped

    def _send(self, kind: str, extra: Any, name: str, /, *args: Any, **kwargs: Any) -> int | None:
        return self._send_raw(kind, (self._epoch, extra), name, *args, **kwargs)

    def _current(self, extra: tuple[int, Any]) -> tuple[bool, Any]:
        epoch, inner = extra
        return epoch == self._epoch, inner

    # --- call-backs -----------------------------------------------------------------------

    def refresh_callbacks(self) -> None:
        s = self._session()
        if s.agent is None or not s.services or self._listing:
            return
        if self._send("cb.list", None, "callbacks", list(s.services)) is not None:
            self._listing = True

    def _read_held(self) -> None:
        """A request this agent holds on this device but this app does not show (the app was
        restarted, or the agent signed out and back in): read it again, number included, so
        the agent can finish the call. GET, not take: only a read, logged as one."""
        if self.taken is not None or self._reading or "callbacks" in self.busy:
            return
        held = next((c for c in self.callbacks if c.get("mine") and c["state"] == "taken"), None)
        if held is not None and self._send("cb.read", None, "callback", held["id"]) is not None:
            self._reading = True

    def take(self, callback_id: str) -> bool:
        return self._cb("cb.take", callback_id, "take_callback", callback_id)

    def release(self) -> bool:
        if self.taken is None:
            return False
        return self._cb("cb.release", self.taken["id"], "release_callback", self.taken["id"])

    def outcome(self, outcome: str, note: str = "") -> bool:
        if self.taken is None or len(note) > NOTE_MAX:
            return False
        cid = self.taken["id"]
        return self._cb("cb.outcome", cid, "callback_outcome", cid, outcome, note=note.strip())

    def _cb(self, kind: str, extra: Any, name: str, *args: Any, **kwargs: Any) -> bool:
        if "callbacks" in self.busy or not self._session().connected:
            return False
        if self._send(kind, extra, name, *args, **kwargs) is None:
            return False
        self.busy.add("callbacks")
        self._emit()
        return True

    # --- contact history --------------------------------------------------------------------

    def search(self, kind: str, key: str, consent: bool) -> bool:
        _ = translator(self.lang, DOMAIN)
        if not consent:
            self._fail(_("Tick the box once the visitor agrees."), "")
            return False
        if not key.strip():
            self._fail(_("Type the file or phone number the visitor gives."), "")
            return False
        if "contacts" in self.busy or not self._session().connected:
            return False
        if not self._lookup(VisitorKey(kind, key.strip())):
            return False
        self._emit()
        return True

    def _lookup(self, visitor: VisitorKey) -> bool:
        extra = (self.visit, visitor)  # the answer is for this visitor only
        v = visitor
        if self._send("ct.search", extra, "search_contacts", v.kind, v.key, True) is None:
            return False
        self.busy.add("contacts")
        return True

    def record(self, channel: str, service: str, outcome: str, note: str) -> bool:
        """A contact of any channel (a call, an e-mail, a visit) for the visitor found by the
        last search, with or without a ticket at hand. Once recorded, the history is searched
        again (a read, logged like any) so the agent sees the new contact on top."""
        _ = translator(self.lang, DOMAIN)
        note = note.strip()
        if self.visitor is None:
            self._fail(_("Find the visitor first: show their history, with their agreement."), "")
            return False
        if len(note) > NOTE_MAX:
            text = _("The note is too long: {count} characters, {limit} at most.",
                     count=len(note), limit=NOTE_MAX)  # fmt: skip
            self._fail(text, "")
            return False
        if channel not in CHANNELS or not service or not outcome:
            self._fail(_("Choose a channel, a service and an outcome."), "")
            return False
        if "contacts" in self.busy or not self._session().connected:
            return False
        v = self.visitor
        fields: dict[str, Any] = {"channel": channel, "service": service, "outcome": outcome}
        fields.update(note=note, consent=True)
        extra = (self.visit, v)
        if self._send("ct.add", extra, "record_contact", v.kind, v.key, **fields) is None:
            return False
        self.busy.add("contacts")
        self.notice = ""  # said again once this one is recorded, even if it reads the same
        self._emit()
        return True

    def record_after_complete(self, service: str, outcome: str, note: str) -> None:
        """Add the visit to the history of the visitor found by the last search."""
        if self.visitor is None:
            return
        v = self.visitor
        self._send(
            "ct.record",
            v,
            "record_contact",
            kind=v.kind,
            key=v.key,
            consent=True,
            channel="counter",
            service=service,
            outcome=outcome,
            note=note.strip()[:NOTE_MAX],
        )

    def forget_visitor(self) -> None:
        self.visitor = self.subject = self.contacts = None
        self.visit += 1

    def clear(self) -> None:
        """Signed out: nothing personal stays on the screen or in memory."""
        self.callbacks, self.taken = [], None
        self.forget_visitor()
        self.busy.clear()
        self.notice = ""
        # Answers still on their way (a number taken, a history) belong to the agent who left.
        self._listing = self._reading = False
        self._epoch += 1

    # --- answers --------------------------------------------------------------------------

    def finished(self, kind: str, extra: Any, answer: dict[str, Any]) -> None:
        current, extra = self._current(extra)
        if not current:
            return
        _ = translator(self.lang, DOMAIN)
        if kind == "cb.list":
            self._listing = False
            self.callbacks = list(answer.get("callbacks") or [])
            self._read_held()
        elif kind == "cb.read":
            self._reading = False
            if self.taken is None and answer.get("mine") and answer.get("state") == "taken":
                self.taken = answer
        elif kind == "cb.take":
            self.busy.discard("callbacks")
            self.taken = answer
        elif kind in ("cb.release", "cb.outcome"):
            self.busy.discard("callbacks")
            self.taken = None
            self.notice = _("Call-back recorded.") if kind == "cb.outcome" else ""
            self.refresh_callbacks()
        elif kind == "ct.search":
            self.busy.discard("contacts")
            visit, visitor = extra
            if visit == self.visit:  # not once that visitor has left the counter
                self.visitor, self.subject = visitor, answer.get("subject")
                self.contacts = list(answer.get("contacts") or [])
        elif kind == "ct.record":
            self.notice = _("Visit added to the visitor's history.")
        elif kind == "ct.add":
            self.busy.discard("contacts")
            self.notice = _("Contact recorded.")
            self.added += 1
            visit, visitor = extra
            if visit == self.visit and visitor == self.visitor:  # that visitor is still here
                self._lookup(visitor)
        self._emit()

    def failed(self, kind: str, extra: Any, code: str, message: str) -> None:
        current, extra = self._current(extra)
        if not current:
            return
        if kind == "cb.list":
            self._listing = False
            return  # the list keeps what it showed; the next refresh tries again
        if kind == "cb.read":
            self._reading = False
            return  # no longer ours (closed, or released meanwhile): the list says so
        self.busy.discard("callbacks" if kind.startswith("cb.") else "contacts")
        if kind == "cb.take" and code == "callback_taken":
            self.refresh_callbacks()
        self._fail(error_text(code, message, self.lang), message)
