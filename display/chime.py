"""The display's chime: two soft tones, "ding" then "dong", before every spoken call.

`python -m display.chime` rewrites assets/sounds/chime.wav (16-bit mono, 44.1 kHz); a test
regenerates it and compares it with the shipped file. Stdlib only, so that the sound can be
rebuilt anywhere and read as code.

The two tones never overlap (the first has faded to silence before the second starts): a window
of the recording that holds both tones at once is then a sign of two chimes overlapping.
"""

from __future__ import annotations

import array
import math
import sys
import wave
from pathlib import Path

CHIME_PATH = Path(__file__).resolve().parent.parent / "assets" / "sounds" / "chime.wav"

RATE = 44100
TONES_HZ = (660.0, 880.0)  # a rising fourth: "your turn", calm; well inside 300-3000 Hz
HARMONIC = 0.15  # a touch of the second harmonic (1320, 1760 Hz): a bell, not a test tone
# The sound's shape (what it sounds like, not how the app behaves: no timing of the app).
TONE_S = 0.4  # each tone; 0.8 s in all
ATTACK_S = 0.015  # soft start: no click
DECAY_PER_S = 4.0  # the bell's ring dies away
RELEASE_S = 0.06  # the last fade to exact silence
PEAK = 0.5  # of full scale: heard over a waiting room, never startling; volume scales it


def _envelope(t: float) -> float:
    level = math.exp(-DECAY_PER_S * t)
    if t < ATTACK_S:
        level *= 0.5 - 0.5 * math.cos(math.pi * t / ATTACK_S)
    release_at = TONE_S - RELEASE_S
    if t > release_at:
        level *= 0.5 + 0.5 * math.cos(math.pi * min(1.0, (t - release_at) / RELEASE_S))
    return level


def samples() -> array.array[int]:
    out = array.array("h")
    n = round(TONE_S * RATE)
    for freq in TONES_HZ:
        for i in range(n):
            t = i / RATE
            wave_ = math.sin(2 * math.pi * freq * t) + HARMONIC * math.sin(4 * math.pi * freq * t)
            out.append(round(32767 * PEAK * _envelope(t) * wave_ / (1 + HARMONIC)))
    return out


def write(path: Path) -> None:
    data = samples()
    if sys.byteorder != "little":
        data.byteswap()  # WAV samples are little-endian
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(data.tobytes())


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else CHIME_PATH)
