"""The codebook's keywords as coding features (coding.keyword_weight), on the real codebook."""

from pathlib import Path

import numpy as np

from workshopnlp.codebook import DIMENSIONS, NO_CODE, load_codebook
from workshopnlp.coding import KeywordFeatures


def test_one_feature_per_code_with_keywords_on_both_dimensions():
    codebook = load_codebook()
    features = KeywordFeatures(codebook)
    expected = [(d, c.id) for d in DIMENSIONS for c in codebook.dimension(d).codes if c.id != NO_CODE and c.keywords]
    assert features.codes == expected and len(expected) == 9  # three focus areas, six principles


def test_a_keyword_matches_at_the_start_of_a_word_and_phrases_match_whole():
    features = KeywordFeatures(load_codebook())
    text = "Jeg er bekymret for, at den enkelte borger bliver et nummer i systemet."
    assert features.matches(text, "focus_area", "tillid") == ["bekymret", "nummer"]
    assert features.matches(text, "principle", "mennesket_i_centrum") == ["den enkelte", "nummer"]
    # 'stol' (tillid) starts 'stoler', but not a word that only contains it
    assert features.matches("Jeg stoler på min rådgiver", "focus_area", "tillid") == ["stoler"]
    assert features.matches("Han tabte sin pistol", "focus_area", "tillid") == []
    assert features.matches("Borgeren", "focus_area", "ingen") == []  # "ingen" is no feature
    hits = features.dense([text, "Der var kaffe i pausen.", ""])
    assert hits.shape == (3, len(features.codes)) and hits.dtype == np.float32
    on = {features.codes[i] for i in np.flatnonzero(hits[0])}
    assert {("focus_area", "tillid"), ("principle", "mennesket_i_centrum")} <= on
    assert not hits[1:].any()


def test_keyword_counts_per_code_are_the_baselines_rule():
    """counts(): how many of a code's keywords a text uses, per code of one dimension (the benchmark's
    keyword-rule baseline picks the code with most)."""
    features = KeywordFeatures(load_codebook())
    counts = features.counts(["Jeg er bekymret for, at den enkelte borger bliver et nummer i systemet.",
                              "Der var kaffe i pausen."], "focus_area")
    assert list(counts.columns) == ["formaal", "tillid", "teknologisk_forstaaelse"]
    assert counts.loc[0, "tillid"] == 2 and counts.loc[0].drop("tillid").max() < 2  # bekymr, nummer
    assert (counts.loc[1] == 0).all()


def test_keywords_come_from_the_codebook_given(tmp_path: Path):
    """A researcher's own codebook (--codebook) changes the features without touching code."""
    from importlib import resources

    from workshopnlp.codebook import DEFAULT_CODEBOOK

    source = resources.files("workshopnlp").joinpath(DEFAULT_CODEBOOK).read_text(encoding="utf-8")
    assert '"den enkelte"' in source
    own = tmp_path / "kodebog.yaml"
    own.write_text(source.replace('"den enkelte"', '"hver eneste"'), encoding="utf-8")
    features = KeywordFeatures(load_codebook(own))
    assert features.matches("Hver eneste borger skal høres", "principle", "mennesket_i_centrum") == ["hver eneste"]
    assert features.matches("den enkelte borger", "principle", "mennesket_i_centrum") == []
