"""The context a statement was given in (section heading, survey question) as coding features."""

import numpy as np
import pandas as pd

from workshopnlp.codebook import load_codebook
from workshopnlp.coding import ContextFeatures, contexts_of, statement_context


def test_context_is_the_innermost_heading_and_the_question():
    assert statement_context("Gruppe 4 – borgere i ressourceforløb > Runde 2: Tillid", "") == "Runde 2: Tillid"
    assert statement_context("", "Hvem skal inddrages, og hvor tidligt?") == "Hvem skal inddrages, og hvor tidligt?"
    assert statement_context("Fokusområde 1 Formål", "Resume") == "Fokusområde 1 Formål | Resume"
    assert statement_context(None, float("nan")) == ""


def test_contexts_of_a_table_without_context_columns_is_empty():
    assert contexts_of(pd.DataFrame({"text": ["a", "b"]})) == ["", ""]
    frame = pd.DataFrame({"section": ["A > Runde 1 – formål", ""], "question": ["", "Øvrige bemærkninger"]})
    assert contexts_of(frame) == ["Runde 1 – formål", "Øvrige bemærkninger"]


def test_named_codes_follow_the_codebook_labels():
    features = ContextFeatures(load_codebook()).fit(["Runde 2: Tillid", "Runde 3 – tek. forståelse"])
    assert ("focus_area", "tillid") in features.named_codes("Runde 2: Tillid")
    assert ("focus_area", "formaal") in features.named_codes("Hvad er det vigtigste formål med at bruge AI?")
    assert ("focus_area", "teknologisk_forstaaelse") in features.named_codes("Runde 3 – tek. forståelse")
    assert features.named_codes("Øvrige bemærkninger") == []
    assert features.named_codes("") == []
    dense = features.dense(["Runde 2: Tillid", ""])
    assert dense[0].sum() >= 1 and dense[1].sum() == 0
    # no context, no features: codebook examples and tables without a context column look alike
    assert features.sparse([""]).nnz == 0
    assert np.all(features.sparse(["Runde 2: Tillid"]).toarray() >= 0)
