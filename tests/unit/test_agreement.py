import math

import pandas as pd
import pytest

from workshopnlp.agreement import (
    agreement_table,
    cohen_kappa,
    confusion,
    krippendorff_alpha_nominal,
    mean_pairwise_agreement,
)


def test_alpha_matches_a_hand_computed_value():
    # Coincidences: o_aa=2, o_ab=o_ba=1, o_bb=4; n_a=3, n_b=5, n=8 -> alpha = 1 - 7*2/30.
    units = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]
    assert krippendorff_alpha_nominal(units) == pytest.approx(1 - 14 / 30)


def test_alpha_ignores_missing_values_and_unpairable_units():
    units = [("a", "a", None), ("b", None, "b"), ("a", None, None), ("b", "b", "a")]
    with_missing = krippendorff_alpha_nominal(units)
    assert 0 < with_missing < 1
    assert krippendorff_alpha_nominal([("a", "a"), ("b", "b"), ("c", "c")]) == 1.0
    assert math.isnan(krippendorff_alpha_nominal([("a", None)]))


def test_systematic_disagreement_gives_negative_alpha_and_kappa():
    a = ["x", "y"] * 10
    b = ["y", "x"] * 10
    assert krippendorff_alpha_nominal(list(zip(a, b))) < 0
    assert cohen_kappa(a, b) < 0


def test_agreement_table_flags_tentative_codes():
    ids = [f"s{i}" for i in range(40)]
    a = pd.Series(["formaal"] * 20 + ["tillid"] * 20, index=ids)
    b = a.copy()
    b.iloc[20:30] = "formaal"  # half of A's tillid become formaal
    table = agreement_table({"A": a, "B": b}, ["formaal", "tillid", "ingen"], tentative_alpha=0.667)
    row = table.set_index("kode")
    assert row.loc["samlet", "n_statements"] == 40
    assert row.loc["samlet", "alpha"] < 0.667 and row.loc["samlet", "foreloebig"]
    assert math.isnan(row.loc["ingen", "alpha"]) or row.loc["ingen", "alpha"] == 1.0
    assert confusion(a.rename("A"), b.rename("B"), ["formaal", "tillid"]).loc["tillid", "formaal"] == 10


def test_tentative_codes_come_from_human_pairs_only_and_mark_labels():
    from workshopnlp.agreement import tentative_codes
    from workshopnlp.codebook import load_codebook, with_tentative_labels

    agreement = pd.DataFrame([
        {"dimension": "focus_area", "par": "A ~ B", "kode": "tillid", "foreloebig": True},
        {"dimension": "focus_area", "par": "A ~ B", "kode": "formaal", "foreloebig": False},
        {"dimension": "focus_area", "par": "A ~ model", "kode": "teknologisk_forstaaelse", "foreloebig": True},
        {"dimension": "principle", "par": "A ~ B", "kode": "samlet", "foreloebig": True}])
    assert tentative_codes(agreement) == {("focus_area", "tillid")}
    cb = with_tentative_labels(load_codebook(), tentative_codes(agreement))
    assert cb.dimension("focus_area").labels()["tillid"] == "Tillid (foreløbig)"
    assert cb.dimension("focus_area").labels()["formaal"] == "Formål"
    assert tentative_codes(None) == set()


def test_codes_table_marks_tentative_codes_per_dimension_before_the_scores():
    """codes.csv says «foreløbig» by the rule reports use: a row is marked on a dimension exactly when its code
    of that dimension is tentative – the same code on the other dimension's list does not count."""
    from workshopnlp.coding import CODE_COLUMNS, mark_tentative

    codes = pd.DataFrame({c: ["x", "y", "z"] for c in CODE_COLUMNS}).assign(
        focus_area=["tillid", "formaal", "ingen"], principle=["ingen", "ansvarlighed", "ingen"],
        score_focus_area__tillid=[0.9, 0.1, 0.0])
    marked = mark_tentative(codes, {("focus_area", "tillid"), ("principle", "ingen")})
    assert list(marked.columns) == [*CODE_COLUMNS, "focus_area_foreloebig", "principle_foreloebig",
                                    "score_focus_area__tillid"]
    assert marked["focus_area_foreloebig"].tolist() == [True, False, False]
    assert marked["principle_foreloebig"].tolist() == [True, False, True]
    assert marked["focus_area_foreloebig"].dtype == bool
    none = mark_tentative(codes.iloc[:0], set())
    assert none["principle_foreloebig"].dtype == bool and none.empty
    assert not mark_tentative(codes, set())[["focus_area_foreloebig", "principle_foreloebig"]].any().any()


def test_pairwise_agreement_pools_the_pairs_of_coders_that_share_statements():
    # A-B share 3 statements (agree on 2), A-C and B-C one each (agree on both): 4 of 5 pairs of codes
    codes = pd.DataFrame({"A": ["x", "x", "y"], "B": ["x", "y", "y"], "C": ["x", None, None]})
    assert mean_pairwise_agreement(codes) == (pytest.approx(0.8), 5)
    assert mean_pairwise_agreement(codes[["A", "B"]]) == (pytest.approx(2 / 3), 3)
    # one coder per statement: nothing to compare, said as NaN, not as agreement
    alone = mean_pairwise_agreement(pd.DataFrame({"A": ["x", None], "B": [None, "y"]}))
    assert math.isnan(alone[0]) and alone[1] == 0
    assert math.isnan(mean_pairwise_agreement(pd.DataFrame({"A": ["x"]}))[0])


def test_pairs_sharing_too_few_statements_are_marked_and_make_no_code_tentative():
    """One shared statement gives alpha 1: such a pair is 'faa_udsagn' (and foreløbig), it cannot mark a code
    tentative or settled, and coders who share no statement get no row at all."""
    from workshopnlp.agreement import tentative_codes

    ids = [f"s{i}" for i in range(30)]
    a = pd.Series(["formaal"] * 15 + ["tillid"] * 15, index=ids)
    b = a.copy()
    b.iloc[15:25] = "formaal"  # A and B disagree on tillid
    x = pd.Series(["tillid"], index=["s29"])  # shares one statement with A and B, and agrees
    z = pd.Series(["formaal"], index=["t1"])  # shares none
    table = agreement_table({"A": a, "B": b, "X": x, "Z": z}, ["formaal", "tillid"], 0.667, min_statements=10)
    assert not table["par"].str.contains("Z").any()
    few = table[table["par"].isin(["A ~ X", "B ~ X"])]
    assert len(few) == 6 and few["faa_udsagn"].all() and few["foreloebig"].all()
    assert (few.loc[few["kode"] == "samlet", "alpha"] == 1.0).all()  # the figure itself says nothing
    ab = table[table["par"] == "A ~ B"].set_index("kode")
    assert not ab["faa_udsagn"].any() and ab.at["tillid", "foreloebig"]
    agreement = table.assign(dimension="focus_area")
    assert tentative_codes(agreement) == {("focus_area", c) for c in ab.index[ab["foreloebig"]] if c != "samlet"}
    assert ("focus_area", "tillid") in tentative_codes(agreement)
    assert tentative_codes(agreement[agreement["par"] != "A ~ B"]) == set()
    # without a floor the one-statement pair would count as settled
    assert not agreement_table({"A": a, "X": x}, ["formaal", "tillid"], 0.667)["foreloebig"].iloc[0]
