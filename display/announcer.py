"""Every call, heard (D1, D2): a chime, the call in the office's language, then in the visitor's.

Theory of operation. Announcements wait in a first-in first-out queue and are played strictly
one at a time. Each one is a list of steps: the chime, a pause, the call in `first_lang`, and,
when the visitor chose another language at the kiosk, a pause and the call in that language.
A step ends through a callback (the chime's end, the speaker's `finished`, a timer); each
callback carries the token of the step that armed it, and every new step or `stop()` takes a
new token, so a late callback never advances the queue twice. `Speaker.say` interrupts whatever
is playing: it is called only once this announcer's previous step is over, so calls never cut
each other. The speaker should belong to the announcer alone: a `say` from elsewhere would cut
an announcement short (the announcer then carries on with the next step).

Nothing is dropped, however long the queue grows: a missed call costs a visitor their turn, and
the board shows the newest call anyway; a warning is logged when the backlog gets long (speech
then lags the board). Without sound (sound=False, or no audio output) the sequence and the
signals are the same: the chime's length is waited for by a timer, and a Speaker with engine
"none" is silent.

Spoken form: "A042" is said "A42": letter and number without leading zeros. With a space,
espeak-ng's English voice reads a lone "A" as the article ("uh forty-two"); joined, every voice
says the letter's name. The office's counter name ("Guichet 3") is spoken as it is in the
office's language; in another language the counter's number is taken from the end of its name
("counter 3"), and a name without a number is spoken as it is.
"""

from __future__ import annotations

import logging
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from display.chime import CHIME_PATH
from shared.const import (
    ANNOUNCE_AFTER_CHIME_S,
    ANNOUNCE_BACKLOG_WARN,
    ANNOUNCE_BETWEEN_CALLS_S,
    ANNOUNCE_BETWEEN_LANGS_S,
    ANNOUNCE_SPEECH_TIMEOUT_S,
)
from shared.i18n import available, translator
from shared.ui.espeak import WavPlayer, wav_seconds
from shared.ui.speech import Speaker

log = logging.getLogger(__name__)

DOMAIN = "announce"
_LANG = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_LABEL = re.compile(r"([^\W\d_]+)[-\s]*0*(\d+)")  # "A042", "A-042", "AB 7"
_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


@dataclass(frozen=True)
class Announcement:
    label: str  # "A042"
    counter_name: str  # "Guichet 3" (the office's name for the counter)
    lang: str  # the language the visitor chose at the kiosk
    recall: bool = False

    def __post_init__(self) -> None:
        if not self.label.strip() or not self.counter_name.strip():
            raise ValueError(f"an announcement needs a ticket and a counter: {self!r}")
        if not _LANG.fullmatch(self.lang):
            raise ValueError(f"not a language code: {self.lang!r}")


def spoken_ticket(label: str) -> str:
    """ "A042" → "A42" (see the module's docstring); anything else as it is."""
    match = _LABEL.fullmatch(label.strip())
    return f"{match[1]}{int(match[2])}" if match else label.strip()


def _base(lang: str) -> str:
    return re.split(r"[-_]", lang)[0]


def phrases(a: Announcement, first_lang: str = "fr") -> list[tuple[str, str]]:
    """(language, text) to speak in order: the office's language, then the visitor's."""
    ticket = spoken_ticket(a.label)
    first = _base(first_lang)
    out = [(first, _phrase(first, ticket, a.counter_name, None, a.recall))]
    lang = _base(a.lang) if _base(a.lang) in available(DOMAIN) else "en"  # no catalogue: English
    if lang != first:
        number = _TRAILING_NUMBER.search(a.counter_name)
        counter = str(int(number[1])) if number else None
        out.append((lang, _phrase(lang, ticket, a.counter_name, counter, a.recall)))
    return out


def _phrase(lang: str, ticket: str, name: str, number: str | None, recall: bool) -> str:
    _ = translator(lang, DOMAIN)
    if number is None:  # the office's own name for the counter
        if recall:
            return _("Recall: ticket {ticket}, {counter}", ticket=ticket, counter=name)
        return _("Ticket {ticket}, {counter}", ticket=ticket, counter=name)
    if recall:
        return _("Recall: ticket {ticket}, counter {number}", ticket=ticket, number=number)
    return _("Ticket {ticket}, counter {number}", ticket=ticket, number=number)


Step = tuple[str, object]  # ("chime", None) | ("pause", seconds) | ("say", (lang, text))


class Announcer(QObject):
    started = Signal(object)  # the Announcement now being played
    finished = Signal(object)  # that Announcement is over (chime and every utterance)

    def __init__(
        self,
        speaker: Speaker,
        parent: QObject | None = None,
        *,
        volume: float = 1.0,
        sound: bool = True,
        first_lang: str = "fr",
        chime: Path | None = None,
    ) -> None:
        super().__init__(parent)
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"announcement volume must be between 0 and 1, not {volume}")
        if not _LANG.fullmatch(first_lang):
            raise ValueError(f"not a language code: {first_lang!r}")
        self._chime = chime or CHIME_PATH
        self._chime_s = wav_seconds(self._chime)
        if self._chime_s <= 0:
            raise ValueError(f"the chime is missing or not a WAV file: {self._chime}")
        self.first_lang = first_lang
        self._speaker = speaker
        self._player = WavPlayer(volume, self) if sound else None
        self._queue: deque[Announcement] = deque()
        self._current: Announcement | None = None
        self._steps: deque[Step] = deque()
        self._token = 0
        self._busy = False  # playing, or the next one is due
        self._speaking = False  # waiting for the speaker's `finished`
        self._quiet_until = 0.0  # time.monotonic(): no chime before then
        speaker.finished.connect(self._on_speech_finished)

    # --- the interface ---------------------------------------------------------------------

    def announce(self, a: Announcement) -> None:
        if not isinstance(a, Announcement):
            raise TypeError(f"announce() takes an Announcement, not {type(a).__name__}")
        self._queue.append(a)
        if len(self._queue) == ANNOUNCE_BACKLOG_WARN:
            log.warning("%d calls wait to be announced: speech lags the board", len(self._queue))
        if not self._busy:
            self._busy = True
            # Never from inside announce(): the caller sees `started` on a later turn.
            self._later(max(0.0, self._quiet_until - time.monotonic()), self._next)

    def pending(self) -> int:
        """Announcements not over yet: the one playing, and those waiting."""
        return len(self._queue) + (self._current is not None)

    def stop(self) -> None:
        """Silence now and empty the queue; the announcement cut short is `finished`."""
        self._new_token()
        self._queue.clear()
        self._steps.clear()
        self._busy = False
        current, self._current = self._current, None
        speaking, self._speaking = self._speaking, False
        if self._player is not None:
            self._player.stop()
        if speaking:
            self._speaker.stop()
        if current is not None:
            self.finished.emit(current)

    # --- the steps -------------------------------------------------------------------------

    def _new_token(self) -> int:
        self._token += 1
        return self._token

    def _later(self, seconds: float, then: Callable[[], None]) -> None:
        token = self._new_token()
        QTimer.singleShot(round(seconds * 1000), self, lambda: self._if_current(token, then))

    def _if_current(self, token: int, then: Callable[[], None]) -> None:
        if token == self._token:
            then()

    def _next(self) -> None:
        if not self._queue:
            self._busy = False
            return
        a = self._current = self._queue.popleft()
        self._steps = deque([("chime", None), ("pause", ANNOUNCE_AFTER_CHIME_S)])
        for i, (lang, text) in enumerate(phrases(a, self.first_lang)):
            if i:
                self._steps.append(("pause", ANNOUNCE_BETWEEN_LANGS_S))
            self._steps.append(("say", (lang, text)))
        self.started.emit(a)
        self._step()

    def _step(self) -> None:
        if self._current is None:
            return
        if not self._steps:
            self._done()
            return
        kind, arg = self._steps.popleft()
        if kind == "pause":
            assert isinstance(arg, float)
            self._later(arg, self._step)
        elif kind == "chime":
            self._play_chime()
        else:
            assert isinstance(arg, tuple)
            self._later(ANNOUNCE_SPEECH_TIMEOUT_S, self._on_speech_timeout)
            self._speaking = True
            self._speaker.say(arg[0], [arg[1]])

    def _play_chime(self) -> None:
        if self._player is None or not _audio_output_exists():
            self._later(self._chime_s, self._step)  # the same rhythm, silent
            return
        token = self._new_token()

        def done(ok: bool) -> None:
            if not ok:
                log.warning("the chime could not be played; the call is spoken all the same")
            self._if_current(token, self._step)

        self._player.play(self._chime, lambda: None, done)

    def _on_speech_finished(self) -> None:
        if self._speaking:
            self._speaking = False
            self._new_token()  # disarms the time-out
            self._step()

    def _on_speech_timeout(self) -> None:
        log.warning("the speaker never finished an announcement; going on")
        self._speaking = False
        self._step()

    def _done(self) -> None:
        a, self._current = self._current, None
        self._quiet_until = time.monotonic() + ANNOUNCE_BETWEEN_CALLS_S
        if a is not None:
            self.finished.emit(a)
        if self._current is None and self._busy:  # a slot of `finished` may have stopped us
            self._later(ANNOUNCE_BETWEEN_CALLS_S, self._next)


def _audio_output_exists() -> bool:
    from PySide6.QtMultimedia import QMediaDevices

    return bool(QMediaDevices.audioOutputs())
