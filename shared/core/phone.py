"""Phone numbers typed by visitors (call-back requests): checked and written one way.

A French number is 10 digits starting with 0 (not 00), or +33 and 9 digits; anything else must
be international in E.164 form: "+" then 8 to 15 digits. Spaces, dots, dashes and brackets are
ignored, and "00" is read as "+". The stored form has no separators ("0612345678",
"+442071838750"), so that one number is always one string.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise(text: str) -> str | None:
    """The number in its stored form, or None when it cannot be a phone number."""
    raw = _SEPARATORS.sub("", text.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+33"):
        rest = raw[3:]
        rest = rest[1:] if rest.startswith("0") else rest  # "+33 (0)6…" is common
        return "0" + rest if re.fullmatch(r"[1-9]\d{8}", rest) else None
    if raw.startswith("+"):
        return raw if re.fullmatch(r"\+[1-9]\d{7,14}", raw) else None
    return raw if re.fullmatch(r"0[1-9]\d{8}", raw) else None


def display(number: str) -> str:
    """A stored number grouped for reading aloud or on screen: "06 12 34 56 78"."""
    if len(number) == 10 and number.startswith("0"):
        return " ".join(number[i : i + 2] for i in range(0, 10, 2))
    return number
