"""The equal-treatment check: macro-F1 per group and the permutation test of the gap between groups."""

import numpy as np
from sklearn.metrics import f1_score

from workshopnlp.agreement import group_gap_test, macro_f1_encoded

CODES = ["formaal", "tillid", "teknologisk_forstaaelse", "ingen"]


def test_fast_macro_f1_equals_scikit_learn():
    rng = np.random.default_rng(7)
    for n in (1, 5, 40, 300):
        truth = rng.integers(0, 4, n)
        pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 6, n))  # labels only predicted, too
        assert np.isclose(macro_f1_encoded(truth, pred, 6),
                          f1_score(truth, pred, average="macro", zero_division=0))


def test_a_coder_that_fails_one_group_is_caught():
    rng = np.random.default_rng(1)
    truth = [CODES[i] for i in rng.integers(0, 4, 160)]
    pred = list(truth)
    for i in range(120, 160):  # the last group: every code wrong
        pred[i] = CODES[(CODES.index(truth[i]) + 1) % 4]
    groups = [range(0, 40), range(40, 80), range(80, 120), range(120, 160)]
    result = group_gap_test(truth, pred, groups, permutations=500, seed=3)
    assert result["gap"] > 0.9 and result["p_value"] < 0.01
    assert result["chance_gap_p95"] < result["gap"]


def test_an_even_coder_is_not_flagged_and_chance_alone_makes_gaps():
    rng = np.random.default_rng(2)
    truth = [CODES[i] for i in rng.integers(0, 4, 160)]
    wrong = rng.random(160) < 0.25  # the same error rate for everybody
    pred = [CODES[(CODES.index(t) + 1) % 4] if w else t for t, w in zip(truth, wrong)]
    groups = [range(0, 40), range(40, 80), range(80, 120), range(120, 160)]
    result = group_gap_test(truth, pred, groups, permutations=500, seed=3)
    assert result["p_value"] > 0.05
    assert result["chance_gap_median"] > 0.05  # 40 statements per group: gaps appear by chance alone
    again = group_gap_test(truth, pred, groups, permutations=500, seed=3)
    assert again == result  # fixed seed, same answer
