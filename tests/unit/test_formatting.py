"""Danish numbers: one formatter for explanations, tables, figures and reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshopnlp.formatting import decimal_da

SRC = Path(__file__).resolve().parents[2] / "src" / "workshopnlp"


@pytest.mark.parametrize(("value", "digits", "text"), [
    (0.8712, 2, "0,87"), (0.667, 3, "0,667"), (1.0, 2, "1,00"), (-0.05, 3, "\u22120,050"), (-0.125, 1, "\u22120,1"),
    (12.0, 0, "12"),
])
def test_decimal_comma_and_a_real_minus(value, digits, text):
    assert decimal_da(value, digits) == text


def test_no_module_formats_danish_decimals_its_own_way():
    """A second home-made formatter drifts (one of three wrote "-0,12", the others "−0,12")."""
    own = [f"{p.name}:{n}" for p in SRC.glob("*.py") if p.name != "formatting.py"
           for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
           if re.search(r"""replace\(\s*["']\.["']\s*,\s*["'],["']\s*\)""", line)]
    assert not own, own
