"""Work done once and reused within a process (fitted coders, Danish analyses, keyword patterns, the
batch macro-F1 of the gap tests) gives exactly what computing it again would give."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from workshopnlp import coding, nlp
from workshopnlp.codebook import load_codebook
from workshopnlp.coding import KeywordFeatures, fit_coder, reference_codes
from workshopnlp.config import load_params
from workshopnlp.embeddings import EmbeddingCache, HashingEmbedder
from workshopnlp.nlp import analyse

TEXTS = ["Vi skal kunne forklare borgeren, hvorfor algoritmen foreslog et tilbud.",
         "Tak for kaffe", "Data må ikke bruges til andet formål end det aftalte", "", "Tak for kaffe"]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def test_an_analysis_reused_is_the_analysis_made_afresh():
    fresh = nlp._analyse([t for t in TEXTS], "simplemma", 2, 256)
    assert analyse(TEXTS) == fresh
    assert analyse(TEXTS) == fresh  # the second time from the memo
    assert analyse([None, "Tak for kaffe"]) == [fresh[3], fresh[1]]
    assert analyse(TEXTS, min_lemma_chars=5) == nlp._analyse(TEXTS, "simplemma", 5, 256)  # its own entries


def test_a_full_analysis_memo_starts_again_and_still_answers_every_text(monkeypatch):
    monkeypatch.setattr(nlp, "ANALYSIS_MEMO_MAX", 3)
    monkeypatch.setattr(nlp, "_ANALYSIS_MEMO", {})
    analyse(TEXTS[:2])
    assert analyse(TEXTS) == nlp._analyse(TEXTS, "simplemma", 2, 256)  # 2 kept + 3 new > 3: emptied first
    assert len(nlp._ANALYSIS_MEMO) == len(set(TEXTS))


def test_keyword_features_find_a_code_exactly_where_one_of_its_keywords_does(codebook):
    features = KeywordFeatures(codebook)
    texts = TEXTS + ["åbenhed om kriterierne", "automatiseret sagsbehandling", "Forklaringen manglede",
                     "uforklarligt", "et sort boks-system", "ansvarlig for fejl"]
    one_by_one = np.array([[float(any(p.search((t or "").lower()) for _, p in patterns))
                            for patterns in features.patterns] for t in texts], dtype=np.float32)
    assert np.array_equal(features.dense(texts), one_by_one)
    assert one_by_one.sum() >= 5  # the texts do use keywords (and "uforklarligt" only in the middle of a word)


def _frame(rows):
    return pd.DataFrame(rows, columns=["text", "focus_area", "principle"])


HUMAN = _frame([("Borgeren skal vide, hvad data bruges til", "formaal", "gennemskuelighed"),
                ("Jeg stoler ikke på systemet", "tillid", "ingen"),
                ("Hvornår er der frokost?", "ingen", "ingen")])


def test_a_coder_fitted_again_from_the_same_inputs_is_reused_as_a_copy(codebook, tmp_path):
    params = load_params()["coding"]
    cache_a, cache_b = EmbeddingCache(tmp_path / "a.sqlite"), EmbeddingCache(tmp_path / "b.sqlite")
    embedder, other = HashingEmbedder(), HashingEmbedder.__new__(HashingEmbedder)
    other.__dict__.update(embedder.__dict__)  # another object, the same model (making one takes a second)
    coding._FIT_MEMO.clear()
    first = fit_coder(codebook, embedder, params, cache_a, human=HUMAN)
    again = fit_coder(codebook, other, params, cache_b, human=HUMAN.copy())
    assert len(coding._FIT_MEMO) == 1  # one fit
    assert again is not first and again.cache is cache_b and again.embedder is other  # the caller's own
    pd.testing.assert_frame_equal(first.predict(TEXTS), again.predict(TEXTS))
    again.dims["principle"].threshold = 0.99  # a caller's change stays with the caller
    assert fit_coder(codebook, embedder, params, cache_a, human=HUMAN).dims["principle"].threshold \
        == first.dims["principle"].threshold
    # a different code, parameter or codebook is a different fit
    changed = HUMAN.assign(principle=["ansvarlighed", "ingen", "ingen"])
    fit_coder(codebook, embedder, params, cache_a, human=changed)
    fit_coder(codebook, embedder, {**params, "C": params["C"] * 2}, cache_a, human=HUMAN)
    assert len(coding._FIT_MEMO) == min(3, coding.FIT_MEMO_MAX)
    assert coding._fit_key(codebook, embedder, params, HUMAN) != \
        coding._fit_key(codebook, embedder, params, changed)
    assert coding._fit_key(codebook, embedder, params, HUMAN) != \
        coding._fit_key(replace(codebook, version="9.9"), embedder, params, HUMAN)
    # an explicit calibration set is never reused (the tuner's and the benchmark's own fits)
    n = len(coding._FIT_MEMO)
    fit_coder(codebook, embedder, params, cache_a, human=HUMAN, calibrate_on=HUMAN.iloc[:0])
    assert len(coding._FIT_MEMO) == n


def test_reference_codes_majority_ties_reviews_and_missing_codes():
    human = pd.DataFrame([
        # s1: two of three say formaal; principle tie 1-1 goes to the coder whose name sorts first (anna)
        ("s1", "carl", "formaal", "ansvarlighed", "blind"), ("s1", "anna", "tillid", "gennemskuelighed", "blind"),
        ("s1", "bo", "formaal", None, "blind"),
        # s2: a review decides the focus area against the majority; the principle has no code at all
        ("s2", "anna", "tillid", None, "blind"), ("s2", "bo", "tillid", None, "blind"),
        ("s2", "dorte", "formaal", None, "review"),
    ], columns=["statement_id", "coder", "focus_area", "principle", "sheet_kind"])
    ref = reference_codes(human.assign(decides=human["sheet_kind"] == "review")).set_index("statement_id")
    assert ref.loc["s1", "focus_area"] == "formaal" and ref.loc["s1", "principle"] == "gennemskuelighed"
    assert ref.loc["s1", "n_coders"] == 3
    assert ref.loc["s2", "focus_area"] == "formaal" and pd.isna(ref.loc["s2", "principle"])
    assert ref.loc["s2", "n_coders"] == 2
