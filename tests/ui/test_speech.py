"""The speaker, heard: real espeak-ng, real QtMultimedia, a real PulseAudio null sink recorded.

Figures (time from `say()` to the first sample of sound, from `stop()` to silence) are printed:
run with `-s` to read them. Qt's engine, and machines without sound: test_speech_engines.py.
"""

from __future__ import annotations

import array
import os
import statistics
import wave
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from shared.ui.speech import Speaker, sentences
from tests.ui.conftest import (
    LAST_WINDOW,
    LOUD,
    RATE,
    SPOKEN_MS,
    MakeSpeaker,
    PulseServer,
    Recorder,
    first_sound,
    heard,
    last_sound,
    needs_espeak,
    onset_s,
)

LONG_FR = (
    "Bienvenue à la mairie. Prenez un ticket pour être servi. Choisissez votre service. "
    "Le temps d'attente est de vingt minutes environ. Merci de patienter dans la salle. "
    "Votre numéro sera affiché à l'écran et annoncé."
)


# --- pure parts and bad input ------------------------------------------------------------------


def test_sentences_split_at_ends_and_new_lines() -> None:
    assert sentences("Ticket A 42. Guichet 3 ! Merci?\nFin") == [
        "Ticket A 42.", "Guichet 3 !", "Merci?", "Fin",
    ]  # fmt: skip
    assert sentences("Il est 3.5 fois plus long") == ["Il est 3.5 fois plus long"]
    assert sentences("هل لديك موعد؟ تفضل") == ["هل لديك موعد؟", "تفضل"]
    assert sentences("   \n ") == []


def test_bad_input_is_refused_with_a_clear_error(qtbot: QtBot) -> None:
    with pytest.raises(ValueError, match="unknown speech engine"):
        Speaker(engine="festival")
    with pytest.raises(ValueError, match="volume"):
        Speaker(engine="none", volume=1.5)
    speaker = Speaker(engine="none")
    with pytest.raises(TypeError, match="list of texts"):
        speaker.say("fr", "Ticket A 42")
    with pytest.raises(ValueError, match="language"):
        speaker.say("-v", ["Ticket A 42"])
    assert not speaker.speaking


@needs_espeak
def test_old_cached_wavs_are_pruned(
    make_speaker: MakeSpeaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.ui.espeak

    monkeypatch.setattr(shared.ui.espeak, "SPEECH_CACHE_MAX_FILES", 3)
    cache = tmp_path / "cache"
    cache.mkdir()
    for age in range(5):
        wav = cache / f"{age}.wav"
        wav.write_bytes(b"RIFF")
        os.utime(wav, (1_000_000 - age, 1_000_000 - age))  # 0.wav is the newest
    make_speaker("espeak", cache)
    assert sorted(p.name for p in cache.glob("*.wav")) == ["0.wav", "1.wav", "2.wav"]


# --- engine "none": the signals, no sound ------------------------------------------------------


def test_none_emits_the_signals_in_order(qtbot: QtBot, make_speaker: MakeSpeaker) -> None:
    speaker, events = make_speaker("none")
    assert not speaker.available()
    assert speaker.engine_for("fr") == "none"
    with qtbot.waitSignal(speaker.finished):
        speaker.say("fr", ["Un. Deux.", "", "Trois"])
        assert speaker.speaking
    assert events == [("started", "Un. Deux."), ("started", "Trois"), ("finished",)]
    assert not speaker.speaking


def test_none_interrupt_stop_and_repeat(qtbot: QtBot, make_speaker: MakeSpeaker) -> None:
    speaker, events = make_speaker("none")
    speaker.stop()  # nothing is spoken: nothing to finish
    speaker.repeat()  # nothing was said: nothing to repeat
    assert events == [] and not speaker.speaking
    with qtbot.waitSignal(speaker.finished):
        speaker.say("fr", ["Premier"])
        speaker.say("fr", ["Second"])  # interrupts before anything was spoken
    assert events == [("started", "Second"), ("finished",)]
    events.clear()
    with qtbot.waitSignal(speaker.finished):
        speaker.repeat()
    assert events == [("started", "Second"), ("finished",)]
    events.clear()
    speaker.say("en", ["Third"])
    speaker.stop()  # at once: finished, and the started still due never comes
    assert events == [("finished",)]
    qtbot.waitUntil(lambda: not speaker.speaking)
    with qtbot.waitSignal(speaker.finished):  # a later say is not disturbed by the stale one
        speaker.say("en", ["Fourth"])
    assert events == [("finished",), ("started", "Fourth"), ("finished",)]


def test_none_is_silent(qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder) -> None:
    speaker, events = make_speaker("none")
    with qtbot.waitSignal(speaker.finished):
        speaker.say("fr", ["Ticket A 42"])
    mark = recorder.frames()
    qtbot.waitUntil(lambda: recorder.frames() > mark + RATE // 2)
    assert not heard(recorder.stop())
    assert events == [("started", "Ticket A 42"), ("finished",)]


def test_nothing_to_say_still_finishes_later(qtbot: QtBot, make_speaker: MakeSpeaker) -> None:
    speaker, events = make_speaker("none")
    with qtbot.waitSignal(speaker.finished):
        speaker.say("fr", ["", "  "])
        assert events == []  # never from inside say(): its caller is not re-entered
    assert events == [("finished",)]


# --- real sound ---------------------------------------------------------------------------------


@needs_espeak
@pytest.mark.parametrize("engine", ["auto", "espeak"])
def test_a_ticket_is_heard(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder, engine: str
) -> None:
    speaker, events = make_speaker(engine)
    assert speaker.available()
    assert speaker.engine_for("fr") in ("espeak", "qt:speechd")
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", ["Ticket A 42"])
    assert events == [("started", "Ticket A 42"), ("finished",)]
    assert not speaker.speaking
    assert heard(recorder.stop())


@needs_espeak
def test_arabic_is_heard(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder, tmp_path: Path
) -> None:
    speaker, events = make_speaker("espeak")
    text = "التذكرة ٤٢. الشباك ٣."
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("ar", [text])
    assert events == [("started", text), ("finished",)]
    assert heard(recorder.stop())
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 2  # one WAV a sentence


@needs_espeak
def test_a_new_say_interrupts(qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder) -> None:
    speaker, events = make_speaker("espeak")
    with qtbot.waitSignal(speaker.started, timeout=SPOKEN_MS):
        speaker.say("fr", [LONG_FR, "Au revoir."])
    mark = recorder.frames()
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", ["Guichet 3."])
    samples = recorder.stop()
    assert events == [("started", LONG_FR), ("started", "Guichet 3."), ("finished",)]
    # The long text (~20 s) was cut: after the interruption, about one short sentence was heard.
    end = last_sound(samples)
    assert end is not None and (end - mark) / RATE < 3.0


@needs_espeak
def test_stop_silences_at_once_and_finishes(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder
) -> None:
    speaker, events = make_speaker("espeak")
    with qtbot.waitSignal(speaker.started, timeout=SPOKEN_MS):
        speaker.say("fr", [LONG_FR])
    # Stopped while a word sounds, not in a pause between two: the figure is then meaningful.
    qtbot.waitUntil(lambda: heard(recorder.running_samples()[-LAST_WINDOW:]), timeout=SPOKEN_MS)
    mark = recorder.frames()
    with qtbot.waitSignal(speaker.finished, timeout=1000):
        speaker.stop()
    assert not speaker.speaking
    qtbot.waitUntil(lambda: recorder.frames() > mark + RATE)  # a second more of recording
    samples = recorder.stop()
    end = max(i for i, x in enumerate(samples) if abs(x) > LOUD)  # the last loud sample
    # `mark` lags the sound by parec's own latency (~10-20 ms): a result at or below zero
    # means the sound stopped within that resolution.
    silence_after_s = (end - mark) / RATE
    print(f"\nstop() to the last loud sample: {silence_after_s * 1000:.0f} ms")
    assert silence_after_s < 0.5
    assert events == [("started", LONG_FR), ("finished",)]


@needs_espeak
def test_repeat_speaks_the_last_say_again(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder
) -> None:
    speaker, events = make_speaker("espeak")
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", ["A 42.", "Guichet 3."])
    mark = recorder.frames()
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.repeat()
    said = [("started", "A 42."), ("started", "Guichet 3."), ("finished",)]
    assert events == said + said
    assert first_sound(recorder.stop(), after=mark) is not None


@needs_espeak
def test_the_cache_is_used_the_second_time(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"

    def files() -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.glob("*")}

    speaker, _ = make_speaker("espeak", cache)
    texts = ["Guichet 3. Merci."]
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", texts)
    written = files()
    assert len(written) == 2 and all(name.endswith(".wav") for name in written)
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", texts)
    assert files() == written  # no espeak-ng run wrote anything
    other, _ = make_speaker("espeak", cache)  # a restarted app keeps its cache
    mark = recorder.frames()
    with qtbot.waitSignal(other.finished, timeout=SPOKEN_MS):
        other.say("fr", texts)
    assert files() == written
    assert first_sound(recorder.stop(), after=mark) is not None


@needs_espeak
def test_an_unknown_voice_is_skipped(
    qtbot: QtBot, make_speaker: MakeSpeaker, caplog: pytest.LogCaptureFixture, pulse: PulseServer
) -> None:
    speaker, events = make_speaker("espeak")
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("xq", ["Nothing"])
    assert events == [("finished",)]
    assert "espeak-ng failed (voice xq" in caplog.text


@needs_espeak
def test_an_unusable_cache_directory_still_speaks(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    speaker, events = make_speaker("espeak", blocker / "cache")
    assert speaker.engine_for("fr") == "espeak"
    with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
        speaker.say("fr", ["Guichet 3."])
    assert events == [("started", "Guichet 3."), ("finished",)]
    assert heard(recorder.stop())


@needs_espeak
def test_time_to_first_sound(
    qtbot: QtBot, make_speaker: MakeSpeaker, recorder: Recorder, tmp_path: Path
) -> None:
    """Measured, printed; asserted only loosely (a loaded CI machine is slower).

    espeak-ng starts each WAV with some silence of its own: the time to the first sound is
    printed as it is heard, and without that silence (what the pipeline itself adds).
    """
    speaker, _ = make_speaker("espeak")
    cache = tmp_path / "cache"
    figures: dict[str, list[tuple[float, float]]] = {"uncached": [], "cached": []}
    for n in range(3):
        known = set(cache.glob("*.wav"))
        for kind in ("uncached", "cached"):
            mark = recorder.frames()
            with qtbot.waitSignal(speaker.finished, timeout=SPOKEN_MS):
                speaker.say("fr", [f"Guichet {n + 1}."])
            (wav,) = set(cache.glob("*.wav")) - known
            heard_s = onset_s(recorder.running_samples(), mark)
            figures[kind].append((heard_s, heard_s - leading_silence_s(wav)))
    print()
    for kind, values in figures.items():
        heard_ms = [round(h * 1000) for h, _ in values]
        added_ms = [round(a * 1000) for _, a in values]
        print(
            f"say() to first sound, {kind}: {heard_ms} ms (median {statistics.median(heard_ms)}),"
            f" without espeak-ng's own leading silence: {added_ms} ms"
        )
        assert max(h for h, _ in values) < 2.0


def leading_silence_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    return next(i for i, x in enumerate(samples) if abs(x) > LOUD) / rate
