"""How «ingen» is decided against the calibrated threshold (coding.ingen_rule, coding.decide)."""

import numpy as np
import pandas as pd
import pytest

from workshopnlp.coding import INGEN_RULES, calibrate_threshold, decide, ingen_rule
from workshopnlp.config import load_params
from workshopnlp.errors import InputError

# row 0: «ingen» most probable, a code close behind; row 1: «ingen» sure; row 2: a code sure
SCORES = pd.DataFrame({"formaal": [0.40, 0.20, 0.85], "tillid": [0.10, 0.10, 0.05], "ingen": [0.50, 0.70, 0.10]})


def test_argmax_keeps_a_more_probable_ingen_whatever_the_threshold():
    for t in (0.0, 0.3, 0.45):
        codes, best = decide(SCORES, t, "argmax")
        assert codes[0] == "ingen" and best[0] == pytest.approx(0.50)
    assert decide(SCORES, 0.3, "argmax")[0] == ["ingen", "ingen", "formaal"]
    assert decide(SCORES, 0.9, "argmax")[0] == ["ingen", "ingen", "ingen"]  # a code under the threshold gives way


def test_threshold_gives_the_best_code_exactly_when_it_reaches_the_threshold():
    codes, best = decide(SCORES, 0.4, "threshold")
    assert codes == ["formaal", "ingen", "formaal"]
    np.testing.assert_allclose(best, [0.40, 0.70, 0.85])  # a row's score is the score of the code it gets
    assert decide(SCORES, 0.45, "threshold")[0] == ["ingen", "ingen", "formaal"]
    assert decide(SCORES, 0.0, "threshold")[0] == ["formaal", "formaal", "formaal"]  # 0: never «ingen»
    # one threshold per row (statements with and without a context are calibrated apart)
    assert decide(SCORES, np.array([0.3, 0.1, 0.9]), "threshold")[0] == ["formaal", "formaal", "ingen"]


def test_without_an_ingen_column_both_rules_pick_the_best_column():
    plain = SCORES.drop(columns="ingen")
    assert decide(plain, 0.5, "argmax")[0] == decide(plain, 0.5, "threshold")[0] == ["formaal", "formaal", "formaal"]


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="ingen rule"):
        decide(SCORES, 0.3, "majority")


def test_calibration_finds_the_threshold_of_the_rule_it_is_given():
    truth = ["formaal", "ingen", "formaal"]
    t = calibrate_threshold(SCORES, truth, "threshold")
    assert 0.20 < t <= 0.40  # the smallest grid value that separates row 0 (0.40) from row 1 (0.20)
    assert decide(SCORES, t, "threshold")[0] == truth
    # argmax can never give row 0 its «formaal»: no threshold makes it right
    assert decide(SCORES, calibrate_threshold(SCORES, truth, "argmax"), "argmax")[0] != truth


def test_the_configured_rules_are_known_and_a_wrong_one_names_the_key_and_the_fix():
    params = load_params()["coding"]
    assert {ingen_rule(params, d) for d in ("focus_area", "principle")} <= set(INGEN_RULES)
    assert ingen_rule({}, "principle") == "argmax"  # a parameter file from before session 25
    with pytest.raises(InputError) as err:
        ingen_rule({"ingen_rule": {"principle": "tærskel"}}, "principle")
    assert "coding.ingen_rule.principle" in err.value.message and "threshold" in err.value.fix
