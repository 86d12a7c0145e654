"""The benchmark's two macro-F1 figures: sklearn's default (every code either side uses) and over the codes the
reference uses only. A stray code nobody gave must weigh as a code in the first and only as a missed statement
in the second (benchmarks/coding_quality.py, scores())."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_a_code_the_reference_never_uses_weighs_as_a_whole_code_only_in_the_default_macro_f1():
    sys.path.insert(0, str(REPO))
    from benchmarks.coding_quality import scores  # noqa: E402

    truth = ["formaal", "formaal", "tillid", "tillid"]
    stray = ["formaal", "formaal", "tillid", "baeredygtighed"]  # one statement given a code nobody gave
    got = scores(truth, stray)
    # default: formaal 1.0, tillid 2/3, baeredygtighed 0 -> (1 + 2/3 + 0) / 3
    assert got["macro_f1"] == pytest.approx((1 + 2 / 3) / 3)
    # reference codes only: formaal 1.0, tillid 2/3
    assert got["macro_f1_ref"] == pytest.approx((1 + 2 / 3) / 2)
    assert got["accuracy"] == pytest.approx(0.75)
    # a wrong code that the reference does use costs the same in both
    inside = scores(truth, ["formaal", "formaal", "tillid", "formaal"])
    assert inside["macro_f1"] == pytest.approx(inside["macro_f1_ref"])
