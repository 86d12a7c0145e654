"""The equal-treatment check: macro-F1 per group and the permutation test of the gap between groups."""

import numpy as np
from sklearn.metrics import f1_score

from workshopnlp.agreement import group_gap_test, macro_f1_by_row, macro_f1_encoded, statements_needed_for_gap

CODES = ["formaal", "tillid", "teknologisk_forstaaelse", "ingen"]


def test_fast_macro_f1_equals_scikit_learn():
    rng = np.random.default_rng(7)
    for n in (1, 5, 40, 300):
        truth = rng.integers(0, 4, n)
        pred = np.where(rng.random(n) < 0.6, truth, rng.integers(0, 6, n))  # labels only predicted, too
        assert np.isclose(macro_f1_encoded(truth, pred, 6),
                          f1_score(truth, pred, average="macro", zero_division=0))


def test_many_groups_at_once_score_as_each_group_alone_to_the_last_bit():
    rng = np.random.default_rng(11)
    for n_labels in range(1, 12):
        for n in (0, 1, 3, 17, 60):
            truth = rng.choice(n_labels, size=(40, n), p=rng.dirichlet(np.ones(n_labels) * 0.5))
            pred = np.where(rng.random((40, n)) < 0.6, truth, rng.integers(0, n_labels, (40, n)))
            one_by_one = [macro_f1_encoded(t, p, n_labels) for t, p in zip(truth, pred)]
            assert macro_f1_by_row(truth, pred, n_labels).tolist() == one_by_one


def test_the_gap_tests_give_what_scoring_draw_by_draw_gives():
    """The definitions, one permutation and one draw at a time (as the tests computed before they scored
    all groups at once): the same random draws, the same figures."""
    truth, pred = _even_coder(150, 0.3, 4)
    groups = [range(0, 20), range(20, 70), range(70, 150)]
    labels = {v: i for i, v in enumerate(sorted(set(truth) | set(pred), key=str))}
    t, p = np.array([labels[v] for v in truth]), np.array([labels[v] for v in pred])

    def gap(parts):
        f1s = [macro_f1_encoded(t[g], p[g], len(labels)) for g in parts]
        return max(f1s) - min(f1s)

    rng = np.random.default_rng(5)
    pool, cuts = np.arange(150), [20, 70]
    null = np.array([gap(np.split(rng.permutation(pool), cuts)) for _ in range(300)])
    result = group_gap_test(truth, pred, [list(g) for g in groups], permutations=300, seed=5)
    assert result["chance_gap_median"] == float(np.median(null))
    assert result["chance_gap_p95"] == float(np.percentile(null, 95))
    assert result["p_value"] == float((1 + np.sum(null >= gap([np.array(g) for g in groups]) - 1e-12)) / 301)

    rng = np.random.default_rng(6)
    medians = []
    for n in (10, 40):
        gaps = [gap(rng.integers(0, 150, size=(3, n))) for _ in range(200)]
        medians.append(float(np.median(gaps)))
    rows = statements_needed_for_gap(truth, pred, 3, 0.1, [10, 40], draws=200, seed=6)["rows"]
    assert [r["median_gap"] for r in rows] == medians


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


def _even_coder(n, error_rate, seed):
    rng = np.random.default_rng(seed)
    truth = [CODES[i] for i in rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05])]  # one rare code, as in practice
    wrong = rng.random(n) < error_rate
    return truth, [CODES[(CODES.index(t) + 1) % 4] if w else t for t, w in zip(truth, wrong)]


def test_statements_needed_shrink_the_chance_gap_and_name_the_first_size_that_suffices():
    truth, pred = _even_coder(400, 0.25, 5)
    result = statements_needed_for_gap(truth, pred, n_groups=4, target_gap=0.10, sizes=[400, 25, 100],
                                       probability=0.8, draws=300, seed=1)
    rows = result["rows"]
    assert [r["n_per_group"] for r in rows] == [25, 100, 400]
    medians = [r["median_gap"] for r in rows]
    shares = [r["share_within_target"] for r in rows]
    assert medians[0] > medians[1] > medians[2] > 0
    assert shares[0] < shares[1] < shares[2]
    assert all(r["median_gap"] <= r["p80_gap"] for r in rows)
    first = next((r["n_per_group"] for r in rows if r["share_within_target"] >= 0.8), None)
    assert result["needed"] == first and first is not None and shares[0] < 0.8
    # the same size as the permutation test's groups gives about the same chance gap
    groups = [range(i, i + 100) for i in range(0, 400, 100)]
    chance = group_gap_test(truth, pred, groups, permutations=300, seed=3)["chance_gap_median"]
    assert abs(rows[1]["median_gap"] - chance) < 0.03
    again = statements_needed_for_gap(truth, pred, 4, 0.10, [400, 25, 100], 0.8, draws=300, seed=1)
    assert again == result


def test_a_perfect_coder_needs_the_smallest_size_and_an_unreachable_target_needs_none():
    truth, _ = _even_coder(100, 0.0, 6)
    perfect = statements_needed_for_gap(truth, truth, 4, 0.10, [10, 50], draws=50)
    assert perfect["needed"] == 10 and all(r["median_gap"] == 0 for r in perfect["rows"])
    truth, pred = _even_coder(200, 0.4, 7)
    hopeless = statements_needed_for_gap(truth, pred, 4, 0.0, [10, 20], draws=50)
    assert hopeless["needed"] is None


def test_statements_needed_refuses_an_empty_pool_or_a_single_group():
    import pytest

    with pytest.raises(ValueError):
        statements_needed_for_gap([], [], 4, 0.1, [10])
    with pytest.raises(ValueError):
        statements_needed_for_gap(["tillid"], ["tillid"], 1, 0.1, [10])


def test_citizens_answers_and_staff_notes_are_the_issues_two_registers():
    from workshopnlp.personas import PERSONAS, SOURCE_KINDS, citizen_answer_or_staff_note

    groups = {(p, k): citizen_answer_or_staff_note(p, k) for p in PERSONAS for k in SOURCE_KINDS}
    # a consultation response is a written answer too
    assert {key for key, g in groups.items() if g == "borgersvar"} == {
        ("sikret_ledig", "survey"), ("borger_i_ressourceforloeb", "survey"),
        ("sikret_ledig", "hoering"), ("borger_i_ressourceforloeb", "hoering")}
    assert {key for key, g in groups.items() if g == "medarbejdernoter"} == {
        ("raadgiver", "gruppe"), ("raadgiver", "plenum"), ("leder", "gruppe"), ("leder", "plenum")}
    # a staff member's survey answer, a citizen's line in the notes and an unknown speaker are in neither
    assert groups[("leder", "survey")] is None and groups[("sikret_ledig", "gruppe")] is None
    assert all(groups[("ukendt", k)] is None for k in SOURCE_KINDS)
    assert citizen_answer_or_staff_note("sikret_ledig", "ukendt_kilde") is None


def test_top_disagreements_counts_reference_model_pairs_most_frequent_first():
    from workshopnlp.coding import top_disagreements

    truth = ["ingen"] * 5 + ["tillid"] * 4 + ["formaal"] * 3
    pred = ["tillid"] * 3 + ["ingen"] * 2 + ["ingen"] * 3 + ["tillid"] + ["ingen", "tillid", "formaal"]
    # ingen>tillid 3, tillid>ingen 3 (a tie: by code id), formaal>ingen 1, formaal>tillid 1 (cut at n=3)
    assert top_disagreements(truth, pred) == "ingen>tillid=3; tillid>ingen=3; formaal>ingen=1"
    assert top_disagreements(truth, pred, n=1) == "ingen>tillid=3"
    assert top_disagreements(truth, truth) == ""


def test_a_code_step_table_without_rows_reads_as_empty_whatever_its_header(tmp_path):
    """A workshop nobody has coded writes persona_quality.csv with its columns and no rows; the reports must
    see 'no figures', however long the header grows (a size threshold once broke when columns were added)."""
    import pandas as pd

    from workshopnlp.coding import PERSONA_GAP_COLUMNS, PERSONA_QUALITY_COLUMNS
    from workshopnlp.reporting import _read_rows

    for columns in (PERSONA_QUALITY_COLUMNS, PERSONA_GAP_COLUMNS):
        path = tmp_path / "table.csv"
        pd.DataFrame(columns=columns).to_csv(path, index=False)
        assert _read_rows(path).empty
    (tmp_path / "blank.csv").write_text("", encoding="utf-8")
    assert _read_rows(tmp_path / "blank.csv").empty and _read_rows(tmp_path / "missing.csv").empty
    pd.DataFrame({"dimension": ["focus_area"], "persona": ["alle"]}).to_csv(tmp_path / "one.csv", index=False)
    assert len(_read_rows(tmp_path / "one.csv")) == 1
