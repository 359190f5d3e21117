"""espeak-ng as a speech backend: each sentence becomes a cached WAV file, played by Qt.

Theory of operation. `EspeakSynth` runs espeak-ng as a QProcess, one sentence at a time, in the
order asked, writing to a temporary file that is renamed into the cache only when the run
succeeded (a crash or a kill never leaves half a WAV under a cached name). The cache is
content-addressed by (engine, language, voice, rate, text), so a file, once written, never
changes. `cancel()` drops the waiting runs and their callbacks but lets a running one finish
(a sentence takes ~0.01-0.05 s): its WAV is still worth caching, and nothing waits for it.

`WavPlayer` plays one WAV with a fresh QSoundEffect, which loads and plays it on Qt's own
threads; it reports the start and the end of the sound through callbacks.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl
from PySide6.QtMultimedia import QSoundEffect

from shared.const import (
    SPEECH_CACHE_MAX_FILES,
    SPEECH_PLAYBACK_MARGIN_S,
    SPEECH_SYNTH_TIMEOUT_S,
)

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
# Voices named as espeak-ng names them; any other language is passed as it is.
VOICES = {"fr": "fr", "en": "en", "ar": "ar"}

WavReady = Callable[[Path | None], None]  # the cached WAV, or None when espeak-ng failed


def espeak_path() -> str | None:
    return shutil.which(ESPEAK)


def voice_for(lang: str) -> str:
    return VOICES.get(lang, lang)


@dataclass
class _Job:
    voice: str
    text: str
    path: Path
    callbacks: list[WavReady]


class EspeakSynth(QObject):
    """Turns sentences into cached WAV files, one espeak-ng run at a time."""

    def __init__(self, cache_dir: Path, rate_wpm: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cache_dir = cache_dir
        self._rate = rate_wpm
        self._program = espeak_path() or ESPEAK
        self._pending: deque[_Job] = deque()
        self._running: _Job | None = None
        self._process: QProcess | None = None
        self._timer = QTimer(self, singleShot=True, interval=int(SPEECH_SYNTH_TIMEOUT_S * 1000))
        self._timer.timeout.connect(self._on_timeout)
        self._written = 0
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._prune()

    def path_for(self, lang: str, voice: str, text: str) -> Path:
        key = "\x1f".join((ESPEAK, lang, voice, str(self._rate), text))
        return self._cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}.wav"

    def request(self, lang: str, text: str, callback: WavReady | None = None) -> None:
        """Call `callback` with the sentence's WAV: at once when cached, else after the run."""
        voice = voice_for(lang)
        path = self.path_for(lang, voice, text)
        if path.is_file():
            if callback is not None:
                callback(path)
            return
        callbacks = [callback] if callback is not None else []
        for job in (self._running, *self._pending):
            if job is not None and job.path == path:
                job.callbacks.extend(callbacks)
                return
        self._pending.append(_Job(voice, text, path, callbacks))
        self._start_next()

    def cancel(self) -> None:
        self._pending.clear()
        if self._running is not None:
            self._running.callbacks.clear()

    def _start_next(self) -> None:
        if self._running is not None or not self._pending:
            return
        job = self._running = self._pending.popleft()
        process = self._process = QProcess(self)
        # Guarded by identity: a killed run may still report after the next one started.
        process.finished.connect(lambda code, status: self._on_finished(process, code, status))
        process.errorOccurred.connect(lambda error: self._on_error(process, error))
        # Text on stdin: a sentence starting with "-" must not read as an option.
        args = ["-v", job.voice, "-s", str(self._rate), "-b", "1", "-w", str(self._tmp(job))]
        process.start(self._program, args)
        process.write(job.text.encode())
        process.closeWriteChannel()
        self._timer.start()

    def _tmp(self, job: _Job) -> Path:
        return job.path.with_name(f".{job.path.stem}.{os.getpid()}.tmp")

    def _on_timeout(self) -> None:
        if self._process is not None:
            log.warning("espeak-ng ran longer than %s s; killed", SPEECH_SYNTH_TIMEOUT_S)
            self._process.kill()  # finished follows, with a crash exit

    def _on_error(self, process: QProcess, error: QProcess.ProcessError) -> None:
        # Only FailedToStart comes without a finished signal after it: the run ends here.
        if process is self._process and error == QProcess.ProcessError.FailedToStart:
            log.error("cannot start %s: %s", self._program, error.name)
            self._done(ok=False)

    def _on_finished(self, process: QProcess, code: int, status: QProcess.ExitStatus) -> None:
        if process is not self._process:
            return
        ok = status == QProcess.ExitStatus.NormalExit and code == 0
        if not ok and self._running is not None:
            stderr = bytes(process.readAllStandardError().data()).decode(errors="replace").strip()
            voice = self._running.voice
            log.warning("espeak-ng failed (voice %s, exit %s): %s", voice, code, stderr[:200])
        self._done(ok)

    def _done(self, ok: bool) -> None:
        self._timer.stop()
        job, process = self._running, self._process
        self._running = self._process = None
        if process is not None:
            process.deleteLater()
        if job is None:
            return
        tmp = self._tmp(job)
        result: Path | None = None
        if ok and tmp.is_file() and tmp.stat().st_size > 44:  # more than a bare WAV header
            os.replace(tmp, job.path)
            result = job.path
            self._written += 1
            if self._written % (SPEECH_CACHE_MAX_FILES // 4 or 1) == 0:
                self._prune()
        else:
            tmp.unlink(missing_ok=True)
        for callback in job.callbacks:
            callback(result)
        self._start_next()

    def _prune(self) -> None:
        """Keep the newest SPEECH_CACHE_MAX_FILES WAVs: texts with ranks and times keep changing."""
        try:
            files = sorted(self._cache_dir.glob("*.wav"), key=lambda p: p.stat().st_mtime)
            for old in files[: max(0, len(files) - SPEECH_CACHE_MAX_FILES)]:
                old.unlink(missing_ok=True)
        except OSError as exc:  # another process pruning the same cache: not worth failing
            log.info("speech cache pruning skipped: %s", exc)


def wav_seconds(path: Path) -> float:
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() / float(wav.getframerate() or 1)
    except (OSError, EOFError, wave.Error):
        return 0.0


class WavPlayer(QObject):
    """Plays one WAV at a time; `stop()` silences it at once and drops its callbacks."""

    def __init__(self, volume: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.volume = volume
        self._effect: QSoundEffect | None = None
        self._on_start: Callable[[], None] | None = None
        self._on_done: Callable[[bool], None] | None = None
        self._playing = False
        self._watchdog = QTimer(self, singleShot=True)
        self._watchdog.timeout.connect(self._on_watchdog)

    def play(
        self, path: Path, on_start: Callable[[], None], on_done: Callable[[bool], None]
    ) -> None:
        self.stop()
        self._on_start, self._on_done, self._playing = on_start, on_done, False
        effect = self._effect = QSoundEffect(self)
        effect.setVolume(self.volume)
        # Slots are guarded by identity, never disconnected (see shared.ui.signals): a stopped
        # effect still reports its end, and that report must not end the next sentence.
        effect.statusChanged.connect(lambda: self._on_status(effect))
        effect.playingChanged.connect(lambda: self._on_playing(effect))
        effect.setSource(QUrl.fromLocalFile(str(path)))
        seconds = wav_seconds(path)
        self._watchdog.start(int((seconds + SPEECH_PLAYBACK_MARGIN_S) * 1000))
        self._on_status(effect)  # a sample Qt has cached can be Ready at once, without a signal

    def stop(self) -> None:
        self._watchdog.stop()
        effect, self._effect = self._effect, None
        self._on_start = self._on_done = None
        if effect is not None:
            effect.stop()
            effect.deleteLater()

    def _on_status(self, effect: QSoundEffect) -> None:
        if effect is not self._effect:
            return
        status = effect.status()
        if status == QSoundEffect.Status.Ready and not self._playing and not effect.isPlaying():
            self._playing = True
            effect.play()
        elif status == QSoundEffect.Status.Error:
            log.warning("cannot play speech (no audio output, or an unreadable WAV)")
            self._finish(ok=False)

    def _on_playing(self, effect: QSoundEffect) -> None:
        if effect is not self._effect:
            return
        if effect.isPlaying():
            if self._on_start is not None:
                start, self._on_start = self._on_start, None
                start()
        elif self._playing:
            self._finish(ok=True)

    def _on_watchdog(self) -> None:
        log.warning("speech playback never reported its end; taken as ended")
        self._finish(ok=True)

    def _finish(self, ok: bool) -> None:
        done = self._on_done
        self.stop()
        if done is not None:
            done(ok)


class EspeakBackend(QObject):
    """Speaks one sentence at a time: synthesize (or find in the cache), then play."""

    def __init__(self, cache_dir: Path, rate_wpm: int, volume: float, parent: QObject) -> None:
        super().__init__(parent)
        self.synth = EspeakSynth(cache_dir, rate_wpm, self)
        self.player = WavPlayer(volume, self)
        self.keep_alive: object = None  # e.g. the temporary directory the cache lives in

    def supports(self, lang: str) -> bool:
        return True  # an unknown voice fails its run, and is reported then

    def prepare(self, lang: str, sentences: list[str]) -> None:
        """Synthesize ahead, so that the next sentence follows without a gap."""
        for sentence in sentences:
            self.synth.request(lang, sentence)

    def speak(
        self, lang: str, text: str, on_start: Callable[[], None], on_done: Callable[[bool], None]
    ) -> None:
        def ready(path: Path | None) -> None:
            if path is None:
                on_done(False)
            else:
                self.player.play(path, on_start, on_done)

        self.synth.request(lang, text, ready)

    def stop(self) -> None:
        self.synth.cancel()
        self.player.stop()
