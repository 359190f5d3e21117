"""QtTextToSpeech as a speech backend, watched: it is trusted only while it keeps its word.

On Debian, Qt ships two engines: `mock` (speaks nothing; never used) and `speechd`, which needs
speech-dispatcher. Without libspeechd the engine is in Error at once; with it, creating the engine
starts the speech-dispatcher daemon (~1.7 s, once, blocking), and without an audio sink it reports
Speaking for ever. So every sentence is watched: it must start within SPEECH_QT_START_TIMEOUT_S and
end within a time derived from its length, or it counts as failed (the speaker then falls back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QLocale, QObject, QTimer
from PySide6.QtTextToSpeech import QTextToSpeech

from shared.const import (
    SPEECH_QT_MIN_CHARS_PER_S,
    SPEECH_QT_STALL_MARGIN_S,
    SPEECH_QT_START_TIMEOUT_S,
)

log = logging.getLogger(__name__)

NEVER_ENGINES = ("mock",)  # speaks nothing, while saying it did
# Engines that failed to load in this process: not tried again (Qt prints an error each time).
_FAILED: set[str] = set()


def real_engines() -> list[str]:
    return [name for name in QTextToSpeech.availableEngines() if name not in NEVER_ENGINES]


class QtSpeechBackend(QObject):
    @classmethod
    def create(cls, parent: QObject, volume: float) -> QtSpeechBackend | None:
        """The first real engine that loads, or None (a Debian kiosk without speech-dispatcher)."""
        for name in real_engines():
            if name in _FAILED:
                continue
            tts = QTextToSpeech(name)
            if tts.state() != QTextToSpeech.State.Error:
                return cls(tts, name, volume, parent)
            log.info("Qt speech engine %s unavailable: %s", name, tts.errorString())
            _FAILED.add(name)
            tts.deleteLater()
        return None

    def __init__(self, tts: QTextToSpeech, name: str, volume: float, parent: QObject) -> None:
        super().__init__(parent)
        tts.setParent(self)
        tts.setVolume(volume)
        tts.stateChanged.connect(self._on_state)
        self.name = name
        self._tts = tts
        self._usable = True
        self._locales: dict[str, QLocale | None] = {}
        self._on_start: Callable[[], None] | None = None
        self._on_done: Callable[[bool], None] | None = None
        self._text = ""
        self._watchdog = QTimer(self, singleShot=True)
        self._watchdog.timeout.connect(self._on_watchdog)

    @property
    def usable(self) -> bool:
        return self._usable and self._tts.state() != QTextToSpeech.State.Error

    def give_up(self) -> None:
        self.stop()
        self._usable = False

    def supports(self, lang: str) -> bool:
        return self._locale(lang) is not None

    def prepare(self, lang: str, sentences: list[str]) -> None:
        pass

    def speak(
        self, lang: str, text: str, on_start: Callable[[], None], on_done: Callable[[bool], None]
    ) -> None:
        self.stop()
        locale = self._locale(lang)
        if locale is None:
            QTimer.singleShot(0, self, lambda: on_done(False))
            return
        if self._tts.locale() != locale:
            self._tts.setLocale(locale)
        self._on_start, self._on_done, self._text = on_start, on_done, text
        self._watchdog.start(int(SPEECH_QT_START_TIMEOUT_S * 1000))
        self._tts.say(text)

    def stop(self) -> None:
        self._watchdog.stop()
        active = self._on_done is not None
        self._on_start = self._on_done = None  # the Ready that stop() causes is not an end
        if active:
            self._tts.stop(QTextToSpeech.BoundaryHint.Immediate)

    def _locale(self, lang: str) -> QLocale | None:
        if lang not in self._locales:
            wanted = QLocale(lang)
            same = [
                loc for loc in self._tts.availableLocales() if loc.language() == wanted.language()
            ]
            # "fr" names fr_FR, "ar" ar_EG: the language's main territory when the engine has it.
            best = [loc for loc in same if loc.territory() == wanted.territory()]
            found = best or same
            self._locales[lang] = found[0] if found else None
        return self._locales[lang]

    def _on_state(self, state: QTextToSpeech.State) -> None:
        if self._on_done is None:
            return
        if state == QTextToSpeech.State.Speaking:
            stall_s = len(self._text) / SPEECH_QT_MIN_CHARS_PER_S + SPEECH_QT_STALL_MARGIN_S
            self._watchdog.start(int(stall_s * 1000))
            if self._on_start is not None:
                start, self._on_start = self._on_start, None
                start()
        elif state == QTextToSpeech.State.Ready and self._on_start is None:
            self._finish(ok=True)
        elif state == QTextToSpeech.State.Error:
            log.warning("Qt speech engine %s failed: %s", self.name, self._tts.errorString())
            self._finish(ok=False)

    def _on_watchdog(self) -> None:
        log.warning("Qt speech engine %s did not start or did not end in time", self.name)
        self._finish(ok=False)

    def _finish(self, ok: bool) -> None:
        done = self._on_done
        if ok:
            self._watchdog.stop()
            self._on_start = self._on_done = None
        else:
            self.stop()  # a stuck engine is told to be quiet, in case it ever speaks
        if done is not None:
            done(ok)
