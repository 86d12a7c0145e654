"""coding.NearestExamples: per code, how like its k nearest codebook examples a text is, centred over codes."""

from __future__ import annotations

import numpy as np

from workshopnlp.coding import NearestExamples
from workshopnlp.config import load_params


def test_features_are_the_mean_of_the_k_nearest_examples_per_code_centred_over_codes():
    rng = np.random.default_rng(0)
    examples = rng.normal(size=(9, 4))
    labels = ["b", "a", "a", "c", "b", "a", "c", "b", "c"]
    near = NearestExamples.fit(examples * 3.0, labels, k=2, weight=1.0)  # lengths do not matter: cosine
    texts = rng.normal(size=(5, 4))
    got = near.features(texts)
    assert near.codes == ["a", "b", "c"] and got.shape == (5, 3)
    unit = examples / np.linalg.norm(examples, axis=1, keepdims=True)
    for i, t in enumerate(texts / np.linalg.norm(texts, axis=1, keepdims=True)):
        per_code = [np.mean(sorted((unit[[j for j, lab in enumerate(labels) if lab == c]] @ t), reverse=True)[:2])
                    for c in ("a", "b", "c")]
        assert np.allclose(got[i], np.array(per_code) - np.mean(per_code))
    assert np.allclose(got.sum(axis=1), 0.0)


def test_a_text_equal_to_an_example_is_nearest_its_code_and_k_beyond_a_codes_examples_uses_them_all():
    examples = np.eye(3)
    near = NearestExamples.fit(examples, ["x", "y", "y"], k=5, weight=2.0)
    got = near.features(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]))
    assert got[0].argmax() == 0 and got[1].argmax() == 1
    assert np.allclose(got[0], [0.5, -0.5]) and np.allclose(got[1], [-np.sqrt(0.5) / 2, np.sqrt(0.5) / 2])


def test_the_shipped_parameters_use_them_for_principles_only():
    nearest = load_params()["coding"]["nearest_examples"]
    assert nearest["weight"]["principle"] > 0 and nearest["weight"]["focus_area"] == 0 and nearest["k"] >= 1
