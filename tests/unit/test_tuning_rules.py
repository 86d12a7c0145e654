"""The rules benchmarks/tune_coding.py chooses params.yaml's coding values by: among settings whose
cross-validated macro-F1 is within fold noise (SIMPLER_WITHIN) of the best, the simplest one."""

import sys

import pandas as pd

from conftest import REPO

sys.path.insert(0, str(REPO))
from benchmarks.tune_coding import (  # noqa: E402  (a script, not part of the package)
    SIMPLER_WITHIN,
    choose_grid_point,
    choose_ingen_rule,
    choose_keyword_weight,
    choose_training_weights,
)


def test_keyword_weight_is_zero_unless_the_features_beat_fold_noise():
    assert choose_keyword_weight({0.0: 0.868, 0.25: 0.861, 0.5: 0.851, 1.0: 0.820}) == 0.0
    assert choose_keyword_weight({0.0: 0.600, 0.25: 0.600 + SIMPLER_WITHIN / 2}) == 0.0


def test_keyword_weight_takes_the_middle_of_a_plateau():
    # session 11's principles: 0.5 best, 1.0 within the margin -> the lower middle of [0.5, 1.0]
    assert choose_keyword_weight({0.0: 0.543, 0.25: 0.577, 0.5: 0.613, 1.0: 0.608}) == 0.5
    assert choose_keyword_weight({0.0: 0.5, 0.25: 0.610, 0.5: 0.612, 1.0: 0.611}) == 0.5
    assert choose_keyword_weight({0.0: 0.5, 0.25: 0.55, 0.5: 0.58, 1.0: 0.62}) == 1.0


def test_training_weights_stay_plain_unless_clearly_beaten():
    measured = {(1.0, ""): (0.868 + 0.613) / 2, (2.0, ""): (0.864 + 0.596) / 2, (3.0, ""): (0.861 + 0.599) / 2,
                (0.5, ""): (0.855 + 0.602) / 2, (1.0, "balanced"): (0.849 + 0.602) / 2}
    assert choose_training_weights(measured) == (1.0, "")
    assert choose_training_weights({(1.0, ""): 0.70, (2.0, ""): 0.70 + SIMPLER_WITHIN / 2}) == (1.0, "")
    assert choose_training_weights({(1.0, ""): 0.70, (2.0, ""): 0.72, (1.0, "balanced"): 0.71}) == (2.0, "")


def test_grid_point_prefers_the_smaller_c_then_the_smaller_context_weight_within_the_margin():
    table = pd.DataFrame([
        {"lexical_weight": 0.55, "C": 8.0, "context_weight_focus": 0.25, "mean": 0.742},
        {"lexical_weight": 0.55, "C": 4.0, "context_weight_focus": 0.5, "mean": 0.739},
        {"lexical_weight": 0.55, "C": 4.0, "context_weight_focus": 0.25, "mean": 0.740},
        {"lexical_weight": 0.40, "C": 2.0, "context_weight_focus": 0.1, "mean": 0.700},
    ])
    chosen = choose_grid_point(table)
    assert (chosen["C"], chosen["context_weight_focus"]) == (4.0, 0.25)


def test_a_setting_reached_twice_is_recognised_and_different_settings_are_not():
    """The tuner fits a setting once (step 4's plain point is the keyword step's choice): its memo key must
    not depend on how the dict was built, and must tell every real difference apart."""
    import numpy as np

    from benchmarks.tune_coding import setting_key
    from workshopnlp.config import load_params

    coding = load_params()["coding"]
    best_p = {**coding, "lexical_weight": float(np.float64(coding["lexical_weight"])), "C": np.float64(coding["C"])}
    keyword_step = {**best_p, "keyword_weight": {"principle": 0.5, "focus_area": 0}}
    plain_step_4 = {**{**best_p, "keyword_weight": {"focus_area": 0.0, "principle": 0.5}},
                    "human_weight": 1, "class_weight": ""}
    assert setting_key(keyword_step) == setting_key(plain_step_4)
    assert setting_key(plain_step_4) != setting_key({**plain_step_4, "human_weight": 2.0})
    assert setting_key(plain_step_4) != setting_key({**plain_step_4, "class_weight": "balanced"})
    assert setting_key(plain_step_4) != setting_key(
        {**plain_step_4, "keyword_weight": {"focus_area": 0.0, "principle": 0.25}})


def test_ingen_rule_stays_argmax_unless_threshold_beats_fold_noise():
    # session 25: principles 0.609 (argmax) against 0.615 (threshold); focus areas 0.860 against 0.852
    assert choose_ingen_rule({"argmax": 0.609, "threshold": 0.615}) == "threshold"
    assert choose_ingen_rule({"argmax": 0.860, "threshold": 0.852}) == "argmax"
    assert choose_ingen_rule({"argmax": 0.600, "threshold": 0.600 + SIMPLER_WITHIN / 2}) == "argmax"
