"""Phone numbers typed at the kiosk: one stored form per number, nonsense refused."""

from __future__ import annotations

import pytest

from shared.core import phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33 (0)6 12 34 56 78", "0612345678"),
        ("0033612345678", "0612345678"),
        ("+44 20 7183 8750", "+442071838750"),
        ("00212 612 345 678", "+212612345678"),
    ],
)
def test_numbers_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert phone.normalise(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12", "0012", "06 12 34 56", "06123456789", "+0123456789",
              "+33 6 12", "phone", "+1234567890123456"],
)  # fmt: skip
def test_nonsense_is_refused(typed: str) -> None:
    assert phone.normalise(typed) is None


def test_display_groups_french_numbers_by_two() -> None:
    assert phone.display("0612345678") == "06 12 34 56 78"
    assert phone.display("+442071838750") == "+442071838750"
