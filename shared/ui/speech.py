"""Speech for the apps: the kiosk's spoken screens (K1-K3, K7), the display's announcements.

Theory of operation. `say(lang, texts)` replaces whatever is queued: the texts are cut into
sentences, and the sentences are spoken one after another by a backend, so that an interruption
(K2: a new action interrupts) never waits for more than the sound already handed to the audio
device. Every backend callback carries the generation of the `say` it belongs to; a later
`say`, `stop` or `repeat` bumps the generation, so the late callbacks of interrupted speech
fall on the floor instead of advancing the new queue.

Backends: Qt's text-to-speech when it has a real engine (never `mock`) with a voice for the
language, else espeak-ng writing cached WAV files played by QtMultimedia, else silence. The
engine "none" is silence on purpose; it still emits `started` and `finished` in order, on later
turns of the event loop, like a real engine, so that screens can be tested without sound.

Signals: `started(text)` once per text of a `say`, when its first sentence starts sounding;
`finished()` once the queue is empty, spoken to its end or stopped. A `say` interrupted by
another `say` (or `repeat`) gets no `finished`: the queue is not empty, it has new texts.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from platformdirs import user_cache_dir
from PySide6.QtCore import QObject, QTimer, Signal

from shared.const import SPEECH_RATE_WPM

log = logging.getLogger(__name__)

ENGINES = ("auto", "qt", "espeak", "none")
_LANG = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
# A sentence ends at . ! ? … (and the Arabic question mark) followed by a space, or at a new line.
_SENTENCE_END = re.compile(r"(?<=[.!?…؟])\s+|\s*\n\s*")


def sentences(text: str) -> list[str]:
    """The sentences of `text`, in order, without empty ones."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def default_cache_dir() -> Path:
    return Path(user_cache_dir("montour")) / "speech"


class Backend(Protocol):
    def supports(self, lang: str) -> bool: ...

    def prepare(self, lang: str, sentences: list[str]) -> None: ...

    def speak(
        self, lang: str, text: str, on_start: Callable[[], None], on_done: Callable[[bool], None]
    ) -> None: ...

    def stop(self) -> None: ...


class SilentBackend(QObject):
    """Speaks nothing, but reports start and end on later turns of the event loop."""

    def supports(self, lang: str) -> bool:
        return True

    def prepare(self, lang: str, sentences: list[str]) -> None:
        pass

    def speak(
        self, lang: str, text: str, on_start: Callable[[], None], on_done: Callable[[bool], None]
    ) -> None:
        QTimer.singleShot(0, self, on_start)
        QTimer.singleShot(0, self, lambda: on_done(True))

    def stop(self) -> None:
        pass  # the callbacks still due are stale: the speaker ignores them


@dataclass(frozen=True)
class _Chunk:
    lang: str
    index: int  # which text of the `say` this sentence belongs to
    text: str
    sentence: str


class Speaker(QObject):
    started = Signal(str)  # the text now spoken
    finished = Signal()  # the queue is empty (all spoken, or stopped)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        engine: str = "auto",
        volume: float = 1.0,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        if engine not in ENGINES:
            raise ValueError(f"unknown speech engine {engine!r}; choose one of {ENGINES}")
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"speech volume must be between 0 and 1, not {volume}")
        self.engine = engine
        self._silent = SilentBackend(self)
        self._espeak: Backend | None = None
        self._qt: QtBackendLike | None = None
        if engine in ("auto", "qt"):
            self._qt = _make_qt(self, volume)
        if engine in ("auto", "espeak"):
            self._espeak = _make_espeak(self, volume, cache_dir or default_cache_dir())
        self._queue: deque[_Chunk] = deque()
        self._generation = 0
        self._speaking = False
        self._started_index = -1
        self._last: tuple[str, tuple[str, ...]] | None = None
        self._warned_silent = False

    # --- the interface ---------------------------------------------------------------------

    def say(self, lang: str, texts: Sequence[str]) -> None:
        if isinstance(texts, str):
            raise TypeError("say() takes a list of texts, not one string")
        if not _LANG.fullmatch(lang):
            raise ValueError(f"not a language code: {lang!r}")
        self._halt()
        self._last = (lang, tuple(texts))
        for index, text in enumerate(texts):
            self._queue.extend(_Chunk(lang, index, text, s) for s in sentences(text))
        self._speaking = True
        generation = self._generation
        if self._queue:
            self._backend_for(lang).prepare(lang, [chunk.sentence for chunk in self._queue])
            self._next(generation)
        else:  # nothing to say: finished all the same, but never from inside say()
            QTimer.singleShot(0, self, lambda: self._next(generation))

    def stop(self) -> None:
        was_speaking = self._speaking
        self._halt()
        if was_speaking:
            self.finished.emit()

    def repeat(self) -> None:
        if self._last is not None:
            self.say(*self._last)

    @property
    def speaking(self) -> bool:
        return self._speaking

    def available(self) -> bool:
        """A real engine and an audio output exist (speech would be heard)."""
        if self.engine == "none" or not _audio_output_exists():
            return False
        return (self._qt is not None and self._qt.usable) or self._espeak is not None

    def engine_for(self, lang: str) -> str:
        """Who would speak `lang` now: "qt:<engine>", "espeak" or "none" (for logs and tests)."""
        backend = self._backend_for(lang, warn=False)
        if backend is self._espeak:
            return "espeak"
        if self._qt is not None and backend is self._qt:
            return f"qt:{self._qt.name}"
        return "none"

    # --- the queue -------------------------------------------------------------------------

    def _halt(self) -> None:
        self._generation += 1
        self._queue.clear()
        self._speaking = False
        self._started_index = -1
        for backend in (self._qt, self._espeak, self._silent):
            if backend is not None:
                backend.stop()

    def _backend_for(self, lang: str, *, warn: bool = True) -> Backend:
        if self.engine != "none" and _audio_output_exists():
            qt = self._qt
            if qt is not None and qt.usable and (self.engine == "qt" or qt.supports(lang)):
                return qt
            if self._espeak is not None and self.engine != "qt":
                return self._espeak
        if warn and self.engine != "none" and not self._warned_silent:
            self._warned_silent = True
            log.warning("speech engine %r has no engine or no audio output: silent", self.engine)
        return self._silent

    def _next(self, generation: int) -> None:
        if generation != self._generation:
            return
        if not self._queue:
            self._speaking = False
            self.finished.emit()
            return
        chunk = self._queue.popleft()
        backend = self._backend_for(chunk.lang)
        backend.speak(
            chunk.lang,
            chunk.sentence,
            lambda: self._on_start(generation, chunk),
            lambda ok: self._on_done(generation, chunk, backend, ok),
        )

    def _on_start(self, generation: int, chunk: _Chunk) -> None:
        if generation == self._generation and chunk.index != self._started_index:
            self._started_index = chunk.index
            self.started.emit(chunk.text)

    def _on_done(self, generation: int, chunk: _Chunk, backend: Backend, ok: bool) -> None:
        if generation != self._generation:
            return
        if not ok and self._qt is not None and backend is self._qt and self.engine == "auto":
            log.warning("Qt's speech engine failed; espeak-ng speaks from now on")
            self._qt.give_up()
            self._queue.appendleft(chunk)  # the sentence it failed, said again by espeak-ng
            self._backend_for(chunk.lang).prepare(chunk.lang, [c.sentence for c in self._queue])
        elif not ok:
            log.warning("a sentence could not be spoken (language %s); skipped", chunk.lang)
        # On a later turn of the loop: a backend that fails at once must not recurse per sentence.
        QTimer.singleShot(0, self, lambda: self._next(generation))


class QtBackendLike(Backend, Protocol):
    name: str

    @property
    def usable(self) -> bool: ...

    def give_up(self) -> None: ...


def _audio_output_exists() -> bool:
    from PySide6.QtMultimedia import QMediaDevices  # only engines that play sound touch it

    return bool(QMediaDevices.audioOutputs())


def _make_espeak(parent: QObject, volume: float, cache_dir: Path) -> Backend | None:
    from shared.ui.espeak import EspeakBackend, espeak_path

    if espeak_path() is None:
        log.warning("espeak-ng is not installed: no speech without Qt's engine")
        return None
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        # Speech matters more than its cache: the visitor who needs it is at the kiosk now.
        temporary = tempfile.TemporaryDirectory(prefix="montour-speech-")
        log.warning("speech cache %s unusable (%s); using %s", cache_dir, exc, temporary.name)
        backend = EspeakBackend(Path(temporary.name), SPEECH_RATE_WPM, volume, parent)
        backend.keep_alive = temporary  # removed with the backend
        return backend
    return EspeakBackend(cache_dir, SPEECH_RATE_WPM, volume, parent)


def _make_qt(parent: QObject, volume: float) -> QtBackendLike | None:
    from shared.ui.qtspeech import QtSpeechBackend

    return QtSpeechBackend.create(parent, volume)
