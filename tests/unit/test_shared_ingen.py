"""Shared ``ingen``: the principle's 'about nothing' probability borrows from the focus area's."""

import numpy as np
import pandas as pd

from workshopnlp.coding import decide, share_ingen

PRINCIPLE = pd.DataFrame({"ansvarlighed": [0.40, 0.50, 0.10], "gennemskuelighed": [0.25, 0.10, 0.05],
                          "ingen": [0.35, 0.40, 0.85]})
FOCUS = pd.DataFrame({"formaal": [0.05, 0.80, 0.10], "tillid": [0.05, 0.15, 0.10], "ingen": [0.90, 0.05, 0.80]})


def test_weight_zero_leaves_the_scores_alone():
    out = share_ingen({"focus_area": FOCUS, "principle": PRINCIPLE}, 0.0)
    pd.testing.assert_frame_equal(out["principle"], PRINCIPLE)


def test_blended_scores_still_sum_to_one_and_keep_the_order_of_the_codes():
    out = share_ingen({"focus_area": FOCUS, "principle": PRINCIPLE}, 0.5)
    pd.testing.assert_frame_equal(out["focus_area"], FOCUS)  # the focus area is never changed
    p = out["principle"]
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    codes = ["ansvarlighed", "gennemskuelighed"]
    assert (p[codes].to_numpy().argmax(axis=1) == PRINCIPLE[codes].to_numpy().argmax(axis=1)).all()
    # about no focus area (row 0): ingen rises; clearly about a focus area (row 1): ingen falls
    assert p.loc[0, "ingen"] > PRINCIPLE.loc[0, "ingen"] and p.loc[1, "ingen"] < PRINCIPLE.loc[1, "ingen"]


def test_a_statement_about_no_focus_area_tips_to_no_principle():
    threshold = 0.25
    before, _ = decide(PRINCIPLE, threshold)
    after, _ = decide(share_ingen({"focus_area": FOCUS, "principle": PRINCIPLE}, 0.5)["principle"], threshold)
    assert before[0] == "ansvarlighed" and after[0] == "ingen"
    assert before[1] == after[1] == "ansvarlighed"


def test_without_a_focus_dimension_nothing_is_shared():
    out = share_ingen({"principle": PRINCIPLE}, 0.5)
    pd.testing.assert_frame_equal(out["principle"], PRINCIPLE)
