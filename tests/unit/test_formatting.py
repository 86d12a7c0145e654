"""Danish numbers: one formatter for explanations, tables, figures and reports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workshopnlp.formatting import decimal_da, percent_da, points_da

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


@pytest.mark.parametrize(("share", "text"), [(0.684, "68 %"), (1.0, "100 %"), (0.0, "0 %"), (0.03, "3 %"), (0.995, "100 %")])
def test_a_share_is_a_whole_percentage_with_a_space(share, text):
    assert percent_da(share) == text


def test_no_module_writes_a_percentage_without_the_space():
    """Python's own percent format writes "68%"; a Danish reader expects "68 %", the same on every page (the
    reports once said "64%" in one sentence and "95 %" in the next). Every share goes through percent_da."""
    own = [f"{p.name}:{n}" for p in [*SRC.glob("*.py"), *SRC.parent.parent.joinpath("notebooks").glob("*.ipynb")]
           for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
           if re.search(r"%}|:\.\d%|\d%\)", line)]
    assert not own, own


@pytest.mark.parametrize(("change", "text"), [(0.0723, "+7 procentpoint"), (-0.054, "\u22125 procentpoint"),
                                              (0.001, "0 procentpoint"), (-0.1657, "\u221217 procentpoint")])
def test_a_change_of_share_is_signed_percentage_points(change, text):
    assert points_da(change) == text


def test_danish_lists_end_with_og():
    from workshopnlp.formatting import list_da

    assert [list_da([]), list_da(["a"]), list_da(["a", "b"]), list_da(["a", "b", "c"])] == ["", "a", "a og b",
                                                                                             "a, b og c"]
