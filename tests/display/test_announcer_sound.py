"""The announcer, heard: the chime's spectrum, and real calls recorded from a PulseAudio null sink.

The recording is cut into 20 ms windows; a loud window whose energy sits at one of the chime's
tones (Goertzel, stdlib) is "chime", any other loud window is speech. Runs of chime windows are
chimes; the other loud windows, joined across espeak-ng's short pauses inside a sentence, are
utterances. Figures are printed: run with `-s` to read them.
"""

from __future__ import annotations

import array
import itertools
import math
import shutil
import subprocess
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import shiboken6
from pytestqt.qtbot import QtBot

from display.announcer import Announcement, Announcer
from display.chime import CHIME_PATH, HARMONIC, RATE, TONE_S, TONES_HZ, write
from shared.ui.speech import Speaker
from tests.pulse import SOUND_RMS, Recorder

WINDOW = RATE // 50  # 20 ms
TONAL = 0.5  # a window is chime when this share of its energy is at one tone (and its harmonic)
CHIME_MIN_S = 0.3  # a run of tonal windows shorter than this is a vowel, not a chime
PAUSE_IN_SPEECH_S = 0.5  # espeak-ng's pauses inside a sentence are shorter (measured: ≤ 0.36 s)
MIN_GAP_S = 0.1  # the silence that must separate any two sounds
DONE_MS = 60_000

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (Debian: espeak-ng)"
)


# --- analysis ------------------------------------------------------------------------------------


def goertzel(samples: array.array[int] | list[int], freq: float) -> float:
    """|X(freq)|² over the samples."""
    coeff = 2 * math.cos(2 * math.pi * freq / RATE)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def share(samples: array.array[int] | list[int], freq: float) -> float:
    """The share of the samples' energy at `freq` (1.0 for a pure steady tone)."""
    energy = sum(x * x for x in samples)
    return 2 * goertzel(samples, freq) / (len(samples) * energy) if energy else 0.0


def band_share(samples: array.array[int], freq: float, width_hz: float) -> float:
    """The share of the energy within ±width_hz of `freq` (the bins in between are orthogonal)."""
    step = RATE / len(samples)
    k = int(width_hz / step)
    return sum(share(samples, freq + i * step) for i in range(-k, k + 1))


def tone_of(window: array.array[int]) -> float | None:
    """The chime tone this window is made of, if it is."""
    shares = {f: share(window, f) + share(window, 2 * f) for f in TONES_HZ}
    best = max(shares, key=lambda f: shares[f])
    return best if shares[best] > TONAL else None


@dataclass
class Segment:
    kind: str  # "chime" or "speech"
    start: int  # first window
    end: int  # last window + 1
    tones: list[float | None]  # per loud window

    @property
    def seconds(self) -> float:
        return (self.end - self.start) * WINDOW / RATE


def segments(samples: array.array[int]) -> list[Segment]:
    loud: dict[int, float | None] = {}
    for i in range(len(samples) // WINDOW):
        window = samples[i * WINDOW : (i + 1) * WINDOW]
        if math.sqrt(sum(x * x for x in window) / WINDOW) / 32768 > SOUND_RMS:
            loud[i] = tone_of(window)
    # Chimes: runs of tonal windows (a 40 ms dip between the two tones allowed).
    chimes: list[Segment] = []
    for i in sorted(i for i, tone in loud.items() if tone is not None):
        if chimes and i - chimes[-1].end <= 2:
            chimes[-1].end = i + 1
        else:
            chimes.append(Segment("chime", i, i + 1, []))
    chimes = [c for c in chimes if c.seconds >= CHIME_MIN_S]
    for c in chimes:  # its first and last 40 ms (attack, fade) are too short to tell apart
        for _ in range(2):
            c.start -= c.start - 1 in loud
            c.end += c.end in loud
    in_chime = {i for c in chimes for i in range(c.start, c.end)}
    # Speech: the other loud windows, joined across short pauses but never across a chime.
    speech: list[Segment] = []
    pause = round(PAUSE_IN_SPEECH_S * RATE / WINDOW)
    for i in sorted(set(loud) - in_chime):
        last = speech[-1] if speech else None
        joined = last is not None and i - last.end <= pause
        if joined and last is not None and not any(last.end <= c.start < i for c in chimes):
            last.end = i + 1
        else:
            speech.append(Segment("speech", i, i + 1, []))
    found = sorted(chimes + speech, key=lambda s: s.start)
    for s in found:
        s.tones = [loud[i] for i in range(s.start, s.end) if i in loud]
    return found


def first_loud(samples: array.array[int], mark: int) -> int:
    loud = int(SOUND_RMS * 32768)
    return next(i for i in range(mark, len(samples)) if abs(samples[i]) > loud)


# --- the chime -----------------------------------------------------------------------------------


def _read(path: Path) -> tuple[tuple[int, int, int], array.array[int]]:
    with wave.open(str(path), "rb") as wav:
        params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        return params, array.array("h", wav.readframes(wav.getnframes()))


def test_the_shipped_chime_is_what_the_generator_makes(tmp_path: Path) -> None:
    write(tmp_path / "chime.wav")
    made_params, made = _read(tmp_path / "chime.wav")
    shipped_params, shipped = _read(CHIME_PATH)
    assert made_params == shipped_params == (1, 2, 44100)
    assert len(made) == len(shipped) == round(len(TONES_HZ) * TONE_S * RATE)
    # ±1: another libm may round a sine's last bit the other way.
    assert max(abs(a - b) for a, b in zip(made, shipped, strict=True)) <= 1


def test_the_chime_is_two_soft_tones_inside_300_to_3000_hz() -> None:
    _, samples = _read(CHIME_PATH)
    half = len(samples) // 2
    first, second = samples[:half], samples[half:]
    low, high = TONES_HZ
    # A ringing tone dies away, so its energy spreads over a few Hz: ±15 Hz around each tone.
    assert band_share(first, low, 15) + band_share(first, 2 * low, 15) > 0.98
    assert band_share(second, high, 15) + band_share(second, 2 * high, 15) > 0.98
    assert band_share(first, high, 15) < 1e-4 and band_share(second, low, 15) < 1e-4
    assert band_share(first, 2 * low, 15) < HARMONIC**2  # the harmonic colours, never leads
    outside = [50, 100, 150, 200, 250, 280, 3100, 3500, 4000, 5000, 6000, 8000, 12000, 16000]
    for freq in outside:
        for part in (first, second):
            assert share(part, freq) < 1e-4, f"{freq} Hz"
    # Soft: it starts and ends at silence, and never clips.
    assert abs(samples[0]) < 50 and abs(samples[-1]) < 50 and abs(samples[half]) < 50
    assert max(abs(x) for x in samples) < 0.6 * 32768


# --- heard ---------------------------------------------------------------------------------------


@pytest.fixture
def announcer(tmp_path: Path) -> Iterator[Announcer]:
    speaker = Speaker(engine="espeak", cache_dir=tmp_path / "cache")
    made = Announcer(speaker, sound=True)
    speaker.setParent(made)
    yield made
    made.stop()
    shiboken6.delete(made)  # its espeak-ng run, if any, ends with it


def _watch(announcer: Announcer) -> tuple[list[tuple[str, Announcement, float]], list[str]]:
    signals: list[tuple[str, Announcement, float]] = []
    spoken: list[str] = []
    announcer.started.connect(lambda a: signals.append(("started", a, time.monotonic())))
    announcer.finished.connect(lambda a: signals.append(("finished", a, time.monotonic())))
    announcer._speaker.started.connect(spoken.append)
    return signals, spoken


def _record_until_done(
    qtbot: QtBot, recorder: Recorder, signals: list[tuple[str, Announcement, float]], n: int
) -> array.array[int]:
    qtbot.waitUntil(lambda: sum(s[0] == "finished" for s in signals) == n, timeout=DONE_MS)
    end = recorder.frames()
    qtbot.waitUntil(lambda: recorder.frames() > end + RATE // 2)  # the last tail, recorded
    return recorder.stop()


def _check_no_overlap(found: list[Segment]) -> None:
    for before, after in itertools.pairwise(found):
        gap_s = (after.start - before.end) * WINDOW / RATE
        assert gap_s >= MIN_GAP_S, f"{before.kind} and {after.kind} overlap or touch: {gap_s}"
    for s in found:
        if s.kind == "chime":
            # One chime at a time: its two tones once, in order, never both again.
            assert s.seconds <= len(TONES_HZ) * TONE_S + 0.05, s
            tones = [t for t in s.tones if t is not None]
            assert tones == sorted(tones) and set(tones) == set(TONES_HZ), s
        else:
            # No chime energy during speech: at most a vowel's window or two looks tonal.
            assert sum(t is not None for t in s.tones) <= max(2, len(s.tones) // 10), s


@needs_espeak
def test_three_quick_calls_are_heard_one_after_another(
    qtbot: QtBot, announcer: Announcer, recorder: Recorder
) -> None:
    calls = [
        Announcement("A042", "Guichet 3", "fr"),
        Announcement("B007", "Guichet 1", "en"),  # spoken twice: French, then English
        Announcement("C013", "Guichet 5", "fr"),
    ]
    signals, spoken = _watch(announcer)
    mark = recorder.frames()
    for a in calls:
        announcer.announce(a)
    samples = _record_until_done(qtbot, recorder, signals, 3)

    found = segments(samples[mark:])
    kinds = [s.kind for s in found]
    assert kinds == ["chime", "speech", "chime", "speech", "speech", "chime", "speech"], found
    _check_no_overlap(found)
    assert spoken == [
        "Ticket A42, Guichet 3", "Ticket B7, Guichet 1", "Ticket B7, counter 1",
        "Ticket C13, Guichet 5",
    ]  # fmt: skip
    assert [(kind, a) for kind, a, _ in signals] == [
        (kind, a) for a in calls for kind in ("started", "finished")
    ]
    onset_ms = (first_loud(samples, mark) - mark) / RATE * 1000
    assert found[0].start * WINDOW <= first_loud(samples, mark) - mark + WINDOW
    lengths = [f[2] - s[2] for s, f in zip(signals[::2], signals[1::2], strict=True)]
    heard_s = [(found[i + 1].end - found[i].start) * WINDOW / RATE for i in (0, 5)]
    print(
        f"\nannounce() → first sample of the chime: {onset_ms:.0f} ms; "
        f"started → finished: {', '.join(f'{x:.2f}' for x in lengths)} s; "
        f"chime onset → end of speech (fr only): {', '.join(f'{x:.2f}' for x in heard_s)} s; "
        f"segments (s): {[(s.kind, round(s.start * 0.02, 2), round(s.seconds, 2)) for s in found]}"
    )
    assert onset_ms < 500


@needs_espeak
def test_a_recall_repeats_the_chime_and_the_speech(
    qtbot: QtBot, announcer: Announcer, recorder: Recorder
) -> None:
    call = Announcement("A042", "Guichet 3", "fr")
    signals, spoken = _watch(announcer)
    mark = recorder.frames()
    announcer.announce(call)
    announcer.announce(replace(call, recall=True))
    samples = _record_until_done(qtbot, recorder, signals, 2)
    found = segments(samples[mark:])
    assert [s.kind for s in found] == ["chime", "speech", "chime", "speech"], found
    _check_no_overlap(found)
    assert spoken == ["Ticket A42, Guichet 3", "Rappel : ticket A42, Guichet 3"]


@needs_espeak
def test_a_call_arriving_during_speech_waits_its_turn(
    qtbot: QtBot, announcer: Announcer, recorder: Recorder
) -> None:
    first = Announcement("A042", "Guichet 3", "en")
    then = Announcement("B007", "Guichet 1", "fr")
    signals, spoken = _watch(announcer)
    mark = recorder.frames()
    announcer.announce(first)
    qtbot.waitUntil(lambda: len(spoken) == 1, timeout=DONE_MS)  # the French is sounding
    announcer.announce(then)
    samples = _record_until_done(qtbot, recorder, signals, 2)
    found = segments(samples[mark:])
    assert [s.kind for s in found] == ["chime", "speech", "speech", "chime", "speech"], found
    _check_no_overlap(found)
    assert spoken == ["Ticket A42, Guichet 3", "Ticket A42, counter 3", "Ticket B7, Guichet 1"]


@needs_espeak
def test_stop_silences_and_empties_the_queue(
    qtbot: QtBot, announcer: Announcer, recorder: Recorder
) -> None:
    signals, spoken = _watch(announcer)
    for label in ("A042", "B007", "C013"):
        announcer.announce(Announcement(label, "Guichet 3", "en"))
    qtbot.waitUntil(lambda: len(spoken) == 1, timeout=DONE_MS)
    qtbot.waitUntil(lambda: _loud_now(recorder), timeout=DONE_MS)  # speech is heard now
    announcer.stop()
    stopped = recorder.frames()
    assert announcer.pending() == 0
    assert [kind for kind, _, _ in signals] == ["started", "finished"]
    # Three seconds more of recording: the next chime would have come by then, were it queued.
    qtbot.waitUntil(lambda: recorder.frames() > stopped + 3 * RATE, timeout=DONE_MS)
    samples = recorder.stop()
    after = samples[stopped + RATE // 5 :]  # what was already in the sink's buffers: < 0.2 s
    assert not segments(after), segments(after)
    assert spoken == ["Ticket A42, Guichet 3"]


def _loud_now(recorder: Recorder) -> bool:
    window = recorder.running_samples()[-WINDOW:]
    return len(window) == WINDOW and max(abs(x) for x in window) > SOUND_RMS * 32768


@needs_espeak
def test_espeak_says_the_ticket_letter_by_its_name() -> None:
    """Why "A42" and not "A 42": English espeak-ng reads a lone "A" as the article."""
    espeak = shutil.which("espeak-ng")
    assert espeak is not None

    def phonemes(lang: str, text: str) -> str:
        run = [espeak, "-q", "-x", "-v", lang, text]
        return subprocess.run(run, capture_output=True, text=True, check=True).stdout

    assert "eI" in phonemes("en", "Ticket A42, counter 3")
    assert "a#" in phonemes("en", "Ticket A 42, counter 3")  # the article: why it is joined
