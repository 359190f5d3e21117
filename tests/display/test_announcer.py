"""The announcer's sequence, texts and queue, silent (Speaker engine "none", sound=False).

The same tests with real sound on a PulseAudio null sink: test_announcer_sound.py.
"""

from __future__ import annotations

import dataclasses
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from display.announcer import Announcement, Announcer, phrases, spoken_ticket
from display.chime import TONE_S, TONES_HZ
from shared.const import ANNOUNCE_AFTER_CHIME_S
from shared.ui.speech import Speaker

DONE_MS = 20_000  # the longest a test waits for its announcements to end

Events = list[tuple[str, object]]
Make = Callable[..., tuple[Announcer, Events]]


@pytest.fixture
def make(tmp_path: Path) -> Iterator[Make]:
    """Announcers on a speaker, writing down every signal of both, in order; stopped after."""
    made: list[Announcer] = []

    def make_one(
        engine: str = "none", sound: bool = False, **kw: object
    ) -> tuple[Announcer, Events]:
        speaker = Speaker(engine=engine, cache_dir=tmp_path / "cache")
        announcer = Announcer(speaker, sound=sound, **kw)  # type: ignore[arg-type]
        speaker.setParent(announcer)
        events: Events = []
        announcer.started.connect(lambda a: events.append(("started", a)))
        announcer.finished.connect(lambda a: events.append(("finished", a)))
        speaker.started.connect(lambda text: events.append(("spoken", text)))
        made.append(announcer)
        return announcer, events

    yield make_one
    for announcer in made:
        announcer.stop()


def finished(events: Events) -> list[object]:
    return [a for kind, a in events if kind == "finished"]


A = Announcement("A042", "Guichet 3", "fr")
B = Announcement("B007", "Guichet 1", "en")
C = Announcement("C013", "Guichet 12", "ar")


# --- texts -------------------------------------------------------------------------------------


def test_the_ticket_is_said_as_its_letter_and_number() -> None:
    assert spoken_ticket("A042") == "A42"
    assert spoken_ticket("B-007") == "B7"
    assert spoken_ticket("A000") == "A0"
    assert spoken_ticket("A100") == "A100"
    assert spoken_ticket(" Z9 ") == "Z9"
    assert spoken_ticket("42") == "42"  # not a ticket label: said as it is


def test_french_first_then_the_visitors_language() -> None:
    assert phrases(A) == [("fr", "Ticket A42, Guichet 3")]
    assert phrases(B) == [("fr", "Ticket B7, Guichet 1"), ("en", "Ticket B7, counter 1")]
    assert phrases(C) == [
        ("fr", "Ticket C13, Guichet 12"),
        ("ar", "التذكرة رقم C13، الشباك رقم 12"),
    ]
    assert phrases(Announcement("A042", "Guichet 3", "fr-BE")) == [("fr", "Ticket A42, Guichet 3")]


def test_a_recall_says_so() -> None:
    recall = dataclasses.replace(B, recall=True)
    assert phrases(recall) == [
        ("fr", "Rappel : ticket B7, Guichet 1"),
        ("en", "Recall: ticket B7, counter 1"),
    ]


def test_a_counter_without_a_number_keeps_its_name_and_unknown_languages_get_english() -> None:
    assert phrases(Announcement("D003", "Accueil", "es")) == [
        ("fr", "Ticket D3, Accueil"),
        ("en", "Ticket D3, Accueil"),
    ]
    assert phrases(Announcement("D003", "Desk 4", "en"), first_lang="en") == [
        ("en", "Ticket D3, Desk 4")
    ]


def test_nothing_personal_and_no_priority_can_reach_the_announcement() -> None:
    # D4: the announcement holds only what every visitor may hear.
    assert [f.name for f in dataclasses.fields(Announcement)] == [
        "label", "counter_name", "lang", "recall",
    ]  # fmt: skip


def test_bad_input_is_refused_with_a_clear_error(qtbot: QtBot, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ticket and a counter"):
        Announcement("", "Guichet 3", "fr")
    with pytest.raises(ValueError, match="ticket and a counter"):
        Announcement("A042", " ", "fr")
    with pytest.raises(ValueError, match="language"):
        Announcement("A042", "Guichet 3", "-v")
    speaker = Speaker(engine="none")
    with pytest.raises(ValueError, match="volume"):
        Announcer(speaker, volume=1.5)
    with pytest.raises(ValueError, match="language"):
        Announcer(speaker, first_lang="French")
    with pytest.raises(ValueError, match="chime"):
        Announcer(speaker, chime=tmp_path / "nope.wav")
    (tmp_path / "bad.wav").write_bytes(b"not a wav")
    with pytest.raises(ValueError, match="chime"):
        Announcer(speaker, chime=tmp_path / "bad.wav")
    announcer = Announcer(speaker, sound=False)
    with pytest.raises(TypeError, match="Announcement"):
        announcer.announce("A042")  # type: ignore[arg-type]
    assert announcer.pending() == 0


# --- the sequence --------------------------------------------------------------------------------


def test_three_quick_calls_play_one_after_another(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()
    for a in (A, B, C):
        announcer.announce(a)
    assert announcer.pending() == 3
    assert events == []  # nothing starts from inside announce()
    qtbot.waitUntil(lambda: len(finished(events)) == 3, timeout=DONE_MS)
    assert events == [
        ("started", A), ("spoken", "Ticket A42, Guichet 3"), ("finished", A),
        ("started", B), ("spoken", "Ticket B7, Guichet 1"), ("spoken", "Ticket B7, counter 1"),
        ("finished", B),
        ("started", C), ("spoken", "Ticket C13, Guichet 12"),
        ("spoken", "التذكرة رقم C13، الشباك رقم 12"), ("finished", C),
    ]  # fmt: skip
    assert announcer.pending() == 0


def test_the_silent_chime_takes_as_long_as_the_real_one(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()
    times: dict[str, float] = {}
    announcer.started.connect(lambda a: times.setdefault("started", time.monotonic()))
    announcer._speaker.started.connect(lambda t: times.setdefault("spoken", time.monotonic()))
    announcer.announce(A)
    qtbot.waitUntil(lambda: len(finished(events)) == 1, timeout=DONE_MS)
    assert times["spoken"] - times["started"] >= len(TONES_HZ) * TONE_S + ANNOUNCE_AFTER_CHIME_S


def test_calls_arriving_while_one_plays_keep_their_order(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()
    announcer.announce(A)
    qtbot.waitUntil(lambda: ("started", A) in events, timeout=DONE_MS)
    announcer.announce(C)
    announcer.announce(B)
    assert announcer.pending() == 3
    qtbot.waitUntil(lambda: ("spoken", "Ticket A42, Guichet 3") in events, timeout=DONE_MS)
    recall = dataclasses.replace(A, recall=True)
    announcer.announce(recall)
    qtbot.waitUntil(lambda: len(finished(events)) == 4, timeout=DONE_MS)
    assert [a for kind, a in events if kind == "started"] == [A, C, B, recall]
    assert finished(events) == [A, C, B, recall]


def test_a_recall_repeats_the_chime_and_the_speech(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()
    announcer.announce(B)
    announcer.announce(dataclasses.replace(B, recall=True))
    qtbot.waitUntil(lambda: len(finished(events)) == 2, timeout=DONE_MS)
    assert [a for kind, a in events if kind == "spoken"] == [
        "Ticket B7, Guichet 1", "Ticket B7, counter 1",
        "Rappel : ticket B7, Guichet 1", "Recall: ticket B7, counter 1",
    ]  # fmt: skip


def test_stop_empties_the_queue_and_finishes_the_current_call(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()
    for a in (A, B, C):
        announcer.announce(a)
    qtbot.waitUntil(lambda: ("started", A) in events, timeout=DONE_MS)
    announcer.stop()
    assert finished(events) == [A]
    assert announcer.pending() == 0
    # The queue really is empty: the next call is the next one heard, B and C never are.
    later = Announcement("D001", "Guichet 2", "fr")
    announcer.announce(later)
    qtbot.waitUntil(lambda: len(finished(events)) == 2, timeout=DONE_MS)
    assert [a for kind, a in events if kind == "started"] == [A, later]
    assert "Ticket A42, Guichet 3" not in [a for kind, a in events if kind == "spoken"]


def test_a_finished_slot_may_announce_again(qtbot: QtBot, make: Make) -> None:
    announcer, events = make()

    def again(a: Announcement) -> None:
        if a is A:
            announcer.announce(B)

    announcer.finished.connect(again)
    announcer.announce(A)
    qtbot.waitUntil(lambda: len(finished(events)) == 2, timeout=DONE_MS)
    assert finished(events) == [A, B]


def test_a_long_backlog_is_played_to_its_end(
    qtbot: QtBot,
    make: Make,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import display.announcer

    monkeypatch.setattr(display.announcer, "ANNOUNCE_BACKLOG_WARN", 3)
    for name in ("ANNOUNCE_AFTER_CHIME_S", "ANNOUNCE_BETWEEN_CALLS_S"):
        monkeypatch.setattr(display.announcer, name, 0.0)
    chime = tmp_path / "short.wav"  # 10 ms: the backlog plays quickly
    with wave.open(str(chime), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(bytes(882))
    announcer, events = make(chime=chime)
    calls = [Announcement(f"A{n:03d}", "Guichet 1", "fr") for n in range(1, 9)]
    for a in calls:
        announcer.announce(a)
    assert "speech lags the board" in caplog.text
    qtbot.waitUntil(lambda: len(finished(events)) == len(calls), timeout=DONE_MS)
    assert finished(events) == calls
